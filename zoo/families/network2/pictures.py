"""Pictures of the network2 lessons: accuracy over training, surviving connections, overfitting."""

from __future__ import annotations

import numpy as np

from zoo.pictures import count_axis, pyplot, save

SETS = ("training (first 1,000 images)", "validation", "test")


def accuracy(epochs, snapshots, title: str, out_path):
    """Accuracy on training, validation and test images after each chunk of epochs."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    snapshots = np.asarray(snapshots)
    for column, label in enumerate(SETS):
        ax.plot(epochs, 100 * snapshots[:, column], marker=".", label=label)
    ax.set(
        xlabel="epoch",
        ylabel="accuracy (%)",
        title=f"{title}: final validation {100 * snapshots[-1, 1]:.2f}%, test {100 * snapshots[-1, 2]:.2f}%",
    )
    count_axis(ax.xaxis)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save(fig, out_path)


def connections(kernel: np.ndarray, near_zero: float, title: str, out_path, twin_fraction: float | None = None):
    """Each hidden unit's 784 incoming weights as a 28x28 image; pruned (|w| < near_zero) connections blank."""
    plt = pyplot()
    units = kernel.shape[1]
    cols = min(units, 10)
    rows = -(-units // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.35 * rows + 0.9), squeeze=False)
    scale = float(np.abs(kernel).max()) or 1.0
    for unit, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if unit >= units:
            continue
        w = kernel[:, unit].reshape(28, 28)
        ax.imshow(np.ma.masked_array(w, np.abs(w) < near_zero), cmap="RdBu_r", vmin=-scale, vmax=scale)
        ax.set_title(f"{100 * np.mean(np.abs(w) >= near_zero):.0f}%", fontsize=7)
    alive = 100 * np.mean(np.abs(kernel) >= near_zero)
    fig.suptitle(
        f"{title}: connections into each hidden unit (red +, blue -; blank: |w| < {near_zero:g}); "
        f"{alive:.1f}% of the first layer's weights survive",
        fontsize=9,
    )
    return save(fig, out_path)


def overfitting(runs: dict, title: str, out_path):
    """Per run: training accuracy (solid) and test accuracy (dashed) over epochs; the gap is overfitting."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    colours = plt.cm.tab10(np.arange(len(runs)))
    for colour, (label, (epochs, snaps)) in zip(colours, runs.items()):
        snaps = np.asarray(snaps)
        gap = 100 * (snaps[-1, 0] - snaps[-1, 2])
        ax.plot(epochs, 100 * snaps[:, 0], color=colour, label=f"{label}: training")
        ax.plot(
            epochs,
            100 * snaps[:, 2],
            color=colour,
            ls="--",
            label=f"{label}: test ({100 * snaps[-1, 2]:.1f}%; gap {gap:.1f} points)",
        )
    ax.set(xlabel="epoch", ylabel="accuracy (%)", title=f"{title}: 1,000 training images, training vs test accuracy")
    count_axis(ax.xaxis)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    return save(fig, out_path)
