"""fake-xor: the four XOR patterns through 2 tanh units, full-batch Adam; registered by importing this module."""

from __future__ import annotations

import numpy as np

from zoo.family import Family, TrainData
from zoo.registry import Recipe, register

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
Y = np.array([[0], [1], [1], [0]], np.float32)


def evaluate(entry, model) -> dict:
    outputs = np.asarray(model(X))
    return {"accuracy": float(np.mean((outputs > 0.5) == (Y > 0.5)))}


FAMILY = Family(name="fake", train_data=lambda entry: TrainData(X, Y), evaluate=evaluate, small_batches=None)


@register(
    "fake-xor",
    family=FAMILY,
    description="XOR through 2 tanh units: a family from another distribution",
    reference="tests/fake_family",
    dataset="xor",
    task="classify",
    recipe=Recipe(optimizer="adam", learning_rate=0.1, epochs=20, loss="binary_crossentropy", chunk=10),
    headline="accuracy",
)
def xor():
    import keras

    return keras.Sequential(
        [keras.Input((2,), name="pattern"), keras.layers.Dense(2, activation="tanh"), keras.layers.Dense(1, "sigmoid")],
        name="fake_xor",
    )
