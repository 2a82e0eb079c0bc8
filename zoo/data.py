"""Data sets: the embedded MNIST by default; a user's own data by path; tensorflow-datasets for any other name.

A data source is one string: "mnist" (the copy shipped in the package), a folder of MNIST-format
IDX files, an .npz file with x_train, y_train, x_test, y_test (zoo.data_files reads and checks both),
or any other name, which goes through `tfds.load`. All preprocessing (scaling, flattening,
binarising) lives here, so every family sees the same pixels.
"""

from __future__ import annotations

import hashlib
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from zoo.errors import ZooError

MNIST_PATH = Path(__file__).parent / "_data" / "mnist.npz"
MNIST_SHA256 = "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"
_MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")


class Split(NamedTuple):
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load(name: str = "mnist", data_dir: str | None = None) -> Split:
    """Train and test arrays of data source `name` (images as uint8, labels as integers).

    "mnist" reads the copy shipped inside the package (checked against its sha256 once per
    process); a path reads the user's files (checked: 28 x 28 grey images, labels 0..9); any other
    name goes through `tfds.load`, which finds data already prepared in `data_dir` (zoo never downloads: see
    tfds_load).
    """
    return _read(name, data_dir)[0]


def describe(name: str = "mnist", data_dir: str | None = None) -> dict:
    """Where data source `name` came from, for the model card: source, sha256 of its files, shapes, class counts."""
    return _read(name, data_dir)[1]


def is_file_source(name: str) -> bool:
    return name != "mnist" and (Path(name).is_dir() or Path(name).suffix == ".npz")


@lru_cache(maxsize=4)
def _read(name: str, data_dir: str | None) -> tuple[Split, dict]:
    from zoo import data_files

    if not isinstance(name, str) or not name:
        raise ZooError(f"{{option}} must name a data set or a path, not {name!r}", option="data")
    if name == "mnist" and data_dir is None:
        split = _embedded_mnist(str(MNIST_PATH))
        return split, data_files.describe("embedded", "mnist", [MNIST_PATH], split)
    path = Path(name)
    if path.is_dir():
        arrays, files = data_files.read_idx_folder(path)
        kind = "idx"
    elif path.suffix == ".npz":
        if not path.is_file():
            raise ZooError(f"{path}: no such file", option="data")
        arrays, files = data_files.read_npz(path)
        kind = "npz"
    else:
        split = _tfds(name, data_dir)
        arrays, files, kind = split, [], "tfds"
    split = Split(*data_files.checked(arrays, name))
    source = str(path.resolve()) if kind in ("idx", "npz") else name
    return split, data_files.describe(kind, source, files, split)


@cache
def _embedded_mnist(path: str) -> Split:
    fix = "reinstall zoo (`pip install --force-reinstall .`) or restore the file from git"
    try:
        blob = Path(path).read_bytes()
    except OSError as err:
        raise ZooError(f"{path}: cannot read the embedded MNIST ({err.strerror}); {fix}") from None
    if hashlib.sha256(blob).hexdigest() != MNIST_SHA256:
        raise ZooError(f"{path}: sha256 does not match the embedded MNIST (corrupt or truncated); {fix}")
    with np.load(path) as archive:
        return Split(*(archive[key] for key in _MNIST_KEYS))


def _tfds(name: str, data_dir: str | None) -> Split:
    import tensorflow_datasets as tfds

    train, test = tfds_load(
        name,
        "data set",
        "give a folder of its IDX files or an .npz instead",
        data_dir=data_dir,
        split=["train", "test"],
        batch_size=-1,
        as_supervised=True,
    )
    (x_train, y_train), (x_test, y_test) = tfds.as_numpy(train), tfds.as_numpy(test)
    return Split(x_train, y_train, x_test, y_test)


def tfds_load(name: str, what: str, otherwise: str, data_dir: str | None = None, **load_args):
    """`tfds.load` of a data set already prepared on this machine; if it is not, a ZooError naming `what` and two
    ways out: preparing it, or `otherwise`.

    Never a download: with TensorFlow Datasets' default, an unprepared name printed "Downloading and preparing
    dataset" on stdout and then failed on a machine without the network (here with "No module named
    'importlib_resources'", a dependency only TFDS's download path imports), or wrote into ~/tensorflow_datasets
    unasked where it had one. TFDS's own absl warning about the empty folder is held back for the same reason.
    """
    import logging

    import tensorflow_datasets as tfds

    where = data_dir or "TensorFlow Datasets' folder ($TFDS_DATA_DIR, else ~/tensorflow_datasets)"
    absl = logging.getLogger("absl")
    level = absl.level
    absl.setLevel(logging.ERROR)
    try:
        return tfds.load(name, data_dir=data_dir, download=False, **load_args)
    except Exception as err:  # tfds raises many types; the user needs the name and the way out
        if type(err).__name__ == "DatasetNotFoundError":
            raise ZooError(f"{what} {name!r}: TensorFlow Datasets knows no data set of that name") from None
        if "could not find data" in str(err):
            raise ZooError(
                f"{what} {name!r} is not prepared in {where}, and zoo does not download: prepare it "
                f"first (`tfds build {name}` where there is a network), or {otherwise}"
            ) from None
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ZooError(f"{what} {name!r} is not available in {where}: {first}") from None
    finally:
        absl.setLevel(level)


@lru_cache(maxsize=4)
def vectors(name: str = "mnist") -> Split:
    """Data set `name` as every image family uses it: float32 rows in [0, 1] and int64 labels (cached)."""
    split = load(name)
    arrays = (
        as_vectors(split.x_train),
        np.asarray(split.y_train, np.int64),
        as_vectors(split.x_test),
        np.asarray(split.y_test, np.int64),
    )
    for array in arrays:
        array.setflags(write=False)  # shared by every caller in the process: nobody may change it in place
    return Split(*arrays)


# every uint8 value's float32 intensity, rounded from float64 exactly as (images / 255.0).astype(float32) rounds it
_INTENSITY = (np.arange(256) / 255.0).astype(np.float32)


def as_vectors(images: np.ndarray) -> np.ndarray:
    """uint8 images (n, h, w[, c]) -> float32 rows (n, h*w*c) scaled to [0, 1]."""
    images = np.asarray(images)
    rows = images.reshape(len(images), -1)
    # a table lookup: the same values without a float64 copy (376 MB for MNIST's 60,000 rows: 2.07 -> 0.66 s,
    # side by side)
    if rows.dtype == np.uint8:
        return _INTENSITY[rows]
    return (rows / 255.0).astype(np.float32)


def one_hot(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    return np.eye(classes, dtype=np.float32)[np.asarray(labels, dtype=np.int64)]


def binarize(pixels: np.ndarray, seed: int) -> np.ndarray:
    """A Bernoulli draw per pixel with probability equal to its intensity (dynamic binarisation)."""
    rng = np.random.default_rng(seed)
    return (rng.random(pixels.shape, dtype=np.float32) < pixels).astype(np.float32)
