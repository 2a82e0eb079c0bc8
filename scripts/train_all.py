"""Rebuild every shipped artifact: train each catalogue entry by its recipe into pretrained/<name>/.

Usage: python scripts/train_all.py [--jobs N] [--out DIR] [NAME ...]   (default: every catalogue entry into
pretrained/; then run make_docs.py)

Entries run N at a time (default: one per core), each as its own `zoo train` with cpus / N TensorFlow
threads, longest first (by the training and evaluation seconds on its current card), so the run ends on
short ones. Why not one at a time with every core: most entries' steps are too small to keep two threads
busy (mlp-784-30-10's batch-10 epoch ran faster on one thread than on two, measured), and even the VAE's
gain from a second thread (2.75 -> 1.83 s an epoch) is less than a second job's. Training is
deterministic (zoo.api.train enables op determinism), so the thread count does not change the weights.

Each entry is a child forked from this process after it has imported TensorFlow, Keras and zoo and read
MNIST, but before it has run a single TensorFlow op: the child starts TensorFlow's runtime itself, as a
fresh `zoo train` would, and runs the CLI's own `train` command, without paying the ~6 s import and ~2 s
of data loading 51 times (the weights of a forked deep-relu-10 equal a fresh process's bit for bit).
Each card records its own training seconds (shared cores included); this prints the wall-clock total.
A job's output goes to runs/train_all/<name>.log. `--out DIR` trains into DIR/<name> instead, with the logs
in DIR/logs/ (a trial run that leaves the shipped artifacts alone); a DIR/logs/ this script did not make is
refused, since its <name>.log files would be overwritten. Ctrl-C stops every running entry at its next clean
point (each keeps its checkpoint: run `zoo train NAME --out pretrained/NAME --force --resume`).
Unknown names and unusable folders are refused before anything trains.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "runs" / "train_all"
LOGS_MARKER = ".train_all"  # in an OUT/logs/ folder this script made: the logs there are its own to rewrite


def _previous_seconds(name: str) -> float:
    """Training plus evaluation seconds on the entry's current card (the VAE's NLL is a third of its run)."""
    card = ROOT / "pretrained" / name / "card.json"
    try:
        card = json.loads(card.read_text())
    except (OSError, ValueError):
        return 0.0
    measured = [v for k, v in card.get("metrics", {}).items() if k.endswith("_seconds") and isinstance(v, (int, float))]
    return float(card.get("training_seconds") or 0.0) + sum(measured)


def _prepare(threads: int) -> None:
    """Everything the children share, done once: imports and the embedded MNIST. Never a TensorFlow op:
    the runtime's thread pools must be created in each child, after the fork."""
    os.environ["TF_NUM_INTRAOP_THREADS"] = str(threads)
    os.environ["TF_NUM_INTEROP_THREADS"] = str(threads)
    from zoo.tf_quiet import tensorflow

    tensorflow()
    import keras  # noqa: F401

    import zoo.cli  # noqa: F401
    from zoo import data

    data.vectors("mnist")


def _logs_folder(out: Path | None) -> Path:
    """runs/train_all/, or with --out OUT/logs/, made if missing. An OUT/logs/ that holds files but not
    LOGS_MARKER is someone else's folder: refused (ZooError), as is one that cannot be made."""
    from zoo.errors import ZooError

    if out is None:
        folder = LOGS
    else:
        folder = out / "logs"
        if folder.is_dir() and any(folder.iterdir()) and not (folder / LOGS_MARKER).exists():
            raise ZooError(
                f"{folder} holds files train_all did not write (its logs would overwrite them): choose another --out"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if out is not None:
            (folder / LOGS_MARKER).touch()
    except OSError as err:
        raise ZooError(f"cannot write the logs to {folder}: {err.strerror or err}") from None
    return folder


def _fork_train(name: str, out: Path, logs: Path) -> int:
    """Start `zoo train NAME --out out/NAME` in a forked child writing to its log in `logs`; the child's pid."""
    log = logs / f"{name}.log"
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        from zoo.cli import main  # its `train` routes Ctrl-C through one thread: the fork left this one alone

        main(["train", name, "--out", str(out / name), "--force"], prog_name="zoo")
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:  # the child must never return into the parent's loop
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="entries trained at a time")
    parser.add_argument("--out", type=Path, help="train into OUT/<name>, logs in OUT/logs (default: pretrained/)")
    parser.add_argument("names", nargs="*", help="entries (default: the whole catalogue)")
    args = parser.parse_args(argv)
    import zoo

    out = (args.out or ROOT / "pretrained").resolve()
    try:
        names = sorted(
            {zoo.get(name).name for name in args.names} or zoo.list_models(), key=_previous_seconds, reverse=True
        )
        logs = _logs_folder(out if args.out else None)
    except zoo.ZooError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    jobs = max(1, args.jobs)
    threads = max(1, (os.cpu_count() or 1) // jobs)
    started = time.perf_counter()
    _prepare(threads)
    waiting, running, failed = list(names), {}, []
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                name = waiting.pop(0)
                running[_fork_train(name, out, logs)] = (name, time.perf_counter())
            pid, status = os.wait()
            name, since = running.pop(pid)
            code = os.waitstatus_to_exitcode(status)
            if code != 0:
                failed.append(name)
            state = {0: "done", 130: "INTERRUPTED"}.get(code, "FAILED")  # 130: stopped by Ctrl-C, checkpoint kept
            print(
                f"{state} {name} in {time.perf_counter() - since:.0f} s"
                + ("" if code == 0 else f" (see {logs / (name + '.log')})"),
                flush=True,
            )
    except KeyboardInterrupt:  # the children got the same SIGINT: let them checkpoint and stop
        for pid in running:
            os.waitpid(pid, 0)
        print(
            f"interrupted: {', '.join(n for n, _ in running.values())} stopped at a clean point; "
            f"not started: {', '.join(waiting) or 'none'}",
            file=sys.stderr,
        )
        return 130
    print(
        f"trained {len(names) - len(failed)} of {len(names)} entries in {time.perf_counter() - started:.0f} s "
        f"({jobs} at a time, {threads} thread(s) each)" + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
