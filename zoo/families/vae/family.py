"""Variational autoencoders on MNIST, one per output distribution of the lecture, judged by test log-likelihood.

`vae` follows Burda, Grosse & Salakhutdinov (2015): 784-200-200-50 with tanh, a Bernoulli decoder,
one stochastic layer, trained on the ELBO with Adam; its test NLL is estimated by importance sampling
(zoo.families.vae.measure). `vae-2d` is the same network with a 2-D latent, for the pictures. The same
network with the lecture's two other output distributions (zoo.families.vae.layers):
- `vae-gaussian` (squared error): pixels uniformly dequantised, p(x|z) Gaussian with mean sigmoid(logits)
  and a variance per pixel and per image, both from the decoder (see GAUSSIAN_WHY);
- `vae-categorical` (softmax, the Boltzmann case): each pixel one of K = 16 intensity levels (LEVELS_WHY).
`iwae` is `vae` trained on Burda et al.'s k-sample importance-weighted bound instead of the ELBO.

Training observes each image afresh every time the loop uses it (in-graph, seeded by the run's seed):
Bernoulli pixels are binarised, Gaussian ones dequantised; the test set is observed once, by a fixed
draw (see zoo.families.vae.measure). Faces: zoo.families.vae.faces.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from zoo import data
from zoo.errors import ZooError
from zoo.families.vae import measure, pictures, tables
from zoo.families.vae.recipes import NOTES, REFERENCE, recipe
from zoo.family import Family, TrainData, fit_by_recipe
from zoo.registry import ENTRIES, IMAGES

SAMPLE_BLOCK = 1000  # z is drawn in blocks of this many, block b with the stateless seed (seed, b)
SNAPSHOT_SEED, SNAPSHOT_N = 1234, 10


def _start_at_the_marginal(model, x: np.ndarray) -> None:
    """The decoder's output biases start at the training images' per-pixel marginal (Burda et al. do the
    same for the Bernoulli): training then starts from the right brightness instead of spending epochs on it."""
    bias = model.decoder.get_layer("logits").bias
    if model.likelihood == "categorical":
        levels = np.floor(np.round(x * 255.0) * (model.levels / 256.0)).astype(np.int64)
        counts = np.stack([(levels == j).sum(axis=0) for j in range(model.levels)], axis=1) + 1.0  # Laplace
        bias.assign(np.log(counts / counts.sum(axis=1, keepdims=True)).reshape(-1).astype(np.float32))
        return
    mean = x.mean(axis=0).clip(1e-3, 1 - 1e-3)
    logits = np.log(mean / (1 - mean))
    log_std = np.log(x.std(axis=0).clip(0.01, 1.0))
    if getattr(model, "decoder_scale", False):  # the decoder's log sigma half starts at each pixel's spread
        bias.assign(np.concatenate([logits, log_std]).astype(np.float32))
        return
    bias.assign(logits.astype(np.float32))
    if model.likelihood == "gaussian":
        model.log_scale.assign(log_std.astype(np.float32))


def build_vae(
    hidden: tuple = (200, 200),
    latent: int = 50,
    activation: str = "tanh",
    seed: int = 0,
    name: str = "vae",
    likelihood: str = "bernoulli",
    levels: int = 0,
    samples: int = 1,
    train_x: np.ndarray | None = None,
    variance: str = "decoder",
):
    """An MLP VAE: d -> hidden -> (mean, log-variance) of `latent` dims; the decoder mirrors it back to the
    parameters of p(x|z). `seed` seeds the model's own draws; `train_x` (default MNIST's) sets the output biases;
    a Gaussian's sigma comes from the decoder (`variance` "decoder") or is one weight per pixel ("pixel")."""
    import keras

    from zoo.families.vae.layers import VAE, mlp_decoder, mlp_encoder

    train_x = data.vectors("mnist").x_train if train_x is None else train_x
    dim = train_x.shape[1]
    encoder = mlp_encoder(dim, tuple(hidden), latent, activation)
    outputs = 2 * dim if likelihood == "gaussian" and variance == "decoder" else dim
    decoder = mlp_decoder(latent, tuple(reversed(hidden)), outputs, activation, levels=levels)
    model = VAE(
        encoder, decoder, seed=seed, likelihood=likelihood, levels=levels, samples=samples, name=name.replace("-", "_")
    )
    _start_at_the_marginal(model, train_x)
    model(keras.ops.zeros((1, dim)))  # call() runs encoder and decoder: the model is built, so it saves and exports
    return model


def train_data(entry) -> TrainData:
    x = measure.split(entry).x_train  # intensities; the loss observes them afresh every use
    return TrainData(x, x)


def fit(entry, model, *, data=None, **options):
    """The zoo loop by the recipe, on `--data` first starting the decoder's output biases at that source's own
    marginal: the builder, given no data, starts them at MNIST's (a resumed run then restores its own weights)."""
    if data is None and entry.dataset != IMAGES and "faces" not in entry.params:
        _start_at_the_marginal(model, train_data(entry).x)
    return fit_by_recipe(entry, model, data=data, **options)


def negative_elbo(entry):
    return lambda model, x, y, training: model.losses_of(model.observe(x), training)[0]  # the draw happens in-graph


def snapshot(entry, model):
    """Decoded images of one fixed set of z, quantised to 1/255 (a quarter of the bytes in history.npz)."""
    import tensorflow as tf

    z = np.random.default_rng(SNAPSHOT_SEED).standard_normal((SNAPSHOT_N, model.latent_dim)).astype(np.float32)
    return tf.cast(tf.round(model.mean_of(model.decoder(z)) * 255.0), tf.uint8)


def sample(entry, model, start: int, size: int, seed: int) -> np.ndarray:
    """Samples start .. start + size - 1: the mean of p(x|z) (rows in [0, 1]) decoded from z ~ N(0, I).

    Sample i comes from block i // SAMPLE_BLOCK, drawn with the stateless seed (seed, block): the same
    seed gives the same samples in any batching, and the SavedModel's `sample(n, seed)` equals the first
    n for n <= SAMPLE_BLOCK.
    """
    import tensorflow as tf

    out = np.empty((size, model.data_dim), np.float32)
    for block in range(start // SAMPLE_BLOCK, (start + size - 1) // SAMPLE_BLOCK + 1):
        z = tf.random.stateless_normal([SAMPLE_BLOCK, model.latent_dim], seed=tf.constant([seed, block], tf.int64))
        lo, hi = max(start, block * SAMPLE_BLOCK), min(start + size, (block + 1) * SAMPLE_BLOCK)
        rows = z[lo - block * SAMPLE_BLOCK : hi - block * SAMPLE_BLOCK]
        out[lo - start : hi - start] = np.asarray(model.mean_of(model.decoder(rows)))
    return out


def endpoints(entry, model) -> dict:
    """serve: x -> reconstructions (the mean of p(x|z) at the posterior mean); encode: x -> {mean, log_var};
    decode: z -> the mean of p(x|z); sample: (n, seed) -> n such means from z ~ N(0, I) drawn with a
    stateless seed, so a SavedModel samples reproducibly with TensorFlow alone (for your own z, call `decode`)."""
    import tensorflow as tf

    latent, dim = model.latent_dim, model.data_dim
    x_spec = tf.TensorSpec((None, dim), tf.float32, name="x")

    def encode(x):
        mean, log_var = model.encoder(model.encoder_input(x))
        return {"mean": mean, "log_var": log_var}

    def decode(z):
        return model.mean_of(model.decoder(z))

    def draw(n, seed):
        z = tf.random.stateless_normal(
            tf.stack([n, latent]), seed=tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
        )
        return model.mean_of(model.decoder(z))

    return {
        "serve": (model, [x_spec]),
        "encode": (encode, [x_spec]),
        "decode": (decode, [tf.TensorSpec((None, latent), tf.float32, name="z")]),
        "sample": (draw, [tf.TensorSpec((), tf.int32, name="n"), tf.TensorSpec((), tf.int32, name="seed")]),
    }


def _latent_means(entry, model):
    x, y = measure.test_images(entry)
    return np.asarray(model.encoder.predict(x, batch_size=1000, verbose=0)[0]), y


def _progress(entry, model, history, out):
    if history is None or not history.snapshots:
        raise ZooError(f"{entry.name}: this artifact kept no training snapshots; retrain it to draw its progress")
    return pictures.progress(
        np.stack(history.snapshots).astype(np.float32) / 255.0, history.snapshot_epochs, entry.name, out
    )


def _reconstructions(entry, model, history, out):
    x, _ = measure.test_images(entry)
    return pictures.reconstructions(x[:36], np.asarray(model(x[:36])), entry.name, out)  # 36: a full 6 x 6 grid


def decode_fn(model):
    return lambda z: np.asarray(model.mean_of(model.decoder(np.asarray(z, np.float32))))


def _manifold(entry, model, history, out):
    return pictures.manifold(decode_fn(model), _latent_means(entry, model)[0], entry.name, out)


def panel(entry, model) -> dict:
    """What the comparison pictures show of one VAE: test images, reconstructions, samples, KL per dimension."""
    x, _ = measure.test_images(entry)
    return {
        "name": entry.name,
        "likelihood": model.likelihood,
        "originals": x[:36],
        "reconstructions": np.asarray(model(x[:36])),
        "samples": sample(entry, model, 0, 36, 0),
        "kl": measure.kl_per_dimension(model, x).mean(axis=0),
        "activity": measure.activity(model, x),
    }


def _kl(entry, model, history, out):
    return pictures.kl_per_dimension([panel(entry, model)], out)


def _samples(entry, model, history, out):
    return pictures.decoders([panel(entry, model)], out)


def _decoders(entry, model, history, out):
    """This VAE beside the other MNIST decoders of the catalogue (one per likelihood, same latent size,
    trained on the ELBO), the others from their shipped artifacts; those not shipped yet are left out."""
    from zoo import artifacts

    panels = []
    for name, other in ENTRIES.items():
        if other.family.name != entry.family.name:
            continue
        if other.name == entry.name:
            panels.append(panel(entry, model))
        elif (
            other.dataset == entry.dataset
            and other.params.get("latent") == entry.params.get("latent")
            and other.params.get("samples", 1) == 1
            and artifacts.ships(name)
        ):
            panels.append(panel(other, artifacts.load_keras(artifacts.pretrained_dir(name))))
    return pictures.decoders(panels, out)


def docs(cards: list[dict]) -> str:
    return tables.tables(cards)


FAMILY = Family(
    name="vae",
    train_data=train_data,
    evaluate=measure.evaluate,
    eval_options=("k", "n", "seed"),
    small_batches=10,  # fewer steps: the noise of the fresh binarisation and of z can hide the fall of the loss
    loss=negative_elbo,
    fit=fit,
    snapshot=snapshot,
    endpoints=endpoints,
    sample=sample,
    check=measure.check,
    plots={
        "reconstructions": _reconstructions,
        "latent": lambda entry, model, history, out: pictures.latent(*_latent_means(entry, model), entry.name, out),
        "manifold": _manifold,
        "progress": _progress,
        "kl": _kl,
        "samples": _samples,
        "decoders": _decoders,
    },
    docs=docs,
    test_data=measure.test_images,
)


def first(kind: str, family: Family = FAMILY) -> Family:
    """The family with picture `kind` first: the one saved with the artifact."""
    return dataclasses.replace(family, plots={kind: family.plots[kind], **family.plots})


def entry_fields(
    description: str,
    latent: int,
    epochs: int,
    nll_k: int,
    expected: dict,
    headline: str,
    anchor: str,
    family: Family = FAMILY,
    notes: dict = NOTES,
    extras: dict | None = None,
    **params,
) -> dict:
    return dict(
        family=family,
        description=description,
        reference=REFERENCE,
        dataset="mnist",
        task="generate",
        recipe=recipe(epochs, nll_k, notes=notes, **(extras or {})),
        expected=expected,
        headline=headline,
        anchor=anchor,
        params={"hidden": (200, 200), "latent": latent, "activation": "tanh", **params},
    )
