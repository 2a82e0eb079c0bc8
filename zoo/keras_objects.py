"""Importing this module registers every serialisable class zoo's `.keras` files may contain.

`keras.saving.load_model(path, safe_mode=True)` finds them once this module is imported; `zoo.load`
does that itself. Safe mode stays on: zoo's models hold no Lambda layers, only registered classes:
the shared ones of the core (zoo.dropout) and each discovered family's `layers` module.
"""

import importlib
import pkgutil

import zoo.dropout  # noqa: F401  (FastDropout, FastAlphaDropout: several families' layers)
import zoo.layers
from zoo.discovery import import_layers

for _module in sorted(m.name for m in pkgutil.iter_modules(zoo.layers.__path__)):
    importlib.import_module(f"zoo.layers.{_module}")
import_layers()
