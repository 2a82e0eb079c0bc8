"""The hidden-unit space of an encoder, as the lecture draws it, and how the codes moved in training."""

from __future__ import annotations

import numpy as np

from zoo.errors import ZooError
from zoo.pictures import count_axis, pyplot, save


def _weights(model):
    hidden, output = model.get_layer("hidden"), model.get_layer("output")
    w_out, b_out = (np.asarray(v) for v in output.get_weights())
    return hidden, w_out, b_out


def hidden_space(model, patterns: np.ndarray, title: str, out_path, history=None):
    """A dot per input at its hidden code; per output unit, where it crosses 0.5 (w.h + b = 0).

    K = 3 draws the cube (zoo.families.encoders.cube), with small multiples of the codes over training when the
    history kept snapshots."""
    hidden, w_out, b_out = _weights(model)
    codes = np.asarray(hidden(patterns))
    k = codes.shape[1]
    if k == 2:
        return save(square(codes, w_out, b_out, title), out_path)
    if k == 3:
        from zoo.families.encoders import cube

        return save(cube.figure(codes, w_out, b_out, title, history), out_path)
    return save(_projected(codes, title), out_path)


def _projected(codes, title):
    """K > 3: the codes on their first two principal axes (the 0.5 crossings are hyperplanes, not drawn)."""
    centred = codes - codes.mean(axis=0)
    axes = np.linalg.svd(centred, full_matrices=False)[2][:2]
    points = centred @ axes.T
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    ax.scatter(points[:, 0], points[:, 1], c=np.arange(len(points)), cmap="viridis", s=25, edgecolor="black")
    ax.set(
        xlabel="principal axis 1",
        ylabel="principal axis 2",
        title=f"{title}: {codes.shape[1]}-D hidden codes, projected",
    )
    return fig


def square(codes, w_out, b_out, title, ax=None, legend=True):
    """The 2-D hidden space: codes and the output units' 0.5 lines, on `ax` (a new figure if None)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5.5)) if ax is None else (ax.figure, ax)
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
    ax.set(
        xlim=(-1.05, 1.05),
        ylim=(-1.05, 1.05),
        xlabel="hidden unit 1",
        ylabel="hidden unit 2",
        title=f"{title}: hidden-unit space",
    )
    ax.set_aspect("equal")
    if legend:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1))
    return fig


def _snapshots(history, title: str):
    """(paths (snapshots, inputs, k), the epoch of each snapshot, their unit): "snapshot" when the history's
    epochs do not match its snapshots (numbered rather than guessed)."""
    if history is None or not history.snapshots:
        raise ZooError(f"{title}: this artifact kept no training snapshots; retrain it with `zoo train`")
    paths = np.stack(history.snapshots).astype(np.float64)
    epochs = [int(e) for e in history.snapshot_epochs]
    if len(epochs) != len(paths):
        return paths, list(range(1, len(paths) + 1)), "snapshot"
    return paths, epochs, "epoch"


def _draw_paths(ax, paths, epochs, dims: int, shades, norm) -> None:
    """Each input's path in its hue, the snapshots between in grey by epoch, a ring first and a dot last."""
    from zoo.pictures import pyplot

    extra = {"depthshade": False} if dims == 3 else {}
    colours = pyplot().cm.tab10(np.arange(paths.shape[1]) % 10)
    for i in range(paths.shape[1]):
        track = np.column_stack([epochs, paths[:, i, 0]]) if dims == 1 else paths[:, i, :dims]
        if len(paths) > 1:
            ax.plot(*track.T, color=colours[i], lw=1.2, zorder=1)
            ax.scatter(*track[1:-1].T, c=epochs[1:-1], cmap=shades, norm=norm, s=8, zorder=2, **extra)
            ax.scatter(*track[0], facecolor="white", edgecolor=colours[i], s=55, linewidths=1.6, zorder=3, **extra)
        ax.scatter(*track[-1], color=colours[i], s=60, edgecolor="black", zorder=4, **extra)
        if dims == 3:
            ax.text(*track[-1], f" {i + 1}")
        else:
            ax.annotate(str(i + 1), track[-1], textcoords="offset points", xytext=(5, 5), zorder=5)


def _legend(fig, ax, n: int, epochs, unit: str, dims: int, shades, norm) -> list:
    """The legend's handles (first snapshot, those between, last), and the colour bar of the epochs between."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.lines import Line2D

    first, last = epochs[0], epochs[-1]
    handles = []
    if n > 1:
        start = "start (epoch 0)" if unit == "epoch" and first == 0 else f"first snapshot ({unit} {first:,})"
        handles.append(Line2D([], [], ls="", marker="o", mfc="white", mec="tab:gray", mew=1.6, ms=7, label=start))
    if n > 2:
        handles.append(Line2D([], [], ls="", marker="o", color="dimgray", ms=4, label=f"{unit}s between (bar)"))
        bar = fig.colorbar(ScalarMappable(norm=norm, cmap=shades), ax=ax, shrink=0.75, pad=0.1 if dims == 3 else 0.03)
        bar.set_label(unit)
        count_axis(bar.ax.yaxis)
    last_label = f"last snapshot ({unit} {last:,}); number = input"
    handles.append(Line2D([], [], ls="", marker="o", color="tab:gray", mec="black", ms=7.5, label=last_label))
    return handles


def _notes(n: int, first: int, unit: str, k: int) -> list[str]:
    """What the picture cannot show, said under it."""
    notes = []
    if unit == "snapshot":
        notes.append("The history's snapshot epochs do not match its snapshots: they are numbered instead.")
    elif first > 0:
        notes.append(
            f"No snapshot was kept at epoch 0: the paths begin at epoch {first:,}, not at the starting codes."
            if n > 1
            else f"Only one snapshot was kept, at epoch {first:,}: no path, no starting codes."
        )
    if k > 3:
        notes.append(f"Hidden units 1-3 of {k} shown.")
    return notes


def _code_axes(ax, dims: int, unit: str) -> None:
    """k = 1: the code against the epoch; else the square (or cube) of tanh codes, [-1, 1] on every unit."""
    unit_ticks = [-1, -0.5, 0, 0.5, 1]
    if dims == 1:
        ax.set(xlabel=unit, ylabel="hidden unit 1", ylim=(-1.05, 1.05), yticks=unit_ticks)
        count_axis(ax.xaxis)
        ax.grid(alpha=0.3)
        return
    ax.set(
        xlim=(-1.05, 1.05),
        ylim=(-1.05, 1.05),
        xticks=unit_ticks,
        yticks=unit_ticks,
        xlabel="hidden unit 1",
        ylabel="hidden unit 2",
    )
    if dims == 3:
        ax.set(zlim=(-1.05, 1.05), zticks=unit_ticks, zlabel="hidden unit 3")
    else:
        ax.set_aspect("equal")
        ax.grid(alpha=0.3)


def dynamics(history, model, title: str, out_path):
    """The path of each input's hidden code over training (Lister 1993), from the kept snapshots.

    Hue tells the input (numbered at its last code); the grey of the dots along a path tells the
    epoch of each snapshot (the colour bar); the first snapshot is a hollow ring. Training keeps a
    snapshot after every chunk of epochs, so unless the history holds one taken at epoch 0 the paths
    begin after the first chunk, not at the starting codes, and the picture says so."""
    paths, epochs, unit = _snapshots(history, title)
    plt = pyplot()
    from matplotlib.colors import ListedColormap, Normalize

    k = paths.shape[2]
    dims = min(k, 3)  # k = 1: the code against the epoch; k > 3: the first three units
    fig = plt.figure(figsize=(7, 6) if dims == 3 else (6.8, 5.6))
    ax = fig.add_subplot(projection="3d" if dims == 3 else None)
    shades = ListedColormap(plt.cm.Greys(np.linspace(0.3, 1.0, 256)))  # light grey (early) to black (late)
    norm = Normalize(vmin=epochs[0], vmax=max(epochs[-1], epochs[0] + 1))
    _draw_paths(ax, paths, epochs, dims, shades, norm)
    handles = _legend(fig, ax, len(paths), epochs, unit, dims, shades, norm)
    notes = _notes(len(paths), epochs[0], unit, k)
    below = 0.0 if dims == 3 else -0.1  # in axes fraction, under the x label
    ax.legend(
        handles=handles,
        fontsize=7,
        loc="upper center",
        bbox_to_anchor=(0.5, below),
        ncol=len(handles),
        frameon=False,
        handletextpad=0.2,
        columnspacing=1.2,
    )
    if notes:
        (ax.text2D if dims == 3 else ax.text)(
            0.5,
            below - 0.06,
            "\n".join(notes),
            transform=ax.transAxes,
            ha="center",
            va="top",
            fontsize=8,
            color="darkred",
        )
    first, last = epochs[0], epochs[-1]
    span = f"{unit}s {first:,}-{last:,}, {len(paths)} snapshots" if len(paths) > 1 else f"{unit} {last:,}"
    ax.set_title(f"{title}: hidden codes during training ({span})", fontsize=10)
    _code_axes(ax, dims, unit)
    return save(fig, out_path)
