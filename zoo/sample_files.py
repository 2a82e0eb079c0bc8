"""Write generated samples to a file in bounded memory, whatever their number.

The generative family decides what a sample is (`draw(start, size)` returns `size` rows of
side*side values in [0, 1]); this module only writes them:

* `.npy`: streamed batch by batch into a memory-mapped file (`numpy.lib.format.open_memmap`)
  under a temporary sibling name, renamed into place once complete. Only one batch is ever held,
  drawn or mapped, so memory stays bounded by `batch` however large `n` is.
* `.png`: one picture of a grid of at most `MAX_PNG` images (a 50 x 50 grid, about 1,450 px
  square). A larger n is refused before any work: such a picture is too big to look at anyway.

An existing file at the target is never replaced unless the caller asks (`replace=True`), and an
error or Ctrl-C leaves nothing half-written behind. `validate_samples_path` makes the same checks in
a fraction of a second, so the API can call it before loading a model.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from zoo.errors import ZooError
from zoo.output_files import check_new_file, write_atomically

MAX_PNG = 2500  # images in one .png: a 50 x 50 grid, about 1,450 px square at one pixel per pixel
SUFFIXES = (".png", ".npy")
_PNG_SIDE = 600  # small grids are enlarged by the largest whole factor that keeps them within this many pixels


def validate_samples_path(path, n: int, replace: bool = False) -> Path:
    """Check that `n` samples can go to `path` (suffix, size, target, folder) without writing anything;
    returns `path` as a Path. Raises ZooError naming the option to change."""
    path = Path(path)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ZooError(f"{{option}} must be a positive integer, not {n!r}", option="n")
    if path.suffix.lower() == ".png" and n > MAX_PNG:
        raise ZooError(
            f"{{option}} is {n:,}: a .png holds at most {MAX_PNG:,} samples (a 50 x 50 grid); "
            f"write that many to a .npy file instead",
            option="n",
        )
    return check_new_file(path, SUFFIXES, replace)


def write_samples(
    path, n: int, draw: Callable[[int, int], np.ndarray], side: int = 28, batch: int = 1000, *, replace: bool = False
) -> Path:
    """Write `n` samples to `path` (.npy: the raw values, shape (n, side*side); .png: an image grid),
    calling `draw(start, size)` for samples start..start+size-1, at most `batch` at a time, in order.
    Returns the path written. Nothing is left at `path` or beside it if `draw` or the write fails."""
    path = validate_samples_path(path, n, replace)
    if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 1:
        raise ValueError(f"batch must be a positive integer, not {batch!r}")
    n, batch, width = int(n), int(batch), side * side
    if path.suffix.lower() == ".npy":
        return write_atomically(path, lambda tmp: _write_npy(tmp, n, draw, width, batch), replace)
    return write_atomically(path, lambda tmp: _write_png(tmp, n, draw, side, batch), replace)


def _batches(n: int, draw, width: int, batch: int):
    """(start, rows) for each batch, the rows checked to be (size, width) as `draw` promised."""
    for start in range(0, n, batch):
        size = min(batch, n - start)
        rows = np.asarray(draw(start, size))
        if rows.ndim == 0 or rows.shape[0] != size or rows.size != size * width:
            raise ValueError(f"draw({start}, {size}) returned shape {rows.shape}, not ({size}, {width})")
        yield start, rows.reshape(size, width)


def _write_npy(tmp: Path, n: int, draw, width: int, batch: int) -> None:
    from numpy.lib.format import open_memmap

    header = None  # created from the first batch, which fixes the dtype
    for start, rows in _batches(n, draw, width, batch):
        if header is None:
            dtype = rows.dtype if np.issubdtype(rows.dtype, np.floating) else np.dtype(np.float32)
            created = open_memmap(tmp, mode="w+", dtype=dtype, shape=(n, width))  # header + a sparse body
            header = created.offset
            del created
            _reserve(tmp)
        # Map only this batch's rows: the pages written stay in the kernel's cache, not in this
        # process, so the resident memory is one batch however large n is.
        window = np.memmap(
            tmp, dtype=dtype, mode="r+", offset=header + start * width * dtype.itemsize, shape=(len(rows), width)
        )
        window[:] = rows
        window.flush()
        del window


def _reserve(path: Path) -> None:
    """Allocate the whole file now where the OS can: a full disk is then an OSError here, not a
    SIGBUS when a mapped page is first written."""
    if hasattr(os, "posix_fallocate"):
        fd = os.open(path, os.O_RDWR)
        try:
            os.posix_fallocate(fd, 0, os.fstat(fd).st_size)
        except OSError as err:
            if err.errno not in (errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL):  # the file system cannot: map sparse
                raise
        finally:
            os.close(fd)


def _write_png(tmp: Path, n: int, draw, side: int, batch: int) -> None:
    """The grid of `image_grid` (a frame round each image, empty cells blank), dark strokes on white,
    written pixel for pixel (small grids enlarged by a whole factor, no resampling)."""
    from matplotlib.image import imsave

    from zoo.pictures import image_grid

    samples = np.empty((n, side * side), np.float32)  # n <= MAX_PNG: at most 7.8 MB at 28 x 28
    for start, rows in _batches(n, draw, side * side, batch):
        samples[start : start + len(rows)] = rows
    mosaic = image_grid(samples, side)
    ink = np.clip(mosaic.filled(0.0), 0.0, 1.0)  # masked background: no ink, white
    pixels = np.round(255.0 * (1.0 - ink)).astype(np.uint8)  # 1 = black, as `zoo sample` always drew them
    scale = max(1, _PNG_SIDE // max(pixels.shape))
    if scale > 1:
        pixels = pixels.repeat(scale, axis=0).repeat(scale, axis=1)
    imsave(tmp, pixels, cmap="gray", vmin=0, vmax=255, format="png")
