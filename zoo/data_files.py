"""A user's own data on disk: a folder of MNIST-format IDX files, or an .npz with x_train, y_train, x_test, y_test.

Both readers check what they read and say in one line what was expected: a wrong IDX magic number,
a truncated or empty file, image and label counts that differ, labels outside the classes, or
images that are not 28 x 28 grey levels. Images of another size are refused, never resized: a
resized digit is a different data set, and the card would not say so.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np

from zoo.errors import ZooError

IDX_FILES = {  # (split, kind) -> the file name MNIST, Fashion-MNIST, KMNIST ... are distributed under
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}
IDX_MAGIC = {"images": (0x00000803, 3), "labels": (0x00000801, 1)}  # unsigned bytes, 3-D images, 1-D labels
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
SIDE, CLASSES = 28, 10


def idx_paths(folder: Path) -> dict:
    """(split, kind) -> the file in `folder` (plain or .gz); a missing one is a ZooError naming it."""
    found = {}
    for key, name in IDX_FILES.items():
        candidates = [folder / name, folder / f"{name}.gz"]
        path = next((c for c in candidates if c.is_file()), None)
        if path is None:
            raise ZooError(
                f"{folder}: no {name}[.gz]; an IDX data folder holds the four files "
                f"{', '.join(IDX_FILES.values())} (each optionally .gz)",
                option="data",
            )
        found[key] = path
    return found


def read_idx(path: Path, kind: str) -> np.ndarray:
    """One IDX file (MNIST's format: a big-endian magic number, the dimensions, then unsigned bytes)."""
    try:
        blob = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise ZooError(f"{path}: cannot read it ({err})", option="data") from None
    magic, dims = IDX_MAGIC[kind]
    if len(blob) < 4 + 4 * dims:
        raise ZooError(f"{path}: {len(blob)} bytes, too short for an IDX header (empty or truncated)", option="data")
    found = int.from_bytes(blob[:4], "big")
    if found != magic:
        raise ZooError(
            f"{path}: IDX magic number {found:#010x}, expected {magic:#010x} (unsigned-byte {kind})", option="data"
        )
    shape = tuple(int.from_bytes(blob[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    body = blob[4 + 4 * dims :]
    if len(body) != int(np.prod(shape)):
        raise ZooError(
            f"{path}: the header promises {shape} = {int(np.prod(shape))} bytes but {len(body)} follow "
            "(truncated or padded)",
            option="data",
        )
    return np.frombuffer(body, np.uint8).reshape(shape)


def read_idx_folder(folder: Path):
    paths = idx_paths(folder)
    arrays = {key: read_idx(path, key[1]) for key, path in paths.items()}
    return (
        arrays["train", "images"],
        arrays["train", "labels"],
        arrays["test", "images"],
        arrays["test", "labels"],
    ), sorted(paths.values())


def read_npz(path: Path):
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [k for k in NPZ_KEYS if k not in archive.files]
            if missing:
                raise ZooError(
                    f"{path}: no {', '.join(missing)}; an .npz data file holds {', '.join(NPZ_KEYS)}", option="data"
                )
            return tuple(archive[k] for k in NPZ_KEYS), [path]
    except ZooError:
        raise
    except Exception as err:  # zip, pickle and format errors: the file is not what it should be
        raise ZooError(
            f"{path}: not a readable .npz ({str(err).splitlines()[0] if str(err) else type(err).__name__})",
            option="data",
        ) from None


def checked(arrays, where: str):
    """(x_train, y_train, x_test, y_test) as uint8 images (n, 28, 28) and int64 labels, or a ZooError."""
    out = []
    for split, (x, y) in (("train", arrays[:2]), ("test", arrays[2:])):
        x, y = np.asarray(x), np.asarray(y)
        if x.ndim == 4 and x.shape[-1] == 1:
            x = x[..., 0]  # (n, 28, 28, 1): one grey channel, as TFDS gives it
        if x.ndim != 3 or x.shape[1:] != (SIDE, SIDE):
            raise ZooError(
                f"{where}: {split} images have shape {x.shape[1:]}, expected {SIDE} x {SIDE} grey levels "
                "(colour or other sizes are refused, not resized)",
                option="data",
            )
        if len(x) == 0:
            raise ZooError(f"{where}: no {split} images", option="data")
        if y.ndim != 1 or len(y) != len(x):
            raise ZooError(f"{where}: {len(x)} {split} images but labels of shape {y.shape}", option="data")
        if x.dtype != np.uint8:
            if x.dtype.kind not in "iuf" or x.min() < 0 or x.max() > 255:
                raise ZooError(
                    f"{where}: {split} images must be grey levels 0..255, not {x.dtype} in [{x.min()}, {x.max()}]",
                    option="data",
                )
            x = np.round(x).astype(np.uint8)
        if y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= CLASSES:
            raise ZooError(
                f"{where}: {split} labels must be integers 0..{CLASSES - 1}, found {y.dtype} in [{y.min()}, {y.max()}]",
                option="data",
            )
        out += [x, y.astype(np.int64)]
    return tuple(out)


def describe(kind: str, source: str, files: list, arrays) -> dict:
    """Where the data came from, for the card: source, the sha256 of its files, shapes and class counts."""
    x_train, y_train, x_test, y_test = arrays
    return {
        "source": source,
        "kind": kind,
        "sha256": {Path(f).name: hashlib.sha256(Path(f).read_bytes()).hexdigest() for f in files},
        "shapes": {"x_train": list(x_train.shape), "x_test": list(x_test.shape)},
        "class_counts": {
            "train": np.bincount(y_train, minlength=CLASSES).tolist(),
            "test": np.bincount(y_test, minlength=CLASSES).tolist(),
        },
    }
