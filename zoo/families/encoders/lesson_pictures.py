"""Pictures of two encoder lessons: controlled nonlinearity (initial weight scale) and weight-space symmetry."""

from __future__ import annotations

import numpy as np

from zoo.families.encoders.pictures import square
from zoo.pictures import count_axis, plain_log_axis, pyplot, save


def scales(runs: dict, title: str, out_path, stop_below: float | None = None):
    """Loss curves, the fraction of saturated hidden activations over training, and epochs to converge, per scale."""
    plt = pyplot()
    fig, (loss_ax, sat_ax, bar_ax) = plt.subplots(1, 3, figsize=(15, 4.4))
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(runs)))
    for colour, (scale, run) in zip(colours, runs.items()):
        loss_ax.plot(np.arange(1, len(run["loss"]) + 1), run["loss"], color=colour, label=f"init std {scale:g}")
        sat_ax.plot(run["epochs"], 100 * run["saturation"], color=colour, marker=".", label=f"init std {scale:g}")
    if stop_below is not None:
        loss_ax.axhline(stop_below, color="black", ls=":", lw=1, label=f"converged: loss < {stop_below:g}")
    loss_ax.set(xscale="log", yscale="log", xlabel="epoch", ylabel="training loss", title="loss curves")
    plain_log_axis(loss_ax.yaxis)
    sat_ax.set_xscale("symlog", linthresh=10)
    sat_ax.set(
        xlabel="epoch (0 to 10 linear, then log)",
        ylabel="% of hidden activations with |h| > 0.95",
        title="saturated (step-like) hidden units",
        ylim=(-3, 103),
    )
    labels = [f"{s:g}" for s in runs]
    cap = max(len(r["loss"]) for r in runs.values())
    heights = [r["converged"] if r["converged"] is not None else cap for r in runs.values()]
    bars = bar_ax.bar(labels, heights, color=colours)
    for bar, run in zip(bars, runs.values()):
        text = (
            f"{run['converged']:,}"
            if run["converged"] is not None
            else f"not in {cap:,}\n({100 * run['decoded']:.0f}% decoded)"
        )
        bar_ax.annotate(
            text, (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom", fontsize=8
        )
    bar_ax.set(
        xlabel="initial weight std", ylabel="epochs to converge", title="epochs to converge", ylim=(0, cap * 1.2)
    )
    count_axis(bar_ax.yaxis)
    for ax in (loss_ax, sat_ax):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(
        f"{title}: small weights keep tanh nearly linear and learning smooth; large weights make units "
        "step-like from the start (digital computation) and learning slow",
        fontsize=10,
    )
    return save(fig, out_path)


def symmetry(variants: dict, twin_codes: np.ndarray, twin_gap: float, title: str, out_path):
    """Three views of one trained 9-2-9 (outputs printed equal), and the twin-started net's codes on h1 = h2."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 4, figsize=(19, 5.6))
    reference = variants["trained"]["outputs"]
    for ax, (label, v) in zip(axes, variants.items()):
        _, _, w2, b2 = v["weights"]
        square(v["codes"], w2, b2, label, ax=ax, legend=False)
        gap = np.abs(v["outputs"] - reference).max()
        rows = "\n".join(" ".join(f"{p:.2f}" for p in row[:3]) for row in v["outputs"][:3])
        ax.set_title(f"{label}\nmax |output - trained output| = {gap:.1e}", fontsize=9)
        ax.text(
            0.5,
            -0.13,
            f"outputs of units 1-3 for inputs 1-3:\n{rows}",
            transform=ax.transAxes,
            fontsize=8,
            family="monospace",
            va="top",
            ha="center",
        )
    ax = axes[3]
    ax.plot([-1, 1], [-1, 1], color="gray", ls=":", lw=1)
    ax.scatter(twin_codes[:, 0], twin_codes[:, 1], c=np.arange(len(twin_codes)), cmap="tab10", s=60, edgecolor="black")
    for i, (x, y) in enumerate(twin_codes):
        ax.annotate(str(i + 1), (x, y), textcoords="offset points", xytext=(5, -10))
    ax.set(xlim=(-1.05, 1.05), ylim=(-1.05, 1.05), xlabel="hidden unit 1", ylabel="hidden unit 2")
    ax.set_aspect("equal")
    ax.set_title(
        f"started with units 1 and 2 identical: after training\nmax |w(unit 1) - w(unit 2)| = {twin_gap:.1e}: "
        "never separated",
        fontsize=9,
    )
    fig.suptitle(
        f"{title}: swapping hidden units or flipping one unit's signs moves the picture of hidden space, "
        "never the outputs; identical units stay identical",
        fontsize=10,
    )
    return save(fig, out_path)
