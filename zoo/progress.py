"""Progress of long work that is not training (importance sampling, sampling many images).

Core loops call `report(done, total, what)` between their compiled calls; whoever wants to show it
(the CLI does) wraps the work in `with reporting(callback):`. Without a callback, reports cost nothing.
Ctrl-C is honoured between the same calls, so reports also mark where work can stop promptly.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

_callback: ContextVar[Callable[[int, int, str], None] | None] = ContextVar("zoo_progress", default=None)


def report(done: int, total: int, what: str) -> None:
    callback = _callback.get()
    if callback is not None:
        callback(done, total, what)


@contextmanager
def reporting(callback: Callable[[int, int, str], None]):
    token = _callback.set(callback)
    try:
        yield
    finally:
        _callback.reset(token)
