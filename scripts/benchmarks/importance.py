"""`zoo eval vae --k 5000`'s importance sampler (zoo.evaluation.importance) against the compute bound of its
matmuls, and against the same sampler compiled whole with XLA (`xla=True`: how it ran before, XLA's CPU
matmuls instead of TensorFlow's).

Bound: per sample the decoder's forward FLOPs (the encoder runs once per image, the decoder once per
sample), times images x k, over the matmul rate. The first IMAGES observed test images are timed (after a
warm-up call that compiles); the 10,000-image time in the notes is scaled from them.
"""
from __future__ import annotations

import os
import time

IMAGES = int(os.environ.get("ZOO_BENCH_VAE_IMAGES", "160"))
K = 5000


def run(rate: float | None = None) -> list[dict]:
    import zoo
    from _flops import forward_flops, matmul_rate
    from zoo.evaluation import importance, vae

    rate = rate or matmul_rate()
    model = zoo.load("vae")
    x = vae.test_images(zoo.get("vae"))[0]
    per_sample = forward_flops(model.decoder) + forward_flops(model.encoder) / K
    bound = IMAGES * K * per_sample / rate
    timed = {}
    for label, xla in (("xla", True), ("zoo", False)):
        importance.importance_sample(model, x[:IMAGES], K, xla=xla)  # the first call at this shape compiles
        start = time.perf_counter()
        _, log_likelihood = importance.importance_sample(model, x[:IMAGES], K, xla=xla)
        timed[label] = (time.perf_counter() - start, float(-log_likelihood.mean()))
    scale = 10_000 / IMAGES
    (old, old_nll), (new, new_nll) = timed["xla"], timed["zoo"]
    return [
        dict(case=f"vae, k = {K:,}, {IMAGES} test images: zoo.evaluation.importance", section="importance",
             baseline="same sampler, whole loop under XLA", zoo_seconds=new, baseline_seconds=old,
             ratio=old / new, bound_seconds=bound, bound_fraction=bound / new,
             note=f"NLL {new_nll:.3f} vs {old_nll:.3f} nats (XLA draws another stream in its loop); 10,000 images: ~{new * scale:.0f} s vs "
                  f"~{old * scale:.0f} s, bound {bound * scale:.0f} s ({per_sample / 1e6:.3f} MFLOP a sample)"),
    ]
