"""encoder-9-2-9 by the seed recipe to loss < 0.02: the zoo loop against a plain `model.fit`.

Both start from the same weights with the same optimizer; both times include compilation. `fit`
spends milliseconds of Python per epoch, so running all ~15,000 of its epochs would take many
minutes: it runs FIT_EPOCHS epochs and its time is scaled to the zoo's epoch count (said in the note).
"""

import time

import numpy as np

FIT_EPOCHS = 1000


def _time_fit(entry):
    start = time.perf_counter()
    history = entry.family.fit(entry, entry.build())  # the same call `zoo train` makes (snapshots included)
    return time.perf_counter() - start, history


def run() -> list[dict]:
    import zoo
    from zoo.training import make_optimizer

    entry = zoo.get("encoder-9-2-9")
    # The first zoo run in a process also starts TensorFlow's runtime and XLA (about 0.4 s, paid once per
    # process); the second run builds, traces and compiles a new model, so it times the loop itself.
    cold_seconds, _ = _time_fit(entry)
    zoo_seconds, history = _time_fit(entry)

    baseline = entry.build()
    baseline.compile(optimizer=make_optimizer(entry.recipe), loss="binary_crossentropy")
    x = np.eye(9, dtype=np.float32)
    start = time.perf_counter()
    fitted = baseline.fit(x, x, batch_size=9, epochs=FIT_EPOCHS, verbose=0, shuffle=False)
    fit_seconds = (time.perf_counter() - start) * history.epochs / FIT_EPOCHS
    note = (
        f"zoo: {history.epochs} epochs to loss {history.loss[-1]:.4f}, compile included ({cold_seconds:.2f} s as the "
        f"process's first TF work); fit: {FIT_EPOCHS} epochs "
        f"timed (loss {fitted.history['loss'][-1]:.4f}, zoo at that epoch {history.loss[FIT_EPOCHS - 1]:.4f}), "
        f"scaled to {history.epochs}"
    )
    return [
        dict(
            case="encoder-9-2-9 to loss < 0.02",
            baseline="keras model.fit (full batch)",
            zoo_seconds=zoo_seconds,
            baseline_seconds=fit_seconds,
            ratio=fit_seconds / zoo_seconds,
            note=note,
        )
    ]
