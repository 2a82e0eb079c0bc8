"""What every shipped `.keras` file answers on the Keras backend this process runs (KERAS_BACKEND).

`outputs()` loads each artifact (checksums verified, safe mode on) and runs it on fixed inputs; the
generative ones also encode, decode a fixed z, and sample. Run it under two backends and compare:
`scripts/check_backend.py` does that for any backend, tests/test_backends.py for JAX in the suite.
"""

from __future__ import annotations

import numpy as np

SAMPLES = 8


def _inputs(shape: tuple, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((SAMPLES,) + shape, dtype=np.float32)


def _array(value) -> np.ndarray:
    import keras

    if isinstance(value, dict):
        value = next(iter(value.values()))
    if isinstance(value, (list, tuple)):
        value = value[0]
    return np.asarray(keras.ops.convert_to_numpy(value), np.float32)


def outputs(names: list[str] | None = None) -> dict[str, np.ndarray]:
    """name/what -> outputs on fixed inputs: `serve` for every entry; `encode`, `decode`, `sample` where they exist."""
    import keras

    import zoo
    from zoo import artifacts

    results = {}
    for name in names or [n for n in zoo.list_models() if zoo.card(n)]:
        model = artifacts.load_keras(zoo.path(name))
        shape = tuple(
            int(d)
            for d in (
                model.inputs[0].shape[1:] if getattr(model, "inputs", None) else model.encoder.inputs[0].shape[1:]
            )
        )
        x = _inputs(shape)
        results[f"{name}/serve"] = _array(model(x, training=False))
        if hasattr(model, "encoder") and hasattr(model, "decoder"):  # the generative entries' halves
            results[f"{name}/encode"] = _array(model.encoder(x))
            latent = int(model.decoder.inputs[0].shape[-1])
            z = np.random.default_rng(1).standard_normal((SAMPLES, latent)).astype(np.float32)
            results[f"{name}/decode"] = _array(model.decoder(z))
            drawn = model.decoder(keras.random.normal((SAMPLES, latent), seed=0))  # each backend's own generator
            results[f"{name}/sample-finite"] = np.asarray([float(np.all(np.isfinite(_array(drawn))))], np.float32)
    return results


def backend() -> str:
    import keras

    return keras.backend.backend()
