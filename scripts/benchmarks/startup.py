"""Start-up: whole CLI commands against `python -c "import tensorflow"` (the floor), timed in the same run.

Each command runs REPEATS times in a fresh process (the best time is kept: start-up has no warm state
to keep, so the minimum is the least disturbed by other work on the machine). Outputs go to a
temporary folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The fastest of three: with two, one run of 2026-12-03 caught the floor in a fast stretch (1.56x; 1.37x the
# run before).
REPEATS = 3
ZOO = str(Path(sys.executable).with_name("zoo"))


def seconds(argv: list[str], cwd: str) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
        for leftover in Path(cwd).iterdir():  # train refuses to overwrite; every repeat starts clean
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    return best


def run(rate: float | None = None) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        floor = seconds([sys.executable, "-c", "import tensorflow"], tmp)
        commands = {
            "zoo sample vae --n 64": [ZOO, "sample", "vae", "--n", "64", "--out", "s.png"],
            "zoo train encoder-9-2-9": [ZOO, "train", "encoder-9-2-9", "--out", "enc"],
        }
        rows = []
        for label, argv in commands.items():
            took = seconds(argv, tmp)
            rows.append(
                dict(
                    case=label,
                    section="startup",
                    baseline='python -c "import tensorflow"',
                    zoo_seconds=took,
                    baseline_seconds=floor,
                    ratio=took / floor,
                    note=f"best of {REPEATS}; target: within 1.5x of the import",
                )
            )
    return rows
