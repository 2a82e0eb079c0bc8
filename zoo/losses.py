"""Named losses the recipes refer to: Keras' own, plus the lecture's quadratic cost; and the per-image binary
cross-entropy the autoencoders train on."""

from __future__ import annotations


def half_sum_squared(y_true, y_pred):
    """The lecture's cost C = 1/2 ||a - y||^2 summed over outputs, averaged over the batch."""
    import tensorflow as tf

    return 0.5 * tf.reduce_mean(tf.reduce_sum(tf.square(y_pred - y_true), axis=-1))


def bce_per_image(x, p):
    """Binary cross-entropy summed over pixels, averaged over images (nats per image); works on tensors."""
    import keras

    p = keras.ops.clip(p, 1e-7, 1 - 1e-7)
    return keras.ops.mean(-keras.ops.sum(x * keras.ops.log(p) + (1 - x) * keras.ops.log(1 - p), axis=-1))


_OWN = {"half_sum_squared": half_sum_squared}


def get_loss(name: str):
    """A callable loss(y_true, y_pred) -> scalar for a recipe's loss name."""
    if name in _OWN:
        return _OWN[name]
    import keras

    per_example = keras.losses.get(name)
    if per_example is None:
        from zoo.errors import ZooError

        raise ZooError(f"unknown loss {name!r}")
    return lambda y_true, y_pred: keras.ops.mean(per_example(y_true, y_pred))  # Keras' functions keep the batch axis
