"""How well a VAE models the test set: importance-sampled NLL, ELBO, KL and active units (Burda et al. 2015).

The test images are observed ONCE, by a fixed draw, so every evaluation sees the same data; that draw is
part of the protocol, not of a run. Per likelihood (zoo.families.vae.layers):
- bernoulli: binarised, `zoo.data.binarize(pixels, seed=TEST_BINARIZATION_SEED)`;
- gaussian: uniformly dequantised, (255 x + u) / 256 with u ~ U[0, 1) from `default_rng(TEST_DEQUANTIZATION_SEED)`;
  its NLL is reported on the 8-bit scale, -log p(x) + D log 256 nats per image (the density of the
  values 255 x + u in [0, 256)^D; an upper bound on the discrete NLL, Theis et al. 2016), and in bits/dim;
- categorical: quantised to the model's levels, no draw; NLL in nats (and bits/dim) on those levels.
"""

from __future__ import annotations

import math
import time

import numpy as np

from zoo import data
from zoo.families.vae.face_images import face_vectors
from zoo.registry import check_count

TEST_BINARIZATION_SEED = 0
TEST_DEQUANTIZATION_SEED = 0
MAX_K = 100_000  # importance samples per image: beyond this the estimate stops improving measurably
CHECK_K = 50  # the artifact check's k: seconds, and an upper bound on the card's k = 5000 figure


def split(entry):
    """The entry's images as float rows in [0, 1]: faces for the face entries (zoo.families.vae.faces), else its digits
    (the embedded MNIST, or the source `--data` names: a digits entry must never reach the faces' loader)."""
    if "faces" not in entry.params:
        return data.vectors(entry.dataset)
    return face_vectors(entry.dataset)


def observe_test(entry, pixels: np.ndarray) -> np.ndarray:
    """Test intensities as the entry's likelihood sees them, by the protocol's fixed draw (module docstring)."""
    likelihood = entry.params.get("likelihood", "bernoulli")
    if likelihood == "bernoulli":
        return data.binarize(pixels, seed=TEST_BINARIZATION_SEED)
    if likelihood == "gaussian":
        u = np.random.default_rng(TEST_DEQUANTIZATION_SEED).random(pixels.shape, dtype=np.float32)
        return ((np.round(pixels * 255.0) + u) / 256.0).astype(np.float32)
    levels = entry.params["levels"]
    return (np.floor(np.round(pixels * 255.0) * (levels / 256.0)) / (levels - 1)).astype(np.float32)


def test_images(entry):
    """The observed test images (one fixed draw) and their labels."""
    images = split(entry)
    return observe_test(entry, images.x_test), images.y_test


def evaluate(entry, model, k: int | None = None, n: int | None = None, seed: int = 0) -> dict:
    return measured(entry, model, k, n, seed)[0]


def measured(entry, model, k: int | None = None, n: int | None = None, seed: int = 0) -> tuple[dict, float]:
    """(metrics, the standard error of their ELBO estimate). Test metrics in nats (per image, averaged over the
    test set).

    Args:
        k: importance samples per image for the NLL (default the recipe's extras["nll_k"]: 5000 for vae;
            1000 for vae-2d, whose 2-D posteriors need fewer).
        n: use only the first n test images (default: all 10,000).
        seed: the stateless seed of the importance samples.
    Returns: nll (importance-sampled, k samples), elbo (E_q log p(x|z) - KL, estimated with the same
        k samples), reconstruction (-E_q log p(x|z)), kl (analytic), active_units (Burda et al.:
        Cov_x(E_q[z_i]) > 0.01), k, n and nll_eval_seconds.
    """
    k = check_count(entry.recipe.extras.get("nll_k", 5000) if k is None else k, "k", 1, MAX_K)
    x, _ = test_images(entry)
    x = x[: check_count(n, "n", 1, len(x))] if n is not None else x
    seed = check_count(seed, "seed", 0, 2**31 - 1)
    kl = kl_per_dimension(model, x).sum(axis=1)
    active = int(np.sum(activity(model, x) > ACTIVE))
    started = time.perf_counter()
    log_px_mean, log_likelihood, spread = importance_sample(model, x, k, seed, spread=True)
    seconds = time.perf_counter() - started
    elbo_se = float(np.sqrt(np.mean(spread) / (k * len(x))))  # sum_i var_i / k, over n^2
    offset = x.shape[1] * math.log(256) if getattr(model, "likelihood", "bernoulli") == "gaussian" else 0.0
    metrics = {
        "nll": float(offset - log_likelihood.mean()),
        "elbo": float(np.mean(log_px_mean - kl) - offset),
        "reconstruction": float(offset - log_px_mean.mean()),
        "kl": float(kl.mean()),
        "active_units": active,
        "k": k,
        "n": len(x),
        "nll_eval_seconds": round(seconds, 2),
    }
    if getattr(model, "likelihood", "bernoulli") != "bernoulli":
        metrics["bits_per_dim"] = metrics["nll"] / (x.shape[1] * math.log(2))
    return metrics, elbo_se


ACTIVE = 0.01  # Burda et al.: unit i is active when Cov_x(E_q[z_i]) > 0.01


def _posterior(model, x):
    return (np.asarray(v, np.float64) for v in model.encoder.predict(x, batch_size=1000, verbose=0))


def kl_per_dimension(model, x) -> np.ndarray:
    """KL(q(z_i|x) || N(0, 1)) for every image and latent dimension (analytic), shape (n, latent)."""
    mean, log_var = _posterior(model, x)
    return 0.5 * (mean**2 + np.exp(log_var) - 1.0 - log_var)


def activity(model, x) -> np.ndarray:
    """Cov_x(E_q[z_i]) per latent dimension: how much each unit's posterior mean moves with the image."""
    mean, _ = _posterior(model, x)
    return np.var(mean, axis=0)


def check(entry, model, card: dict) -> list[str]:
    """A fast re-measurement (seconds) of a committed VAE against its card.

    The card's NLL uses k = 5000 importance samples, too slow for the test suite. Here k = 50 on all
    10,000 test images. The importance-sampled estimate -log mean_k w is an upper bound on -log p(x)
    whose bias shrinks as k grows (Burda et al., Theorem 1), so in expectation NLL_50 >= NLL_5000:
    - NLL_50 must meet the entry's bound (<= 90): if even the looser estimate meets it, the card's does;
    - NLL_50 must lie between the card's NLL - 0.15 (the card cannot beat the k=50 figure by more
      than the Monte-Carlo noise, ~0.05 nats over 10,000 images) and the card's NLL + 3 (the k=50 to
      k=5000 gap of a one-layer Bernoulli VAE is about 1 nat; a bigger gap means the card is not this model's).
      A recipe may widen that + 3 by extras["check_slack"]: a Gaussian decoder's weights are far more peaked
      (measured: k = 50 lay 22 nats above k = 1000 for vae-gaussian with one sigma per pixel), and then the
      exact KL, the active units and the ELBO are what pin the artifact to its card. A recipe may also lower
      k by extras["check_k"]: the categorical decoder's passes cost ~12x a Bernoulli's (its k = 10 check
      takes the seconds k = 50 would take elsewhere);
    - KL (analytic, deterministic) within 1e-3 relative, active units exactly, and the ELBO (the
      mean over samples of log p(x|z) minus KL: unbiased for any k, 500,000 samples here) within 0.15
      or 4 standard errors of this estimate, whichever is larger (a Gaussian decoder's log p(x|z) varies
      far more from sample to sample than a Bernoulli's).
    """
    metrics = card.get("metrics", {})
    check_k = entry.recipe.extras.get("check_k", CHECK_K)
    again, elbo_se = measured(entry, model, k=check_k)
    problems = entry.meets(again)
    slack = entry.recipe.extras.get("check_slack", 3.0)
    if "nll" in metrics and not metrics["nll"] - 0.15 <= again["nll"] <= metrics["nll"] + slack:
        problems.append(
            f"nll: card says {metrics['nll']:.3f} (k={metrics.get('k')}), measured "
            f"{again['nll']:.3f} with k={check_k}: outside [card - 0.15, card + {slack:g}]"
        )
    if "kl" in metrics and abs(again["kl"] - metrics["kl"]) > 1e-3 * max(1.0, abs(metrics["kl"])):
        problems.append(f"kl: card says {metrics['kl']}, measured {again['kl']}")
    if "active_units" in metrics and again["active_units"] != metrics["active_units"]:
        problems.append(f"active_units: card says {metrics['active_units']}, measured {again['active_units']}")
    if "elbo" in metrics and abs(again["elbo"] - metrics["elbo"]) > max(0.15, 4 * elbo_se):
        problems.append(f"elbo: card says {metrics['elbo']}, measured {again['elbo']}")
    return problems


def importance_sample(model, x: np.ndarray, k: int, seed: int = 0, samples_per_call: int = 8192, spread: bool = False):
    """Per image: the mean over k samples of log p(x|z), and log p(x) estimated by importance sampling
    (with spread=True also the variance over the k samples of log p(x|z)): zoo.families.vae.importance."""
    from zoo.families.vae.importance import importance_sample as sampler

    return sampler(model, x, k, seed, samples_per_call, spread)
