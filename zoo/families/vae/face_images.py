"""The face images of vae-faces, as 784-pixel rows: scikit-image's 100 LFW faces offline, or a TFDS face set.

Every face becomes 28 x 28 grey, 8-bit values (an area-weighted resize), so the network is exactly the
digits' 784-200-200-50; every 5th face is held out for the test. Below measure.py and faces.py, which both
read them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from zoo import data
from zoo.errors import ZooError

OFFLINE = "lfw-subset"  # skimage.data.lfw_subset(): 100 faces
EXTRA = "faces"  # the optional extra that brings scikit-image
SIDE, HELD_OUT_EVERY = 28, 5
CROP = (70, 180)  # tfds lfw: the rows and columns of the 250 x 250 photo around the face


def _skimage_faces() -> np.ndarray:
    try:
        from skimage.data import lfw_subset
    except ImportError:
        raise ZooError(f"the offline face images come with scikit-image: pip install 'zoo[{EXTRA}]'") from None
    images = np.asarray(lfw_subset())[:100]  # the first 100 are faces, the rest background patches
    return images / 255.0 if images.dtype == np.uint8 else images.astype(np.float64)


def _tfds_faces(name: str) -> np.ndarray:
    import tensorflow as tf

    from zoo.data import tfds_load

    # lfw: one split, {"image", "label"} with the person's name as label
    faces = tfds_load(name, "face data set", "train vae-faces, on the 100 faces scikit-image ships", split="train")
    lo, hi = CROP

    def grey(example):
        image = tf.image.convert_image_dtype(example["image"], tf.float32)
        image = image[lo:hi, lo:hi] if image.shape[0] and image.shape[0] >= hi else image
        return tf.image.rgb_to_grayscale(image) if image.shape[-1] == 3 else image

    return np.concatenate([b.numpy()[..., 0] for b in faces.map(grey).batch(512)])


@lru_cache(maxsize=2)
def face_vectors(name: str = OFFLINE) -> data.Split:
    """Faces as 784-pixel rows of 8-bit values in [0, 1], every 5th held out for the test; labels are zeros."""
    import tensorflow as tf

    images = _skimage_faces() if name == OFFLINE else _tfds_faces(name)
    small = tf.image.resize(images[..., None].astype(np.float32), (SIDE, SIDE), method="area").numpy()
    x = (np.round(np.clip(small, 0, 1) * 255.0) / 255.0).reshape(len(images), -1).astype(np.float32)
    test = np.arange(len(x)) % HELD_OUT_EVERY == HELD_OUT_EVERY - 1
    arrays = (x[~test], np.zeros((~test).sum(), np.int64), x[test], np.zeros(test.sum(), np.int64))
    for array in arrays:
        array.setflags(write=False)
    return data.Split(*arrays)
