"""Runs behind the encoder lessons' pictures: initial weight scales, and the symmetries of weight space.

Both are cheap (an encoder trains in about a second), so the pictures train their own nets with the
entry's recipe, its seed and its epoch cap (the quick tests' few epochs stay quick).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from zoo.families.encoders.network import hidden_codes, patterns

SCALES = (0.001, 0.01, 0.1, 1.0, 3.0, 10.0)  # standard deviations of the initial weights
SATURATED = 0.95  # |tanh| above this: the unit is nearly a step, tanh' < 0.1
SWEEP_EPOCHS = 20_000  # the sweep's cap per scale (the lecture's 9-2-9 needs ~15,000)


def saturation(codes: np.ndarray) -> float:
    """The fraction of hidden activations (over all patterns and units) beyond SATURATED in size."""
    return float(np.mean(np.abs(codes) > SATURATED))


def scale_sweep(entry, scales=SCALES) -> dict:
    """scale -> {"loss": per-epoch loss, "epochs": snapshot epochs (0 first), "saturation": per snapshot,
    "converged": epochs to reach the recipe's stop_below or None, "decoded": fraction decoded at the end}."""
    data = patterns(entry)
    recipe = entry.recipe.replace(epochs=min(entry.recipe.epochs, SWEEP_EPOCHS))
    runs = {}
    for scale in scales:
        run = dataclasses.replace(entry, recipe=recipe, params={**entry.params, "init_std": scale})
        model = run.build()
        start = saturation(np.asarray(hidden_codes(model, data.x)))
        history = run.family.fit(run, model)
        outputs = np.asarray(model(data.x))
        stop = recipe.stop_below
        runs[scale] = {
            "loss": np.asarray(history.loss),
            "epochs": np.asarray([0] + list(history.snapshot_epochs)),
            "saturation": np.asarray([start] + [saturation(s) for s in history.snapshots]),
            "converged": history.epochs if stop is not None and history.loss[-1] < stop else None,
            "decoded": float(np.mean(np.all((outputs > 0.5) == (data.y > 0.5), axis=1))),
        }
    return runs


def symmetries(model, x) -> dict:
    """The trained encoder, its hidden units 1 and 2 swapped, and unit 1's signs flipped: for each, the
    weights (w1, b1, w2, b2), the hidden codes and the outputs (computed in NumPy from those weights)."""
    w1, b1, w2, b2 = (np.asarray(v, np.float64) for v in model.get_weights())
    swap = np.arange(w1.shape[1])
    swap[[0, 1]] = [1, 0]
    sign = np.ones(w1.shape[1])
    sign[0] = -1.0  # tanh is odd: tanh(-z) = -tanh(z), so flipping a unit's in- and out-weights cancels
    variants = {
        "trained": (w1, b1, w2, b2),
        "units 1 and 2 swapped": (w1[:, swap], b1[swap], w2[swap, :], b2),
        "unit 1's signs flipped": (w1 * sign, b1 * sign, w2 * sign[:, None], b2),
    }
    result = {}
    for label, (a, c, d, e) in variants.items():
        codes = np.tanh(x @ a + c)
        result[label] = {"weights": (a, c, d, e), "codes": codes, "outputs": 1.0 / (1.0 + np.exp(-(codes @ d + e)))}
    return result
