"""The hidden-unit space of an encoder, as the lecture draws it, and how the codes moved in training."""
from __future__ import annotations

import numpy as np

from zoo.errors import ZooError
from zoo.plots.common import pyplot, save


def _weights(model):
    hidden, output = model.get_layer("hidden"), model.get_layer("output")
    w_out, b_out = (np.asarray(v) for v in output.get_weights())
    return hidden, w_out, b_out


def hidden_space(model, patterns: np.ndarray, title: str, out_path):
    """A dot per input at its hidden code; per output unit, where it crosses 0.5 (w.h + b = 0)."""
    hidden, w_out, b_out = _weights(model)
    codes = np.asarray(hidden(patterns))
    k = codes.shape[1]
    if k == 2:
        return save(_square(codes, w_out, b_out, title), out_path)
    if k == 3:
        return save(_cube(codes, w_out, b_out, title), out_path)
    return save(_projected(codes, title), out_path)


def _projected(codes, title):
    """K > 3: the codes on their first two principal axes (the 0.5 crossings are hyperplanes, not drawn)."""
    centred = codes - codes.mean(axis=0)
    axes = np.linalg.svd(centred, full_matrices=False)[2][:2]
    points = centred @ axes.T
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    ax.scatter(points[:, 0], points[:, 1], c=np.arange(len(points)), cmap="viridis", s=25, edgecolor="black")
    ax.set(xlabel="principal axis 1", ylabel="principal axis 2",
           title=f"{title}: {codes.shape[1]}-D hidden codes, projected")
    return fig


def _square(codes, w_out, b_out, title):
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    colours = plt.cm.tab10(np.arange(max(len(codes), w_out.shape[1])) % 10)
    t = np.linspace(-1.0, 1.0, 401)
    for j in range(w_out.shape[1]):
        (a, b), c = w_out[:, j], b_out[j]
        if abs(b) > abs(a):  # solve for h2 along h1, or h1 along h2: whichever is not near-vertical
            h1, h2 = t, -(a * t + c) / b
        else:
            h1, h2 = -(b * t + c) / a, t
        inside = (np.abs(h1) <= 1) & (np.abs(h2) <= 1)
        ax.plot(h1[inside], h2[inside], color=colours[j], lw=1.2, label=f"output {j + 1} = 0.5")
    for i, (x, y) in enumerate(codes):
        ax.scatter(x, y, color=colours[i], s=60, edgecolor="black", zorder=3)
        ax.annotate(str(i + 1), (x, y), textcoords="offset points", xytext=(5, 5))
    ax.set(xlim=(-1.05, 1.05), ylim=(-1.05, 1.05), xlabel="hidden unit 1", ylabel="hidden unit 2",
           title=f"{title}: hidden-unit space")
    ax.set_aspect("equal")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1))
    return fig


def _cube(codes, w_out, b_out, title):
    plt = pyplot()
    fig = plt.figure(figsize=(7, 6))
    ax = fig.add_subplot(projection="3d")
    colours = plt.cm.tab10(np.arange(max(len(codes), w_out.shape[1])) % 10)
    grid = np.linspace(-1, 1, 21)
    u, v = np.meshgrid(grid, grid)
    for j in range(w_out.shape[1]):
        w, c = w_out[:, j], b_out[j]
        axis = int(np.argmax(np.abs(w)))  # solve the plane for its steepest coordinate
        others = [a for a in range(3) if a != axis]
        coords = [None] * 3
        coords[others[0]], coords[others[1]] = u, v
        coords[axis] = -(w[others[0]] * u + w[others[1]] * v + c) / w[axis]
        solved = np.where(np.abs(coords[axis]) <= 1, coords[axis], np.nan)  # clip the plane to the cube
        coords[axis] = solved
        ax.plot_surface(*coords, color=colours[j], alpha=0.15, linewidth=0)
    ax.scatter(codes[:, 0], codes[:, 1], codes[:, 2], c=colours[: len(codes)], s=60, edgecolor="black", depthshade=False)
    for i, (x, y, z) in enumerate(codes):
        ax.text(x, y, z, f" {i + 1}")
    ax.set(xlim=(-1, 1), ylim=(-1, 1), zlim=(-1, 1), xlabel="h1", ylabel="h2", zlabel="h3",
           title=f"{title}: hidden-unit space (planes: output = 0.5)")
    return fig


def dynamics(history, model, title: str, out_path):
    """The path of each input's hidden code over training (Lister 1993), from the kept snapshots."""
    if history is None or not history.snapshots:
        raise ZooError(f"{title}: this artifact kept no training snapshots; retrain it with `zoo train`")
    paths = np.stack(history.snapshots)  # (snapshots, inputs, k)
    plt = pyplot()
    k = paths.shape[2]
    fig = plt.figure(figsize=(6, 5.5))
    ax = fig.add_subplot(projection="3d" if k == 3 else None)
    colours = plt.cm.tab10(np.arange(paths.shape[1]) % 10)
    for i in range(paths.shape[1]):
        track = paths[:, i, :3] if k >= 3 else paths[:, i, :2]
        ax.plot(*track.T, color=colours[i], lw=1)
        ax.scatter(*track[-1], color=colours[i], s=50, edgecolor="black", zorder=3)
    epochs = history.snapshot_epochs[-1] if history.snapshot_epochs else len(paths)
    ax.set_title(f"{title}: hidden codes during training ({epochs} epochs)")
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("hidden unit 1")
    ax.set_ylabel("hidden unit 2")
    return save(fig, out_path)
