"""Importance-sampled log p(x) for a VAE, the one sampler of zoo.evaluation.vae.

The estimator: log p(x) ~= log (1/k) sum_j p(x|z_j) p(z_j) / q(z_j|x), z_j ~ q(z|x), a running
log-sum-exp over chunks of samples; one compiled call per block of images, a while-loop over chunks.

Where the time goes (vae, k = 5000, 10,000 images): the decoder's matmuls (~21 TFLOP), then the
likelihood's elementwise work (a softplus of 784 logits a sample). So the loop runs as a TensorFlow
graph, not under XLA: TensorFlow's CPU matmuls (oneDNN, chosen for the machine at run time) ran this
decoder at ~140 GFLOP/s here and XLA's at ~105, and the whole sampler 1.12-1.39x faster that way (side
by side, in scripts/benchmarks/importance.py's runs and one 80-image trial). Only the likelihood is
compiled with XLA, which fuses its elementwise work into one pass over the logits. The data is broadcast
against the samples, never tiled: a tiled copy doubled that pass's memory traffic. The draws:
zoo.layers.dropout.philox, keyed by (seed, block, chunk).
"""
from __future__ import annotations

import math

import numpy as np

from zoo import progress


def importance_sample(model, x: np.ndarray, k: int, seed: int = 0, samples_per_call: int = 8192, spread: bool = False,
                      xla: bool = False):
    """Per image: the mean over k samples of log p(x|z), and log p(x) estimated by importance sampling
    (with spread=True also the variance over the k samples of log p(x|z)). Memory: about
    samples_per_call x the decoder's output width floats per chunk. xla=True compiles the whole loop with
    XLA instead (the slower way on CPU; the benchmark's baseline).
    """
    import tensorflow as tf

    from zoo.layers.dropout import philox

    samples_per_call = max(8, samples_per_call // max(1, getattr(model, "levels", 0)))  # categorical: K logits a pixel
    chunk = min(k, max(1, samples_per_call // 8))        # samples per image per step
    images = max(1, samples_per_call // chunk)            # images per call
    steps = math.ceil(k / chunk)
    latent = model.latent_dim
    log_px = tf.function(model.log_px, jit_compile=True, autograph=False)  # one fused pass over the logits

    @tf.function(jit_compile=xla, autograph=False)
    def block(xb, block_index):
        mean, log_var = model.encoder(xb)
        std = tf.exp(0.5 * log_var)
        data = xb[None]  # broadcast over the chunk's samples

        def body(s, lse, px_sum, sq_sum):
            eps = philox([chunk, images, latent], seed, block_index * steps + s, normal=True)  # one key per chunk
            z = mean + std * eps
            out = model.decoder(tf.reshape(z, [-1, latent]))                                  # chunk-major rows
            px = log_px(data, tf.reshape(out, tf.concat([[chunk, images], tf.shape(out)[1:]], 0)))
            # log p(z) - log q(z|x): the 2 pi terms cancel
            log_ratio = tf.reduce_sum(0.5 * tf.square(eps) + 0.5 * log_var - 0.5 * tf.square(z), axis=-1)
            valid = (tf.cast(s, tf.int32) * chunk + tf.range(chunk))[:, None] < k         # the last chunk may overhang k
            log_w = tf.where(valid, px + log_ratio, -np.inf)
            lse = tf.reduce_logsumexp(tf.concat([lse[None], log_w], axis=0), axis=0)
            kept = tf.where(valid, px, 0.0)
            return s + 1, lse, px_sum + tf.reduce_sum(kept, axis=0), sq_sum + tf.reduce_sum(tf.square(kept), axis=0)

        _, lse, px_sum, sq_sum = tf.while_loop(lambda s, *_: s < steps, body,
                                               (tf.constant(0, tf.int64), tf.fill([images], -np.inf), tf.zeros([images]),
                                                tf.zeros([images])))
        return px_sum / k, lse - math.log(k), tf.maximum(sq_sum / k - tf.square(px_sum / k), 0.0)

    n = len(x)
    padded = np.zeros((math.ceil(n / images) * images, x.shape[1]), np.float32)  # one shape: one compilation
    padded[:n] = x
    px, ll, var = [], [], []
    for b in range(len(padded) // images):
        p, l, v = block(tf.constant(padded[b * images:(b + 1) * images]), tf.constant(b, tf.int64))
        px.append(p.numpy())
        ll.append(l.numpy())
        var.append(v.numpy())
        progress.report(min(n, (b + 1) * images), n, f"importance sampling, k = {k}")
    result = tuple(np.concatenate(a)[:n].astype(np.float64) for a in (px, ll, var))
    return result if spread else result[:2]
