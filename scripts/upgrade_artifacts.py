"""Upgrade artifacts written by an older zoo to the current card format, in place, without retraining.

The old format: one `files` list of every file's sha256 (saved_model/ included), no card_sha256, and
history.npz stored uncompressed. The new one: `files` (what the wheel ships), `exports` (saved_model/,
repository only), `card_sha256` (the card's own checksum), history.npz compressed.

Each folder is verified first by the old rules (every listed file present and unchanged, nothing
unlisted); only the files its card lists are rewritten or removed. model.keras, saved_model/ and the
pictures are copied byte for byte; history.npz is recompressed (the same arrays); every other card
field is kept exactly. The result is checked: it verifies by the new rules, the weights and exports
are byte-identical, and the history holds the same arrays. A folder already in the new format is
verified and left alone.

Usage: python scripts/upgrade_artifacts.py [NAME_OR_FOLDER ...]   (default: every folder in pretrained/)
"""

import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from zoo import artifacts
from zoo.errors import ZooError

SHA256 = re.compile(r"[0-9a-f]{64}")


def legacy_verify(folder: Path) -> dict:
    """The old card of `folder`, checked by the old rules; a ZooError otherwise."""
    try:
        card = json.loads((folder / artifacts.CARD).read_text())
    except (OSError, ValueError) as err:
        raise ZooError(f"{folder}: unreadable card ({err})") from None
    listed = card.get("files") if isinstance(card, dict) else None
    if not isinstance(listed, dict) or not isinstance(card.get("entry"), str):
        raise ZooError(f"{folder}: not an old-format zoo card")
    for relative, digest in listed.items():
        parts = relative.split("/")
        if relative.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in relative:
            raise ZooError(f"{folder}: the card lists {relative!r}, not a plain path inside the folder")
        if not isinstance(digest, str) or not SHA256.fullmatch(digest):
            raise ZooError(f"{folder}: the card's sha256 of {relative!r} is malformed")
    present, others = artifacts._walk(folder)
    extra = others + [p for p in present if p != artifacts.CARD and p not in listed]
    if extra:
        raise ZooError(f"{folder}: files not on the card: {', '.join(extra[:3])}; left alone")
    for relative, digest in listed.items():
        if relative not in present or artifacts.sha256(folder / relative) != digest:
            raise ZooError(f"{folder}: {relative} is missing or changed; left alone")
    return card


def same_arrays(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and a[k].tobytes() == b[k].tobytes() for k in a
    )


def upgrade(folder: Path) -> str:
    card = json.loads((folder / artifacts.CARD).read_text())
    if isinstance(card, dict) and "card_sha256" in card:
        artifacts.verify(folder)
        return "already in the new format; verified"
    card = legacy_verify(folder)
    listed = card["files"]
    kept = {k: v for k, v in card.items() if k != "files"}
    if any(k in kept for k in ("exports", "card_sha256")):
        raise ZooError(f"{folder}: an old card with new-format fields; left alone")
    before = {}
    if (folder / artifacts.HISTORY).exists():
        with np.load(folder / artifacts.HISTORY) as old:
            before = {k: old[k] for k in old.files}

    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    try:
        tmp.chmod(0o755)
        for relative in listed:
            target = tmp / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if relative == artifacts.HISTORY:
                artifacts.save_history(target, before)
            else:
                shutil.copy2(folder / relative, target)
        new = artifacts._complete_card(tmp, kept)
        artifacts._write_card(tmp, new)
        artifacts._swap_into_place(tmp, folder, [artifacts.CARD, *listed])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

    # the checks: new rules, same weights and exports, same history, same other card fields
    card_now = artifacts.verify(folder)
    for relative, digest in listed.items():
        if relative != artifacts.HISTORY:
            assert artifacts.sha256(folder / relative) == digest, relative
    assert {**card_now["files"], **card_now["exports"]}.keys() == listed.keys()
    assert {k: v for k, v in card_now.items() if k not in ("files", "exports", "card_sha256")} == kept
    if before:
        with np.load(folder / artifacts.HISTORY) as now:
            assert same_arrays(before, {k: now[k] for k in now.files}), "history changed"
    size = (folder / artifacts.HISTORY).stat().st_size if before else 0
    return f"upgraded (history.npz now {size:,} bytes); weights and exports byte-identical"


def main(args):
    root = artifacts.pretrained_root()
    folders = [Path(a) if ("/" in a or Path(a).is_dir()) else root / a for a in args] or sorted(
        p for p in root.iterdir() if (p / artifacts.CARD).is_file()
    )
    failed = 0
    for folder in folders:
        try:
            print(f"{folder}: {upgrade(folder)}")
        except ZooError as err:
            failed += 1
            print(f"{folder}: NOT upgraded: {err}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
