"""Time the zoo against plain baselines and the machine's compute bound, side by side in one run.

Every module in scripts/benchmarks/ (not starting with "_") defines `run(rate) -> list[dict]`, rate being
the float32 matmul FLOP/s measured once at the start of this run. Row keys: case, section, baseline,
zoo_seconds, baseline_seconds, ratio (baseline / zoo: how many times faster the zoo is), note, and where
they apply bound_seconds / bound_fraction (compute bound / zoo time: 1.0 = at the matmul rate) and
peak_mb. Rows are printed as they come, then written to scripts/benchmarks/results.json, the one source
of truth from which docs/benchmarks.md is rendered.

Usage: python scripts/bench.py [MODULE ...]     run them (default: all), write the JSON and the page
       python scripts/bench.py --render         re-render docs/benchmarks.md from the JSON
A subset run replaces only its own modules' rows in the JSON.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "scripts" / "benchmarks"
RESULTS = HERE / "results.json"
PAGE = ROOT / "docs" / "benchmarks.md"
sys.path.insert(0, str(HERE))


def _fmt(value, unit="") -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}{unit}" if abs(value) < 100 else f"{value:,.0f}{unit}"
    return f"{value}{unit}"


def _print(row: dict) -> None:
    cols = [
        row["case"][:70],
        row.get("baseline", "")[:34],
        _fmt(row.get("zoo_seconds"), " s"),
        _fmt(row.get("baseline_seconds"), " s"),
        _fmt(row.get("ratio"), "x"),
        _fmt(row.get("bound_fraction")),
        _fmt(row.get("peak_mb"), " MB"),
    ]
    print(
        " | ".join(f"{c:<{w}}" for c, w in zip(cols, (70, 34, 9, 9, 7, 6, 9))) + f" | {row.get('note', '')}", flush=True
    )


def run(selected: list[str]) -> dict:
    import tensorflow as tf
    from _flops import matmul_rate

    modules = sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_"))
    if selected:
        modules = [p for p in modules if p.stem in selected]
    started = time.perf_counter()
    rate = matmul_rate()
    print(f"float32 matmul rate: {rate / 1e9:.1f} GFLOP/s (2048 x 2048, median of 7)", flush=True)
    print("case | baseline | zoo | baseline | ratio | of bound | peak | note")
    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "tensorflow": tf.__version__,
            "load_average": os.getloadavg()[0],
            "matmul_gflops": rate / 1e9,
        },
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "modules": {},
    }
    for path in modules:
        spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        takes_rate = "rate" in inspect.signature(module.run).parameters
        rows = []
        for row in module.run(rate) if takes_rate else module.run():
            row.setdefault("section", path.stem)
            _print(row)
            rows.append(row)
        results["modules"][path.stem] = rows
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results


def merge(results: dict) -> dict:
    """A subset run keeps the other modules' rows of the previous run (marked with that run's date)."""
    if not RESULTS.exists():
        return results
    old = json.loads(RESULTS.read_text())
    for name, rows in old.get("modules", {}).items():
        if name not in results["modules"]:
            stamp = f" [run of {old.get('date')}]"
            results["modules"][name] = [
                row if row.get("note", "").endswith("]") else {**row, "note": row.get("note", "") + stamp}
                for row in rows
            ]
    return results


def render(results: dict) -> str:
    import _page

    return _page.render(results)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--render"]:
        PAGE.write_text(render(json.loads(RESULTS.read_text())))
        return 0
    results = merge(run(argv))
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    PAGE.write_text(render(results))
    print(f"wrote {RESULTS.relative_to(ROOT)} and {PAGE.relative_to(ROOT)} ({results['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
