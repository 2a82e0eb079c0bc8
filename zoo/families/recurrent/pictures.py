"""Pictures of the recurrent family: one sequence through time (gates, cell state, gradient), and the lengths table."""

from __future__ import annotations

import numpy as np

from zoo.errors import ZooError
from zoo.pictures import count_axis, plain_log_axis, pyplot, save


def _heatmap(ax, values: np.ndarray, label: str, cmap: str, limits=None, rows: str = "unit") -> None:
    """values (steps, units) as units down, time across."""
    low, high = limits if limits is not None else (-np.abs(values).max(), np.abs(values).max())
    image = ax.imshow(values.T, aspect="auto", cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
    ax.set_ylabel(f"{label}\n{rows}")
    ax.figure.colorbar(image, ax=ax, pad=0.01, fraction=0.03)


def _gradient_axis(ax, curves: dict) -> None:
    for label, curve in curves.items():
        steps = np.arange(len(curve))
        ax.plot(steps, np.maximum(curve, 1e-30), "--" if "initialisation" in label else "-", lw=1.3, label=label)
    ax.set(yscale="log", xlabel="time step t (0: the first)", ylabel="mean ||dL/dx_t||")
    count_axis(ax.xaxis)
    plain_log_axis(ax.yaxis)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)


def through_time(sequence: np.ndarray, states: dict, curves: dict, title: str, out_path):
    """The first test sequence's inputs, the recurrent layer's gates and states at each step, and the gradient.

    sequence: (steps, features); states: name -> (steps, units), gates drawn on [0, 1], states on a
    symmetric scale; curves: label -> (steps,) gradient through time (dashed: at initialisation).
    """
    plt = pyplot()
    rows = 2 + len(states)
    fig, axes = plt.subplots(
        rows,
        1,
        figsize=(10, 1.6 * rows + 2.2),
        sharex=False,
        gridspec_kw={"height_ratios": [1] + [1.4] * len(states) + [2.2]},
    )
    steps = len(sequence)
    ax = axes[0]
    if sequence.shape[1] == 2:  # the adding problem: values, with the two marked steps picked out
        ax.bar(np.arange(steps), sequence[:, 0], color="lightgrey", width=1.0)
        marked = np.flatnonzero(sequence[:, 1] > 0.5)
        ax.bar(marked, sequence[marked, 0], color="tab:red", width=1.0, label="marked values (their sum is the target)")
        ax.set(xlim=(-0.5, steps - 0.5), ylim=(0, 1), ylabel="input")
        ax.legend(fontsize=7, loc="upper right")
    else:  # an image read row by row: the rows, left to right
        _heatmap(ax, sequence, "input", "Greys", (0, 1), rows="pixel")
    ax.set_title(f"{title}: one test sequence through time")
    for ax, (name, values) in zip(axes[1:], states.items()):
        gate = "gate" in name
        _heatmap(ax, values, name, "viridis" if gate else "RdBu_r", (0, 1) if gate else None)
    for ax in axes[:-1]:
        ax.set_xticks([])
    _gradient_axis(axes[-1], curves)
    axes[-1].set_title("gradient of the loss with respect to the input at each step (test sequences)", fontsize=9)
    fig.tight_layout()
    return save(fig, out_path)


def gradients(curves: dict, title: str, out_path):
    """The gradient through time alone: label -> (steps,) mean ||dL/dx_t||."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.2))
    _gradient_axis(ax, curves)
    ax.set_title(f"{title}: the gradient through time")
    return save(fig, out_path)


def lengths(rows: list[dict], out_path):
    """Test MSE against sequence length for each cell, with the trivial baseline (rows from the shipped cards)."""
    if not rows:
        raise ZooError("no adding-problem artifact is shipped yet: train some to draw the lengths picture")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for cell, style in (("rnn", "o-"), ("lstm", "s-")):
        mine = [r for r in rows if r["cell"] == cell]
        if mine:
            ax.plot([r["length"] for r in mine], [r["test_mse"] for r in mine], style, label=f"{cell.upper()} test MSE")
    lengths_ = sorted({r["length"] for r in rows})
    baseline = [np.mean([r["baseline_mse"] for r in rows if r["length"] == n]) for n in lengths_]
    ax.plot(lengths_, baseline, "k--", lw=1, label="always predict 1 (baseline)")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="sequence length T",
        ylabel="test MSE",
        title="the adding problem: RNN against LSTM of the same size",
    )
    ax.set_xticks(lengths_, [str(n) for n in lengths_])
    plain_log_axis(ax.yaxis)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return save(fig, out_path)
