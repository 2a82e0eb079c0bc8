"""Shared plotting plumbing: a headless backend, one way to save, image grids and loss curves, and the pictures
several families draw (first-layer filters, the loss of each stage of a multi-stage recipe)."""

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
    """Write `fig` as PNG through a temporary file, so a failed or interrupted save leaves nothing half-written."""
    from zoo.output_files import write_atomically

    try:  # replace: api.plot checked the target before drawing (zoo.output_files.check_new_file)
        return write_atomically(path, lambda tmp: fig.savefig(tmp, dpi=110, bbox_inches="tight"), replace=True)
    finally:
        pyplot().close(fig)


def grid_shape(n: int) -> tuple[int, int]:
    """Rows and columns of the most nearly square grid holding n images."""
    cols = math.ceil(math.sqrt(n))
    return math.ceil(n / cols), cols


def image_grid(images: np.ndarray, side: int = 28) -> np.ndarray:
    """(n, side*side) or (n, side, side) values -> one 2-D mosaic, as square as n allows.

    Each image sits in a 1-pixel frame of ones (a line in the colour of 1 under the caller's colour
    map). Everything else, the empty cells of a grid that n does not fill, is masked: `imshow` draws
    masked pixels in the background colour (white), whatever the colour map, so an empty cell is
    blank rather than a block of the colour of 1. The result is a `numpy.ma.MaskedArray`."""
    images = np.asarray(images).reshape(len(images), side, side)
    rows, cols = grid_shape(len(images))
    step = side + 1
    mosaic = np.ones((rows * step + 1, cols * step + 1), np.float32)
    background = np.ones(mosaic.shape, bool)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        top, left = r * step, c * step
        background[top : top + step + 1, left : left + step + 1] = False  # the cell and its frame
        mosaic[top + 1 : top + 1 + side, left + 1 : left + 1 + side] = image
    return np.ma.masked_array(mosaic, mask=background)


def count_axis(axis) -> None:
    """An axis that counts things (epochs, layers): integer ticks, printed plainly ("15,000", never
    "1.5" or "2.9x10^2")."""
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    axis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def plain_log_axis(axis) -> None:
    """A log-scale axis labelled "290" or "0.05" rather than "2.9x10^2" or "5x10^-2" when its whole
    range lies in [0.001, 10,000]; a wider range keeps matplotlib's powers of ten throughout.
    matplotlib still decides which ticks get a label."""
    from matplotlib.ticker import LogFormatterSciNotation

    class Plain(LogFormatterSciNotation):
        def __call__(self, x, pos=None):
            label = super().__call__(x, pos)
            low, high = sorted(self.axis.get_view_interval()) if self.axis is not None else (x, x)
            return f"{x:,.4g}" if label and 1e-3 <= low and high < 1e4 else label

    axis.set_major_formatter(Plain())
    axis.set_minor_formatter(Plain(labelOnlyBase=False))


def loss_curve(ax, losses, label: str = "training loss", log: bool = True) -> None:
    ax.plot(np.arange(1, len(losses) + 1), losses, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    count_axis(ax.xaxis)
    if log:
        ax.set_yscale("log")
        plain_log_axis(ax.yaxis)
    ax.grid(alpha=0.3)


def filters(kernel: np.ndarray, title: str, out_path, n: int = 100):
    """The first n units' incoming weights as 28x28 images, each scaled to its own range."""
    w = np.asarray(kernel).T[:n]
    low, high = w.min(axis=1, keepdims=True), w.max(axis=1, keepdims=True)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 6.5))
    ax.imshow(image_grid((w - low) / np.maximum(high - low, 1e-12)), cmap="gray")
    ax.set_title(f"{title}: first-layer filters (units 1-{len(w)})")
    ax.axis("off")
    return save(fig, out_path)


def stage_losses(history, title: str, out_path):
    """The training loss of every stage of a multi-stage recipe, one panel each (their losses differ in kind)."""
    from zoo.errors import ZooError

    if history is None or not history.stages:
        raise ZooError(f"{title}: this artifact has no per-stage history; retrain it with `zoo train`")
    names = list(dict.fromkeys(history.stages))
    plt = pyplot()
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3.2), squeeze=False)
    losses, labels = np.asarray(history.loss), np.asarray(history.stages)
    for ax, name in zip(axes[0], names):
        loss_curve(ax, losses[labels == name], label=name)
        if (labels == name).sum() < 30:  # short stages: mark the epochs, so even one epoch shows
            ax.lines[-1].set_marker("o")
        ax.set_title(name, fontsize=9)
    fig.suptitle(f"{title}: training loss per stage")
    fig.tight_layout()
    return save(fig, out_path)
