"""`zoo eval vae --k 5000`'s importance sampler: the current one against zoo.evaluation.importance, same images
and k, and the new one against the compute bound of its matmuls.

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
    entry = zoo.get("vae")
    model = zoo.load("vae")
    x = vae.test_images(entry)[0]
    per_sample = forward_flops(model.decoder) + forward_flops(model.encoder) / K
    bound = IMAGES * K * per_sample / rate
    timed = {}
    for label, sampler in (("current", vae.importance_sample), ("new", importance.importance_sample)):
        sampler(model, x[:8], 64)  # compiles the block for 8 images x 64 samples (a different shape: warm-up only)
        sampler(model, x[:IMAGES], K)  # the first call at this shape compiles; the second is timed
        start = time.perf_counter()
        _, log_likelihood = sampler(model, x[:IMAGES], K)
        timed[label] = (time.perf_counter() - start, float(-log_likelihood.mean()))
    scale = 10_000 / IMAGES
    (old, old_nll), (new, new_nll) = timed["current"], timed["new"]
    case = f"vae, k = {K:,}, {IMAGES} test images"
    return [
        dict(case=f"{case}: zoo.evaluation.importance", section="importance", baseline="zoo.evaluation.vae.importance_sample",
             zoo_seconds=new, baseline_seconds=old, ratio=old / new, bound_seconds=bound, bound_fraction=bound / new,
             note=f"NLL {new_nll:.3f} vs {old_nll:.3f} nats (different streams); 10,000 images: ~{new * scale:.0f} s vs "
                  f"~{old * scale:.0f} s, bound {bound * scale:.0f} s ({per_sample / 1e6:.3f} MFLOP a sample)"),
    ]
