"""The pictures of two encoder lessons, each the first picture of its entry (registered in entries.py).

- encoder-8-3-8-large-init: the lecture's 8-3-8 started from weights of std 1 instead of 0.001. Its
  picture trains the same net from initial weight scales 0.001 to 10 (the lecture: small weights make
  each layer nearly linear; large ones make units step-like, computation digital and learning slow).
- encoder-9-2-9-twins: the lecture's 9-2-9 with hidden units 1 and 2 started identical. Nothing in
  gradient descent can tell them apart, so they stay identical (twin_gap = 0 on the card) and the net
  has, in effect, one hidden unit: the 9 codes lie on the line h1 = h2. Its picture also swaps the
  hidden units of a normally trained 9-2-9 and flips one unit's signs: hidden space moves, outputs do not.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from zoo.families.encoders import lesson_pictures as pictures
from zoo.families.encoders import measure as runs
from zoo.families.encoders.network import hidden_codes, patterns


def plot_scales(entry, model, history, out):
    return pictures.scales(runs.scale_sweep(entry), entry.name, out, entry.recipe.stop_below)


def plot_symmetry(entry, model, history, out):
    """A 9-2-9 trained here from the same seed without the twin start, its symmetries; and this entry's codes."""
    normal = dataclasses.replace(entry, params={**entry.params, "twin_start": False})
    trained = normal.build()
    normal.family.fit(normal, trained)
    x = patterns(entry).x
    return pictures.symmetry(
        runs.symmetries(trained, x.astype(np.float64)),
        np.asarray(hidden_codes(model, x)),
        entry.family.evaluate(entry, model)["twin_gap"],
        entry.name,
        out,
    )
