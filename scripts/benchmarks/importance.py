"""`zoo eval vae --k 5000`'s importance sampler (zoo.evaluation.importance) against the compute bound of its
matmuls, and against the same sampler drawing with tf.random.stateless_normal's default algorithm (the
stream it used before: XLA's CPU Philox with a run-time counter).

Bound: per sample the decoder's forward FLOPs (the encoder runs once per image, the decoder once per
sample), times images x k, over the matmul rate. The first IMAGES observed test images are timed (after a
warm-up call that compiles); the 10,000-image time in the notes is scaled from them.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager

IMAGES = int(os.environ.get("ZOO_BENCH_VAE_IMAGES", "160"))
K = 5000


@contextmanager
def default_algorithm_draws():
    """zoo.layers.dropout.philox swapped for tf.random.stateless_* with the default algorithm (the old stream)."""
    import tensorflow as tf

    from zoo.layers import dropout

    fast = dropout.philox

    def slow(shape, high, low, dtype="float32", normal=False):
        seed = tf.stack([tf.cast(high, tf.int64), tf.cast(low, tf.int64)])
        draw = tf.random.stateless_normal if normal else tf.random.stateless_uniform
        return draw(shape, seed=seed, dtype=dtype)

    dropout.philox = slow
    try:
        yield
    finally:
        dropout.philox = fast


def run(rate: float | None = None) -> list[dict]:
    from contextlib import nullcontext

    import zoo
    from _flops import forward_flops, matmul_rate
    from zoo.evaluation import importance, vae

    rate = rate or matmul_rate()
    model = zoo.load("vae")
    x = vae.test_images(zoo.get("vae"))[0]
    per_sample = forward_flops(model.decoder) + forward_flops(model.encoder) / K
    bound = IMAGES * K * per_sample / rate
    timed = {}
    for label, draws in (("default algorithm", default_algorithm_draws), ("zoo", nullcontext)):
        with draws():
            importance.importance_sample(model, x[:8], 64)  # compiles the block for 8 images x 64 samples (warm-up)
            importance.importance_sample(model, x[:IMAGES], K)  # the first call at this shape compiles
            start = time.perf_counter()
            _, log_likelihood = importance.importance_sample(model, x[:IMAGES], K)
            timed[label] = (time.perf_counter() - start, float(-log_likelihood.mean()))
    scale = 10_000 / IMAGES
    (old, old_nll), (new, new_nll) = timed["default algorithm"], timed["zoo"]
    return [
        dict(case=f"vae, k = {K:,}, {IMAGES} test images: zoo.evaluation.importance", section="importance",
             baseline="same sampler, stateless_normal default alg.", zoo_seconds=new, baseline_seconds=old,
             ratio=old / new, bound_seconds=bound, bound_fraction=bound / new,
             note=f"NLL {new_nll:.3f} vs {old_nll:.3f} nats (different streams); 10,000 images: ~{new * scale:.0f} s vs "
                  f"~{old * scale:.0f} s, bound {bound * scale:.0f} s ({per_sample / 1e6:.3f} MFLOP a sample)"),
    ]
