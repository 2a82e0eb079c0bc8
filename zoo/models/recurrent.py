"""Recurrent networks: an LSTM learns the long-term dependencies a plain tanh RNN of the same size loses.

The adding problem (Hochreiter & Schmidhuber 1997, in the form of Le et al. 2015 and Arjovsky et al.
2016), generated here, deterministic given a seed (`adding_problem(n, length, seed)`):
    a sequence has `length` steps of two channels; channel 0 holds values u_t ~ U(0, 1), channel 1
    is a marker, 0 everywhere but at exactly two steps: a ~ uniform on [0, length/2) and
    b ~ uniform on [length/2, length). The target is u_a + u_b.
The draws come from `numpy.random.default_rng([stream, seed, length])`, in the order values,
then a, then b; training data uses stream 0 and the run's seed, the test set stream 1 and the
fixed TEST_SEED, so no test sequence is drawn from a training stream, whatever the seed.
Predicting 1 (the mean of u_a + u_b) always gives MSE Var(u_a + u_b) = 2/12 = 0.167: the trivial
baseline. To beat it a network must carry the first marked value across up to `length` steps.

`adding-rnn-T` (keras.layers.SimpleRNN, tanh) and `adding-lstm-T` (keras.layers.LSTM) have the same
number of units and the same recipe at each length T. `lstm-mnist-rows` reads an MNIST digit row
by row, 28 steps of 28 pixels (flat inputs, reshaped inside the model).

Training is backpropagation through time through the zoo's compiled loop: Keras' recurrent layers
run a while loop over the time steps, and the gradient flows back through it. The SavedModel's
`serve` endpoint (and the ONNX and TFLite exports made from it) runs the same layers unrolled over
their fixed number of steps, with the same weights: TFLite converts a while loop over a batch of
unknown size only with TensorFlow's own ops (SELECT_TF_OPS); unrolled, it needs only builtin ones.
"""
from __future__ import annotations

import numpy as np

from zoo import data
from zoo.evaluation import recurrent as measure
from zoo.family import Family, TrainData
from zoo.plots import recurrent as pictures
from zoo.registry import Recipe, register

ADDING = ("Hochreiter & Schmidhuber 1997, Long Short-Term Memory (the adding problem); Le, Jaitly & Hinton 2015; "
          "Arjovsky, Shah & Bengio 2016 (its modern form)")
ROWS = "Hochreiter & Schmidhuber 1997; Le, Jaitly & Hinton 2015 (pixel/row MNIST); Keras mnist LSTM example"
TEST_SEED, TEST_SEQUENCES = 20_240, 2_000
TRAIN_STREAM, TEST_STREAM = 0, 1


def adding_problem(n: int, length: int, seed: int, stream: int = TRAIN_STREAM) -> TrainData:
    """n sequences (n, length, 2) of the adding problem and their targets (n, 1); see the module docstring."""
    if length < 2:
        raise ValueError("the adding problem needs at least 2 steps")
    rng = np.random.default_rng([stream, seed, length])
    values = rng.random((n, length), dtype=np.float32)
    first = rng.integers(0, length // 2, n)
    second = rng.integers(length // 2, length, n)
    rows = np.arange(n)
    markers = np.zeros((n, length), np.float32)
    markers[rows, first] = markers[rows, second] = 1.0
    target = values[rows, first] + values[rows, second]
    return TrainData(np.stack([values, markers], axis=-1), target[:, None].astype(np.float32))


def held_out(entry) -> TrainData:
    """The fixed test sequences of an adding entry (or MNIST's test digits, one-hot)."""
    if entry.params.get("length") is None:
        split = data.vectors(entry.dataset)
        return TrainData(split.x_test, data.one_hot(split.y_test))
    return adding_problem(TEST_SEQUENCES, entry.params["length"], TEST_SEED, TEST_STREAM)


def train_data(entry) -> TrainData:
    if entry.params.get("length") is None:
        split = data.vectors(entry.dataset)
        return TrainData(split.x_train, data.one_hot(split.y_train))
    return adding_problem(entry.recipe.extras["sequences"], entry.params["length"], entry.recipe.seed)


def recurrent_layer(cell: str, units: int, name: str = "recurrent"):
    """keras.layers.SimpleRNN (tanh) or keras.layers.LSTM with Keras' defaults, `units` wide."""
    import keras

    kinds = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM}
    return kinds[cell](units, name=name)


def build_adding(cell: str, units: int, length: int):
    """(length, 2) sequence -> `cell` layer of `units` -> its last state -> one linear output: the sum."""
    import keras

    return keras.Sequential([keras.Input((length, 2), name="sequence"), recurrent_layer(cell, units),
                             keras.layers.Dense(1, name="sum")], name=f"adding_{cell}_{length}")


def build_rows(units: int):
    """784 pixels -> 28 rows of 28 -> LSTM(units) -> softmax over the 10 digits."""
    import keras

    return keras.Sequential([keras.Input((784,), name="pixels"), keras.layers.Reshape((28, 28), name="rows"),
                             recurrent_layer("lstm", units), keras.layers.Dense(10, activation="softmax", name="digit")],
                            name="lstm_mnist_rows")


def endpoints(entry, model) -> dict:
    """serve: the model with its recurrent layers unrolled (same weights, same outputs); see the docstring."""
    import tensorflow as tf

    twin = measure.unrolled(model)
    shape = (None,) + tuple(model.inputs[0].shape[1:])
    return {"serve": (twin, [tf.TensorSpec(shape, tf.float32, name="inputs")])}


FAMILY = Family(
    name="recurrent",
    train_data=train_data,
    evaluate=lambda entry, model: measure.evaluate(entry, model, held_out(entry)),
    small_batches=4,
    endpoints=endpoints,
    plots={
        "through-time": lambda entry, model, history, out: pictures.through_time(
            *measure.through_time(entry, model, held_out(entry)), entry.name, out),
        "gradients": lambda entry, model, history, out: pictures.gradients(
            measure.gradient_curves(entry, model, held_out(entry)), entry.name, out),
        "lengths": lambda entry, model, history, out: pictures.lengths(measure.length_table(FAMILY), out),
    },
    docs=lambda cards: measure.docs(cards),
)

# Sizes and budgets, measured on 2 CPU cores: see the notes of each recipe.
UNITS = 64
LENGTHS = {10: 10, 50: 20, 200: 30}  # length T -> epochs
SEQUENCES = 10_000


def adding_recipe(epochs: int) -> Recipe:
    return Recipe(optimizer="adam", learning_rate=3e-3, batch_size=32, epochs=epochs, loss="mse", seed=0, chunk=1,
                  extras={"sequences": SEQUENCES, "optimizer_args": {"clipnorm": 1.0}},
                  notes={"data": f"{SEQUENCES:,} training sequences drawn once from the run's seed; "
                                 f"{TEST_SEQUENCES:,} test sequences from a fixed seed",
                         "same": "the RNN and the LSTM of one length share units, recipe and data"})


def adding(cell: str, units: int, length: int):
    return build_adding(cell, units, length)


for _length, _epochs in LENGTHS.items():
    for _cell, _what in (("rnn", "a plain tanh RNN (keras.layers.SimpleRNN)"), ("lstm", "an LSTM (keras.layers.LSTM)")):
        solves = _cell == "lstm" or _length <= 10
        register(f"adding-{_cell}-{_length}", family=FAMILY, dataset=f"adding-{_length}", task="regress",
                 description=f"the adding problem over {_length} steps, {_what} of {UNITS} units",
                 reference=ADDING, recipe=adding_recipe(_epochs),
                 expected={"test_mse": ("<=", 0.05)} if solves else {"mse_vs_baseline": (">=", 0.9)},
                 headline="test_mse",
                 anchor="Hochreiter & Schmidhuber 1997: LSTM solves the adding problem; trivial baseline MSE 0.167",
                 params={"cell": _cell, "units": UNITS, "length": _length})(adding)


ROWS_RECIPE = Recipe(optimizer="adam", learning_rate=1e-3, batch_size=128, epochs=10, loss="categorical_crossentropy",
                     seed=0, chunk=1, extras={"optimizer_args": {"clipnorm": 1.0}})


@register("lstm-mnist-rows", family=FAMILY, description="MNIST read row by row: 28 steps of 28 pixels into an LSTM "
          "of 128 units, softmax on its last state", reference=ROWS, dataset="mnist", task="classify",
          recipe=ROWS_RECIPE, expected={"test_accuracy": (">=", 0.985)}, headline="test_accuracy",
          anchor="row-by-row LSTM on MNIST: about 98-99% (Keras example)", params={"units": 128})
def lstm_mnist_rows(units):
    return build_rows(units)
