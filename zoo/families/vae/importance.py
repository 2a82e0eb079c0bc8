"""Importance-sampled log p(x) for a VAE, the one sampler of zoo.families.vae.measure.

The estimator: log p(x) ~= log (1/k) sum_j p(x|z_j) p(z_j) / q(z_j|x), z_j ~ q(z|x), a running
log-sum-exp over chunks of samples; one compiled call per block of images, a while-loop over chunks.

Where the time goes (vae, k = 5000, 10,000 images): the decoder's matmuls (~21 TFLOP), then the
likelihood's elementwise work (a softplus of 784 logits a sample; see bernoulli_log_px) and the normal
draws. One step of 8,000 samples, measured in parts: decoder 20.9 ms (0.84 of the matmul rate), draws
3.6 ms, likelihood 4.3 ms, 28.0 ms in all. So the loop runs as a TensorFlow
graph, not under XLA: TensorFlow's CPU matmuls (oneDNN, chosen for the machine at run time) ran this
decoder at ~140 GFLOP/s here and XLA's at ~105, and the whole sampler 1.12-1.39x faster that way (side
by side, in scripts/benchmarks/importance.py's runs and one 80-image trial). Only the likelihood is
compiled with XLA, which fuses its elementwise work into one pass over the logits. The data is broadcast
against the samples, never tiled: a tiled copy doubled that pass's memory traffic. The draws:
zoo.dropout.philox, keyed by (seed, block, chunk).
"""

from __future__ import annotations

import math

import numpy as np

from zoo import progress


def bernoulli_log_px(x, logits):
    """The Bernoulli decoder's log p(x|z) (VAE.log_px) in half the time, for evaluation (no gradient).

    x l - softplus(l) = x l - max(l, 0) + log sigmoid(|l|), and the last term is summed as one log per group
    of pixels of the product of their sigmoid(|l|): each factor lies in [1/2, 1), so a product of 16 never
    underflows, and 16 times fewer logarithms are taken. Same value to float32 rounding (~1e-4 nats an image
    either way); on the sampler's 8,192 x 784 logits XLA ran it in ~5 ms against ~10 ms for
    x l - softplus(l) (measured side by side).
    """
    import tensorflow as tf

    width = int(logits.shape[-1])
    group = max(g for g in range(1, 17) if width % g == 0)
    grouped = lambda t: tf.reshape(t, tf.concat([tf.shape(t)[:-1], [width // group, group]], 0))  # noqa: E731
    linear = grouped(x * logits - tf.maximum(logits, 0.0))
    per_group = tf.reduce_sum(linear, axis=-1) + tf.math.log(
        tf.reduce_prod(tf.sigmoid(tf.abs(grouped(logits))), axis=-1)
    )
    return tf.reduce_sum(per_group, axis=-1)


def importance_sample(
    model, x: np.ndarray, k: int, seed: int = 0, samples_per_call: int = 8192, spread: bool = False, xla: bool = False
):
    """Per image: the mean over k samples of log p(x|z), and log p(x) estimated by importance sampling
    (with spread=True also the variance over the k samples of log p(x|z)). Memory: about
    samples_per_call x the decoder's output width floats per chunk. xla=True compiles the whole loop with
    XLA instead (the slower way on CPU; the benchmark's baseline).
    """
    import tensorflow as tf

    from zoo.dropout import philox
    from zoo.tf_quiet import traced_per_model

    samples_per_call = max(8, samples_per_call // max(1, getattr(model, "levels", 0)))  # categorical: K logits a pixel
    steps = math.ceil(k / max(1, samples_per_call // 8))
    chunk = math.ceil(k / steps)  # samples per image per step: k = 5000 is 5 x 1000, not 5 x 1024
    images = max(1, samples_per_call // chunk)  # images per call
    latent = model.latent_dim
    likelihood = bernoulli_log_px if model.likelihood == "bernoulli" else model.log_px
    log_px = tf.function(likelihood, jit_compile=True, autograph=False)  # one fused pass over the logits

    @tf.function(jit_compile=xla, autograph=False)
    def block(xb, block_index):
        mean, log_var = model.encoder(xb)
        std = tf.exp(0.5 * log_var)
        data = xb[None]  # broadcast over the chunk's samples

        def body(s, lse, px_sum, sq_sum):
            eps = philox([chunk, images, latent], seed, block_index * steps + s, normal=True)  # one key per chunk
            z = mean + std * eps
            out = model.decoder(tf.reshape(z, [-1, latent]))  # chunk-major rows
            px = log_px(data, tf.reshape(out, tf.concat([[chunk, images], tf.shape(out)[1:]], 0)))
            # log p(z) - log q(z|x): the 2 pi terms cancel
            log_ratio = tf.reduce_sum(0.5 * tf.square(eps) + 0.5 * log_var - 0.5 * tf.square(z), axis=-1)
            valid = (tf.cast(s, tf.int32) * chunk + tf.range(chunk))[:, None] < k  # the last chunk may overhang k
            log_w = tf.where(valid, px + log_ratio, -np.inf)
            lse = tf.reduce_logsumexp(tf.concat([lse[None], log_w], axis=0), axis=0)
            kept = tf.where(valid, px, 0.0)
            return s + 1, lse, px_sum + tf.reduce_sum(kept, axis=0), sq_sum + tf.reduce_sum(tf.square(kept), axis=0)

        _, lse, px_sum, sq_sum = tf.while_loop(
            lambda s, *_: s < steps,
            body,
            (tf.constant(0, tf.int64), tf.fill([images], -np.inf), tf.zeros([images]), tf.zeros([images])),
        )
        return px_sum / k, lse - math.log(k), tf.maximum(sq_sum / k - tf.square(px_sum / k), 0.0)

    run = traced_per_model(block)  # one sampler per VAE evaluated
    n = len(x)
    padded = np.zeros((math.ceil(n / images) * images, x.shape[1]), np.float32)  # one shape: one compilation
    padded[:n] = x
    px, ll, var = [], [], []
    for b in range(len(padded) // images):
        p, log_px, v = run(tf.constant(padded[b * images : (b + 1) * images]), tf.constant(b, tf.int64))
        px.append(p.numpy())
        ll.append(log_px.numpy())
        var.append(v.numpy())
        progress.report(min(n, (b + 1) * images), n, f"importance sampling, k = {k}")
    result = tuple(np.concatenate(a)[:n].astype(np.float64) for a in (px, ll, var))
    return result if spread else result[:2]
