"""What a family of entries shares beyond its builders, declared as data and plain functions.

A family package (`zoo/families/<family>/`, found by zoo.discovery) makes one `Family(...)` and hands it to
every entry it registers; the entry holds the object itself, so nothing looks a family up by name. Every function
field takes the entry first (its recipe already carries the run's options: seed, epochs) and
imports TensorFlow in its body, so that the registry stays light.

Only `name`, `train_data` and `evaluate` are required; the defaults suit a plain supervised model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zoo.errors import ZooError


@dataclass(frozen=True)
class TrainData:
    """Arrays the training loop consumes: inputs and targets (targets may be the inputs)."""

    x: Any
    y: Any


def recipe_loss(entry) -> Callable:
    """loss_fn(model, x, y, training) -> scalar: the recipe's named loss on the model's output."""
    from zoo.losses import get_loss

    loss = get_loss(entry.recipe.loss)
    return lambda model, x, y, training: loss(y, model(x, training=training))


def fit_by_recipe(entry, model, *, data=None, checkpoint=None, resume=False, on_chunk=None, on_stage=None):
    """One stage: the zoo loop on the family's training data (or `data`) by the entry's recipe -> History."""
    from zoo import training

    family = entry.family
    data = data if data is not None else family.train_data(entry)
    snapshot_fn = (lambda m: family.snapshot(entry, m)) if family.snapshot is not None else None
    return training.fit(
        model,
        family.loss(entry),
        data.x,
        data.y,
        entry.recipe,
        snapshot_fn=snapshot_fn,
        checkpoint=checkpoint,
        resume=resume,
        on_chunk=on_chunk,
        identity=entry.identity(),
    )


def serve_only(entry, model) -> dict:
    """SavedModel endpoints: name -> (function, input signature); `serve` maps inputs to the model's output."""
    import tensorflow as tf

    shape = (None,) + tuple(model.inputs[0].shape[1:])
    return {"serve": (model, [tf.TensorSpec(shape, tf.float32, name="inputs")])}


@dataclass(frozen=True)
class Family:
    """A family: its data, loss, training, evaluation, pictures and endpoints, as data and functions.

    Attributes:
        train_data: train_data(entry) -> TrainData, the whole training set.
        evaluate: evaluate(entry, model, **options) -> metrics; `eval_options` names the options it takes.
        plots: kind -> plot(entry, model, history, out_path); the first kind is saved with the artifact.
        small_batches: the quick tests train on the first max(64, small_batches x batch size) examples;
            None: on all of the training data (tiny data sets).
        loss: loss(entry) -> loss_fn(model, x, y, training).
        fit: fit(entry, model, data=, checkpoint=, resume=, on_chunk=, on_stage=) -> History; multi-stage
            families replace it, and put what training measured in History.measured.
        snapshot: snapshot(entry, model) -> a small tensor kept after every chunk of epochs (dynamics pictures).
        endpoints: endpoints(entry, model) -> {name: (function, input signature)}; `serve` is the default.
        sample: sample(entry, model, start, size, seed) -> `size` samples (rows in [0, 1]) of a generative entry;
            sample `start + i` is the same whatever the batch it is drawn in.
        input_range: the values inputs take in training (zoo.predict refuses others); None: any.
        tolerances: metric -> absolute tolerance when an artifact's metrics are measured again
            (default 1e-3 + 1e-3 |value|).
        trained_metrics: metrics only training measures (on the card, not measured again; must be finite).
        check: check(entry, model, card) -> problems, replacing the full re-measurement where it is too slow.
        docs: docs(cards) -> markdown for docs/<family>.md, after the generated table.
        test_data: test_data(entry) -> (inputs, labels) of the test set as the model sees them; None: the
            family offers none to the core (the site's latent demo scatters vae-2d's).
    """

    name: str
    train_data: Callable[[Any], TrainData]
    evaluate: Callable[..., dict]
    plots: Mapping[str, Callable] = field(default_factory=dict)
    eval_options: tuple[str, ...] = ()
    small_batches: int | None = 2
    loss: Callable = recipe_loss
    fit: Callable = fit_by_recipe
    snapshot: Callable | None = None
    endpoints: Callable = serve_only
    sample: Callable | None = None
    input_range: tuple[float, float] | None = (0.0, 1.0)
    tolerances: Mapping[str, float] = field(default_factory=dict)
    trained_metrics: tuple[str, ...] = ()
    check: Callable | None = None
    docs: Callable[[list], str] = lambda cards: ""
    test_data: Callable | None = None

    def small_data(self, entry, n: int = 64) -> TrainData:
        """A slice of the training data for the quick tests: whole mini-batches (the loop drops a partial one)."""
        data = self.train_data(entry)
        if self.small_batches is None:
            return data
        n = max(n, self.small_batches * (entry.recipe.batch_size or 1))
        return TrainData(data.x[:n], data.y[:n])

    def input_shape(self, entry, model) -> tuple:
        """The shape of one input (no batch axis), read from the `serve` endpoint's signature."""
        _, signature = self.endpoints(entry, model)["serve"]
        return tuple(signature[0].shape[1:])

    def default_plot(self) -> str | None:
        return next(iter(self.plots), None)

    def plot_kind(self, entry, kind: str | None) -> str:
        """`kind`, or the default one; an unknown kind lists the others."""
        kind = kind or self.default_plot()
        if kind not in self.plots:
            known = ", ".join(self.plots) or "none"
            raise ZooError(f"{entry.name} has no picture of kind {kind!r} (kinds: {known})", option="kind")
        return kind

    def plot(self, entry, model, history, kind: str | None, out_path):
        return self.plots[self.plot_kind(entry, kind)](entry, model, history, out_path)

    def check_artifact(self, entry, model, card: dict) -> list[str]:
        """What is wrong with an artifact (empty if nothing): its metrics, measured again, must match the
        card within the family's tolerances and meet the entry's expectations."""
        if self.check is not None:
            return self.check(entry, model, card)
        on_card = card.get("metrics", {})
        metrics = self.evaluate(entry, model)
        problems = entry.meets({**{m: on_card.get(m) for m in self.trained_metrics}, **metrics})
        for name in self.trained_metrics:
            value = on_card.get(name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                problems.append(f"{name}: the card holds {value!r}, not a number training measured")
        for name, value in on_card.items():
            again = metrics.get(name)
            if not isinstance(value, (int, float)) or again is None:
                continue
            tolerance = self.tolerances.get(name, 1e-3 + 1e-3 * abs(value))
            if abs(again - value) > tolerance:
                problems.append(f"{name}: card says {value}, measured {again}")
        return problems
