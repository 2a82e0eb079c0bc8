"""Rebuild every shipped artifact: train each catalogue entry by its recipe into pretrained/<name>/.

Usage: python scripts/train_all.py [--jobs N] [NAME ...]   (default: every catalogue entry; then run make_docs.py)

Entries run N at a time (default: one per core), each in its own `zoo train` process with cpus / N
TensorFlow threads, longest first (by the seconds on its current card), so the run ends on short ones.
Why not one at a time with every core: most entries' steps are too small to keep two threads busy
(mlp-784-30-10's batch-10 epoch ran faster on one thread than on two, measured), and even the VAE's
gain from a second thread (2.75 -> 1.83 s an epoch) is less than a second job's. Training is
deterministic (zoo.api.train enables op determinism), so the thread count does not change the weights.
Each card records its own training seconds (shared cores included); this prints the wall-clock total.
A job's output goes to runs/train_all/<name>.log.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "runs" / "train_all"


def _previous_seconds(name: str) -> float:
    card = ROOT / "pretrained" / name / "card.json"
    try:
        return float(json.loads(card.read_text()).get("training_seconds") or 0.0)
    except (OSError, ValueError):
        return 0.0


def _train(name: str, threads: int) -> tuple[str, int, float]:
    env = {**os.environ, "TF_NUM_INTRAOP_THREADS": str(threads)}
    started = time.perf_counter()
    with open(LOGS / f"{name}.log", "w") as log:
        # one process per entry: a clean TensorFlow state, so every run is seeded the same way `zoo train` is
        code = subprocess.run(["zoo", "train", name, "--out", str(ROOT / "pretrained" / name), "--force"],
                              stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT).returncode
    seconds = time.perf_counter() - started
    print(f"{'done' if code == 0 else 'FAILED'} {name} in {seconds:.0f} s"
          + ("" if code == 0 else f" (see {LOGS / (name + '.log')})"), flush=True)
    return name, code, seconds


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="entries trained at a time")
    parser.add_argument("names", nargs="*", help="entries (default: the whole catalogue)")
    args = parser.parse_args(argv)
    import zoo

    names = sorted(args.names or zoo.list_models(), key=_previous_seconds, reverse=True)
    jobs = max(1, args.jobs)
    threads = max(1, (os.cpu_count() or 1) // jobs)
    LOGS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(lambda n: _train(n, threads), names))
    failed = [name for name, code, _ in results if code != 0]
    print(f"trained {len(names) - len(failed)} of {len(names)} entries in {time.perf_counter() - started:.0f} s "
          f"({jobs} at a time, {threads} thread(s) each)" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
