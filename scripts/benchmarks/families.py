"""One representative entry per family: a steady-state epoch of the zoo loop against a plain Keras
`model.fit` of the same model, loss, optimizer and batch size, and both against the compute bound.

Generic over the registry: every family in `zoo.list_models()` gets a row (its first entry, or the one
REPRESENTATIVE names). Batched recipes train on their first EXAMPLES examples (whole batches), full-batch
recipes on all of their data; the time of an "epoch" is for that many examples.
  zoo   the family's own fit (`family.fit`, or for multi-stage families the zoo loop `training.fit` with
        the family's loss: their last stage) on a copy of the entry with chunk = E epochs, epochs = 2E:
        the second compiled chunk is timed (compilation excluded), divided by E;
  fit   a Keras model.fit whose train_step is the same loss_fn (so any family's loss works), batch
        size, optimizer from the recipe, jit_compile as the recipe's; epochs 2..E+1 are timed;
  bound epoch FLOPs (3x the forward matmuls, scripts/benchmarks/_flops.py) / the measured matmul rate.
"""

from __future__ import annotations

import dataclasses
import os
import time

import numpy as np

EXAMPLES = int(os.environ.get("ZOO_BENCH_EXAMPLES", "12800"))
# the family's headline entry where its first one is not the interesting case
REPRESENTATIVE = {
    "mlp": "mlp-large",
    "autoencoder": "ae-dropout",
    "vae": "vae",
    "recurrent": "lstm-mnist-rows",
    "cnn": "cnn",
    "network2": "mlp-ch5-784-30-10",
    "spirals": "spirals-2hidden",
    "encoder": "encoder-9-2-9",
    "pretraining": "greedy-mlp",
}
EXTRA = ["deep-selu-10", "ae-denoising", "deep-residual-50"]  # the RNG cases and the deepest plain-Dense net


def entries() -> list[str]:
    import zoo

    families = {}
    for name in zoo.list_models():
        families.setdefault(zoo.get(name).family.name, name)
    return [REPRESENTATIVE.get(family, first) for family, first in families.items()] + EXTRA


def _keras_fit_seconds(entry, loss_fn, x, y, epochs: int) -> float:
    """Seconds per epoch of a plain compiled model.fit running loss_fn (epochs 2..epochs+1, after compiling)."""
    import keras
    import tensorflow as tf

    from zoo.training import make_optimizer

    inner = entry.build()

    class Wrapped(keras.Model):
        def __init__(self):
            super().__init__()
            self.inner = inner

        def call(self, x, training=False):
            return self.inner(x, training=training)

        def train_step(self, data):
            xb, yb = data
            with tf.GradientTape() as tape:
                loss = loss_fn(self.inner, xb, yb, True)
            variables = self.inner.trainable_variables
            self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
            return {"loss": loss}

    stamps = []
    model = Wrapped()
    model.compile(optimizer=make_optimizer(entry.recipe), jit_compile=entry.recipe.jit)
    callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda *_: stamps.append(time.perf_counter()))
    model.fit(
        x,
        y,
        batch_size=entry.recipe.batch_size or len(x),
        epochs=epochs + 1,
        shuffle=True,
        verbose=0,
        callbacks=[callback],
    )
    return (stamps[-1] - stamps[0]) / epochs


def bench_entry(name: str, rate: float) -> dict:
    from _flops import epoch_flops

    import zoo
    from zoo import training
    from zoo.family import TrainData, fit_by_recipe

    entry = zoo.get(name)
    family, recipe = entry.family, entry.recipe
    data = family.train_data(entry)
    if recipe.batch_size is None:
        n, per_chunk = len(data.x), min(recipe.chunk, 250)  # full batch: tiny epochs, time a chunk of them
    else:
        n, per_chunk = min(len(data.x), EXAMPLES // recipe.batch_size * recipe.batch_size), 1
    x, y = np.asarray(data.x[:n]), np.asarray(data.y[:n])
    run = dataclasses.replace(
        entry, recipe=recipe.replace(chunk=per_chunk, epochs=2 * per_chunk, stage_epochs={}, stop_below=None)
    )
    stamps = []
    model = run.build()
    on_chunk = lambda *_: stamps.append(time.perf_counter())  # noqa: E731
    loss_fn = family.loss(run)
    if family.fit is fit_by_recipe:
        family.fit(run, model, data=TrainData(x, y), on_chunk=on_chunk)
        how = "family.fit"
    else:  # multi-stage: its stages are this same loop; time the loop on the entry's own model and loss
        training.fit(model, loss_fn, x, y, run.recipe, on_chunk=on_chunk)
        how = "training.fit (last stage's loop)"
    zoo_seconds = (stamps[-1] - stamps[-2]) / per_chunk
    fit_seconds = _keras_fit_seconds(run, loss_fn, x, y, per_chunk)
    bound = epoch_flops(model, n) / rate
    batch = recipe.batch_size or "full"
    return dict(
        case=f"{name} ({family.name}), one epoch of {n:,} examples, batch {batch}",
        section="families",
        baseline="keras model.fit, same loss_fn",
        zoo_seconds=zoo_seconds,
        baseline_seconds=fit_seconds,
        ratio=fit_seconds / zoo_seconds,
        bound_seconds=bound,
        bound_fraction=bound / zoo_seconds,
        note=f"{how}, jit={recipe.jit}; {epoch_flops(model, 1) / 1e6:.2f} MFLOP per example trained",
    )


def run(rate: float | None = None, only: list[str] | None = None) -> list[dict]:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _flops import matmul_rate

    rate = rate or matmul_rate()
    rows = []
    for name in only or entries():
        try:
            rows.append(bench_entry(name, rate))
        except Exception as err:  # one family's failure must not hide the others' rows
            rows.append(dict(case=name, section="families", baseline="", note=f"FAILED: {type(err).__name__}: {err}"))
    return rows
