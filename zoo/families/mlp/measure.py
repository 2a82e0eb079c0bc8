"""What the MLP family measures: test accuracy and loss, the confusion matrix, and the depth table's gradient norms."""

from __future__ import annotations

import numpy as np

from zoo import data
from zoo.family import TrainData
from zoo.inference import predict

GRAD_SLICE = 1000  # training images the card's gradient norms are measured on (fixed: re-measurable)


def train_data(entry) -> TrainData:
    split = data.vectors(entry.dataset)
    return TrainData(split.x_train, data.one_hot(split.y_train))


def evaluate(entry, model) -> dict:
    from zoo.losses import get_loss

    split = data.vectors(entry.dataset)
    outputs = predict(model, split.x_test)
    loss = float(get_loss(entry.recipe.loss)(data.one_hot(split.y_test), outputs))
    accuracy = float(np.mean(outputs.argmax(1) == split.y_test))
    return {"test_accuracy": accuracy, "test_loss": loss, **gradient_summary(entry, model)}


def confusion(entry, model) -> np.ndarray:
    """counts[true, predicted] on the test images."""
    split = data.vectors(entry.dataset)
    counts = np.zeros((10, 10), np.int64)
    np.add.at(counts, (split.y_test, predict(model, split.x_test).argmax(1)), 1)
    return counts


def kernels(model) -> list:
    """The Dense kernels from input to output (the layers whose gradients the depth table compares)."""
    import keras

    return [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def gradient_summary(entry, model) -> dict:
    """|dL/dW| of the first and last Dense kernel at the current weights, on the first GRAD_SLICE training
    images in inference mode (deterministic, so an artifact check can measure it again)."""
    import tensorflow as tf

    from zoo.losses import get_loss

    split = data.vectors(entry.dataset)
    x, y = split.x_train[:GRAD_SLICE], data.one_hot(split.y_train[:GRAD_SLICE])
    variables = kernels(model)
    with tf.GradientTape() as tape:
        value = get_loss(entry.recipe.loss)(tf.constant(y), model(tf.constant(x), training=False))
    norms = [float(tf.norm(g)) if g is not None else 0.0 for g in tape.gradient(value, variables)]
    return {
        "grad_norm_first": norms[0],
        "grad_norm_last": norms[-1],
        "grad_ratio_first_last": norms[0] / norms[-1] if norms[-1] > 0 else float("nan"),
    }
