"""Recurrent networks: an LSTM learns the long-term dependencies a plain tanh RNN of the same size loses."""

from zoo.families.recurrent.entries import FAMILY

__all__ = ["FAMILY"]
