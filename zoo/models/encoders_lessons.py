"""Two encoder lessons as entries whose first picture is the lesson (the encoder family, another first plot).

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

from zoo.evaluation import encoders as runs
from zoo.models.encoders import FAMILY, RECIPE, _fields, encoder, hidden_codes, patterns
from zoo.plots import encoder_lessons as pictures
from zoo.registry import register


def _plot_scales(entry, model, history, out):
    return pictures.scales(runs.scale_sweep(entry), entry.name, out, entry.recipe.stop_below)


def _plot_symmetry(entry, model, history, out):
    """A 9-2-9 trained here from the same seed without the twin start, its symmetries; and this entry's codes."""
    normal = dataclasses.replace(entry, params={**entry.params, "twin_start": False})
    trained = normal.build()
    normal.family.fit(normal, trained)
    x = patterns(entry).x
    return pictures.symmetry(
        runs.symmetries(trained, x.astype(np.float64)),
        np.asarray(hidden_codes(model, x)),
        FAMILY.evaluate(entry, model)["twin_gap"],
        entry.name,
        out,
    )


SCALES = dataclasses.replace(FAMILY, plots={"scales": _plot_scales, **FAMILY.plots})
SYMMETRY = dataclasses.replace(FAMILY, plots={"symmetry": _plot_symmetry, **FAMILY.plots})
TWIN_EPOCHS = 20_000  # the twins never reach loss < 0.02: they train to this cap (the normal 9-2-9 needs ~15,000)


register(
    "encoder-8-3-8-large-init",
    **_fields(
        8,
        3,
        "the lecture's 8-3-8 from initial weights of std 1 (not 0.001): step-like units from the start",
        family=SCALES,
        anchor="seed lecture: large weights make units step-like and learning slow",
        init_std=1.0,
    ),
)(encoder)
register(
    "encoder-9-2-9-twins",
    **_fields(
        9,
        2,
        "the lecture's 9-2-9 with hidden units 1 and 2 started identical: they never separate",
        family=SYMMETRY,
        recipe=RECIPE.replace(epochs=TWIN_EPOCHS),
        expected={"twin_gap": ("<=", 1e-6)},
        twin_start=True,
        anchor="seed lecture: weight-space symmetry; identical units get identical gradients",
    ),
)(encoder)
