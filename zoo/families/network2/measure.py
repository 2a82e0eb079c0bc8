"""Nielsen's network2 in Keras: its data split, its cost with weight penalties, and what its entries measure.

Data (ch. 3 and 5): the first 50,000 training images train (or the first `train_images` of them), the
last 10,000 are the validation images, and the 10,000 test images are reported too. Another source
(`--data`) with fewer than 60,000 training images trains on those in front of its last 10,000.
Cost: network2's CrossEntropyCost, sum_j -[y_j ln a_j + (1 - y_j) ln(1 - a_j)] over the sigmoid
outputs, averaged over the mini-batch, plus the weight penalty of the whole training set size n:
    L2: (lambda / 2n) sum w^2    L1: (lambda / n) sum |w|    (kernels only: network2 leaves biases alone)
Plain SGD with learning rate eta on this loss applies, with m the batch size,
    w <- w - eta (lambda / n) w - (eta / m) sum_x dC_x/dw = (1 - eta lambda / n) w - (eta / m) sum_x dC_x/dw,
network2's update_mini_batch exactly (L1: w - eta (lambda / n) sgn(w) - ..., ch. 3's L1 update).
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

import numpy as np

from zoo import data
from zoo.errors import ZooError
from zoo.family import TrainData

VALIDATION = 10_000  # the last training images, as in network2's mnist_loader
NEAR_ZERO = 1e-3  # |w| below this counts as a pruned connection (init std is 1/sqrt(784) = 0.036)
ACCURACY_SLICE = 1000  # training images whose accuracy the snapshots follow


def train_images(entry) -> int:
    """How many of the first training images train (and the n of the penalties): the recipe's count, or fewer
    where the source (`--data`) holds fewer in front of the VALIDATION images held out after them, so that no
    image is both trained on and used for validation. MNIST's 60,000 give the recipe's count."""
    wanted = int(entry.recipe.extras.get("train_images", 50_000))
    available = len(data.vectors(entry.dataset).x_train) - VALIDATION
    if available < 1:
        raise ZooError(
            f"{entry.name} holds out the last {VALIDATION:,} training images for validation (network2's "
            f"split), and {{option}} {entry.dataset!r} has {available + VALIDATION:,} in all",
            option="data",
        )
    return min(wanted, available)


def split(entry):
    """(x_train, y_train, x_validation, y_validation, x_test, y_test) as float32 vectors and int labels."""
    mnist = data.vectors(entry.dataset)
    n = train_images(entry)
    cut = len(mnist.x_train) - VALIDATION
    return (mnist.x_train[:n], mnist.y_train[:n], mnist.x_train[cut:], mnist.y_train[cut:], mnist.x_test, mnist.y_test)


def train_data(entry) -> TrainData:
    x, y, *_ = split(entry)
    return TrainData(x, data.one_hot(y))


def cross_entropy(y, a):
    """network2's CrossEntropyCost per example, summed over the output units, averaged over the batch."""
    import keras

    ops = keras.ops
    a = ops.clip(a, 1e-7, 1.0 - 1e-7)  # network2 uses np.nan_to_num for the same corner case
    return ops.mean(ops.sum(-(y * ops.log(a) + (1.0 - y) * ops.log(1.0 - a)), axis=-1))


def kernels(model) -> list:
    import keras

    return [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def penalty(entry, model):
    """(lambda / 2n) sum w^2 for `l2`, (lambda / n) sum |w| for `l1`, over the Dense kernels; 0 without either."""
    import keras

    extras, n = entry.recipe.extras, float(train_images(entry))
    total = 0.0
    if extras.get("l2"):
        total += extras["l2"] / (2.0 * n) * sum(keras.ops.sum(keras.ops.square(w)) for w in kernels(model))
    if extras.get("l1"):
        total += extras["l1"] / n * sum(keras.ops.sum(keras.ops.abs(w)) for w in kernels(model))
    return total


def loss(entry):
    return lambda model, x, y, training: cross_entropy(y, model(x, training=training)) + penalty(entry, model)


def predict(model, x, batch: int = 5000) -> np.ndarray:
    return np.concatenate([np.asarray(model(x[i : i + batch], training=False)) for i in range(0, len(x), batch)])


def accuracy(model, x, labels) -> float:
    return float(np.mean(predict(model, x).argmax(1) == labels))


def evaluate(entry, model) -> dict:
    x, y, x_val, y_val, x_test, y_test = split(entry)
    weights = np.concatenate([np.abs(np.asarray(w)).ravel() for w in kernels(model)])
    outputs = predict(model, x_test)
    return {
        "test_accuracy": float(np.mean(outputs.argmax(1) == y_test)),
        "validation_accuracy": accuracy(model, x_val, y_val),
        "train_accuracy": accuracy(model, x, y),
        "test_loss": float(cross_entropy(data.one_hot(y_test), outputs)),
        "near_zero_fraction": float(np.mean(weights < NEAR_ZERO)),
    }


@lru_cache(maxsize=4)
def _accuracy_sets(dataset: str, n: int):
    """Eager tensors of the accuracy slices (captured by the compiled chunk, not baked into it as constants)."""
    import tensorflow as tf

    with tf.init_scope():
        mnist = data.vectors(dataset)
        cut = len(mnist.x_train) - VALIDATION
        return (
            tf.constant(mnist.x_train[: min(n, ACCURACY_SLICE)]),
            tf.constant(mnist.y_train[: min(n, ACCURACY_SLICE)]),
            tf.constant(mnist.x_train[cut:]),
            tf.constant(mnist.y_train[cut:]),
            tf.constant(mnist.x_test),
            tf.constant(mnist.y_test),
        )


def snapshot(entry, model):
    """[training accuracy (first 1,000 training images), validation accuracy, test accuracy] after each chunk."""
    import tensorflow as tf

    sets = _accuracy_sets(entry.dataset, train_images(entry))
    scores = []
    for x, labels in zip(sets[0::2], sets[1::2]):
        guess = tf.argmax(model(x, training=False), axis=1, output_type=labels.dtype)
        scores.append(tf.reduce_mean(tf.cast(tf.equal(guess, labels), tf.float32)))
    return tf.stack(scores)


def variant(entry, **extras):
    """The entry with other penalties (extras) or another dropout rate (params["dropout"])."""
    dropout = extras.pop("dropout", None)
    params = dict(entry.params) if dropout is None else {**entry.params, "dropout": dropout}
    recipe = entry.recipe.replace(extras={**entry.recipe.extras, **extras})
    return dataclasses.replace(entry, recipe=recipe, params=params)


def accuracy_runs(entry, history, variants: dict) -> dict:
    """label -> (epochs, snapshots (chunks, 3)): the entry's own run from its history, the others trained here."""
    from zoo import training

    runs = {}
    for label, changes in variants.items():
        if not changes and history is not None and history.snapshots:
            runs[label] = (np.asarray(history.snapshot_epochs), np.stack(history.snapshots))
            continue
        other = variant(entry, **changes)
        model = other.build()
        d = train_data(other)
        got = training.fit(model, loss(other), d.x, d.y, other.recipe, snapshot_fn=lambda m, e=other: snapshot(e, m))
        runs[label] = (np.asarray(got.snapshot_epochs), np.stack(got.snapshots))
    return runs
