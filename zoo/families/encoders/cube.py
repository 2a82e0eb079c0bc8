"""The 8-3-8 lesson drawn: the codes at the cube's corners and the output planes that cut them off.

Each output unit j is on (> 0.5) where w_j . h + b_j > 0, a half-space of hidden space; its boundary
plane, clipped to the cube [-1, 1]^3, is drawn in unit j's colour. When the 8 codes sit at the 8
corners and each plane cuts off exactly its own code's corner, the cube with its corners cut off is
the lecture's cuboctahedron. Below it, small multiples show the codes moving out to the corners, from
the snapshots training kept after each chunk of epochs.
"""

from __future__ import annotations

import itertools

import numpy as np

from zoo.pictures import pyplot

CORNERS = np.array(list(itertools.product([-1.0, 1.0], repeat=3)))
EDGES = [(a, b) for a, b in itertools.combinations(range(8), 2) if np.sum(CORNERS[a] != CORNERS[b]) == 1]
VIEW = dict(elev=22, azim=-58)  # no corner hides behind another from here
PANELS = 8  # small multiples: snapshots shown, first to last


def corner_distances(codes: np.ndarray) -> np.ndarray:
    """Each code's Euclidean distance to the nearest corner of [-1, 1]^K (sign(h) is that corner)."""
    codes = np.asarray(codes, np.float64)
    return np.linalg.norm(codes - np.where(codes >= 0, 1.0, -1.0), axis=-1)


def plane_polygon(w: np.ndarray, b: float) -> np.ndarray | None:
    """The plane w . h + b = 0 clipped to the cube: its corners in order round the polygon (None: misses the cube)."""
    points = []
    for i, j in EDGES:
        p, q = CORNERS[i], CORNERS[j]
        fp, fq = p @ w + b, q @ w + b
        if fp == fq or fp * fq > 0:
            continue
        points.append(p + (q - p) * fp / (fp - fq))
    if len(points) < 3:
        return None
    points = np.unique(np.round(points, 9), axis=0)
    centre = points.mean(0)
    normal = w / np.linalg.norm(w)
    u = np.cross(normal, [1.0, 0, 0] if abs(normal[0]) < 0.9 else [0, 1.0, 0])
    u /= np.linalg.norm(u)
    v = np.cross(normal, u)
    angles = np.arctan2((points - centre) @ v, (points - centre) @ u)
    return points[np.argsort(angles)]


def _frame(ax, small: bool = False):
    for i, j in EDGES:
        ax.plot(*CORNERS[[i, j]].T, color="black", lw=0.6 if small else 1.0, alpha=0.6)
    ax.view_init(**VIEW)
    ax.set(xlim=(-1.1, 1.1), ylim=(-1.1, 1.1), zlim=(-1.1, 1.1))
    if small:
        ax.set_axis_off()
    else:
        ticks = [-1, 0, 1]
        ax.set(xticks=ticks, yticks=ticks, zticks=ticks, xlabel="h1", ylabel="h2", zlabel="h3")
    ax.set_box_aspect((1, 1, 1))


def draw_cube(ax, codes, w_out, b_out, colours):
    """The cube, every output's clipped plane, and the codes numbered by input."""
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection

    _frame(ax)
    for j in range(w_out.shape[1]):
        polygon = plane_polygon(w_out[:, j], float(b_out[j]))
        if polygon is not None:
            ax.add_collection3d(
                Poly3DCollection([polygon], facecolor=colours[j], edgecolor=colours[j], alpha=0.25, linewidths=1.2)
            )
    ax.scatter(*codes.T, c=colours[: len(codes)], s=70, edgecolor="black", depthshade=False)
    for i, code in enumerate(codes):
        ax.text(*(code * 1.12), str(i + 1), fontsize=9, ha="center")


def figure(codes, w_out, b_out, title, history=None):
    """The big cube, and beneath it the codes at up to PANELS snapshots of training (if the history kept any)."""
    plt = pyplot()
    colours = plt.cm.tab10(np.arange(max(len(codes), w_out.shape[1])) % 10)
    snapshots = list(getattr(history, "snapshots", None) or [])
    epochs = list(getattr(history, "snapshot_epochs", None) or [])
    small = len(snapshots) > 1 and len(epochs) == len(snapshots)
    fig = plt.figure(figsize=(10, 10.5) if small else (7, 6.5))
    grid = fig.add_gridspec(
        3 if small else 1, PANELS // 2 if small else 1, height_ratios=[3.2, 1, 1] if small else None
    )
    ax = fig.add_subplot(grid[0, :], projection="3d")
    draw_cube(ax, codes, w_out, b_out, colours)
    far = corner_distances(codes)
    occupied = len({tuple(np.sign(c)) for c in codes})
    ax.set_title(
        f"{title}: the codes and the planes where each output = 0.5\n"
        f"largest distance from a code to its corner {far.max():.3f}; {occupied} distinct corners "
        f"of {len(CORNERS)}",
        fontsize=10,
    )
    if small:
        # log-spaced: the codes move most in the first few chunks
        picks = np.unique(np.geomspace(1, len(snapshots), PANELS).round().astype(int) - 1)
        for n, index in enumerate(picks):
            sub = fig.add_subplot(grid[1 + n // (PANELS // 2), n % (PANELS // 2)], projection="3d")
            _frame(sub, small=True)
            snap = np.asarray(snapshots[index])
            sub.scatter(*snap.T, c=colours[: len(snap)], s=18, edgecolor="black", linewidths=0.4, depthshade=False)
            sub.set_title(f"epoch {epochs[index]:,}: {corner_distances(snap).max():.2f}", fontsize=8)
        fig.text(
            0.5,
            0.02,
            "small multiples: the codes after each chunk of epochs, titled with the largest "
            "distance from a code to its corner",
            ha="center",
            fontsize=8,
        )
    return fig
