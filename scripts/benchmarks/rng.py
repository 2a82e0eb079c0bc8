"""Entries that draw random numbers every step: Keras' layers (keras.random) against zoo.dropout.

For each entry: one steady-state epoch over the first EXAMPLES training images (the zoo loop, chunk = 1,
epoch 2 timed), with its dropout layers as Keras' (Dropout, AlphaDropout) or swapped for FastDropout /
FastAlphaDropout, and with XLA on and off. ae-denoising's noise is drawn in its loss: its "keras" variant
draws it with keras.random.uniform and a SeedGenerator, as the entry did before. The first variant of an
entry is the baseline of its rows.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

EXAMPLES = int(os.environ.get("ZOO_BENCH_EXAMPLES", "12800"))
CASES = [
    ("mlp-large", [("keras", False), ("keras", True), ("fast", True), ("fast", False)]),
    ("deep-selu-10", [("keras", False), ("keras", True), ("fast", True), ("fast", False)]),
    ("ae-dropout", [("keras", True), ("fast", True)]),
    ("ae-denoising", [("keras", True), ("fast", True)]),
]


def swap_dropout(model, to: str):
    """A copy of a Functional/Sequential model with its dropout layers as Keras' ("keras") or zoo's ("fast")."""
    import keras

    from zoo.dropout import FastAlphaDropout, FastDropout

    def clone(layer):
        config = {"rate": getattr(layer, "rate", 0.0), "seed": getattr(layer, "seed", None), "name": layer.name}
        if to == "fast" and type(layer) is keras.layers.Dropout:
            return FastDropout(**config)
        if to == "fast" and type(layer) is keras.layers.AlphaDropout:
            return FastAlphaDropout(**config)
        if to == "keras" and type(layer) is FastDropout:
            return keras.layers.Dropout(**config)
        if to == "keras" and type(layer) is FastAlphaDropout:
            return keras.layers.AlphaDropout(**config)
        return layer.__class__.from_config(layer.get_config())

    return keras.models.clone_model(model, clone_function=clone)


@contextmanager
def keras_masking_noise():
    """ae-denoising's masking noise drawn by keras.random (its implementation before zoo.dropout)."""
    import keras

    from zoo.families.autoencoders import entries as autoencoders

    def mask(x, p, seeds):
        return x * keras.ops.cast(keras.random.uniform(keras.ops.shape(x), seed=seeds) >= p, x.dtype)

    shipped = autoencoders.mask
    autoencoders.mask = mask
    try:
        yield
    finally:
        autoencoders.mask = shipped


def epoch_seconds(entry, layers: str, jit: bool) -> tuple[float, float, int]:
    """(seconds of the second epoch, its loss, examples) of the zoo loop on the entry's first EXAMPLES images."""
    import contextlib

    from zoo import training

    data = entry.family.train_data(entry)
    n = min(len(data.x), EXAMPLES // entry.recipe.batch_size * entry.recipe.batch_size)
    model = swap_dropout(entry.build(), layers)
    recipe = entry.recipe.replace(epochs=2, chunk=1, jit=jit)
    stamps = []
    noise = keras_masking_noise() if layers == "keras" and entry.recipe.extras.get("mask") else contextlib.nullcontext()
    with noise:
        history = training.fit(
            model,
            entry.family.loss(entry),
            data.x[:n],
            data.y[:n],
            recipe,
            on_chunk=lambda *_: stamps.append(time.perf_counter()),
        )
    return stamps[1] - stamps[0], history.loss[-1], n


def run(rate: float | None = None) -> list[dict]:
    import zoo

    rows = []
    for name, variants in CASES:
        entry = zoo.get(name)
        base = None
        for layers, jit in variants:
            seconds, loss, n = epoch_seconds(entry, layers, jit)
            base = base if base is not None else (seconds, f"{layers} layers, jit={jit}")
            full = seconds * len(entry.family.train_data(entry).x) / n
            rows.append(
                dict(
                    case=f"{name}: {layers} layers, jit={jit}",
                    section="rng",
                    baseline=base[1],
                    zoo_seconds=seconds,
                    baseline_seconds=base[0],
                    ratio=base[0] / seconds,
                    note=f"epoch of {n:,} images (a full epoch ~{full:.1f} s); loss {loss:.4f}; "
                    f"shipped recipe jit={entry.recipe.jit}",
                )
            )
    return rows
