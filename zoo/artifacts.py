"""Artifacts on disk: pretrained/<name>/ with model.keras, saved_model/, history.npz, pictures and card.json.

Every write goes to a temporary sibling folder that is renamed into place only when complete, so an
interrupted or failed export never leaves a half-written entry. A write never deletes or replaces what
zoo did not write: the destination must be missing, an empty folder, or a zoo artifact whose card lists
every file in it (and then only with replace=True).

The card records the sha256 of every file: `files` (what the wheel ships: model.keras, history.npz,
the pictures) and `exports` (the REPOSITORY_ONLY folders: saved_model/, committed in the repository
but left out of the wheel), and `card_sha256`, the sha256 of the card's own canonical JSON, so an
edited metric is noticed. Every load checks the card and the sha256 of each file it lists before
Keras or TensorFlow reads a byte of it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

from zoo.errors import ZooError
from zoo.integrity import (  # noqa: F401  (the layout and the checks are part of this module's interface)
    _COMPUTED,
    CARD,
    HISTORY,
    KERAS_FILE,
    REPOSITORY_ONLY,
    SAVED_MODEL,
    _check_card,
    _is_repository_only,
    _NotACard,
    _parse_card,
    _walk,
    card_digest,
    has_saved_model,
    read_card,
    sha256,
    verify,
)


def pretrained_root() -> Path:
    """Where the shipped artifacts live: inside the installed package, or beside it in a source checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "pretrained", package.parent / "pretrained"):
        if candidate.is_dir():
            return candidate
    return package.parent / "pretrained"


def pretrained_dir(name: str) -> Path:
    return pretrained_root() / name


def ships(name: str) -> bool:
    """Whether entry `name` (its canonical name) ships an artifact: the one test of it, everywhere."""
    return (pretrained_dir(name) / CARD).exists()


def shipped_card(name: str) -> dict | None:
    """The verified card of entry `name`'s shipped artifact (its canonical name), None when it ships none."""
    return read_card(pretrained_dir(name)) if ships(name) else None


# ------------------------------------------------------------------------------------------- writing


def _unlisted(folder: Path, card: dict) -> list[str]:
    """What in `folder` its card does not list: zoo did not write it, so zoo must not delete it."""
    listed = {CARD, *card["files"], *card["exports"]}
    present, others = _walk(folder)
    return others + [p for p in present if p not in listed]


def _resolved(folder) -> Path:
    """`folder` resolved, if it may be an artifact folder at all: never the filesystem's root nor the current
    directory (or one holding it)."""
    shown = str(folder)
    try:
        path = Path(folder).expanduser().resolve()
    except (OSError, RuntimeError) as err:
        raise ZooError(f"cannot use {shown} as an artifact folder: {getattr(err, 'strerror', None) or err}") from None
    if path.parent == path:
        raise ZooError(
            f"{shown} is the root of the filesystem; an artifact needs a folder of its own, inside another folder"
        )
    try:
        cwd = Path.cwd().resolve()
    except OSError:
        cwd = None
    if cwd is not None and (path == cwd or path in cwd.parents):
        raise ZooError(
            f"{shown} is the current directory or holds it; name a new folder inside it instead; nothing was changed"
        )
    return path


def _inspect(folder, replace: bool) -> tuple[Path, list[str] | None]:
    """(resolved path, what zoo may remove there: None when nothing is there) or a ZooError."""
    shown = str(folder)
    path = _resolved(folder)
    if not os.path.lexists(path):
        return path, None
    if path.is_symlink() or not path.is_dir():
        raise ZooError(f"{shown} is a file, not a folder; nothing was changed (choose another folder)")
    try:
        empty = not any(os.scandir(path))
    except OSError as err:
        raise ZooError(f"cannot read {shown}: {err.strerror or err}") from None
    if empty:
        return path, []
    try:
        card = _parse_card(path)
    except _NotACard as err:
        raise ZooError(
            f"{shown} is not empty and zoo did not write it ({err}); nothing was changed "
            "(choose another folder, or empty it yourself)"
        ) from None
    unlisted = _unlisted(path, card)
    if unlisted:
        raise ZooError(
            f"{shown} holds a zoo artifact plus files its card does not list ({', '.join(unlisted[:3])}); "
            "nothing was changed (zoo only replaces what it wrote: move them away first)"
        )
    if not replace:
        raise ZooError(
            f"{shown} already holds a zoo artifact of {card['entry']!r}; {{option}} replaces it",
            option="force",
            value=True,
        )
    return path, [CARD, *card["files"], *card["exports"]]


def check_destination(folder: Path, replace: bool) -> Path:
    """The resolved path `write(folder, ..., replace=replace)` would write, or the ZooError it would raise.

    Call it before a long job to fail early. Refused: the filesystem root, the current directory, a
    file, a non-empty folder that is not a zoo artifact, a zoo artifact holding files its card does not
    list, and any zoo artifact unless replace is True. A missing or empty folder is fine.
    """
    return _inspect(folder, replace)[0]


def _complete_card(folder: Path, card: dict) -> dict:
    """`card` with the sha256 of every file in `folder` (files / exports) and its own card_sha256."""
    present, others = _walk(folder)
    if others:
        raise ZooError(f"{folder}: an artifact holds regular files only, not {', '.join(others[:3])}")
    present = [p for p in present if p != CARD]
    card = {k: v for k, v in card.items() if k not in _COMPUTED}
    card["files"] = {p: sha256(folder / p) for p in present if not _is_repository_only(p)}
    card["exports"] = {p: sha256(folder / p) for p in present if _is_repository_only(p)}
    card["card_sha256"] = card_digest(card)
    return _check_card(card)


def _write_card(folder: Path, card: dict) -> None:
    (folder / CARD).write_text(json.dumps(card, indent=2, sort_keys=False) + "\n")


def write(folder: Path, fill, card: dict, *, replace: bool = False) -> Path:
    """Create `folder` atomically: fill(tmp_folder) writes the files, then the card gets their sha256s.

    The card must hold 'entry' (a str); 'metrics' defaults to {}; 'files', 'exports' and 'card_sha256'
    are computed here. The destination follows check_destination's rules (an existing zoo artifact is
    replaced only when replace=True, and then only the files its card lists are removed). Returns the
    resolved path.
    """
    if not isinstance(card, dict) or not isinstance(card.get("entry"), str):
        raise TypeError("artifacts.write: card must be a dict with an 'entry' string")
    card = {**card}
    card.setdefault("metrics", {})
    path, _ = _inspect(folder, replace)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent))
        tmp.chmod(0o755)  # mkdtemp makes it private; an artifact is meant to be shared
    except OSError as err:
        raise ZooError(f"cannot write to {path.parent}: {err.strerror or err}") from None
    try:
        fill(tmp)
        _write_card(tmp, _complete_card(tmp, card))
        _, removable = _inspect(folder, replace)  # again: the destination may have changed during fill
        _swap_into_place(tmp, path, removable)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ZooError(f"cannot write {path}: {err.strerror or err}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _swap_into_place(tmp: Path, folder: Path, removable: list[str] | None) -> None:
    """Rename tmp to folder. An existing artifact moves aside first; then only its `removable` files are deleted."""
    if not removable:  # nothing there, or an empty folder (rename replaces an empty directory)
        os.replace(tmp, folder)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent))
    os.replace(folder, old)  # onto the empty folder mkdtemp made: a unique name, never someone else's
    try:
        os.replace(tmp, folder)
    except BaseException:
        os.replace(old, folder)
        raise
    _remove_listed(old, removable)


def _remove_listed(old: Path, removable: list[str]) -> None:
    """Delete the listed files under `old`, then the folders they leave empty; anything else stays."""
    for relative in removable:
        path = old / relative
        if path.is_file() and not path.is_symlink():
            path.unlink()
    for root, _, _ in sorted(os.walk(old), key=lambda item: -len(Path(item[0]).parts)):
        try:
            os.rmdir(root)
        except OSError:
            pass
    if os.path.lexists(old):
        warnings.warn(f"{old}: kept, it holds files the replaced card did not list", stacklevel=3)


# ------------------------------------------------------------------------------------ loading, saving


def load_keras(folder: Path):
    """The verified Keras model of an artifact folder, loaded with safe mode on."""
    return load_keras_and_card(folder)[0]


def load_keras_and_card(folder: Path) -> tuple:
    """(the verified Keras model, its card): the card is read once, by the verification."""
    import keras

    import zoo.keras_objects  # noqa: F401  (registers zoo's serialisable classes)

    card = verify(folder)
    try:
        return keras.saving.load_model(Path(folder) / KERAS_FILE, safe_mode=True, compile=False), card
    except Exception as err:  # Keras raises several types for a refused or broken file
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ZooError(f"{Path(folder) / KERAS_FILE}: Keras refused to load it: {first}") from None


def save_history(path: Path, arrays: dict) -> None:
    """Write a training history (History.to_arrays()) compressed: artifacts/HISTORY inside the artifact folder."""
    import numpy as np

    with open(path, "wb") as handle:  # a handle: savez would append .npz to a name without it
        np.savez_compressed(handle, **arrays)


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
