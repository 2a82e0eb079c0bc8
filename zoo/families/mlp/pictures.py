"""Pictures of the MNIST MLPs: gradient norms per layer over training, the lecture's network drawing, confusion."""

from __future__ import annotations

import numpy as np

from zoo.errors import ZooError
from zoo.pictures import count_axis, plain_log_axis, pyplot, save

NETWORK_INPUTS = 16  # input nodes drawn out of 784 (the busiest ones; see `network`)


def _kernel_rows(history):
    """(layer label, per-epoch norms) for each Dense kernel, input side first."""
    names = list(history.grad_names)
    norms = np.asarray(history.grad_norms, np.float64)
    rows = []
    for j, name in enumerate(names):
        if name.endswith("/kernel"):
            rows.append((name.rsplit("/", 1)[0], norms[:, j]))
    return rows


def gradients(history, title: str, out_path):
    """Mean gradient norm of each Dense kernel per epoch, log scale: the vanishing gradient, measured."""
    if history is None or not history.grad_norms:
        raise ZooError(f"{title}: no gradient norms were recorded (the recipe needs track_gradients=True)")
    rows = _kernel_rows(history)
    plt = pyplot()
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2))
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(rows)))
    epochs = np.arange(1, len(rows[0][1]) + 1)
    for (label, values), colour in zip(rows, colours):
        ax.plot(epochs, values, color=colour, lw=1.2, label=label if len(rows) <= 12 else None)
    ax.set(yscale="log", xlabel="epoch", ylabel="mean |dL/dW| per batch", title=f"{title}: gradient norm per layer")
    count_axis(ax.xaxis)
    plain_log_axis(ax.yaxis)
    if len(rows) <= 12:
        ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    depth = np.arange(1, len(rows) + 1)
    for e, style in ((0, "o-"), (len(epochs) - 1, "s-")):
        bx.plot(depth, [values[e] for _, values in rows], style, label=f"epoch {e + 1}")
    bx.set(yscale="log", xlabel="Dense layer (1 = next to the pixels)", ylabel="mean |dL/dW|", title="across depth")
    count_axis(bx.xaxis)
    plain_log_axis(bx.yaxis)
    bx.legend(fontsize=8)
    bx.grid(alpha=0.3)
    return save(fig, out_path)


def _edges(kernels, ys, scale):
    """Every edge as one LineCollection, in the order a line per edge was drawn (layer, then source, then
    target): one artist instead of one per edge, which took deep-relu-10's ~92,000 edges 62 s to draw."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba

    segments, colours, widths = [], [], []
    for layer, k in enumerate(kernels):
        source, target = (index.ravel() for index in np.indices(k.shape))
        w = (k / scale).ravel()
        segments.append(
            np.stack(
                [
                    np.stack([np.full(w.size, layer), ys[layer][source]], 1),
                    np.stack([np.full(w.size, layer + 1), ys[layer + 1][target]], 1),
                ],
                1,
            )
        )
        rgba = np.where((w > 0)[:, None], to_rgba("tab:blue"), to_rgba("tab:red"))
        rgba[:, 3] = np.minimum(1.0, 0.05 + np.abs(w))
        colours.append(rgba)
        widths.append(2.5 * np.abs(w))
    return LineCollection(
        np.concatenate(segments), colors=np.concatenate(colours), linewidths=np.concatenate(widths), zorder=1
    )


def network(model, title: str, out_path, inputs: int = NETWORK_INPUTS):
    """The lecture's drawing: nodes in columns, each edge's width and opacity proportional to |weight|,
    blue positive, red negative. 784 input nodes would be a black smear, so only the `inputs` pixels
    with the largest total |weight| into the first layer are drawn (their index is printed)."""
    kernels = [np.asarray(v) for v in model.trainable_variables if v.path.endswith("/kernel")]
    if any(k.shape[1] > 100 for k in kernels):
        raise ZooError(f"{title}: the network drawing is for the small nets (at most 100 units a layer)")
    keep = np.sort(np.argsort(-np.abs(kernels[0]).sum(1))[:inputs])
    kernels[0] = kernels[0][keep]
    sizes = [kernels[0].shape[0]] + [k.shape[1] for k in kernels]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(2.2 * len(sizes) + 2, 7))
    ys = [np.linspace(0.95, 0.05, n) if n > 1 else np.array([0.5]) for n in sizes]
    scale = max(np.abs(k).max() for k in kernels)
    ax.add_collection(_edges(kernels, ys, scale))
    ax.autoscale_view()
    for layer, y in enumerate(ys):
        ax.scatter(np.full(len(y), layer), y, s=60 if len(y) <= 40 else 25, color="white", edgecolor="black", zorder=2)
    for i, y in zip(keep, ys[0]):
        ax.annotate(f"px {i}", (0, y), xytext=(-8, 0), textcoords="offset points", ha="right", va="center", fontsize=6)
    for j, y in enumerate(ys[-1]):
        ax.annotate(str(j), (len(sizes) - 1, y), xytext=(8, 0), textcoords="offset points", va="center", fontsize=8)
    labels = [f"{inputs} of 784 pixels"] + [f"hidden {i} ({n})" for i, n in enumerate(sizes[1:-1], 1)] + ["digit"]
    ax.set_xticks(range(len(sizes)), labels)
    ax.set_yticks([])
    ax.set_frame_on(False)
    ax.set_title(f"{title}: edge width = |weight| (blue +, red -)")
    return save(fig, out_path)


def confusion(counts: np.ndarray, title: str, out_path):
    """counts[true, predicted] with the count in every cell; the diagonal is what it got right."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.2, 5.5))
    shown = np.log1p(counts)
    ax.imshow(shown, cmap="Blues")
    for (i, j), n in np.ndenumerate(counts):
        ax.text(
            j,
            i,
            str(n),
            ha="center",
            va="center",
            fontsize=7,
            color="white" if shown[i, j] > 0.6 * shown.max() else "black",
        )
    accuracy = np.trace(counts) / counts.sum()
    ax.set(
        xticks=range(10),
        yticks=range(10),
        xlabel="predicted",
        ylabel="true",
        title=f"{title}: test confusion ({accuracy:.2%} right)",
    )
    return save(fig, out_path)
