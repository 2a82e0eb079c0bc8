"""The autoencoders' numbers: reconstruction, sparsity, robustness to masking, the Jacobian, a linear probe."""

from __future__ import annotations

import numpy as np

from zoo.families.autoencoders.network import forward, parts

EVAL_MASK = 0.25  # the corruption used to measure robustness: each test pixel zeroed with this probability
NEAR_ZERO = 0.05  # a code unit counts as silent for an image when its activation is below this
PROBE_STEPS = 300  # full-batch steps of the linear probe
PROBE_TRAIN = 10_000  # the probe learns from the codes of the first this-many training images (seconds, not minutes)
PROBE_TOLERANCE = 0.003  # the probe is trained again by an artifact check: allow for floating-point order effects


def linear_probe(train_codes, train_labels, test_codes, test_labels, steps: int = PROBE_STEPS) -> float:
    """Test accuracy of softmax regression on frozen codes: zero init, full batch, Adam, a fixed number of steps.

    Deterministic up to floating-point summation order (no random initialisation, no shuffling); a few
    seconds for 60,000 codes of width 784 on 2 cores.
    """
    import keras
    import tensorflow as tf

    from zoo.tf_quiet import traced_per_model

    x = tf.constant(train_codes, tf.float32)
    y = tf.constant(np.asarray(train_labels, np.int64))
    w = tf.Variable(tf.zeros([x.shape[1], 10]))
    b = tf.Variable(tf.zeros([10]))
    opt = keras.optimizers.Adam(0.02)
    opt.build([w, b])

    @tf.function(jit_compile=True)
    def train(x, y):  # the codes as arguments, not captured constants (XLA would fold 60,000 x H into the program)
        def body(i):
            with tf.GradientTape() as tape:
                logits = x @ w + b
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits)) + 1e-4 * tf.reduce_sum(
                    w * w
                )
            opt.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))
            return (i + 1,)

        tf.while_loop(lambda i: i < steps, body, (tf.constant(0),))
        return w.read_value(), b.read_value()

    w_, b_ = (v.numpy() for v in traced_per_model(train)(x, y))  # one probe per autoencoder measured
    predicted = np.argmax(np.asarray(test_codes) @ w_ + b_, axis=1)
    return float(np.mean(predicted == np.asarray(test_labels)))


def masked_test_images(x: np.ndarray) -> np.ndarray:
    """The fixed corruption of the robustness metric: masking noise with p = EVAL_MASK, NumPy seed 0."""
    keep = np.random.default_rng(0).random(x.shape, dtype=np.float32) >= EVAL_MASK
    return (x * keep).astype(np.float32)


def measure(model, split, probe: bool = True) -> dict:
    """The numbers of the comparison, on the test set of `split` (float vectors, integer labels)."""
    x_train, y_train, x_test, y_test = split
    h, recon = (np.asarray(t, np.float64) for t in forward(model, x_test, False))
    clipped = np.clip(recon, 1e-7, 1 - 1e-7)
    bce = -np.sum(x_test * np.log(clipped) + (1 - x_test) * np.log(1 - clipped), axis=1)
    noisy_recon = np.clip(np.asarray(forward(model, masked_test_images(x_test), False)[1], np.float64), 1e-7, 1 - 1e-7)
    noisy_bce = -np.sum(x_test * np.log(noisy_recon) + (1 - x_test) * np.log(1 - noisy_recon), axis=1)
    kernel = np.asarray(parts(model)[0].kernel, np.float64)
    metrics = {
        "bce": float(bce.mean()),  # nats per image
        "mse": float(np.sum((recon - x_test) ** 2, axis=1).mean()),  # squared error summed over pixels, per image
        "mean_abs_h": float(np.abs(h).mean()),
        "near_zero_fraction": float((np.abs(h) < NEAR_ZERO).mean()),
        "noisy_bce": float(noisy_bce.mean()),  # clean target, masked input
        "jacobian_fro2": float(np.mean(np.sum((h * (1 - h)) ** 2 * np.sum(kernel**2, axis=0), axis=1))),
    }
    if probe:
        train_codes = np.asarray(forward(model, x_train[:PROBE_TRAIN], False)[0])
        metrics["probe_accuracy"] = linear_probe(train_codes, y_train[:PROBE_TRAIN], h.astype(np.float32), y_test)
    return metrics
