"""The catalogue: every zoo entry is a builder registered with its recipe and the numbers it must reach.

Importing this module (and the family modules that fill it) must stay free of TensorFlow, so that
`zoo list` and `zoo --help` answer instantly: builders import Keras inside their bodies.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from zoo.errors import ZooError


@dataclass(frozen=True)
class Recipe:
    """How an entry is trained: plain data, stored verbatim on the model card."""

    optimizer: str = "sgd"            # any keras.optimizers name
    learning_rate: float = 0.01
    momentum: float = 0.0             # SGD only
    batch_size: int | None = None     # None: full batch
    epochs: int = 1                   # the cap; `stop_below` may end training earlier
    loss: str = "binary_crossentropy" # a name from zoo.losses or keras.losses
    stop_below: float | None = None   # stop once the epoch's training loss is below this
    seed: int = 0
    chunk: int = 1                    # epochs per compiled call: progress, snapshots and checkpoints happen between chunks
    jit: bool = True                  # XLA-compile the training loop
    track_gradients: bool = False     # record each layer's mean gradient norm per epoch
    extras: Mapping[str, Any] = field(default_factory=dict)  # family-specific knobs (noise, penalty weights, ...)

    def replace(self, **changes) -> "Recipe":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return {**dataclasses.asdict(self), "extras": dict(self.extras)}


@dataclass(frozen=True)
class Entry:
    """One zoo entry: what a user names on the command line."""

    name: str
    family: str
    description: str
    reference: str
    dataset: str
    task: str                          # classify | reconstruct | generate | encode
    builder: Callable[..., Any]        # builder(**params) -> a fresh keras.Model
    recipe: Recipe
    expected: Mapping[str, tuple[str, float]] = field(default_factory=dict)  # metric -> (">=" | "<=" | "<" | ">" | "==", value)
    headline: str = ""                 # the metric shown in `zoo list` and the README
    anchor: str = ""                   # the published figure it is compared with
    params: Mapping[str, Any] = field(default_factory=dict)
    catalogue: bool = True             # False for parametric entries built on demand (no shipped artifact)

    def build(self):
        return self.builder(**self.params)

    def meets(self, metrics: Mapping[str, float]) -> list[str]:
        """The expectations `metrics` fails, as readable strings (empty when all are met)."""
        failures = []
        for metric, (op, bound) in self.expected.items():
            value = metrics.get(metric)
            if value is None or not _COMPARE[op](value, bound):
                failures.append(f"{metric} = {value} (must be {op} {bound})")
        return failures


_COMPARE = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
}

_ENTRIES: dict[str, Entry] = {}
_PATTERNS: list[tuple[re.Pattern, str, Callable[[re.Match], Entry]]] = []


def register(name: str, **fields):
    """Decorator: register `builder` as entry `name`. Stack it to register several variants of one builder."""

    def decorate(builder):
        if name in _ENTRIES:
            raise ValueError(f"entry {name!r} registered twice")
        for op, _ in fields.get("expected", {}).values():
            if op not in _COMPARE:
                raise ValueError(f"{name}: unknown comparison {op!r}")
        _ENTRIES[name] = Entry(name=name, builder=builder, **fields)
        return builder

    return decorate


def register_pattern(pattern: str, example: str, make_entry: Callable[[re.Match], Entry]) -> None:
    """Names matching `pattern` (a full-match regex) build an entry on demand, e.g. encoder-16-4-16."""
    _PATTERNS.append((re.compile(pattern), example, make_entry))


def _load_families() -> None:
    import zoo.models  # noqa: F401  (importing the package registers every family)


def list_models(family: str | None = None) -> list[str]:
    """Names of the catalogue entries, optionally of one family."""
    _load_families()
    return [n for n, e in _ENTRIES.items() if family is None or e.family == family]


def families() -> list[str]:
    _load_families()
    return sorted({e.family for e in _ENTRIES.values()})


def get(name: str) -> Entry:
    """The entry called `name`; unknown names fail with the closest matches."""
    _load_families()
    if not isinstance(name, str):
        raise ZooError(f"an entry name must be a string, not {type(name).__name__}")
    if name in _ENTRIES:
        return _ENTRIES[name]
    for pattern, _, make_entry in _PATTERNS:
        match = pattern.fullmatch(name)
        if match:
            return make_entry(match)
    candidates = list(_ENTRIES) + [example for _, example, _ in _PATTERNS]
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ZooError(f"unknown entry {name!r}{hint} (`zoo list` shows them all)")


def patterns() -> list[str]:
    """Examples of the parametric names, for `zoo list`."""
    _load_families()
    return [example for _, example, _ in _PATTERNS]
