"""Load every shipped .keras file on another Keras backend and compare its answers with TensorFlow's.

Usage: python scripts/check_backend.py jax|torch [--tolerance 1e-4]
Runs zoo.portability.outputs() twice, in fresh processes: once with KERAS_BACKEND=tensorflow, once
with the backend named, and prints one line per artifact output with the largest difference.
The backend's package must be installed (jax: `pip install jax`; torch: `pip install torch`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RUN = (
    "import sys, numpy as np, zoo.portability as p; r = p.outputs();"
    "np.savez(sys.argv[1], **{k.replace('/', '|'): v for k, v in r.items()}); print(p.backend())"
)


def outputs_on(backend: str, folder: Path) -> tuple[dict, float]:
    path = folder / f"{backend}.npz"
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUN, str(path)], env=env, capture_output=True, text=True)
    if done.returncode != 0 or done.stdout.strip().splitlines()[-1:] != [backend]:
        sys.exit(f"{backend}: failed\n{done.stderr[-3000:]}")
    with np.load(path) as archive:
        return {k.replace("|", "/"): archive[k] for k in archive.files}, time.perf_counter() - started


def compare(reference: dict, other: dict, rtol: float, atol: float) -> list[tuple[str, float, bool]]:
    rows = []
    for key, want in reference.items():
        got = other.get(key)
        ok = got is not None and got.shape == want.shape and np.allclose(got, want, rtol=rtol, atol=atol)
        rows.append(
            (
                key,
                float(np.max(np.abs(got - want))) if got is not None and got.shape == want.shape else float("inf"),
                ok,
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backend", choices=["jax", "torch"])
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        reference, tf_seconds = outputs_on("tensorflow", Path(tmp))
        other, seconds = outputs_on(args.backend, Path(tmp))
    rows = compare(reference, other, args.rtol, args.atol)
    for key, diff, ok in rows:
        print(f"{'ok  ' if ok else 'FAIL'} {key:<40} max |difference| {diff:.2e}")
    failed = sum(not ok for _, _, ok in rows)
    print(
        f"{args.backend}: {len(rows) - failed} of {len(rows)} outputs equal TensorFlow's within rtol {args.rtol}, "
        f"atol {args.atol} ({seconds:.0f} s on {args.backend}, {tf_seconds:.0f} s on tensorflow)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
