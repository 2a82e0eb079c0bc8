"""Autoencoder pictures: reconstructions, and denoising (first-layer filters and per-stage losses: zoo.pictures)."""

from __future__ import annotations

import numpy as np

from zoo.pictures import image_grid, pyplot, save


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


def denoise(x, noisy, recon, p: float, title: str, out_path):
    """Clean images, their masked versions and the reconstructions from the masked ones."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 4.4))
    _rows(axes, [x, noisy, np.asarray(recon)], ["clean", f"masked (p = {p})", "reconstructed from masked"])
    fig.suptitle(f"{title}: denoising")
    return save(fig, out_path)
