"""The public verbs: build, train, load, evaluate, sample, plot, export. TensorFlow is imported on first use."""
from __future__ import annotations

import platform
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from zoo import artifacts
from zoo.errors import ZooError
from zoo.family import get_family
from zoo.registry import Entry, get


@dataclass
class TrainResult:
    model: object
    history: object
    metrics: dict
    seconds: float
    folder: Path | None


def build(name: str):
    """A fresh, untrained Keras model of entry `name` (seeded by its recipe)."""
    import keras

    entry = get(name)
    keras.utils.set_random_seed(entry.recipe.seed)
    return entry.build()


def default_out(name: str) -> Path:
    return Path("runs") / name


def checkpoint_path(out: Path) -> Path:
    """Beside the output folder, never in it: the folder only ever holds a finished artifact."""
    out = Path(out)
    return out.parent / f".{out.name}.checkpoint.npz"


def train(
    name: str,
    *,
    epochs: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    on_chunk: Callable | None = None,
    on_stage: Callable[[str], None] | None = None,
    export: bool = True,
    tensorboard: str | Path | None = None,
    strategy: str | None = None,
) -> TrainResult:
    """Train entry `name` by its recipe, evaluate it and (unless export=False) write its artifact to `out`.

    The same seed gives the same weights and metrics on the same machine (op determinism is on).
    With `tensorboard`, the training loss is logged there after every chunk of epochs. `strategy`
    ("mirrored" or "multiworker") trains through the same loop under tf.distribute (zoo.distribute).
    """
    import keras
    import tensorflow as tf

    from zoo.distribute import make_strategy

    distribution = make_strategy(strategy)  # first: multi-worker collectives must start before other TF work

    entry = get(name)
    family = get_family(entry.family)
    seed = entry.recipe.seed if seed is None else seed
    out = Path(out) if out is not None else default_out(name)
    checkpoint = checkpoint_path(out) if export else None
    if export:
        _check_writable(out.parent)  # fail before training, not after
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    if tensorboard is not None:
        on_chunk = _logging_to_tensorboard(Path(tensorboard), on_chunk)
    with distribution.scope():  # the model, the optimizer and the loop all live under the strategy
        model = entry.build()
        started = time.perf_counter()
        history = family.fit(entry, model, epochs=epochs, seed=seed, checkpoint=checkpoint, resume=resume,
                             on_chunk=on_chunk, on_stage=on_stage)
        seconds = time.perf_counter() - started
    metrics = family.evaluate(entry, model)
    folder = None
    if export:
        folder = export_artifact(entry, model, history, metrics, seconds, seed, out)
        checkpoint.unlink(missing_ok=True)
    return TrainResult(model, history, metrics, seconds, folder)


def _logging_to_tensorboard(logdir: Path, on_chunk: Callable | None) -> Callable:
    import tensorflow as tf

    writer = tf.summary.create_file_writer(str(logdir))

    def report(done: int, total: int, loss: float) -> None:
        with writer.as_default():
            tf.summary.scalar("loss", loss, step=done)
        writer.flush()
        if on_chunk is not None:
            on_chunk(done, total, loss)

    return report


def _check_writable(folder: Path) -> None:
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise ZooError(f"cannot write to {folder}: {err.strerror or err}") from None


def export_artifact(entry: Entry, model, history, metrics: dict, seconds: float, seed: int, out: Path) -> Path:
    """Write model.keras, saved_model/, history.npz, the default picture and card.json, atomically."""
    import numpy as np

    family = get_family(entry.family)

    def fill(folder: Path):
        model.save(folder / artifacts.KERAS_FILE)
        artifacts.save_saved_model(model, family.endpoints(entry, model), folder / artifacts.SAVED_MODEL)
        np.savez(folder / artifacts.HISTORY, **history.to_arrays())
        if family.plot_kinds:
            kind = next(iter(family.plot_kinds))
            family.plot(entry, model, history, kind, folder / f"{kind}.png")

    return artifacts.write(out, fill, card_for(entry, model, history, metrics, seconds, seed))


def card_for(entry: Entry, model, history, metrics: dict, seconds: float, seed: int) -> dict:
    import keras
    import numpy as np
    import tensorflow as tf

    return {
        "entry": entry.name,
        "family": entry.family,
        "description": entry.description,
        "reference": entry.reference,
        "dataset": entry.dataset,
        "task": entry.task,
        "recipe": entry.recipe.to_dict(),
        "metrics": metrics,
        "expected": {k: list(v) for k, v in entry.expected.items()},
        "headline": entry.headline,
        "anchor": entry.anchor,
        "parameters": int(model.count_params()),
        "epochs_run": history.epochs,
        "training_seconds": round(seconds, 2),
        "seed": seed,
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__,
                     "python": platform.python_version()},
        "commit": _git_commit(),
        "machine": f"{platform.machine()}, {_cpu_count()} cores",
    }


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, timeout=5).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _keras_model(name: str, model):
    """`model` itself if it is a Keras model; else the verified model of its folder (None: the shipped one)."""
    if model is None or isinstance(model, (str, Path)):
        return artifacts.load_keras(resolve_folder(name, model))
    return model


def resolve_folder(name: str, model: str | Path | None = None) -> Path:
    """The artifact folder for `name`: `model` if given, else the shipped pretrained one."""
    folder = Path(model) if model is not None else artifacts.pretrained_dir(name)
    if not folder.exists():
        if model is not None:
            raise ZooError(f"{folder}: no such model folder")
        raise ZooError(f"no pretrained artifact for {name!r}; train one with `zoo train {name}`")
    if folder.is_file():
        raise ZooError(f"{folder}: a model is a folder holding {artifacts.CARD}, not a file")
    return folder


def load(name_or_path: str | Path):
    """The pretrained Keras model of an entry (checksums verified, safe mode on), or of an artifact folder."""
    candidate = Path(name_or_path)
    if candidate.is_dir() and (candidate / artifacts.CARD).exists():
        return artifacts.load_keras(candidate)
    get(str(name_or_path))  # a clear error for unknown names
    return artifacts.load_keras(resolve_folder(str(name_or_path)))


def check_inputs(entry: Entry, model, x):
    """x as float32 if it fits the model's input (batch first), else a clear ZooError."""
    import numpy as np

    expected = get_family(entry.family).input_shape(entry, model)
    try:
        x = np.asarray(x)
    except Exception as err:  # ragged lists and other non-arrays
        raise ZooError(f"inputs must be an array of shape (n, {', '.join(map(str, expected))}): {err}") from None
    if x.dtype.kind not in "fiub":
        raise ZooError(f"inputs must be numbers, not {x.dtype}")
    if x.ndim != len(expected) + 1 or tuple(x.shape[1:]) != expected or x.shape[0] == 0:
        want = ", ".join(map(str, ("n",) + expected))
        raise ZooError(f"inputs must have shape ({want}) with n >= 1, not {x.shape}")
    x = x.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ZooError("inputs contain NaN or infinity")
    return x


def predict(name: str, x, model=None):
    """The outputs of entry `name` (pretrained unless `model` is given) for inputs x, checked first."""
    entry = get(name)
    model = _keras_model(name, model)
    x = check_inputs(entry, model, x)
    return model.predict(x, verbose=0, batch_size=1024)


def evaluate(name: str, model=None, **options) -> dict:
    """Metrics of entry `name` for `model` (a Keras model, an artifact folder, or None for the pretrained one)."""
    entry = get(name)
    model = _keras_model(name, model)
    return get_family(entry.family).evaluate(entry, model, **options)


def sample(name: str, n: int = 64, seed: int = 0, model=None):
    """n samples (a NumPy array) from a generative entry."""
    entry = get(name)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ZooError(f"n must be a positive integer, not {n!r}")
    family = get_family(entry.family)
    model = _keras_model(name, model)
    return family.sample(entry, model, n, seed)


def plot(name: str, kind: str | None = None, out: str | Path | None = None, model: str | Path | None = None) -> Path:
    """Draw picture `kind` of an entry's artifact to `out` (PNG); returns the path written."""
    entry = get(name)
    family = get_family(entry.family)
    kind = kind or next(iter(family.plot_kinds), None)
    if kind not in family.plot_kinds:
        family.plot(entry, None, None, kind, None)  # raises the clear error listing the kinds
    folder = resolve_folder(name, model)
    keras_model = artifacts.load_keras(folder)
    out = Path(out) if out is not None else Path(f"{name}-{kind}.png")
    family.plot(entry, keras_model, artifacts.load_history(folder), kind, out)
    return out
