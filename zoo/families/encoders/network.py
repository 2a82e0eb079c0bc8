"""The encoder network and its data: the N-K-N builder, the patterns an entry names, and its hidden codes.

What the entries, the measures and the lessons all need, below all of them.
"""

from __future__ import annotations

import numpy as np

from zoo.family import TrainData

INIT_STD = 0.001
HIDDEN = "hidden"  # the layer whose codes the pictures draw
CODE_6_2_3 = np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0]], np.float32)
TARGETS = {"one-hot-6-to-3-bit": CODE_6_2_3}  # any other data set is the identity map on one-hot-N


def build_encoder(
    n_in: int,
    k: int,
    n_out: int,
    init_std: float = INIT_STD,
    code_noise: float = 0.0,
    twin_start: bool = False,
    seed: int = 0,
):
    """n_in -> k tanh -> n_out sigmoid, weights from N(0, init_std), biases zero.

    code_noise > 0 adds Gaussian noise of that standard deviation to the codes in training only: a code
    must then stay decodable wherever the noise moves it, which pays only when the codes are as far
    apart as the cube allows, at its corners. twin_start gives hidden units 1 and 2 the same incoming
    and outgoing weights (the symmetry lesson: nothing can ever tell them apart).
    """
    import keras

    init = keras.initializers.RandomNormal(0.0, init_std)
    layers = [
        keras.Input((n_in,), name="pattern"),
        keras.layers.Dense(k, activation="tanh", kernel_initializer=init, name=HIDDEN),
    ]
    if code_noise > 0:
        layers.append(keras.layers.GaussianNoise(code_noise, seed=seed, name="code_noise"))
    layers.append(keras.layers.Dense(n_out, activation="sigmoid", kernel_initializer=init, name="output"))
    model = keras.Sequential(layers, name=f"encoder_{n_in}_{k}_{n_out}")
    if twin_start:
        w1, b1, w2, b2 = model.get_weights()
        w1[:, 1], b1[1], w2[1, :] = w1[:, 0], b1[0], w2[0, :]
        model.set_weights([w1, b1, w2, b2])
    return model


def patterns(entry) -> TrainData:
    x = np.eye(entry.params["n_in"], dtype=np.float32)
    return TrainData(x, TARGETS.get(entry.dataset, x))


def hidden_codes(model, x):
    return model.get_layer(HIDDEN)(x)


def twin_gap(model) -> float:
    """(K >= 2) min over pairs of hidden units of max |difference| of their incoming weights, bias and outgoing
    weights."""
    w1, b1 = model.get_layer(HIDDEN).get_weights()
    w2 = model.get_layer("output").get_weights()[0]
    units = np.concatenate([w1, b1[None, :], w2.T], axis=0)  # one column per hidden unit
    k = units.shape[1]
    return float(min(np.abs(units[:, a] - units[:, b]).max() for a in range(k) for b in range(a)))
