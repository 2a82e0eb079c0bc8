"""N-K-N encoders: N one-hot patterns squeezed through K < N tanh units and decoded back."""

from zoo.families.encoders.entries import FAMILY

__all__ = ["FAMILY"]
