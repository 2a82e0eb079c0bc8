"""`vae-faces`: the Gaussian VAE of `vae-gaussian` on face images (the lecture shows the VAE on digits and on faces).

The offline default is tiny: the 100 face images (25 x 25 grey, cropped from LFW) that scikit-image's
wheel ships (`skimage.data.lfw_subset()`, whose other 100 images are non-faces and are not used), an
optional extra: `pip install 'zoo[faces]'` (scikit-image). Every 5th face is held out: 80 to train on,
20 to test. A larger face set trains by the same recipe through TensorFlow Datasets, by name:
`zoo train vae-faces-lfw` (tfds `lfw`, 13,233 images, where the machine has it prepared: zoo does not
download it; every 5th image is held out, so people with several photos appear on both sides).

Every face becomes 28 x 28 grey, 8-bit values (an area-weighted resize), so the network is exactly the
digits' 784-200-200-50 and zoo's 28 x 28 sample and picture code serve faces unchanged.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from zoo.errors import ZooError
from zoo.families.vae import pictures
from zoo.families.vae.face_images import EXTRA, OFFLINE, face_vectors
from zoo.families.vae.family import build_vae, decode_fn, first
from zoo.families.vae.measure import split
from zoo.families.vae.recipes import DEQUANTIZATION, REFERENCE
from zoo.registry import Entry, Recipe, register, register_pattern


def _faces_picture(entry, model, history, out):
    if history is None or not history.snapshots:
        raise ZooError(f"{entry.name}: this artifact kept no training snapshots; retrain it to draw its progress")
    images = split(entry)
    x = np.concatenate([images.x_train, images.x_test])
    means = np.asarray(model.encoder.predict(x, verbose=0)[0])  # all faces: 20 test means alone span a poor plane
    grid, _ = pictures.latent_plane(means, 9)
    return pictures.faces(
        np.stack(history.snapshots).astype(np.float32) / 255.0,
        history.snapshot_epochs,
        decode_fn(model)(grid),
        9,
        f"{entry.name}: {len(images.x_train)} training faces",
        out,
    )


FACES = dataclasses.replace(
    first("reconstructions"),
    plots={"faces": _faces_picture, **first("reconstructions").plots},
    check=None,
    tolerances={"nll_eval_seconds": float("inf")},
)  # a full re-measurement takes seconds
FACES_RECIPE = Recipe(
    optimizer="adam",
    learning_rate=1e-3,
    batch_size=10,
    epochs=300,
    loss="negative_elbo",
    seed=0,
    chunk=1,
    jit=True,
    extras={"nll_k": 1000},
    notes={
        **DEQUANTIZATION,
        "data": "offline: 100 faces of 25 x 25 from skimage.data.lfw_subset(), resized to 28 x 28; "
        "80 train, 20 test (every 5th); a tiny set: the test NLL says how far 80 faces generalise",
        "schedule": "constant learning rate: the same recipe serves any face set size (vae-faces-lfw)",
        "generalisation": "80 faces do not generalise: the decoder's sigmas shrink onto the training "
        "faces, and held-out faces fall many sigmas off, so the test NLL is far "
        "worse than a uniform 8 bits/dim. Measured in recipe trials (k = 1000, the 20 "
        "test faces): one sigma per pixel 15.97 bits/dim after 30 epochs, 417 after "
        "300; this entry's per-image sigmas 17.4 after 30 epochs. Kept at 300 epochs "
        "for the pictures: the samples only become faces late",
        "chunk": "1: a snapshot after every epoch, so the picture shows the first and the last",
    },
)


def _faces_fields(dataset: str, description: str) -> dict:
    return dict(
        family=FACES,
        description=description,
        reference=REFERENCE + "; LFW (Huang et al. 2007)",
        dataset=dataset,
        task="generate",
        recipe=FACES_RECIPE,
        expected={},
        headline="bits_per_dim",
        anchor="no published figure (the lecture shows VAE faces; blurry samples expected)",
        params={"hidden": (200, 200), "latent": 50, "activation": "tanh", "likelihood": "gaussian", "faces": dataset},
    )


@register(
    "vae-faces",
    **_faces_fields(
        OFFLINE,
        "vae-gaussian's network (784-200-200-50, Gaussian decoder) on faces: only 80 training faces "
        f"(25 x 25 LFW crops from scikit-image, as 28 x 28; pip install 'zoo[{EXTRA}]'), 20 test",
    ),
)
def vae_faces(hidden, latent, activation, likelihood, faces, seed):
    return build_vae(
        hidden,
        latent,
        activation,
        seed=seed,
        name="vae_faces",
        likelihood=likelihood,
        train_x=face_vectors(faces).x_train,
    )


def _on_demand(match) -> Entry:
    name = match.group(1)
    return Entry(
        name=f"vae-faces-{name}",
        builder=vae_faces,
        catalogue=False,
        **_faces_fields(name, f"vae-faces' recipe on the tensorflow_datasets face set {name!r}"),
    )


register_pattern(r"vae-faces-([a-z0-9_]+)", "vae-faces-lfw", _on_demand)
