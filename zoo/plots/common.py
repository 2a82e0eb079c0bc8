"""Shared plotting plumbing: a headless backend, one way to save, image grids and loss curves."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np


def pyplot():
    """matplotlib.pyplot on the headless Agg backend (no display on servers and CI)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig, path) -> Path:
    """Write `fig` as PNG through a temporary file, so a failed save leaves nothing half-written."""
    from zoo.errors import ZooError

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp.png")
    try:
        fig.savefig(tmp, dpi=110, bbox_inches="tight")
        tmp.replace(path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise ZooError(f"cannot write {path}: {err.strerror or err}") from None
    finally:
        pyplot().close(fig)
    return path


def grid_shape(n: int) -> tuple[int, int]:
    """Rows and columns of the most nearly square grid holding n images."""
    cols = math.ceil(math.sqrt(n))
    return math.ceil(n / cols), cols


def image_grid(images: np.ndarray, side: int = 28) -> np.ndarray:
    """(n, side*side) or (n, side, side) values -> one 2-D mosaic, as square as n allows."""
    images = np.asarray(images).reshape(len(images), side, side)
    rows, cols = grid_shape(len(images))
    mosaic = np.ones((rows * (side + 1) + 1, cols * (side + 1) + 1), np.float32)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        mosaic[1 + r * (side + 1): 1 + r * (side + 1) + side, 1 + c * (side + 1): 1 + c * (side + 1) + side] = image
    return mosaic


def loss_curve(ax, losses, label: str = "training loss", log: bool = True) -> None:
    ax.plot(np.arange(1, len(losses) + 1), losses, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if log:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
