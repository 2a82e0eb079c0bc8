"""The families shipped with zoo: one package per family, each found by zoo.discovery (no list anywhere).

A family is one folder `zoo/families/<name>/`: `__init__.py` imports FAMILY from its `entries.py`
(importing the package registers its entries), an optional `layers.py` holds its registered Keras
classes, and the other files are named for what they hold (measure, pictures, ...). A family imports
the core and its own modules, never another family: pyproject.toml's import contracts check it.
"""
