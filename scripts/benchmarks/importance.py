"""`zoo eval vae --k 5000`'s importance sampler (zoo.families.vae.importance) against the compute bound of its
matmuls, and against the same sampler compiled whole with XLA (`xla=True`: how it ran before, XLA's CPU
matmuls instead of TensorFlow's).

Bound: per sample the decoder's forward FLOPs (the encoder runs once per image, the decoder once per
sample), times images x k, over the matmul rate. The first IMAGES observed test images are timed (after a
warm-up call that compiles); the 10,000-image time in the notes is scaled from them.

A second row times the decoder alone on as many samples, in calls of the sampler's 8,000 rows (TensorFlow's
kernels, as the sampler runs it): the part of the bound's work no change to the sampler's other steps can
remove, so the floor under the sampler's time as long as the matmuls are TensorFlow's. A third times the
decoder's matmuls alone (its Dense kernels chained by tf.matmul: no bias, no tanh) on the same rows: the bound's
own FLOPs at the rate TensorFlow reaches on these shapes (inner dimensions 50 and 200, against the 2048 of the
rate's matmul), so how far the bound is from what any sampler built on TensorFlow's matmuls can reach here.
"""

from __future__ import annotations

import os
import time

IMAGES = int(os.environ.get("ZOO_BENCH_VAE_IMAGES", "160"))
K = 5000


def run(rate: float | None = None) -> list[dict]:
    from _flops import forward_flops, matmul_rate

    import zoo
    from zoo.families.vae import importance
    from zoo.families.vae import measure as vae

    rate = rate or matmul_rate()
    model = zoo.load("vae")
    x = vae.test_images(zoo.get("vae"))[0]
    per_sample = forward_flops(model.decoder) + forward_flops(model.encoder) / K
    bound = IMAGES * K * per_sample / rate
    timed = {"decoder": _decoder_alone(model, IMAGES * K), "matmuls": _matmuls_alone(model, IMAGES * K)}
    for label, xla in (("xla", True), ("zoo", False)):
        importance.importance_sample(model, x[:IMAGES], K, xla=xla)  # the first call at this shape compiles
        start = time.perf_counter()
        _, log_likelihood = importance.importance_sample(model, x[:IMAGES], K, xla=xla)
        timed[label] = (time.perf_counter() - start, float(-log_likelihood.mean()))
    scale = 10_000 / IMAGES
    (old, old_nll), (new, new_nll) = timed["xla"], timed["zoo"]
    return [
        dict(
            case=f"vae, k = {K:,}, {IMAGES} test images: zoo.families.vae.importance",
            section="importance",
            baseline="same sampler, whole loop under XLA",
            zoo_seconds=new,
            baseline_seconds=old,
            ratio=old / new,
            bound_seconds=bound,
            bound_fraction=bound / new,
            note=f"NLL {new_nll:.3f} vs {old_nll:.3f} nats (XLA draws another stream in its loop); "
            f"10,000 images: ~{new * scale:.0f} s vs ~{old * scale:.0f} s, bound {bound * scale:.0f} s "
            f"({per_sample / 1e6:.3f} MFLOP a sample)",
        ),
        dict(
            case=f"vae, the decoder alone on the same {IMAGES * K:,} samples",
            section="importance",
            baseline="zoo.families.vae.importance (the row above)",
            zoo_seconds=timed["decoder"],
            baseline_seconds=new,
            ratio=new / timed["decoder"],
            bound_seconds=bound,
            bound_fraction=bound / timed["decoder"],
            note=f"the sampler's floor with TensorFlow's matmuls: {timed['decoder'] / bound:.2f}x the bound before any "
            f"draw or likelihood; the sampler spends {(new - timed['decoder']) / new:.0%} of its time beyond it",
        ),
        dict(
            case=f"vae, the decoder's matmuls alone (no bias, no tanh) on the same {IMAGES * K:,} samples",
            section="importance",
            baseline="the decoder alone (the row above)",
            zoo_seconds=timed["matmuls"],
            baseline_seconds=timed["decoder"],
            ratio=timed["decoder"] / timed["matmuls"],
            bound_seconds=bound,
            bound_fraction=bound / timed["matmuls"],
            note=f"the bound's FLOPs at TensorFlow's rate on these shapes: {timed['matmuls'] / bound:.2f}x the "
            f"bound, so 1.5x the bound leaves {max(0.0, 1.5 * bound - timed['matmuls']) / bound:.2f}x of it for the "
            f"biases, tanh, draws and likelihood, which take {(new - timed['matmuls']) / bound:.2f}x",
        ),
    ]


def _latent_codes(model, rows: int):
    """`rows` standard-normal latent codes (seed 0): the decoder's input in both timings below."""
    import numpy as np
    import tensorflow as tf

    return tf.constant(np.random.default_rng(0).standard_normal((rows, model.latent_dim)).astype(np.float32))


def _median_seconds(run, samples: int, rows: int) -> float:
    """Seconds for `samples` rows through `run` (one float back), `rows` a call: median of three passes after a
    warm-up call."""
    import statistics

    run().numpy()
    calls = round(samples / rows)
    passes = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(calls):
            run().numpy()
        passes.append(time.perf_counter() - start)
    return statistics.median(passes) * samples / (calls * rows)


def _matmuls_alone(model, samples: int, rows: int = 8000) -> float:
    """Seconds for the decoder's Dense kernels chained by tf.matmul alone (no bias, no activation) over `samples`
    rows, `rows` a call: the bound's FLOPs at the rate TensorFlow's kernels reach on the decoder's shapes."""
    import tensorflow as tf

    kernels = [
        tf.constant(layer.kernel)
        for layer in model.decoder._flatten_layers(include_self=False, recursive=True)
        if hasattr(layer, "kernel") and len(layer.kernel.shape) == 2
    ]

    @tf.function(autograph=False)
    def chain(z):
        for kernel in kernels:
            z = tf.matmul(z, kernel)
        return z[0, 0]

    z = _latent_codes(model, rows)
    return _median_seconds(lambda: chain(z), samples, rows)


def _decoder_alone(model, samples: int, rows: int = 8000) -> float:
    """Seconds for model.decoder over `samples` rows of latent codes, `rows` a call, compiled as the sampler's
    graph runs it (a tf.function, TensorFlow's kernels)."""
    import tensorflow as tf

    decode = tf.function(lambda z: model.decoder(z)[0, 0], autograph=False)  # one float back: no 25 MB copy to time
    z = _latent_codes(model, rows)
    return _median_seconds(lambda: decode(z), samples, rows)
