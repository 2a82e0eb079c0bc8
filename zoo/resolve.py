"""Which model a verb works on: an entry's shipped artifact, an artifact folder, or a Keras model in hand.

Every one is checked to be the entry's own before anything runs (a folder's card must name the
entry; a model zoo loaded carries the entry it came from), and inputs are checked against it.
Folders are verified and loaded once per process and card, so verbs called in a loop stay fast.
"""

from __future__ import annotations

import os
from pathlib import Path

from zoo import artifacts, catalogue
from zoo.errors import ZooError
from zoo.registry import Entry
from zoo.tf_quiet import tensorflow


def path(name: str) -> Path:
    """The folder of entry `name`'s shipped artifact (model.keras, card.json, pictures; saved_model/ in a checkout)."""
    return shipped_folder(name)


def names_a_folder(name_or_path: str | Path) -> bool:
    """Whether a name given for an entry or an artifact folder means the folder: a Path, or a string that looks
    like a path (it holds a path separator, or starts with "." as ./run and ../run do). "vae" is the entry."""
    if isinstance(name_or_path, Path):
        return True
    separators = {os.sep, os.altsep or os.sep, "/"}
    return name_or_path.startswith(".") or any(s in name_or_path for s in separators)


def load_path(path: str | Path):
    """The verified model of the artifact folder `path`; when there is none, the error names the shipped entry
    the same name alone would have meant, if there is one."""
    try:
        if not Path(path).is_dir():
            raise ZooError(f"{path}: no such artifact folder")
        return load_folder(Path(path))
    except ZooError as err:
        named = Path(path).name in catalogue.list_models()
        hint = f" (for the shipped entry, give its name alone: {Path(path).name})" if named else ""
        raise ZooError(err.template + hint, option=err.option, value=err.value) from None


def shipped_folder(name: str, then: str = "", option: str | None = None) -> Path:
    """path(name); without a shipped artifact, the error says to train one, and `then` what to do with it (which
    may name the verb's `option`). A folder of that name in the working directory is mentioned, never taken."""
    try:
        entry = catalogue.get(name)
    except ZooError as err:
        if isinstance(name, str) and Path(name).is_dir():
            here = f" (a folder {name} is here: to use it, write ./{name})"
            raise ZooError(err.template + here, option=err.option, value=err.value) from None
        raise
    folder = artifacts.pretrained_dir(entry.name)
    if not artifacts.ships(entry.name):
        raise ZooError(
            f"no shipped artifact for {entry.name!r}: train one (`zoo train {entry.name}` or zoo.train){then}",
            option=option,
        )
    return folder


def load_folder(folder: Path):
    tensorflow()
    model, card = artifacts.load_keras_and_card(folder)
    model._zoo_entry = card["entry"]  # which entry it is: checked when handed to a verb
    return model


def folder_for(entry: Entry, model: str | Path | None) -> Path:
    """The artifact folder a verb works on: `model` if given, else the shipped one; it must be this entry's."""
    if model is None:
        return shipped_folder(entry.name, then=" and give its folder as {option}", option="model")
    folder = Path(model)
    if not folder.exists():
        raise ZooError(f"{folder}: no such model folder", option="model")
    if not folder.is_dir():
        raise ZooError(f"{folder}: a model is a folder holding {artifacts.CARD}, not a file", option="model")
    holds = artifacts.read_card(folder)["entry"]
    if holds != entry.name:
        raise ZooError(f"{folder} holds an artifact of {holds!r}, not of {entry.name!r}", option="model")
    return folder


def trained_on(entry: Entry, model, names_data: bool = True) -> str | None:
    """The data source artifact folder `model` was trained on, where its card names another than the entry's own
    (`data=` at training): what its metrics and pictures are measured on unless the caller names a source. None
    for the shipped artifact, a Keras model in hand, and entries with data of their own. `names_data`: whether the
    caller takes `data=` (evaluate does, plot does not), for the way out a missing source's message gives."""
    if not entry.takes_data or not isinstance(model, (str, Path)):
        return None
    folder = folder_for(entry, model)
    card = artifacts.read_card(folder)
    record = card.get("data") or {}
    from_files = record.get("kind") in ("idx", "npz")
    source = record.get("source") if from_files else card.get("dataset")
    if not isinstance(source, str) or source == entry.dataset:
        return None
    if from_files and not Path(source).exists():
        other = "; {option} names where it is now, or another source" if names_data else "; put it back to draw on it"
        raise ZooError(f"{folder} was trained on {source}, which is not there now{other}", option="data")
    return source


def model_for(entry: Entry, model):
    """A Keras model of `entry`: `model` itself, or the verified model of a folder (None: the shipped one)."""
    if model is None or isinstance(model, (str, Path)):
        return cached_load(folder_for(entry, model).resolve())
    tensorflow()
    import keras

    if not isinstance(model, keras.Model):
        raise ZooError(f"model must be a Keras model or an artifact folder, not {type(model).__name__}", option="model")
    holds = getattr(model, "_zoo_entry", None)
    if holds is not None and holds != entry.name:
        raise ZooError(f"that model is {holds!r}, not {entry.name!r}", option="model")
    return model


_CACHE: dict = {}


def cached_load(folder: Path):
    """Verified once per process and per card: predict and evaluate in a loop do not re-read the files."""
    stamp = (folder / artifacts.CARD).stat()
    key = (folder, stamp.st_mtime_ns, stamp.st_size)
    if key not in _CACHE:
        _CACHE.clear()  # one model at a time: the cache is for loops, not for memory
        _CACHE[key] = load_folder(folder)
    return _CACHE[key]


def check_inputs(entry: Entry, model, x):
    """x as float32 if it fits the model's input (batch first, values in the family's range), else a ZooError."""
    import numpy as np

    expected = entry.family.input_shape(entry, model)
    want = ", ".join(map(str, ("n",) + expected))
    try:
        x = np.asarray(x)
    except Exception as err:  # ragged lists and other non-arrays
        raise ZooError(f"inputs must be an array of shape ({want}): {err}") from None
    if x.dtype.kind not in "fiub":
        raise ZooError(f"inputs must be numbers, not {x.dtype}")
    if x.ndim != len(expected) + 1 or tuple(x.shape[1:]) != expected or x.shape[0] == 0:
        raise ZooError(f"inputs must have shape ({want}) with n >= 1, not {x.shape}")
    x = x.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ZooError("inputs contain NaN or infinity")
    low, high = entry.family.input_range or (-np.inf, np.inf)
    if x.min() < low or x.max() > high:
        raise ZooError(
            f"inputs must lie in [{low}, {high}] as in training, not [{x.min():g}, {x.max():g}] "
            "(uint8 images: divide by 255)"
        )
    return x
