"""Pictures of a VAE: reconstructions, the latent map, the decoded latent plane, and samples over training."""
from __future__ import annotations

import numpy as np

from zoo.plots.common import image_grid, pyplot, save


def reconstructions(originals: np.ndarray, reconstructed: np.ndarray, title: str, out_path):
    """Test images beside their reconstructions (decoded from the posterior mean)."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(8, 4.4))
    for ax, images, label in zip(axes, (originals, reconstructed), ("binarised test images", "reconstructions p(x|z=mean)")):
        ax.imshow(image_grid(images), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(label, fontsize=10)
        ax.axis("off")
    fig.suptitle(f"{title}: reconstructions")
    return save(fig, out_path)


def _project(means: np.ndarray) -> tuple[np.ndarray, str]:
    """2-D latents as they are; higher dimensions onto their first two principal components."""
    if means.shape[1] == 2:
        return means, "z"
    centred = means - means.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T, "principal component of E[z|x]"


def latent(means: np.ndarray, labels: np.ndarray, title: str, out_path):
    """The test set's latent means coloured by digit (PCA projection when the latent has more than 2 dims)."""
    plt = pyplot()
    points, axis_name = _project(means)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    scatter = ax.scatter(points[:, 0], points[:, 1], c=labels, cmap="tab10", s=2, alpha=0.6, vmin=-0.5, vmax=9.5)
    fig.colorbar(scatter, ax=ax, ticks=range(10), label="digit")
    dims = means.shape[1]
    ax.set(xlabel=f"{axis_name} 1", ylabel=f"{axis_name} 2",
           title=f"{title}: test latent means" + (f" ({dims}-D, PCA)" if dims > 2 else ""))
    return save(fig, out_path)


def manifold(decode, means: np.ndarray, title: str, out_path, n: int = 15, span: float = 2.5):
    """Images decoded over a grid in the latent plane (for > 2 dims: the plane of the two main principal
    directions of the test latent means, through their centre)."""
    plt = pyplot()
    offsets = np.linspace(-span, span, n)
    if means.shape[1] == 2:
        centre, basis, label = np.zeros(2), np.eye(2), "z"
    else:
        centre = means.mean(axis=0)
        _, s, vt = np.linalg.svd(means - centre, full_matrices=False)
        basis = vt[:2] * (s[:2, None] / np.sqrt(len(means)))  # one step = one standard deviation along the direction
        label = "principal direction"
    grid = np.array([centre + a * basis[0] + b * basis[1] for b in offsets[::-1] for a in offsets], np.float32)
    images = np.asarray(decode(grid))
    side = 28
    mosaic = np.ones((n * side, n * side), np.float32)
    for i, image in enumerate(images):
        r, c = divmod(i, n)
        mosaic[r * side:(r + 1) * side, c * side:(c + 1) * side] = image.reshape(side, side)
    fig, ax = plt.subplots(figsize=(7, 7))
    ax.imshow(mosaic, cmap="gray_r", vmin=0, vmax=1, extent=(-span, span, -span, span))
    ax.set(xlabel=f"{label} 1", ylabel=f"{label} 2", title=f"{title}: decoded latent plane")
    return save(fig, out_path)


def progress(snapshots: np.ndarray, epochs: list[int], title: str, out_path, rows: int = 8):
    """Samples decoded from one fixed set of z after chosen epochs, first to last (one row per epoch)."""
    plt = pyplot()
    picks = sorted(set(np.unique(np.geomspace(1, len(snapshots), rows).round().astype(int) - 1).tolist()))
    side = 28
    cols = snapshots.shape[1]
    mosaic = np.ones((len(picks) * (side + 2), cols * (side + 2)), np.float32)
    for r, index in enumerate(picks):
        for c, image in enumerate(snapshots[index]):
            mosaic[r * (side + 2) + 1: r * (side + 2) + 1 + side, c * (side + 2) + 1: c * (side + 2) + 1 + side] = image.reshape(side, side)
    fig, ax = plt.subplots(figsize=(cols * 0.6 + 1.2, len(picks) * 0.6 + 0.8))
    ax.imshow(mosaic, cmap="gray_r", vmin=0, vmax=1)
    ax.set_yticks([r * (side + 2) + side / 2 for r in range(len(picks))])
    ax.set_yticklabels([f"epoch {epochs[i]}" for i in picks])
    ax.set_xticks([])
    ax.set_title(f"{title}: the same z decoded during training", fontsize=10)
    return save(fig, out_path)
