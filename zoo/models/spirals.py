"""Twin spirals (Lang & Witbrock 1988): one hidden layer falls short, two classify every point.

The data set, generated here (deterministic, no randomness): for i = 0 .. 96,
    phi_i = i * pi / 16,   r_i = 6.5 * (104 - i) / 104,
    spiral A (label 1): ( r_i sin phi_i,  r_i cos phi_i)
    spiral B (label 0): (-r_i sin phi_i, -r_i cos phi_i)
194 points, three turns each, as in Lang & Witbrock's benchmark; we divide the coordinates by 6.5
so that the inputs lie in [-1, 1]. Both nets use tanh hidden units, a sigmoid output, binary
cross-entropy and full-batch Adam; they differ only in having one or two hidden layers.
"""
from __future__ import annotations

import numpy as np

from zoo.family import Family, TrainData, family
from zoo.registry import Recipe, register

POINTS = 97          # per spiral
RADIUS = 6.5
REFERENCE = "Lang & Witbrock 1988, Learning to tell two spirals apart; seed lecture (first layer linear, second convex)"
RECIPE = Recipe(optimizer="adam", learning_rate=0.01, batch_size=None, epochs=5000, loss="binary_crossentropy",
                seed=0, chunk=500, extras={"inputs": "coordinates / 6.5"})


def twin_spirals() -> TrainData:
    """The 194 points (x / 6.5, y / 6.5) and their labels (1: spiral A, 0: spiral B), in a fixed order."""
    i = np.arange(POINTS)
    phi = i * np.pi / 16
    r = RADIUS * (104 - i) / 104
    a = np.stack([r * np.sin(phi), r * np.cos(phi)], axis=1)
    x = np.concatenate([a, -a]) / RADIUS
    y = np.concatenate([np.ones(POINTS), np.zeros(POINTS)])[:, None]
    return TrainData(x.astype(np.float32), y.astype(np.float32))


def build_spirals(hidden):
    """2 inputs -> tanh layers of `hidden` widths -> one sigmoid output."""
    import keras

    layers = [keras.Input((2,), name="point")]
    for i, width in enumerate(hidden, 1):
        layers.append(keras.layers.Dense(width, activation="tanh", name=f"hidden{i}"))
    layers.append(keras.layers.Dense(1, activation="sigmoid", name="output"))
    return keras.Sequential(layers, name="spirals_" + "_".join(map(str, hidden)))


def _fields(hidden, description, expected):
    return dict(family="spirals", description=description, reference=REFERENCE, dataset="twin-spirals",
                task="classify", recipe=RECIPE, expected=expected, headline="train_accuracy",
                anchor="Lang & Witbrock 1988: 2-5-5-5-1 with shortcuts solves it; one hidden layer struggles",
                params={"hidden": hidden})


@register("spirals-1hidden", **_fields((40,), "2-40-1 tanh: one hidden layer of 40 units, the same 40 hidden units as "
                                              "spirals-2hidden, falls short of separating the spirals",
                                       {"train_accuracy": ("<", 1.0)}))
@register("spirals-2hidden", **_fields((20, 20), "2-20-20-1 tanh: two hidden layers classify every training point",
                                       {"train_accuracy": ("==", 1.0)}))
def spirals(hidden):
    return build_spirals(hidden)


@family
class SpiralsFamily(Family):
    name = "spirals"
    plot_kinds = {"decision": "plot_decision", "hidden": "plot_hidden"}

    def train_data(self, entry) -> TrainData:
        return twin_spirals()

    def small_data(self, entry, n: int = 64) -> TrainData:
        return twin_spirals()  # 194 points: already small

    def evaluate(self, entry, model, **options) -> dict:
        data = twin_spirals()
        p = np.asarray(model(data.x)).ravel()
        y = data.y.ravel()
        eps = 1e-7
        loss = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
        return {"train_accuracy": float(np.mean((p > 0.5) == (y > 0.5))), "train_loss": float(loss)}

    def plot_decision(self, entry, model, history, out_path):
        from zoo.plots.spirals import decision

        return decision(model, twin_spirals(), entry.name, out_path)

    def plot_hidden(self, entry, model, history, out_path):
        from zoo.plots.spirals import hidden_units

        return hidden_units(model, twin_spirals(), entry.name, out_path)
