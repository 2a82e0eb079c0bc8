"""Convolutional networks on MNIST: LeNet-5's shape, and the best plain CNN we found in a 2-core budget."""

from zoo.families.cnn.entries import FAMILY

__all__ = ["FAMILY"]
