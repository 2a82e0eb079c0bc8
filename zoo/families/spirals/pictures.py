"""Twin spirals pictures: the decision region over the plane, and every hidden unit's activation over it."""

from __future__ import annotations

import numpy as np

from zoo.pictures import grid_shape, pyplot, save

EXTENT = 1.15  # the plane shown: [-EXTENT, EXTENT]^2 (the spirals fill [-1, 1]^2)


def _plane(resolution: int = 200):
    t = np.linspace(-EXTENT, EXTENT, resolution, dtype=np.float32)
    gx, gy = np.meshgrid(t, t)
    return gx, gy, np.stack([gx.ravel(), gy.ravel()], axis=1)


def _points(ax, data):
    y = data.y.ravel() > 0.5
    ax.scatter(*data.x[y].T, s=10, color="black", label="spiral A")
    ax.scatter(*data.x[~y].T, s=10, color="white", edgecolor="black", linewidths=0.6, label="spiral B")
    ax.set(xlim=(-EXTENT, EXTENT), ylim=(-EXTENT, EXTENT), xticks=[], yticks=[])
    ax.set_aspect("equal")


def decision(model, data, title: str, out_path):
    """Where the net says spiral A (output > 0.5) over the plane, with the 194 training points."""
    gx, gy, grid = _plane()
    p = np.asarray(model(grid)).reshape(gx.shape)
    right = np.mean((np.asarray(model(data.x)).ravel() > 0.5) == (data.y.ravel() > 0.5))
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    ax.contourf(gx, gy, p, levels=[0, 0.5, 1], colors=["#f4c7a1", "#9cc3e4"])
    ax.contour(gx, gy, p, levels=[0.5], colors="black", linewidths=0.8)
    _points(ax, data)
    ax.set_title(f"{title}: decision region ({right:.1%} of points right)")
    ax.legend(loc="lower right", fontsize=7)
    return save(fig, out_path)


def hidden_units(model, data, title: str, out_path):
    """One panel per hidden unit, one block of panels per hidden layer: the unit's tanh output over the
    plane. Layer 1's units can only split the plane by a line; layer 2's combine those lines."""
    import keras

    gx, gy, grid = _plane(120)
    hidden = [layer for layer in model.layers if layer.name.startswith("hidden")]
    probe = keras.Model(model.inputs[0], [layer.output for layer in hidden])
    outputs = probe(grid)
    outputs = [np.asarray(o) for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]
    plt = pyplot()
    blocks = [grid_shape(o.shape[1]) for o in outputs]
    cols = max(c for _, c in blocks)
    rows = sum(r for r, _ in blocks)
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.35 * rows + 0.6), squeeze=False)
    row = 0
    for layer, (activations, (r, _)) in enumerate(zip(outputs, blocks), 1):
        for unit in range(r * cols):
            ax = axes[row + unit // cols, unit % cols]
            ax.set_axis_off()
            if unit >= activations.shape[1]:
                continue
            ax.imshow(
                activations[:, unit].reshape(gx.shape),
                origin="lower",
                cmap="RdBu",
                vmin=-1,
                vmax=1,
                extent=(-EXTENT, EXTENT, -EXTENT, EXTENT),
            )
            ax.set_title(f"L{layer} u{unit + 1}", fontsize=6, pad=1.5)
        row += r
    fig.suptitle(f"{title}: each hidden unit's activation over the plane (red -1, blue +1)", fontsize=9)
    return save(fig, out_path)
