"""Peak memory (maximum resident set size) of whole CLI commands, each in its own process.

Training runs the family's fit for one epoch (`zoo train` then evaluates for minutes, see
run()); `zoo eval vae --k 5000` runs on the first EVAL_IMAGES test images (the API's `n`; the sampler works in
fixed-size blocks, so its memory does not grow with the number of images, only the time does).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

EVAL_IMAGES = 200
ZOO = str(Path(sys.executable).with_name("zoo"))


def peak(argv: list[str], cwd: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one command, measured by /usr/bin/time around it.

    Not this process's own wait4 rusage: on Linux a forked child's maximum RSS starts at its parent's (the
    bench, itself gigabytes), and exec keeps that high-water mark; /usr/bin/time is a small parent.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
        start = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", report.name, *argv],
            cwd=cwd,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - start
        return seconds, int(report.read().split()[-1]) / 1024  # kilobytes


def run(rate: float | None = None) -> list[dict]:
    commands = {
        'python -c "import tensorflow"': [sys.executable, "-c", "import tensorflow"],
        # `zoo train` also measures the k = 5000 NLL after training (minutes): here only its training, one epoch
        "training vae, 1 epoch (zoo train's family.fit)": [
            sys.executable,
            "-c",
            "import zoo; e = zoo.get('vae').with_options(epochs=1); e.family.fit(e, e.build())",
        ],
        f"zoo eval vae --k 5000 (first {EVAL_IMAGES} test images, via zoo.evaluate)": [
            sys.executable,
            "-c",
            f"import zoo; print(zoo.evaluate('vae', k=5000, n={EVAL_IMAGES}))",
        ],
        "zoo sample vae --n 100000 --out x.npy": [ZOO, "sample", "vae", "--n", "100000", "--out", "x.npy"],
    }
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, argv in commands.items():
            seconds, mb = peak(argv, tmp)
            rows.append(
                dict(
                    case=label,
                    section="memory",
                    baseline="",
                    zoo_seconds=seconds,
                    peak_mb=mb,
                    note="maximum resident set size of the process",
                )
            )
    return rows
