"""Data sets: the embedded MNIST by default, tensorflow-datasets for every other name.

All preprocessing (scaling, flattening, binarising) lives here, so every family sees the same pixels.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
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
    """Train and test arrays of data set `name` (images as uint8, labels as integers).

    "mnist" reads the copy shipped inside the package (checked against its sha256 once per
    process); any other name goes through `tfds.load`, which finds data already prepared in
    `data_dir` (or downloads it where the machine has internet).
    """
    if name == "mnist" and data_dir is None:
        return _embedded_mnist(str(MNIST_PATH))
    return _tfds(name, data_dir)


@lru_cache(maxsize=None)
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

    try:
        train, test = tfds.load(name, split=["train", "test"], data_dir=data_dir, batch_size=-1, as_supervised=True)
    except Exception as err:  # tfds raises many types; the user needs the name and the way out
        where = data_dir or "the default TFDS folder"
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ZooError(f"data set {name!r} is not available in {where}: {first}") from None
    (x_train, y_train), (x_test, y_test) = tfds.as_numpy(train), tfds.as_numpy(test)
    return Split(x_train, y_train, x_test, y_test)


@lru_cache(maxsize=4)
def vectors(name: str = "mnist") -> Split:
    """Data set `name` as every image family uses it: float32 rows in [0, 1] and int64 labels (cached)."""
    split = load(name)
    arrays = (as_vectors(split.x_train), np.asarray(split.y_train, np.int64),
              as_vectors(split.x_test), np.asarray(split.y_test, np.int64))
    for array in arrays:
        array.setflags(write=False)  # shared by every caller in the process: nobody may change it in place
    return Split(*arrays)


def as_vectors(images: np.ndarray) -> np.ndarray:
    """uint8 images (n, h, w[, c]) -> float32 rows (n, h*w*c) scaled to [0, 1]."""
    images = np.asarray(images)
    return (images.reshape(len(images), -1) / 255.0).astype(np.float32)


def one_hot(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    return np.eye(classes, dtype=np.float32)[np.asarray(labels, dtype=np.int64)]


def binarize(pixels: np.ndarray, seed: int) -> np.ndarray:
    """A Bernoulli draw per pixel with probability equal to its intensity (dynamic binarisation)."""
    rng = np.random.default_rng(seed)
    return (rng.random(pixels.shape, dtype=np.float32) < pixels).astype(np.float32)
