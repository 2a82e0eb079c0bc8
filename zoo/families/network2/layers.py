"""Dropout as the MNIST lecture's exercise states it, as a serialisable Keras layer.

The lecture: during training drop each node with probability p; at test time multiply the weights by
the keep probability 1 - p. Scaling a unit's outgoing weights by 1 - p is the same as scaling its
activation by 1 - p, so the layer keeps the surviving activations as they are in training and
multiplies every activation by 1 - p at inference. Keras' Dropout does the "inverted" form instead
(survivors divided by 1 - p in training, nothing at test time): the two give the same expected
activations up to that factor, and nets trained either way compute the same function once the next
layer's weights absorb it (tests/test_lessons.py checks both).
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class LectureDropout(keras.layers.Layer):
    """Training: x * mask, mask ~ Bernoulli(1 - rate) per unit and example. Inference: x * (1 - rate)."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"rate must be in [0, 1), not {rate}")
        self.rate = float(rate)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)  # keras.random: portable across backends

    def call(self, inputs, training=False):
        keep = 1.0 - self.rate
        if training and self.rate > 0.0:
            draws = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator)
            return inputs * ops.cast(draws < keep, inputs.dtype)
        return inputs * keep

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
