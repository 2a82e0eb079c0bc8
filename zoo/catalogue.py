"""The catalogue: every registered entry, found by name.

Families are found by zoo.discovery (no list of them here) on the first question asked, not at import, so
a broken plug-in family is a ZooError the CLI reports in one line. Everything above the catalogue (API,
CLI, scripts, tests) asks here, and an entry hands over its own family object.
"""

from __future__ import annotations

import difflib

from zoo.discovery import discover
from zoo.errors import ZooError
from zoo.registry import ENTRIES, PATTERNS, Entry


def _entries() -> dict[str, Entry]:
    discover()  # importing each family registers its entries (once: discovery is cached)
    return ENTRIES


def list_models(family: str | None = None) -> list[str]:
    """Names of the catalogue entries, optionally of one family."""
    if family is not None and family not in families():
        raise ZooError(f"no family {family!r}; families: {', '.join(families())}", option="family")
    return [n for n, e in _entries().items() if family is None or e.family.name == family]


def families() -> list[str]:
    return sorted({e.family.name for e in _entries().values()})


def get(name: str) -> Entry:
    """The entry called `name`; unknown names fail with the closest matches."""
    if not isinstance(name, str):
        raise ZooError(f"an entry name must be a string, not {type(name).__name__}")
    if name in _entries():
        return ENTRIES[name]
    for pattern, _, make_entry in PATTERNS:
        match = pattern.fullmatch(name)
        if match:
            entry = make_entry(match)  # named canonically: "adding-lstm-010" is "adding-lstm-10"
            return ENTRIES.get(entry.name, entry)  # a shipped entry, never an unshipped twin of it
    candidates = list(ENTRIES) + [example for _, example, _ in PATTERNS]
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ZooError(f"unknown entry {name!r}{hint} (`zoo list` shows them all)")


def patterns() -> list[str]:
    """Examples of the parametric names, for `zoo list`."""
    _entries()
    return [example for _, example, _ in PATTERNS]
