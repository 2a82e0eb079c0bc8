"""Ctrl-C during `zoo train` reaches Python through one thread of zoo's, never through TensorFlow's.

Measured: `zoo train deep-relu-10` sent SIGINT mid-run sometimes died in glibc ("corrupted size vs.
prev_size while consolidating", "free(): invalid pointer", exit -6) instead of stopping cleanly with exit
130: 3 of 45 runs (2 of the first 5; 1 of 6 beside a CPU-burning process), once in scripts/train_all.py and
once in a CI run. The kernel hands a process signal to any thread that does not block it, so TensorFlow's
own threads could take it in the middle of their work. With SIGINT blocked in every thread and taken by one
watcher with sigwait, which passes it to the main thread as if it had arrived there, 34 of 34 runs stopped
cleanly (14 of them beside the CPU burner). The Python handlers (zoo.training's "stop at the next chunk
boundary") run exactly as before. The cause is inferred from that, not traced to a line of TensorFlow.

It only protects threads started after it (threads inherit the mask they start with), so it acts only
before TensorFlow is imported, or in a single-threaded child forked after the import (scripts/train_all.py),
and does nothing in a program that already runs TensorFlow (a Python user's, or a test's CliRunner),
where blocking the signal now would only leak into its later subprocesses. Only the training
command calls it: a blocked mask is inherited by subprocesses too, so commands that start them (`zoo
site` runs npm) keep the default behaviour.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager


def route_sigint_through_a_watcher() -> bool:
    """Before TensorFlow runs: block SIGINT (in every thread started from now on too) and hand each one to
    the main thread's Python handler from a daemon thread. Whether it did."""
    if _started.is_set() or ("tensorflow" in sys.modules and not _single_threaded()):
        return False
    _started.set()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    threading.Thread(target=_watch, name="zoo-sigint", daemon=True).start()
    return True


_started = threading.Event()


def _single_threaded() -> bool:
    try:
        return len(os.listdir("/proc/self/task")) == 1  # OS threads, TensorFlow's included
    except OSError:  # no /proc: cannot tell, so leave the signal alone
        return False


def _watch() -> None:
    import _thread

    while True:
        signal.sigwait({signal.SIGINT})
        _thread.interrupt_main(signal.SIGINT)  # runs the main thread's SIGINT handler, as a real delivery would


@contextmanager
def graceful_sigint():
    """The first Ctrl-C asks training to stop at the next chunk boundary; a second one stops at once."""
    requested = []

    def handler(signum, frame):
        if requested:
            raise KeyboardInterrupt
        requested.append(signum)

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not in the main thread: leave signals alone
        yield lambda: False
        return
    try:
        yield lambda: bool(requested)
    finally:
        signal.signal(signal.SIGINT, previous)
