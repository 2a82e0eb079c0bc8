"""Greedy layer-wise pretraining (Bengio et al. 2007) against the same network trained from scratch."""

from zoo.families.pretraining.entries import FAMILY

__all__ = ["FAMILY"]
