"""How the CLI shows long work on stderr: one updating line on a terminal, a line every few seconds in a log."""

from __future__ import annotations

import sys
import time

import click

from zoo import progress


class Progress:
    """One updating line on a terminal; a line every few seconds in a log."""

    def __init__(self, name: str):
        self.name, self.started, self.last, self.tty = name, time.monotonic(), 0.0, sys.stderr.isatty()

    def stage(self, stage: str) -> None:
        self._finish_line()
        click.echo(f"{self.name}: {stage}", err=True)

    def epochs(self, done: int, total: int, loss: float) -> None:
        self._show(done, total, f"epoch {done}/{total}  loss {loss:.5g}")

    def work(self, done: int, total: int, what: str) -> None:
        self._show(done, total, f"{what}: {done}/{total}")

    def _show(self, done: int, total: int, text: str) -> None:
        now = time.monotonic()
        if not self.tty and now - self.last < 5 and done < total:
            return
        self.last = now
        line = f"{self.name}: {text}  {now - self.started:.1f}s"
        click.echo(f"\r{line}" if self.tty else line, err=True, nl=not self.tty)

    def _finish_line(self):
        if self.tty and self.last:
            click.echo("", err=True)

    def __enter__(self):
        self._context = progress.reporting(self.work)
        self._context.__enter__()
        return self

    def __exit__(self, *exc):
        self._context.__exit__(*exc)
        self._finish_line()
        return False
