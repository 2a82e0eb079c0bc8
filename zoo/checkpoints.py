"""Checkpoints of a training run, and the lock that keeps a second run off them.

A checkpoint holds the weights, the optimizer state, the history and the run's identity in one
.npz, replaced atomically; a resumed run must be the very run it resumes (same identity, not already
past its epochs). Split from zoo.training, which calls `save` and `restore` between chunks.
"""

from __future__ import annotations

import errno
import json
import os
import re
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from zoo.errors import ZooError
from zoo.training_history import History

CHECKPOINT_FORMAT = "zoo training checkpoint"
CHECKPOINT_VERSION = 1


def save(path: Path, model, optimizer, history: History, identity: dict | None) -> None:
    """Weights, optimizer state, history and the run's identity in one file, replaced atomically."""
    path = Path(path)
    meta = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "identity": identity,
        "epochs": history.epochs,
        "seconds": history.seconds,
    }
    arrays = {"meta": np.asarray(json.dumps(meta))}
    arrays |= {f"w{i}": np.asarray(w) for i, w in enumerate(model.get_weights())}
    arrays |= {f"o{i}": np.asarray(v) for i, v in enumerate(optimizer.variables)}
    arrays |= {f"h_{k}": v for k, v in history.to_arrays().items()}
    tmp = path.with_name(path.name + ".tmp.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(tmp, **arrays)
        tmp.replace(path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise ZooError(f"cannot write the checkpoint {path}: {err.strerror or err}") from None


def restore(path: Path, model, optimizer, identity: dict | None, epochs: int) -> History:
    """The checkpoint's history, its weights and optimizer state loaded, if it is of this very run."""
    again = "; start again without {option}"
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(str(archive["meta"])) if "meta" in archive.files else None
            if not isinstance(meta, dict) or meta.get("format") != CHECKPOINT_FORMAT:
                raise ZooError(f"{path} is not a zoo training checkpoint{again}", option="resume", value=True)
            history = History.from_arrays({k[2:]: archive[k] for k in archive.files if k.startswith("h_")})
            _check_same_run(path, meta.get("identity"), identity, history.epochs, epochs)
            weights = [archive[f"w{i}"] for i in range(len(model.get_weights()))]
            states = [archive[f"o{i}"] for i in range(len(optimizer.variables))]
            history.seconds = float(meta.get("seconds", 0.0))
    except ZooError:
        raise
    except (OSError, EOFError, KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile, zlib.error) as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ZooError(
            f"{path} is not a zoo training checkpoint, or is damaged ({reason}){again}", option="resume", value=True
        ) from None
    try:
        model.set_weights(weights)
        for variable, value in zip(optimizer.variables, states):
            variable.assign(value)
    except (ValueError, TypeError) as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ZooError(
            f"the checkpoint at {path} does not fit this model ({reason}){again}", option="resume", value=True
        ) from None
    return history


def _check_same_run(path, there: dict | None, here: dict | None, done: int, epochs: int) -> None:
    """A ZooError naming what differs between the checkpoint's run and this one, if anything does."""

    def different(what: str) -> ZooError:
        return ZooError(
            f"the checkpoint at {path} is of a different run: {what}; resume with the same options or start again"
        )

    if here is not None:
        if there is None:
            raise ZooError(
                f"the checkpoint at {path} does not record which run it is of; start again without {{option}}",
                option="resume",
                value=True,
            )
        differences = _differences(there, here)
        if differences:
            shown = [f"{name} {_shown(a)} there, {_shown(b)} here" for name, a, b in differences[:3]]
            more = f"; and {len(differences) - 3} more" if len(differences) > 3 else ""
            raise different("; ".join(shown) + more)
    if done > epochs:
        raise different(f"{done} epochs done there, {epochs} asked for here")


_MISSING = object()


def _differences(there, here, path: tuple = ()) -> list[tuple[str, object, object]]:
    """(name, there, here) for every leaf that differs; mappings are compared key by key, anything else whole."""
    if isinstance(there, dict) and isinstance(here, dict):
        keys = list(here) + [k for k in there if k not in here]
        return [d for k in keys for d in _differences(there.get(k, _MISSING), here.get(k, _MISSING), path + (k,))]
    if _canonical(there) == _canonical(here):
        return []
    return [(str(path[-1]) if path else "identity", there, here)]


def _canonical(value) -> str:
    return "<unset>" if value is _MISSING else json.dumps(value, sort_keys=True)


def _shown(value) -> str:
    if value is _MISSING:
        return "unset"
    return value if isinstance(value, str) else repr(value)


def plain_json(identity: dict | None) -> dict | None:
    """`identity` as JSON gives it back (tuples become lists), so that stored and given ones compare equal."""
    if identity is None:
        return None
    try:
        return json.loads(json.dumps(identity))
    except (TypeError, ValueError) as err:
        raise TypeError(f"a run's identity must be JSON-able: {err}") from None


@contextmanager
def run_lock(checkpoint: Path, *, out: Path | None = None):
    """Hold the run's lock while it trains and writes: a second run on the same checkpoint is refused.

    The lock is an flock on the sibling file `<checkpoint>.lock` (holding the owner's pid), taken
    without waiting; the lock file is removed on exit. The error names `out`, the folder the run
    writes: by default the one a checkpoint `.NAME.checkpoint.npz` sits beside (zoo.api's naming),
    else the checkpoint itself.
    """
    checkpoint = Path(checkpoint)
    if out is None:
        named = re.fullmatch(r"\.(.+)\.checkpoint\.npz", checkpoint.name)
        out = checkpoint.with_name(named.group(1)) if named else checkpoint
    lock = checkpoint.with_name(checkpoint.name + ".lock")
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ZooError(f"cannot write to {lock.parent}: {err.strerror or err}") from None
    fd = _lock_file(lock, out)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield lock
    finally:
        try:
            if os.fstat(fd).st_ino == os.stat(lock).st_ino:  # ours: we hold its lock
                lock.unlink()
        except FileNotFoundError:
            pass
        os.close(fd)


def _lock_file(lock: Path, out: Path) -> int:
    """An open descriptor of `lock`, flocked without waiting; a ZooError naming `out` if another run holds it."""
    import fcntl

    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise ZooError(f"cannot create the lock file {lock}: {err.strerror or err}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            holder = _read_pid(fd)
            os.close(fd)
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise ZooError(f"cannot lock {lock}: {err.strerror or err}") from None
            who = f" (pid {holder})" if holder else ""
            raise ZooError(f"another zoo training run is writing to {out}{who}") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the previous holder removed the file between our open and our lock: take the new one


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
