"""What makes an artifact folder trustworthy: a well-formed card whose own sha256 and every file's sha256 hold.

The card records `files` (what the wheel ships: model.keras, history.npz, the pictures), `exports`
(the REPOSITORY_ONLY folders: saved_model/, committed in the repository but left out of the wheel)
and `card_sha256`, the sha256 of the card's own canonical JSON, so an edited metric is noticed.
`verify` checks all of it before Keras or TensorFlow reads a byte; zoo.artifacts writes folders
that pass it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path, PurePosixPath

from zoo.errors import ZooError

CARD = "card.json"
KERAS_FILE = "model.keras"
SAVED_MODEL = "saved_model"
HISTORY = "history.npz"

# Top-level names inside an artifact that stay in the repository and are not shipped in the wheel.
# write() records the files under them as the card's `exports`; everything else goes in `files`.
# pyproject.toml's exclude-package-data must say the same (tests/test_install.py checks the wheel).
REPOSITORY_ONLY = (SAVED_MODEL,)

_COMPUTED = ("files", "exports", "card_sha256")  # card fields write() computes itself
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_CARD_BYTES = 1 << 20


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def card_digest(card: dict) -> str:
    """The sha256 of a card's canonical JSON, leaving out its own card_sha256 field."""
    body = {k: v for k, v in card.items() if k != "card_sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _walk(folder: Path) -> tuple[list[str], list[str]]:
    """(regular files, anything else: symlinks, devices...) under folder, as relative posix paths.

    Directories are entered, never symlinks to them, so nothing outside `folder` is ever reached.
    """
    files, others = [], []

    def visit(path: Path, prefix: str) -> None:
        with os.scandir(path) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    visit(Path(entry.path), relative + "/")
                elif entry.is_file(follow_symlinks=False):
                    files.append(relative)
                else:
                    others.append(relative)

    visit(folder, "")
    return files, others


def _is_repository_only(relative: str) -> bool:
    return relative.split("/", 1)[0] in REPOSITORY_ONLY


# ---------------------------------------------------------------------------------------------- cards


class _NotACard(Exception):
    """Why a card.json is not a well-formed zoo model card (read_card words it as a ZooError)."""


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise _NotACard(f"not a zoo model card: the key {key!r} appears twice")
        seen[key] = value
    return seen


def _check_paths(card: dict, field: str, repository_only: bool) -> None:
    listed = card.get(field)
    if not isinstance(listed, dict):
        raise _NotACard(
            f"not a zoo model card: {field!r} must be an object of relative path -> sha256, "
            f"not {type(listed).__name__ if listed is not None else 'missing'}"
        )
    for relative, digest in listed.items():
        parts = PurePosixPath(relative).parts
        if (
            not relative
            or "\\" in relative
            or "\0" in relative
            or relative.startswith("/")
            or any(p in ("", ".", "..") for p in relative.split("/"))
            or "/".join(parts) != relative
        ):
            raise _NotACard(
                f"not a zoo model card: {field} lists {relative!r}, which is not a plain path inside the folder"
            )
        if relative == CARD:
            raise _NotACard(f"not a zoo model card: {field} lists {CARD} itself")
        if _is_repository_only(relative) != repository_only:
            where = "exports" if not repository_only else "files"
            raise _NotACard(f"not a zoo model card: {field} lists {relative!r}, which belongs in {where}")
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise _NotACard(f"not a zoo model card: {field}[{relative!r}] is not a sha256 (64 lowercase hex digits)")


def _check_card(card) -> dict:
    """The card, if it has the shape zoo writes and its card_sha256 matches; otherwise _NotACard."""
    if not isinstance(card, dict):
        raise _NotACard(f"not a zoo model card: a JSON object is expected, not {type(card).__name__}")
    if "card_sha256" not in card:
        raise _NotACard("not a zoo model card: it has no card_sha256 (written by an older zoo, or edited)")
    if card["card_sha256"] != card_digest(card):
        raise _NotACard(f"{CARD} was edited after it was written (its card_sha256 does not match)")
    if not isinstance(card.get("entry"), str):
        raise _NotACard("not a zoo model card: 'entry' must be a string")
    if not isinstance(card.get("metrics"), dict):
        raise _NotACard("not a zoo model card: 'metrics' must be an object")
    _check_paths(card, "files", repository_only=False)
    _check_paths(card, "exports", repository_only=True)
    return card


def _parse_card(folder: Path) -> dict:
    path = folder / CARD
    try:
        with open(path, "rb") as handle:
            blob = handle.read(_MAX_CARD_BYTES + 1)
    except FileNotFoundError:
        raise _NotACard(f"no {CARD} here, so it is not a zoo artifact") from None
    except IsADirectoryError:
        raise _NotACard(f"{CARD} is a folder, so it is not a zoo artifact") from None
    except OSError as err:
        raise _NotACard(f"unreadable {CARD} ({err.strerror or err})") from None
    if len(blob) > _MAX_CARD_BYTES:
        raise _NotACard(f"not a zoo model card: {CARD} is larger than {_MAX_CARD_BYTES} bytes")
    try:
        card = json.loads(blob.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise _NotACard(f"unreadable model card, not JSON ({first})") from None
    return _check_card(card)


def read_card(folder: Path) -> dict:
    """The card of `folder`, once it is known to be well-formed and unedited (its files are not checked: see verify)."""
    folder = Path(folder)
    try:
        return _parse_card(folder)
    except _NotACard as err:
        raise ZooError(f"{folder}: {err}") from None


# ------------------------------------------------------------------------------------------ verifying


def verify(folder: Path) -> dict:
    """The card of `folder`, after checking the card itself and every file it lists.

    `files` must all be present and unchanged. The `exports` (saved_model/) are checked whenever their
    folder exists: then every one must be present and unchanged. A missing saved_model/ as a whole is
    fine (the installed wheel does not ship it). Any file the card does not list is refused.
    """
    folder = Path(folder)
    card = read_card(folder)
    files, exports = card["files"], card["exports"]
    present, others = _walk(folder)
    extra = [p for p in present if p != CARD and p not in (exports if _is_repository_only(p) else files)]
    if others or extra:
        raise ZooError(f"{folder}: files not on the card: {', '.join((others + extra)[:3])}; the artifact was altered")
    checked = dict(files)
    for top in REPOSITORY_ONLY:
        if os.path.lexists(folder / top):  # a symlink or file of that name was refused above
            checked.update((p, d) for p, d in exports.items() if p.split("/", 1)[0] == top)
    on_disk = set(present)
    for relative, expected in checked.items():
        path = folder / relative
        if relative not in on_disk:
            raise ZooError(f"{path}: missing; the artifact is incomplete (retrain it or restore it from git)")
        if sha256(path) != expected:
            raise ZooError(
                f"{path}: sha256 does not match its card (the file was changed or truncated); "
                "retrain it or restore it from git"
            )
    return card


def has_saved_model(folder: Path) -> bool:
    """Whether `folder` holds its SavedModel (a source checkout does; an installed wheel does not). Not a
    verification."""
    path = Path(folder) / SAVED_MODEL
    return path.is_dir() and not path.is_symlink() and (path / "saved_model.pb").is_file()
