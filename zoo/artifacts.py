"""Artifacts on disk: pretrained/<name>/ with model.keras, saved_model/, history.npz, pictures and card.json.

Every write goes to a temporary sibling folder that is renamed into place only when complete, so an
interrupted or failed export never leaves a half-written entry. Every load checks the sha256 of each
file the card lists before Keras or TensorFlow reads a byte of it.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from zoo.errors import ZooError

CARD = "card.json"
KERAS_FILE = "model.keras"
SAVED_MODEL = "saved_model"
HISTORY = "history.npz"


def pretrained_root() -> Path:
    """Where the shipped artifacts live: inside the installed package, or beside it in a source checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "pretrained", package.parent / "pretrained"):
        if candidate.is_dir():
            return candidate
    return package.parent / "pretrained"


def pretrained_dir(name: str) -> Path:
    return pretrained_root() / name


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != CARD)


def write(folder: Path, fill, card: dict) -> Path:
    """Create `folder` atomically: fill(tmp_folder) writes the files, then the card gets their sha256s."""
    folder = Path(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
        tmp.chmod(0o755)  # mkdtemp makes it private; an artifact is meant to be shared
    except OSError as err:
        raise ZooError(f"cannot write to {folder.parent}: {err.strerror}") from None
    try:
        fill(tmp)
        card = {**card, "files": {p.relative_to(tmp).as_posix(): sha256(p) for p in _files(tmp)}}
        (tmp / CARD).write_text(json.dumps(card, indent=2, sort_keys=False) + "\n")
        _swap_into_place(tmp, folder)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ZooError(f"cannot write {folder}: {err.strerror or err}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _swap_into_place(tmp: Path, folder: Path) -> None:
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, folder)


def read_card(folder: Path) -> dict:
    path = Path(folder) / CARD
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ZooError(f"{folder}: no {CARD} here, so it is not a zoo artifact") from None
    except (OSError, ValueError) as err:
        raise ZooError(f"{path}: unreadable model card ({err})") from None


def verify(folder: Path) -> dict:
    """The card of `folder`, after checking every file it lists is present and unchanged."""
    folder = Path(folder)
    card = read_card(folder)
    listed = card.get("files", {})
    for relative, expected in listed.items():
        path = folder / relative
        if not path.is_file():
            raise ZooError(f"{path}: missing; the artifact is incomplete (retrain it or restore it from git)")
        if sha256(path) != expected:
            raise ZooError(f"{path}: sha256 does not match its card (the file was changed or truncated); retrain it or restore it from git")
    extra = [p.relative_to(folder).as_posix() for p in _files(folder) if p.relative_to(folder).as_posix() not in listed]
    if extra:
        raise ZooError(f"{folder}: files not on the card: {', '.join(extra[:3])}; the artifact was altered")
    return card


def load_keras(folder: Path):
    """The verified Keras model of an artifact folder, loaded with safe mode on."""
    import keras

    import zoo.keras_objects  # noqa: F401  (registers zoo's serialisable classes)

    verify(folder)
    try:
        return keras.saving.load_model(Path(folder) / KERAS_FILE, safe_mode=True, compile=False)
    except Exception as err:  # Keras raises several types for a refused or broken file
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ZooError(f"{Path(folder) / KERAS_FILE}: Keras refused to load it: {first}") from None


def load_history(folder: Path):
    import numpy as np

    from zoo.training import History

    path = Path(folder) / HISTORY
    if not path.exists():
        return History()
    with np.load(path) as arrays:
        return History.from_arrays({k: arrays[k] for k in arrays.files})


def save_saved_model(model, endpoints: dict, path: Path) -> None:
    """Export a SavedModel with named endpoints; `serve` is the default signature."""
    import keras

    archive = keras.export.ExportArchive()
    # no archive.track(model): add_endpoint tracks the variables its functions use, and tracking the
    # model as well stored every weight twice (the SavedModel came out at twice the weights' size)
    for name, (fn, signature) in endpoints.items():
        archive.add_endpoint(name=name, fn=fn, input_signature=signature)
    archive.write_out(str(path), verbose=False)
