"""Random draws that stay cheap inside the XLA-compiled training loop, and a dropout layer built on them.

Why not keras.random / keras.layers.Dropout: on the TensorFlow backend (Keras 3.15, TF 2.21) they call
`tf.random.stateless_uniform(seed=...)` with the default algorithm, which first turns the seed into a
Philox (key, counter) with the StatelessRandomGetKeyCounter op. XLA's CPU code for Philox is fast only
when the counter is a constant: with the scrambled, run-time counter that op produces, a (128, 784) draw
costs 13-85 ms instead of ~0.4 ms (measured in one process: SeedGenerator + keras.random.uniform 67-86 ms,
stateless_uniform auto_select 43-76 ms, philox 1.8-3 ms, threefry 0.26-0.4 ms; the same draws without XLA
0.5 ms). keras.random.uniform also refuses a tensor seed (only an int or a SeedGenerator), so it cannot be
steered onto a faster path from outside.

The fix: keep Keras' SeedGenerator (a saved, portable [seed, counter] state that advances in-graph) but
draw with the Philox kernel directly, folding (seed, counter) into the Philox *key* and leaving the
Philox counter constant at zero. Distinct keys give independent Philox streams, every draw gets a new
key, and XLA keeps its fast constant-counter code (~0.4 ms per (128, 784) draw); TensorFlow's own
(non-XLA) CPU kernel implements Philox too, so jit=False runs as well. The two agree on a draw outside a
loop, but inside an XLA while-loop a key gives another stream (as random, measured: same mean, variance
and independence), so a recipe's jit setting is part of what its seed decides. Threefry is faster still
under XLA but has no non-XLA CPU kernel. On other backends (JAX, torch) the functions fall back to
keras.random, so a model holding the layer loads and runs anywhere; at inference the layer is the identity.
"""

from __future__ import annotations

import keras

PHILOX = 1  # tf.random.Algorithm.PHILOX


def philox(shape, high, low, dtype="float32", normal: bool = False):
    """Uniform [0, 1) (or standard normal) draws from the Philox stream keyed by high * 2^32 + low, counter 0.

    One stream per key: callers fold (seed, draw number) into (high, low), so each draw gets its own key
    and XLA keeps its fast constant-counter code. TensorFlow only (the training loop's backend).
    """
    import tensorflow as tf

    key = tf.bitcast(tf.cast(high, tf.int64) * (2**32) + tf.cast(low, tf.int64), tf.uint64)
    kernel = tf.raw_ops.StatelessRandomNormalV2 if normal else tf.raw_ops.StatelessRandomUniformV2

    def draw():
        return kernel(shape=shape, key=tf.reshape(key, [1]), counter=tf.zeros([2], tf.uint64), alg=PHILOX, dtype=dtype)

    # The conditional is a fence, nothing more: its predicate (key | 1) != 0 always holds, so the draw is
    # always what is returned. XLA fuses the Philox expansion into whatever reads the draws, and fused with a
    # read of another tensor (u < x, u + x) its code ran ~4x slower: a (100, 784) draw compared with a batch
    # took 0.97-1.01 ms a step, fenced 0.30 ms, the same bits (measured in a training loop, one thread). XLA
    # keeps a conditional's branches out of the fusions around it. The other branch must stay cheap: with the
    # draw in both, XLA computed both (1.41 ms).
    always = tf.not_equal(tf.bitwise.bitwise_or(key, tf.constant(1, tf.uint64)), tf.constant(0, tf.uint64))
    return tf.cond(always, draw, lambda: tf.zeros(shape, dtype))


def uniform(shape, seed_generator, dtype="float32"):
    """Uniform [0, 1) draws of `shape`, fresh at every call (the generator's state advances, in-graph too)."""
    if keras.backend.backend() != "tensorflow":
        return keras.random.uniform(shape, seed=seed_generator, dtype=dtype)
    seed = seed_generator.next()  # [seed, draw counter]
    return philox(shape, seed[0], seed[1], dtype)


def keep_mask(shape, rate: float, seed_generator, dtype="float32"):
    """1 where an element is kept (probability 1 - rate), 0 where it is dropped."""
    return keras.ops.cast(uniform(shape, seed_generator, dtype) >= rate, dtype)


@keras.saving.register_keras_serializable(package="zoo")
class FastDropout(keras.layers.Layer):
    """Inverted dropout like keras.layers.Dropout (same config: rate, seed), drawn by `uniform` above.

    In training each element is zeroed with probability `rate` and the survivors scaled by 1 / (1 - rate);
    otherwise the layer is the identity.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"rate must be in [0, 1), not {rate!r}")
        self.rate, self.seed = float(rate), seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        mask = keep_mask(keras.ops.shape(inputs), self.rate, self.seed_generator, inputs.dtype)
        return inputs * mask / (1.0 - self.rate)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="zoo")
class FastAlphaDropout(FastDropout):
    """keras.layers.AlphaDropout (Klambauer et al. 2017, for SELU nets) drawn by `uniform` above.

    Dropped units are set to SELU's negative saturation -alpha * scale, then an affine map restores
    the inputs' mean and variance (the same formula as Keras' layer).
    """

    ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        kept = keep_mask(keras.ops.shape(inputs), self.rate, self.seed_generator, inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * self.ALPHA_P**2)) ** -0.5
        b = -a * self.ALPHA_P * self.rate
        return a * (inputs * kept + self.ALPHA_P * (1 - kept)) + b
