"""N-K-N encoders: N one-hot patterns squeezed through K < N tanh units and decoded back.

The seed lecture's recipe: tanh hidden layer, sigmoid outputs, binary cross-entropy on the identity
map, SGD lr 0.4 momentum 0.9, full batch, weights from N(0, 0.001) (0.001 is the standard deviation,
as in torch.nn.init.normal_), biases zero; train until the loss is below 0.02 (cap 100,000 epochs).
The data set is named by the entry: `one-hot-N` (the identity map) or `one-hot-6-to-3-bit` (the
seed exercise: six one-hot inputs to the 3-bit codes 000 001 010 100 101 110).
"""
from __future__ import annotations

import numpy as np

from zoo.errors import ZooError
from zoo.family import Family, TrainData
from zoo.plots import encoders as pictures
from zoo.registry import Entry, Recipe, register, register_pattern

SEED_LECTURE = "Seed lecture on encoder networks (PyTorch script, 9-2-9 in about 15,000 epochs); Ackley, Hinton & Sejnowski 1985"
RECIPE = Recipe(optimizer="sgd", learning_rate=0.4, momentum=0.9, batch_size=None, epochs=100_000,
                loss="binary_crossentropy", stop_below=0.02, seed=0, chunk=250)
EXPECTED = {"loss": ("<", 0.02), "decoded": ("==", 1.0)}
INIT_STD = 0.001
HIDDEN = "hidden"    # the layer whose codes the pictures draw
CODE_6_2_3 = np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0]], np.float32)
TARGETS = {"one-hot-6-to-3-bit": CODE_6_2_3}  # any other data set is the identity map on one-hot-N


def build_encoder(n_in: int, k: int, n_out: int, init_std: float = INIT_STD):
    """n_in -> k tanh -> n_out sigmoid, weights from N(0, init_std), biases zero."""
    import keras

    init = keras.initializers.RandomNormal(0.0, init_std)
    return keras.Sequential([
        keras.Input((n_in,), name="pattern"),
        keras.layers.Dense(k, activation="tanh", kernel_initializer=init, name=HIDDEN),
        keras.layers.Dense(n_out, activation="sigmoid", kernel_initializer=init, name="output"),
    ], name=f"encoder_{n_in}_{k}_{n_out}")


def patterns(entry) -> TrainData:
    x = np.eye(entry.params["n_in"], dtype=np.float32)
    return TrainData(x, TARGETS.get(entry.dataset, x))


def hidden_codes(model, x):
    return model.get_layer(HIDDEN)(x)


def evaluate(entry, model) -> dict:
    import keras

    data = patterns(entry)
    outputs = np.asarray(model(data.x))
    hidden = np.asarray(hidden_codes(model, data.x))
    decoded = np.all((outputs > 0.5) == (data.y > 0.5), axis=1)
    return {
        "loss": float(keras.losses.binary_crossentropy(data.y, outputs).numpy().mean()),
        "decoded": float(decoded.mean()),
        "hidden_saturation": float(np.abs(hidden).mean()),  # 1.0 = every code at a corner of the square/cube
    }


FAMILY = Family(
    name="encoder",
    train_data=patterns,
    evaluate=evaluate,
    small_batches=None,  # a handful of patterns: the quick tests use them all
    snapshot=lambda entry, model: hidden_codes(model, np.eye(entry.params["n_in"], dtype=np.float32)),
    plots={
        "hidden": lambda entry, model, history, out: pictures.hidden_space(model, patterns(entry).x, entry.name, out),
        "dynamics": lambda entry, model, history, out: pictures.dynamics(history, model, entry.name, out),
    },
)


def _fields(n: int, k: int, description: str, n_out: int | None = None, dataset: str | None = None,
            catalogue: bool = True) -> dict:
    return dict(family=FAMILY, description=description, reference=SEED_LECTURE, dataset=dataset or f"one-hot-{n}",
                task="encode", recipe=RECIPE, expected=EXPECTED, headline="loss",
                anchor="seed: loss < 0.02, about 15,000 epochs for 9-2-9",
                params={"n_in": n, "k": k, "n_out": n_out or n, "init_std": INIT_STD}, catalogue=catalogue)


# stacked decorators register bottom-up: this order lists 9-2-9 first
@register("code-6-2-3", **_fields(6, 2, "the seed exercise: 6 one-hot inputs to the 3-bit codes 000 001 010 100 101 110",
                                  n_out=3, dataset="one-hot-6-to-3-bit"))
@register("encoder-4-2-4", **_fields(4, 2, "4 one-hot patterns through 2 tanh units: the square's corners"))
@register("encoder-8-3-8", **_fields(8, 3, "8 one-hot patterns through 3 tanh units: codes near a cube's corners"))
@register("encoder-9-2-9", **_fields(9, 2, "9 one-hot patterns through 2 tanh units: 9 lines cut the square"))
def encoder(n_in: int, k: int, n_out: int, init_std: float):
    return build_encoder(n_in, k, n_out, init_std)


def _parametric(match) -> Entry:
    n, k, n_out = (int(g) for g in match.groups())
    if n != n_out:
        raise ZooError(f"encoder-{n}-{k}-{n_out}: an N-K-N encoder has as many outputs as inputs (N = {n})")
    if not 0 < k < n:
        raise ZooError(f"encoder-{n}-{k}-{n}: K must be between 1 and N - 1 (here N = {n}, K = {k})")
    if n > 1024:
        raise ZooError(f"encoder-{n}-{k}-{n}: N is limited to 1024")
    return Entry(name=f"encoder-{n}-{k}-{n}", builder=encoder,
                 **_fields(n, k, f"{n} one-hot patterns through {k} tanh units (built on demand)", catalogue=False))


register_pattern(r"encoder-(\d+)-(\d+)-(\d+)", "encoder-N-K-N", _parametric)
