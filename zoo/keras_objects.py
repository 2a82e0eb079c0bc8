"""Importing this module registers every serialisable class zoo's `.keras` files may contain.

`keras.saving.load_model(path, safe_mode=True)` finds them once this module is imported; `zoo.load`
does that itself. Safe mode stays on: zoo's models hold no Lambda layers, only registered classes:
the shared ones of the core (zoo.dropout) and each discovered family's `layers` module
(zoo.discovery.import_layers). A `.keras` file names each class by its registered name (`zoo>VAE`),
which Keras looks up before the module path it also records, so classes may move between modules.
"""

import zoo.dropout  # noqa: F401  (FastDropout, FastAlphaDropout: several families' layers)
from zoo.discovery import import_layers

import_layers()
