"""Autoencoder pictures: reconstructions, first-layer filters, denoising, and the stages of greedy pretraining."""

from __future__ import annotations

import numpy as np

from zoo.pictures import image_grid, loss_curve, pyplot, save


def _rows(ax_row, images, labels):
    for ax, image, label in zip(ax_row, images, labels):
        ax.imshow(image_grid(image), cmap="gray", vmin=0, vmax=1)
        ax.set_title(label, fontsize=9)
        ax.axis("off")


def reconstructions(x, recon, title: str, out_path):
    """Test images beside their reconstructions."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(8, 4.4))
    _rows(axes, [x, np.asarray(recon)], ["test images", "reconstructions"])
    fig.suptitle(f"{title}: reconstructions")
    return save(fig, out_path)


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


def denoise(x, noisy, recon, p: float, title: str, out_path):
    """Clean images, their masked versions and the reconstructions from the masked ones."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 4.4))
    _rows(axes, [x, noisy, np.asarray(recon)], ["clean", f"masked (p = {p})", "reconstructed from masked"])
    fig.suptitle(f"{title}: denoising")
    return save(fig, out_path)


def stages(history, title: str, out_path):
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
