"""Importing this module registers every serialisable class zoo's `.keras` files may contain.

`keras.saving.load_model(path, safe_mode=True)` finds them once this module is imported; `zoo.load`
does that itself. Safe mode stays on: zoo's models hold no Lambda layers, only registered classes.
"""

import importlib
import pkgutil

import zoo.layers

for _module in sorted(m.name for m in pkgutil.iter_modules(zoo.layers.__path__)):
    importlib.import_module(f"zoo.layers.{_module}")
