"""Entries and their recipes: every zoo entry is a builder registered with its family, recipe and targets.

Importing this module (and the family modules that fill it) must stay free of TensorFlow, so that
`zoo list` and `zoo --help` answer instantly: builders import Keras inside their bodies. Lookups
by name (with "did you mean") live in `zoo.catalogue`, which imports the families.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoo.errors import ZooError
from zoo.family import Family

MAX_SEED = 2**31 - 1  # seeds reach int32 tensors (the SavedModel `sample` endpoint) and Keras' global seed
IMAGES = "mnist"  # entries registered on this data set take any 28 x 28 ten-class source instead (`data=`)


@dataclass(frozen=True)
class Recipe:
    """How an entry is trained: plain data, stored verbatim on the model card."""

    optimizer: str = "sgd"  # any keras.optimizers name
    learning_rate: float = 0.01
    momentum: float = 0.0  # SGD only
    batch_size: int | None = None  # None: full batch
    epochs: int = 1  # the cap; `stop_below` may end training earlier
    loss: str = "binary_crossentropy"  # a name from zoo.losses or keras.losses
    stop_below: float | None = None  # stop once the epoch's training loss is below this
    seed: int = 0  # every random draw of a run derives from it
    chunk: int = 1  # epochs per compiled call: progress, snapshots and checkpoints happen between chunks
    jit: bool = True  # XLA-compile the training loop
    track_gradients: bool = False  # record each layer's mean gradient norm per epoch
    stage_epochs: Mapping[str, int] = field(default_factory=dict)  # multi-stage recipes: epochs of each earlier stage
    extras: Mapping[str, Any] = field(default_factory=dict)  # family knobs the code reads (noise, penalty weights, ...)
    notes: Mapping[str, str] = field(default_factory=dict)  # prose for the card: why, and how it maps to the source

    def replace(self, **changes) -> Recipe:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return {
            **dataclasses.asdict(self),
            "stage_epochs": dict(self.stage_epochs),
            "extras": dict(self.extras),
            "notes": dict(self.notes),
        }


def check_count(value, option: str, low: int = 1, high: int | None = None) -> int:
    """`value` as an int in [low, high], or a ZooError naming `option` (bools and floats are refused)."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ZooError(f"{{option}} must be a whole number, not {value!r}", option=option)
    value = int(value)
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ZooError(f"{{option}} must be {bound}, not {value}", option=option)
    return value


@dataclass(frozen=True)
class Entry:
    """One zoo entry: what a user names on the command line."""

    name: str
    family: Family
    description: str
    reference: str
    dataset: str
    task: str  # classify | reconstruct | generate | encode
    builder: Callable[..., Any]  # builder(**params[, seed]) -> a fresh keras.Model
    recipe: Recipe
    expected: Mapping[str, tuple[str, float]] = field(
        default_factory=dict
    )  # metric -> (">=" | "<=" | "<" | ">" | "==", value)
    headline: str = ""  # the metric shown in `zoo list` and the README
    anchor: str = ""  # the published figure it is compared with
    params: Mapping[str, Any] = field(default_factory=dict)  # the builder's arguments, every one of them used
    catalogue: bool = True  # False for parametric entries built on demand (no shipped artifact)

    @property
    def takes_data(self) -> bool:
        """Whether `data=` can replace the data set: entries registered on MNIST take any source of its shape."""
        return self.dataset == IMAGES

    def with_options(self, *, seed: int | None = None, epochs: int | None = None, data: str | None = None) -> Entry:
        """This entry with the run's options applied to a copy of its recipe, once, before any family code runs.

        `data` replaces the data set (families read `entry.dataset`): a folder of IDX files, an .npz,
        or a TensorFlow Datasets name; see zoo.data.
        """
        entry = self
        if data is not None:
            if not self.takes_data:
                raise ZooError(
                    f"{{option}} means nothing for {self.name}: it trains on its own data set {self.dataset!r}",
                    option="data",
                )
            if not isinstance(data, (str, bytes)) and not hasattr(data, "__fspath__"):
                raise ZooError(f"{{option}} must name a data set or a path, not {type(data).__name__}", option="data")
            entry = dataclasses.replace(self, dataset=str(data))
        recipe = self.recipe
        if seed is not None:
            recipe = recipe.replace(seed=check_count(seed, "seed", 0, MAX_SEED))
        if epochs is not None:
            epochs = check_count(epochs, "epochs")
            recipe = recipe.replace(
                epochs=epochs, stage_epochs={k: min(v, epochs) for k, v in recipe.stage_epochs.items()}
            )
        return dataclasses.replace(entry, recipe=recipe)

    def build(self):
        """A fresh model: Keras' global seed set from the recipe's, which builders that draw more take too."""
        import keras

        keras.utils.set_random_seed(self.recipe.seed)
        takes_seed = "seed" in inspect.signature(self.builder).parameters
        return self.builder(**self.params, **({"seed": self.recipe.seed} if takes_seed else {}))

    def identity(self) -> dict:
        """What makes a run this run: a checkpoint resumes only the run with the same identity. The data is part
        of it (a file source by its absolute path): a run on `data=` resumed without it would go on on MNIST."""
        from zoo import data

        source = str(Path(self.dataset).resolve()) if data.is_file_source(self.dataset) else self.dataset
        return {
            "entry": self.name,
            "data": source,
            "params": plain(self.params),
            "recipe": plain(self.recipe.to_dict()),
        }

    def meets(self, metrics: Mapping[str, float]) -> list[str]:
        """The expectations `metrics` fails, as readable strings (empty when all are met)."""
        failures = []
        for metric, (op, bound) in self.expected.items():
            value = metrics.get(metric)
            if value is None or not _COMPARE[op](value, bound):
                failures.append(f"{metric} = {value} (must be {op} {bound})")
        return failures


def plain(value):
    """Tuples as lists and mappings as dicts, recursively: the form JSON gives back."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


_COMPARE = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
}

ENTRIES: dict[str, Entry] = {}
PATTERNS: list[tuple[re.Pattern, str, Callable[[re.Match], Entry]]] = []


def register(name: str, **fields):
    """Decorator: register `builder` as entry `name`. Stack it to register several variants of one builder."""

    def decorate(builder):
        if name in ENTRIES:
            raise ValueError(f"entry {name!r} registered twice")
        if not isinstance(fields.get("family"), Family):
            raise ValueError(f"{name}: family must be a zoo.family.Family object")
        for op, _ in fields.get("expected", {}).values():
            if op not in _COMPARE:
                raise ValueError(f"{name}: unknown comparison {op!r}")
        ENTRIES[name] = Entry(name=name, builder=builder, **fields)
        return builder

    return decorate


def register_pattern(pattern: str, example: str, make_entry: Callable[[re.Match], Entry]) -> None:
    """Names matching `pattern` (a full-match regex) build an entry on demand, e.g. encoder-16-4-16."""
    PATTERNS.append((re.compile(pattern), example, make_entry))
