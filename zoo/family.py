"""What a family of entries knows beyond its builders: its data, loss, evaluation, pictures and endpoints.

Each module in `zoo.models` defines one `Family` subclass and registers it with `@family`; the
training runner, the CLI and the tests reach every family only through this interface. Methods
import TensorFlow in their bodies so that the registry stays light.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from zoo.errors import ZooError

_FAMILIES: dict[str, "Family"] = {}


@dataclass
class TrainData:
    """Arrays the training loop consumes: inputs and targets (targets may be the inputs)."""

    x: Any
    y: Any


class Family:
    """Defaults suit a plain supervised Keras model; families override what differs."""

    name = ""
    plot_kinds: dict[str, str] = {}   # kind -> method name; the first kind is the default and is saved with the artifact
    keeps_snapshots = False           # True: `snapshot` is recorded after every chunk of epochs

    def train_data(self, entry) -> TrainData:
        raise NotImplementedError

    def small_data(self, entry, n: int = 64) -> TrainData:
        """A slice of the training data for the quick tests."""
        data = self.train_data(entry)
        return TrainData(data.x[:n], data.y[:n])

    def loss_fn(self, entry) -> Callable:
        """loss_fn(model, x, y, training) -> scalar tensor; by default the recipe's named loss."""
        from zoo.losses import get_loss

        loss = get_loss(entry.recipe.loss)
        return lambda model, x, y, training: loss(y, model(x, training=training))

    def fit(self, entry, model, *, data=None, epochs=None, seed=None, checkpoint=None, resume=False, on_chunk=None,
            on_stage=None):
        """Train `model` in place on `data` (default: the full training data); returns the History.

        Multi-stage families override this (and call `on_stage(name)` as each stage starts).
        """
        from zoo import training

        data = data if data is not None else self.train_data(entry)
        snapshot_fn = (lambda m: self.snapshot(entry, m)) if self.keeps_snapshots else None
        return training.fit(model, self.loss_fn(entry), data.x, data.y, entry.recipe, epochs=epochs, seed=seed,
                            snapshot_fn=snapshot_fn, checkpoint=checkpoint, resume=resume, on_chunk=on_chunk)

    def evaluate(self, entry, model, **options) -> dict[str, float]:
        raise NotImplementedError

    def check_artifact(self, entry, model, card: dict) -> list[str]:
        """What is wrong with a committed artifact (empty if nothing): its metrics, measured again, must
        match the card and meet the entry's expectations. Families whose full evaluation is too slow
        for the test suite override this with a cheaper check that still bounds the card's number."""
        metrics = self.evaluate(entry, model)
        problems = entry.meets(metrics)
        for name, value in card.get("metrics", {}).items():
            again = metrics.get(name)
            if isinstance(value, (int, float)) and again is not None and abs(again - value) > 1e-3 + 1e-3 * abs(value):
                problems.append(f"{name}: card says {value}, measured {again}")
        return problems

    def docs(self, cards: list[dict]) -> str:
        """Family-specific markdown for docs/<family>.md, after the generated table (optional)."""
        return ""

    def snapshot(self, entry, model):
        """A small tensor kept after every chunk when `keeps_snapshots` (traced into the compiled loop)."""
        raise NotImplementedError

    def endpoints(self, entry, model) -> dict[str, tuple[Callable, list]]:
        """SavedModel endpoints: name -> (function, input signature). `serve` is the default one."""
        import tensorflow as tf

        shape = (None,) + tuple(model.inputs[0].shape[1:])
        return {"serve": (model, [tf.TensorSpec(shape, tf.float32, name="inputs")])}

    def input_shape(self, entry, model) -> tuple:
        """The shape of one input (no batch axis), read from the `serve` endpoint's signature."""
        _, signature = self.endpoints(entry, model)["serve"]
        return tuple(signature[0].shape[1:])

    def sample(self, entry, model, n: int, seed: int):
        raise ZooError(f"{entry.name} is not generative: `zoo sample` works on generative entries only")

    def plot(self, entry, model, history, kind: str | None, out_path):
        kind = kind or next(iter(self.plot_kinds), None)
        if kind not in self.plot_kinds:
            known = ", ".join(self.plot_kinds) or "none"
            raise ZooError(f"{entry.name} has no plot kind {kind!r} (kinds: {known})")
        return getattr(self, self.plot_kinds[kind])(entry, model, history, out_path)


def family(cls):
    """Class decorator: register one instance of a Family subclass under its `name`."""
    _FAMILIES[cls.name] = cls()
    return cls


def get_family(name: str) -> Family:
    return _FAMILIES[name]
