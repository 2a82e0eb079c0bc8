"""Variational autoencoders on MNIST (and faces), one per output distribution of the lecture, judged by test
log-likelihood: the entries.

`vae` (Burda et al.'s 784-200-200-50) and `vae-2d` register here; then the other decoders and `iwae`
(decoders.py) and the faces (faces.py), in that order. What they share (the builder, the recipes, the
Family object) is in family.py; the measures in measure.py.
"""

from __future__ import annotations

from zoo.families.vae.family import FAMILY, build_vae, entry_fields
from zoo.families.vae.recipes import VAE_EPOCHS
from zoo.registry import register


@register(
    "vae",
    **entry_fields(
        "MLP VAE 784-200-200-50 (tanh), Bernoulli decoder, dynamically binarised MNIST",
        50,
        VAE_EPOCHS,
        5000,
        {"nll": ("<=", 90.0)},
        "nll",
        "Burda et al. 2015: VAE 86.76 nats (3,280 epochs), IWAE 84.78",
    ),
)
@register(
    "vae-2d",
    **entry_fields(
        "MLP VAE 784-200-200-2 (tanh): a 2-D latent space to look at",
        2,
        50,
        1000,
        {},
        "elbo",
        "keras.io VAE example (2-D latent; ELBO reported)",
    ),
)
def vae(hidden, latent, activation, seed):
    return build_vae(hidden, latent, activation, seed=seed, name="vae" if latent != 2 else "vae_2d")


# The family's other entries register after these two (the catalogue's order): the decoders and iwae, then faces.
from zoo.families.vae import decoders, faces  # noqa: E402, F401

__all__ = ["FAMILY"]
