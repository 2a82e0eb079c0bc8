"""Convolutional networks on MNIST: LeNet-5's shape, and the best plain CNN we found in a 2-core budget.

The lecture's ideas, one per part of the network: a convolution applies one small filter at every
position (tied weights), pooling makes the map coarser and a little shift-invariant, and conv and
pool layers alternate so upper units see larger parts of the digit (edges below, shapes above).
The models take MNIST as the zoo holds it, flat rows of 784 pixels in [0, 1], and reshape to
28 x 28 x 1 inside, so `zoo.predict`, the exports and the demos feed flat digits as elsewhere.

`cnn-lenet5` also measures transfer (zoo.families.cnn.measure): the conv layers of a copy trained on digits 0-4 give the
features, a new softmax learns digits 5-9 from 100 labels on them, against the same network trained
from scratch on those 100 labels. `cnn` augments its training images in-graph (random rotation,
scale and shift of each image, drawn with keras.random from a SeedGenerator seeded by the run's seed).

Recipes run without XLA (`jit=False`): measured on 2 cores, XLA's CPU convolutions ran LeNet-5's
epochs ~7x slower than TensorFlow's oneDNN kernels (17.5 vs 2.5 s per 12,000 images).
"""

from __future__ import annotations

import numpy as np

from zoo import data
from zoo.families.cnn import measure, pictures
from zoo.family import Family, TrainData
from zoo.pictures import stage_losses
from zoo.registry import Recipe, register

IMAGE = (28, 28, 1)


def build_cnn(convs, dense, activation="relu", pool="max", batch_norm=False, dropout=0.0, classes=10, name="cnn"):
    """Pixels (n, 784) -> reshape -> [conv -> (batch norm) -> activation -> pool] per conv -> dense -> softmax.

    Args:
        convs: (filters, kernel size, padding) per convolution; each is followed by a 2 x 2 pooling.
        dense: widths of the fully connected hidden layers; the last one is the `features` endpoint.
        classes: output units (the transfer experiment builds 5-class twins of an entry).
    """
    import keras
    from keras import layers

    pixels = keras.Input((784,), name="pixels")
    h = layers.Reshape(IMAGE, name="image")(pixels)
    for i, (filters, size, padding) in enumerate(convs, 1):
        h = layers.Conv2D(filters, size, padding=padding, use_bias=not batch_norm, name=f"conv{i}")(h)
        if batch_norm:
            h = layers.BatchNormalization(name=f"bn{i}")(h)
        h = layers.Activation(activation, name=f"act{i}")(h)
        pooling = layers.MaxPooling2D if pool == "max" else layers.AveragePooling2D
        h = pooling(2, name=f"pool{i}")(h)
    h = layers.Flatten(name="flatten")(h)
    for j, width in enumerate(dense, 1):
        h = layers.Dense(width, activation=activation, name=f"dense{j}")(h)
        if dropout:
            h = layers.Dropout(dropout, name=f"dropout{j}")(h)
    outputs = layers.Dense(classes, activation="softmax", name="output")(h)
    return keras.Model(pixels, outputs, name=name)


def train_data(entry) -> TrainData:
    split = data.vectors(entry.dataset)
    return TrainData(split.x_train, data.one_hot(split.y_train))


def augment(x, extras: dict, seeds):
    """Each image rotated, scaled and shifted at random (bilinear; what leaves the frame is lost, zeros come in).

    extras["augment"] = {"rotate": degrees, "scale": fraction, "shift": pixels}, each drawn uniformly in
    [-v, v] (scale in [1 - v, 1 + v]) per image from `seeds`, a keras SeedGenerator: the draws advance
    in-graph, one set per step, and follow the run's seed.
    """
    import keras
    from keras import ops

    spec = extras["augment"]
    n = ops.shape(x)[0]

    def uniform(low, high):
        return keras.random.uniform((n,), low, high, seed=seeds)

    angle = uniform(-spec["rotate"], spec["rotate"]) * (np.pi / 180.0)
    scale = uniform(1.0 - spec["scale"], 1.0 + spec["scale"])
    dx, dy = uniform(-spec["shift"], spec["shift"]), uniform(-spec["shift"], spec["shift"])
    # affine_transform maps each output pixel p to the input point A p + b; for "rotate by angle and scale
    # about the centre c, then shift by d" that is A = R(-angle) / scale, b = c - A (c + d)
    cos, sin = ops.cos(angle) / scale, ops.sin(angle) / scale
    c = (IMAGE[0] - 1) / 2.0
    zero = ops.zeros_like(cos)
    transform = ops.stack(
        [cos, sin, c - cos * (c + dx) - sin * (c + dy), -sin, cos, c + sin * (c + dx) - cos * (c + dy), zero, zero],
        axis=1,
    )
    images = ops.image.affine_transform(
        ops.reshape(x, (-1,) + IMAGE), transform, interpolation="bilinear", fill_mode="constant"
    )
    return ops.reshape(images, (-1, 784))


def loss(entry):
    """Cross-entropy of the softmax; with extras["augment"], on images distorted afresh at every step."""
    import keras

    from zoo.losses import get_loss

    classify = get_loss(entry.recipe.loss)
    extras = dict(entry.recipe.extras)
    seeds = keras.random.SeedGenerator(entry.recipe.seed + 1) if "augment" in extras else None

    def loss_fn(model, x, y, training):
        if seeds is not None and training:
            x = augment(x, extras, seeds)
        return classify(y, model(x, training=training))

    return loss_fn


def endpoints(entry, model) -> dict:
    """serve: pixels -> class probabilities; features: pixels -> the penultimate (last hidden Dense) layer."""
    import tensorflow as tf

    spec = [tf.TensorSpec((None, 784), tf.float32, name="pixels")]
    features = measure.feature_model(model)
    return {"serve": (model, spec), "features": (lambda x: features(x, training=False), spec)}


FAMILY = Family(
    name="cnn",
    train_data=train_data,
    evaluate=measure.evaluate,
    loss=loss,
    fit=measure.fit,
    endpoints=endpoints,
    check=measure.check,
    small_batches=2,
    trained_metrics=measure.TRANSFER_METRICS,
    plots={
        "filters": lambda entry, model, history, out: pictures.filters(measure.first_filters(model), entry.name, out),
        "feature-maps": lambda entry, model, history, out: pictures.feature_maps(
            *measure.feature_maps(entry, model), entry.name, out
        ),
        "top-patches": lambda entry, model, history, out: pictures.top_patches(
            measure.top_patches(entry, model), entry.name, out
        ),
        "stages": lambda entry, model, history, out: stage_losses(history, entry.name, out),
    },
    docs=measure.docs,
)

REFERENCE = (
    "LeCun, Bottou, Bengio & Haffner 1998, Gradient-based learning applied to document recognition; seed lecture"
)


def _cosine(lr: float, epochs: int, batch_size: int) -> dict:
    """Adam's learning rate decayed to 0 along a cosine over the whole run (the recipe's optimizer_args)."""
    return {
        "learning_rate": {
            "module": "keras.optimizers.schedules",
            "class_name": "CosineDecay",
            "config": {"initial_learning_rate": lr, "decay_steps": epochs * (60_000 // batch_size)},
        }
    }


LENET_EPOCHS = 15
LENET = Recipe(
    optimizer="adam",
    learning_rate=2e-3,
    batch_size=128,
    epochs=LENET_EPOCHS,
    loss="categorical_crossentropy",
    seed=0,
    chunk=1,
    jit=False,
    stage_epochs={
        "source": 5,  # the digits-0-4 network that gives the transferred features
        "few_labels": 30,
    },  # epochs of batches of 10 on the 100 labelled images of 5-9 (300 steps)
    extras={"optimizer_args": _cosine(2e-3, LENET_EPOCHS, 128), "transfer_labels": 100},
    notes={
        "shape": "LeNet-5's layers and sizes (6 and 16 5x5 feature maps, 2x2 pooling, 120 and 84 "
        "units); ReLU and max pooling instead of scaled tanh and trainable subsampling, "
        "a plain softmax instead of RBF outputs, Adam instead of stochastic diagonal "
        "Levenberg-Marquardt; input padded to 32x32 in 1998, here conv1 pads 'same'"
    },
)


@register(
    "cnn-lenet5",
    family=FAMILY,
    description="LeNet-5's shape: conv 6@5x5, pool, conv 16@5x5, pool, "
    "dense 120, 84, softmax 10 (ReLU, max pooling, Adam); measures transfer of its conv layers from digits 0-4 to 5-9",
    reference=REFERENCE,
    dataset="mnist",
    task="classify",
    recipe=LENET,
    expected={"test_accuracy": (">=", 0.99)},
    headline="test_accuracy",
    anchor="LeCun et al. 1998: LeNet-5 0.95% test error (99.05%)",
    params={"convs": ((6, 5, "same"), (16, 5, "valid")), "dense": (120, 84)},
)
def lenet5(convs, dense, classes=10):
    return build_cnn(convs, dense, classes=classes, name="lenet5")


CNN_EPOCHS = 12
BEST = Recipe(
    optimizer="adam",
    learning_rate=2e-3,
    batch_size=128,
    epochs=CNN_EPOCHS,
    loss="categorical_crossentropy",
    seed=0,
    chunk=1,
    jit=False,
    extras={"optimizer_args": _cosine(2e-3, CNN_EPOCHS, 128), "augment": {"rotate": 10.0, "scale": 0.1, "shift": 2.0}},
    notes={
        "augmentation": "every training image, at every use, rotated by U(-10, 10) degrees, scaled by "
        "U(0.9, 1.1) and shifted by U(-2, 2) pixels in x and in y (bilinear, in-graph); "
        "MNIST's 60,000 training images only, no other data",
        "size": "channels and epochs chosen by measured seconds per epoch on 2 CPU cores",
    },
)


@register(
    "cnn",
    family=FAMILY,
    description="the best plain CNN we found in ~10 minutes on 2 cores: conv 32@5x5, "
    "pool, conv 64@5x5, pool, dense 256, dropout 0.4, softmax; random rotation/scale/shift of the training "
    "images in-graph, Adam with cosine decay",
    reference=REFERENCE + "; Simard, Steinkraus & Platt 2003 (distorted training images)",
    dataset="mnist",
    task="classify",
    recipe=BEST,
    expected={"test_accuracy": (">=", 0.995)},
    headline="test_accuracy",
    anchor="Keras mnist_convnet example ~99.2%; LeNet-5 99.05% (LeCun et al. 1998)",
    params={"convs": ((32, 5, "valid"), (64, 5, "valid")), "dense": (256,), "dropout": 0.4},
)
def cnn(convs, dense, dropout, classes=10):
    return build_cnn(convs, dense, dropout=dropout, classes=classes, name="cnn")
