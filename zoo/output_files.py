"""Files zoo writes where the user says (exports, plots, samples): checked before any work, written atomically.

`check_new_file` refuses, before a long conversion or drawing starts, what would fail or clobber at the end:
another suffix, a folder, an existing file without `replace`, a missing or read-only folder.
`write_atomically` writes through a temporary file beside the target and renames it into place, so an error
or Ctrl-C leaves nothing half-written, and a file that appeared meanwhile is replaced only when asked.
Artifact folders have their own rules (zoo.artifacts.write); these are for single files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from zoo.errors import ZooError


def check_new_file(path, suffixes: Iterable[str], replace: bool = False) -> Path:
    """`path` as a Path if a file ending in one of `suffixes` can be written there; else a ZooError."""
    path, suffixes = Path(path), tuple(suffixes)
    if path.suffix.lower() not in suffixes:
        raise ZooError(f"{path}: the file must end in {' or '.join(suffixes)}", option="out")
    if path.is_dir():
        raise ZooError(f"{path} is a folder; give a file name ending in {' or '.join(suffixes)}", option="out")
    if path.exists() and not replace:
        raise ZooError(f"{path} exists; {{option}} replaces it", option="force", value=True)
    folder = path.parent
    if not folder.is_dir():
        raise ZooError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ZooError(f"cannot write {path}: the folder {folder} is not writable")
    return path


def write_atomically(path, write: Callable[[Path], None], replace: bool = False) -> Path:
    """write(tmp), then rename tmp to `path`; nothing is left behind if either fails or is interrupted."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp{path.suffix}")  # the suffix: writers go by it
    try:
        write(tmp)
        if path.exists() and not replace:  # appeared while we were writing
            raise ZooError(f"{path} exists; {{option}} replaces it", option="force", value=True)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise ZooError(f"cannot write {path}: {err.strerror or err}") from None
    except BaseException:  # ZooError, an error inside `write`, Ctrl-C
        tmp.unlink(missing_ok=True)
        raise
    return path
