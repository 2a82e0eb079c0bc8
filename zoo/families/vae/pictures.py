"""Pictures of a VAE: reconstructions, the latent map, the decoded latent plane, samples over training, the
decoders side by side, and the KL per latent dimension (how few dimensions a VAE uses)."""

from __future__ import annotations

import numpy as np

from zoo.pictures import image_grid, pyplot, save


def reconstructions(originals: np.ndarray, reconstructed: np.ndarray, title: str, out_path):
    """Test images beside their reconstructions (decoded from the posterior mean)."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(8, 4.4))
    for ax, images, label in zip(
        axes, (originals, reconstructed), ("test images (as observed)", "reconstructions E[x|z=mean]")
    ):
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
    ax.set(
        xlabel=f"{axis_name} 1",
        ylabel=f"{axis_name} 2",
        title=f"{title}: test latent means" + (f" ({dims}-D, PCA)" if dims > 2 else ""),
    )
    return save(fig, out_path)


def latent_plane(means: np.ndarray, n: int = 15, span: float = 2.5) -> tuple[np.ndarray, str]:
    """n*n latent points over a plane, row by row from the top (2-D latents: z itself; more dimensions: the
    plane of the two main principal directions of the test latent means, through their centre, one step
    = one standard deviation along the direction), and the axes' name."""
    offsets = np.linspace(-span, span, n)
    if means.shape[1] == 2:
        centre, basis, label = np.zeros(2), np.eye(2), "z"
    else:
        centre = means.mean(axis=0)
        _, s, vt = np.linalg.svd(means - centre, full_matrices=False)
        basis = vt[:2] * (s[:2, None] / np.sqrt(len(means)))
        label = "principal direction"
    return np.array([centre + a * basis[0] + b * basis[1] for b in offsets[::-1] for a in offsets], np.float32), label


def manifold(decode, means: np.ndarray, title: str, out_path, n: int = 15, span: float = 2.5):
    """Images decoded over a grid in the latent plane (see latent_plane)."""
    plt = pyplot()
    grid, label = latent_plane(means, n, span)
    images = np.asarray(decode(grid))
    side = int(round(np.sqrt(images.shape[1])))
    mosaic = np.ones((n * side, n * side), np.float32)
    for i, image in enumerate(images):
        r, c = divmod(i, n)
        mosaic[r * side : (r + 1) * side, c * side : (c + 1) * side] = image.reshape(side, side)
    fig, ax = plt.subplots(figsize=(7, 7))
    ax.imshow(mosaic, cmap="gray_r", vmin=0, vmax=1, extent=(-span, span, -span, span))
    ax.set(xlabel=f"{label} 1", ylabel=f"{label} 2", title=f"{title}: decoded latent plane")
    return save(fig, out_path)


def progress(snapshots: np.ndarray, epochs: list[int], title: str, out_path, rows: int = 8):
    """Samples decoded from one fixed set of z after chosen epochs, first to last (one row per epoch)."""
    plt = pyplot()
    picks = sorted(set(np.unique(np.geomspace(1, len(snapshots), rows).round().astype(int) - 1).tolist()))
    side = int(round(np.sqrt(snapshots.shape[-1])))
    cols = snapshots.shape[1]
    mosaic = np.ones((len(picks) * (side + 2), cols * (side + 2)), np.float32)
    for r, index in enumerate(picks):
        for c, image in enumerate(snapshots[index]):
            mosaic[r * (side + 2) + 1 : r * (side + 2) + 1 + side, c * (side + 2) + 1 : c * (side + 2) + 1 + side] = (
                image.reshape(side, side)
            )
    fig, ax = plt.subplots(figsize=(cols * 0.6 + 1.2, len(picks) * 0.6 + 0.8))
    ax.imshow(mosaic, cmap="gray_r", vmin=0, vmax=1)
    ax.set_yticks([r * (side + 2) + side / 2 for r in range(len(picks))])
    ax.set_yticklabels([f"epoch {epochs[i]}" for i in picks])
    ax.set_xticks([])
    ax.set_title(f"{title}: the same z decoded during training", fontsize=10)
    return save(fig, out_path)


def _kl_bars(ax, kl: np.ndarray, activity: np.ndarray, threshold: float = 0.01) -> int:
    """Mean KL per latent dimension, largest first, active units (Cov_x(E_q[z_i]) > threshold) in colour."""
    order = np.argsort(-kl)
    active = activity[order] > threshold
    ax.bar(np.arange(len(kl)), kl[order], color=np.where(active, "tab:blue", "lightgray"), width=0.9)
    ax.set(xlabel="latent dimension (sorted by KL)", ylabel="mean KL (nats)")
    return int(active.sum())


def kl_per_dimension(panels: list[dict], out_path):
    """One bar chart per VAE: the test set's mean KL(q(z_i|x) || N(0, 1)) per dimension, with the active-unit count."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 3.6), squeeze=False)
    for ax, p in zip(axes[0], panels):
        count = _kl_bars(ax, p["kl"], p["activity"])
        ax.set_title(f"{p['name']}: {count} of {len(p['kl'])} units active, KL {p['kl'].sum():.1f} nats", fontsize=10)
    fig.suptitle("KL per latent dimension (blue: active, Cov_x(E_q[z_i]) > 0.01)", fontsize=11)
    return save(fig, out_path)


def decoders(panels: list[dict], out_path):
    """One row per VAE: test images, their reconstructions, samples (the mean of p(x|z), z ~ N(0, I)) and
    the KL per latent dimension."""
    plt = pyplot()
    fig, axes = plt.subplots(
        len(panels), 4, figsize=(17, 4.3 * len(panels)), squeeze=False, gridspec_kw={"width_ratios": [1, 1, 1, 1.3]}
    )
    side = int(round(np.sqrt(panels[0]["originals"].shape[1])))
    for row, p in zip(axes, panels):
        for ax, key, label in zip(
            row,
            ("originals", "reconstructions", "samples"),
            ("test images (as observed)", "reconstructions", "samples, z ~ N(0, I)"),
        ):
            ax.imshow(image_grid(p[key], side), cmap="gray_r", vmin=0, vmax=1)
            ax.set_title(f"{p['name']} ({p['likelihood']}): {label}" if key == "originals" else label, fontsize=9)
            ax.axis("off")
        count = _kl_bars(row[3], p["kl"], p["activity"])
        row[3].set_title(f"KL per dimension: {count} of {len(p['kl'])} active", fontsize=9)
    fig.suptitle("the output distribution p(x|z): reconstructions and samples are means E[x|z]", fontsize=11)
    return save(fig, out_path)


def faces(snapshots: np.ndarray, epochs: list[int], grid: np.ndarray, n: int, title: str, out_path):
    """Samples of one fixed set of z after the first and the last epoch, beside the images decoded over
    the plane of the two main latent directions (`grid`: n*n images, row by row from the top)."""
    plt = pyplot()
    side = int(round(np.sqrt(snapshots.shape[-1])))
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 6.2), gridspec_kw={"width_ratios": [1, 1.1]})
    rows = [0, len(snapshots) - 1]
    strip = np.ones((2 * (side + 2), snapshots.shape[1] * (side + 2)), np.float32)
    for r, index in enumerate(rows):
        for c, image in enumerate(snapshots[index]):
            strip[r * (side + 2) + 1 : r * (side + 2) + 1 + side, c * (side + 2) + 1 : c * (side + 2) + 1 + side] = (
                image.reshape(side, side)
            )
    left.imshow(strip, cmap="gray", vmin=0, vmax=1)
    left.set_yticks([r * (side + 2) + side / 2 for r in range(2)])
    left.set_yticklabels([f"epoch {epochs[i]}" for i in rows])
    left.set_xticks([])
    left.set_title("the same z decoded after the first and the last epoch", fontsize=10)
    mosaic = np.ones((n * side, n * side), np.float32)
    for i, image in enumerate(grid):
        r, c = divmod(i, n)
        mosaic[r * side : (r + 1) * side, c * side : (c + 1) * side] = image.reshape(side, side)
    right.imshow(mosaic, cmap="gray", vmin=0, vmax=1)
    right.set(
        xlabel="principal latent direction 1",
        ylabel="principal latent direction 2",
        xticks=[],
        yticks=[],
        title="decoded over two latent directions (-2.5 to 2.5 sd)",
    )
    fig.suptitle(title, fontsize=11)
    return save(fig, out_path)
