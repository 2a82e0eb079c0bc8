"""`zoo export` to ONNX and TFLite, the largest graphs, against the conversions the zoo made before.

ONNX: tf2onnx without its per-optimizer deep copies of the graph (zoo.exporters) against tf2onnx's default,
which copies the whole graph before each optimizer. TFLite: converted from the artifact's own SavedModel
against through a temporary SavedModel saved from the Keras model (what the wheel, which ships no
SavedModel, still does). Each variant runs REPEATS times, alternating, in this process; the best is kept.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from pathlib import Path

REPEATS = 2
ENTRIES = ("adding-lstm-200", "deep-residual-110")  # an unrolled 200-step LSTM; 110 layers with batch norm


def run(rate: float | None = None) -> list[dict]:
    import zoo
    from zoo import exporters

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ENTRIES:
            entry, folder, model = zoo.get(name), zoo.path(name), zoo.load(name)
            endpoints = entry.family.endpoints(entry, model)
            onnx = _best(
                {
                    "zoo": lambda endpoints=endpoints: exporters.to_onnx(endpoints, Path(tmp) / "a.onnx"),
                    "baseline": lambda endpoints=endpoints: _tf2onnx_as_it_comes(
                        lambda: exporters.to_onnx(endpoints, Path(tmp) / "b.onnx")
                    ),
                }
            )
            tflite = _best(
                {
                    "zoo": lambda m=model, e=endpoints, f=folder: exporters.to_tflite(m, e, Path(tmp) / "a.tflite", f),
                    "baseline": lambda m=model, e=endpoints: exporters.to_tflite(m, e, Path(tmp) / "b.tflite"),
                }
            )
            rows.append(
                _row(
                    f"zoo export {name} --format onnx",
                    "tf2onnx's default (the graph copied before each optimizer)",
                    onnx,
                    "zoo: tf2onnx without the copies (a retry with them if an optimizer fails)",
                )
            )
            rows.append(
                _row(
                    f"zoo export {name} --format tflite",
                    "through a temporary SavedModel",
                    tflite,
                    "zoo: from the artifact's verified SavedModel",
                )
            )
    return rows


def _tf2onnx_as_it_comes(call):
    """call() with the copies on: the context that switches them off made a no-op."""
    from unittest import mock

    from zoo import exporters

    with mock.patch.object(exporters, "_without_tf2onnx_safety_copies", contextlib.nullcontext):
        return call()


def _best(variants: dict) -> dict:
    best = {label: float("inf") for label in variants}
    for _ in range(REPEATS):
        for label, call in variants.items():
            start = time.perf_counter()
            call()
            best[label] = min(best[label], time.perf_counter() - start)
    return best


def _row(case: str, baseline: str, seconds: dict, note: str) -> dict:
    return dict(
        case=case,
        section="exports",
        baseline=baseline,
        zoo_seconds=seconds["zoo"],
        baseline_seconds=seconds["baseline"],
        ratio=seconds["baseline"] / seconds["zoo"],
        note=f"{note}; best of {REPEATS}, alternating",
    )
