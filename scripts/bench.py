"""Time the zoo training loop against plain baselines, side by side in one run, and print the ratios.

Each module in scripts/benchmarks/ defines `run() -> list[dict]` with keys case, baseline,
zoo_seconds, baseline_seconds, ratio (baseline / zoo: how many times faster the zoo loop is) and note.
Usage: python scripts/bench.py [MODULE ...]   (default: all of them)
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = Path(__file__).resolve().parent / "benchmarks"


def main(selected: list[str]) -> int:
    modules = sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_"))
    if selected:
        modules = [p for p in modules if p.stem in selected]
    print(f"{'case':<34} {'baseline':<30} {'zoo s':>8} {'base s':>8} {'ratio':>7}  note")
    for path in modules:
        spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for row in module.run():
            print(f"{row['case']:<34} {row['baseline']:<30} {row['zoo_seconds']:>8.2f} {row['baseline_seconds']:>8.2f} "
                  f"{row['ratio']:>6.1f}x  {row['note']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
