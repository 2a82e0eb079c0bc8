"""Variational autoencoders: MNIST with each of the lecture's output distributions, the IWAE, and faces."""

from zoo.families.vae.entries import FAMILY

__all__ = ["FAMILY"]
