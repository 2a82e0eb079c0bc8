"""MNIST multilayer perceptrons: the lecture's sigmoid nets, the depth table, and the best plain MLP."""

from zoo.families.mlp.entries import FAMILY

__all__ = ["FAMILY"]
