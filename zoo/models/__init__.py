"""Importing this package registers every family: each module here is one family and its entries.

A new family is one new module; nothing else needs editing. Modules must not import TensorFlow at
import time (builders import Keras in their bodies) so that `zoo list` stays instant.
"""

import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
