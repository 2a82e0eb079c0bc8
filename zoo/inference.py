"""A model's outputs in inference mode over many inputs: what every classifier's evaluation shares."""

from __future__ import annotations


def predict(model, x, batch: int = 2000):
    """The model's outputs on x in inference mode, batch by batch (memory stays bounded for any n)."""
    import numpy as np

    return np.concatenate([np.asarray(model(x[i : i + batch], training=False)) for i in range(0, len(x), batch)])
