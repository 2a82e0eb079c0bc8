"""Convolutional network pictures: first-layer filters, one digit's feature maps, units' strongest inputs, stages."""

from __future__ import annotations

import numpy as np

from zoo.pictures import grid_shape, image_grid, pyplot, save


def _scaled(images: np.ndarray) -> np.ndarray:
    """Each image to [0, 1] on its own range (a filter's sign pattern matters, not its scale)."""
    flat = images.reshape(len(images), -1)
    low, high = flat.min(axis=1, keepdims=True), flat.max(axis=1, keepdims=True)
    return ((flat - low) / np.maximum(high - low, 1e-12)).reshape(images.shape)


def filters(kernels: np.ndarray, title: str, out_path):
    """The first convolution's filters, (n, k, k), each scaled to its own range: bright = positive weight."""
    kernels = np.asarray(kernels)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(min(1.1 * grid_shape(len(kernels))[1] + 1.5, 7.5),) * 2)
    ax.imshow(image_grid(_scaled(kernels), side=kernels.shape[1]), cmap="gray", interpolation="nearest")
    ax.set_title(f"{title}: first-layer filters ({len(kernels)} of {kernels.shape[1]}x{kernels.shape[2]})")
    ax.axis("off")
    return save(fig, out_path)


def _mosaic(tiles: np.ndarray, per_row: int, gap: float = np.nan) -> np.ndarray:
    """(n, h, w) tiles -> one 2-D image, `per_row` tiles a row, 1-pixel gaps of `gap` (NaN: drawn blank)."""
    n, h, w = tiles.shape
    rows = int(np.ceil(n / per_row))
    cols = min(n, per_row)
    mosaic = np.full((rows * (h + 1) + 1, cols * (w + 1) + 1), gap, np.float32)
    for k, tile in enumerate(tiles):
        r, c = divmod(k, per_row)
        mosaic[r * (h + 1) + 1 : (r + 1) * (h + 1), c * (w + 1) + 1 : (c + 1) * (w + 1)] = tile
    return mosaic


def feature_maps(image: np.ndarray, stages_maps: list, title: str, out_path, per_row: int = 16):
    """The input digit, then every stage's feature maps (one tile per channel, one colour scale per stage)."""
    plt = pyplot()
    mosaics = [_mosaic(np.moveaxis(maps, -1, 0) / max(float(maps.max()), 1e-12), per_row) for _, maps in stages_maps]
    width = 9.0
    heights = [1.4] + [width * m.shape[0] / m.shape[1] + 0.35 for m in mosaics]  # inches: each mosaic spans the width
    fig, axes = plt.subplots(
        len(mosaics) + 1, 1, figsize=(width, sum(heights) + 0.6), gridspec_kw={"height_ratios": heights}
    )
    axes[0].imshow(image, cmap="gray", vmin=0, vmax=1)
    axes[0].set_title("input", fontsize=9)
    for ax, mosaic, (label, _) in zip(axes[1:], mosaics, stages_maps):
        colours = plt.get_cmap("magma").with_extremes(bad="white")  # the gaps between tiles
        ax.imshow(np.ma.masked_invalid(mosaic), cmap=colours, vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"{label} (one tile per channel)", fontsize=9)
    for ax in axes:
        ax.axis("off")
    fig.suptitle(f"{title}: feature maps of one test digit, bottom layer first")
    fig.tight_layout()
    return save(fig, out_path)


def top_patches(layers: list, title: str, out_path):
    """One panel per layer: a row per unit, the input patches that excite it most (its receptive field)."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(layers), figsize=(4.2 * len(layers), 4.8), squeeze=False)
    for ax, (label, patches) in zip(axes[0], layers):
        units, top, side, _ = patches.shape
        mosaic = _mosaic(patches.reshape(units * top, side, side), top, gap=0.3)  # a row per unit
        ax.imshow(mosaic, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(label, fontsize=9)
        ax.set_ylabel("unit")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"{title}: what excites units, low layers (left) to the penultimate layer (right)")
    fig.tight_layout()
    return save(fig, out_path)
