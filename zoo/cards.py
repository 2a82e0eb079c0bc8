"""The model card: what a training run writes beside the weights (checksums are added by zoo.artifacts)."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

from zoo.registry import plain


def card_for(entry, model, history, metrics: dict) -> dict:
    """Everything a reader needs to trust and reproduce the artifact, from the run that made it."""
    import keras
    import numpy as np
    import tensorflow as tf

    return {
        "entry": entry.name,
        "family": entry.family.name,
        "description": entry.description,
        "reference": entry.reference,
        "dataset": entry.dataset,
        "data": _provenance(entry),
        "task": entry.task,
        "params": plain(entry.params),
        "recipe": entry.recipe.to_dict(),
        "metrics": metrics,
        "expected": {k: list(v) for k, v in entry.expected.items()},
        "headline": entry.headline,
        "anchor": entry.anchor,
        "parameters": int(model.count_params()),
        "epochs_run": history.epochs,
        "training_seconds": round(history.seconds, 2),
        "seed": entry.recipe.seed,
        "versions": {
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "keras_backend": keras.backend.backend(),
        "commit": git_commit(),
        "machine": f"{platform.machine()}, {cpu_count()} cores",
    }


def _provenance(entry) -> dict | None:
    """Where an image entry's data came from (source, file sha256s, shapes, class counts); None for generated data."""
    from zoo import catalogue, data

    return data.describe(entry.dataset) if catalogue.get(entry.name).takes_data else None


def git_commit() -> str:
    try:
        return (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                cwd=Path(__file__).parent,
                timeout=5,
            ).stdout.strip()
            or "unknown"
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
