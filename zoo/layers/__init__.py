"""zoo's serialisable Keras classes (custom layers and models), one module per family.

Modules here import Keras at import time and register their classes with
`@keras.saving.register_keras_serializable(package="zoo")`; `zoo.keras_objects` imports them all.
"""
