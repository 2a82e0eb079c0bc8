"""Regularised autoencoders on MNIST: one shared 784-H-784 shape, five ways to stop it copying its input."""

from zoo.families.autoencoders.entries import FAMILY

__all__ = ["FAMILY"]
