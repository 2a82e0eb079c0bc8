"""Variational autoencoders on dynamically binarised MNIST, judged by their test log-likelihood.

`vae` follows Burda, Grosse & Salakhutdinov (2015): 784-200-200-50 with tanh, a Bernoulli decoder,
one stochastic layer, trained on the ELBO with Adam; its test NLL is estimated by importance sampling
with k = 5000 samples per image (zoo.evaluation.vae). `vae-2d` is the same network with a 2-D
latent, for the pictures.

Training binarises dynamically: every time the loop uses an image, each pixel is drawn afresh as a
Bernoulli variable with probability its intensity (in-graph, inside the compiled loop, seeded by the
run's seed). The test set is binarised once, by a fixed draw (see zoo.evaluation.vae).
"""
from __future__ import annotations

import numpy as np

from zoo import data
from zoo.errors import ZooError
from zoo.evaluation import vae as measure
from zoo.family import Family, TrainData
from zoo.plots import vae as pictures
from zoo.registry import Recipe, register

SAMPLE_BLOCK = 1000          # z is drawn in blocks of this many, block b with the stateless seed (seed, b)
SNAPSHOT_SEED, SNAPSHOT_N = 1234, 10
REFERENCE = ("Kingma & Welling 2014, Auto-Encoding Variational Bayes; Burda, Grosse & Salakhutdinov 2015, "
             "Importance Weighted Autoencoders (architecture and NLL protocol)")
NOTES = {
    "training_binarization": "dynamic: a fresh Bernoulli draw of every pixel each time an image is used (in-graph)",
    "test_binarization": "one fixed Bernoulli draw of the 10,000 test images: "
                         f"zoo.data.binarize(pixels, seed={measure.TEST_BINARIZATION_SEED})",
}


def _lr_schedule(initial: float, steps: int, alpha: float) -> dict:
    """A cosine decay of Adam's learning rate over the whole run, as the recipe's optimizer_args."""
    return {"learning_rate": {"module": "keras.optimizers.schedules", "class_name": "CosineDecay", "registered_name": None,
                              "config": {"initial_learning_rate": initial, "decay_steps": steps, "alpha": alpha}}}


def _recipe(epochs: int, nll_k: int, batch_size: int = 100, lr: float = 1e-3) -> Recipe:
    steps = epochs * (60_000 // batch_size)
    return Recipe(optimizer="adam", learning_rate=lr, batch_size=batch_size, epochs=epochs, loss="negative_elbo",
                  seed=0, chunk=1, jit=True, notes=NOTES,
                  extras={"nll_k": nll_k, "optimizer_args": _lr_schedule(lr, steps, 0.05)})


def build_vae(hidden: tuple = (200, 200), latent: int = 50, activation: str = "tanh", seed: int = 0, name: str = "vae"):
    """An MLP VAE: 784 -> hidden -> (mean, log-variance) of `latent` dims; decoder mirrors it back to 784 logits.

    The decoder's output biases start at the logits of the mean training image (Burda et al. do the
    same): training then starts from the right marginal brightness instead of spending epochs on it.
    `seed` seeds the model's own draws (binarisation, reparameterisation).
    """
    import keras

    from zoo.layers.vae import VAE, mlp_decoder, mlp_encoder

    encoder = mlp_encoder(784, tuple(hidden), latent, activation)
    decoder = mlp_decoder(latent, tuple(reversed(hidden)), 784, activation)
    mean = data.vectors("mnist").x_train.mean(axis=0).clip(1e-3, 1 - 1e-3)
    decoder.get_layer("logits").bias.assign(np.log(mean / (1 - mean)).astype(np.float32))
    model = VAE(encoder, decoder, seed=seed, name=name.replace("-", "_"))
    model(keras.ops.zeros((1, 784)))  # call() runs encoder and decoder: the model is built, so it saves and exports
    return model


def train_data(entry) -> TrainData:
    x = data.vectors(entry.dataset).x_train  # intensities; the loss binarises them afresh every use
    return TrainData(x, x)


def negative_elbo(entry):
    return lambda model, x, y, training: model.losses_of(model.binarize(x), training)[0]  # the draw happens in-graph


def snapshot(entry, model):
    """Decoded images of one fixed set of z, quantised to 1/255 (a quarter of the bytes in history.npz)."""
    import tensorflow as tf

    z = np.random.default_rng(SNAPSHOT_SEED).standard_normal((SNAPSHOT_N, model.latent_dim)).astype(np.float32)
    return tf.cast(tf.round(tf.sigmoid(model.decoder(z)) * 255.0), tf.uint8)


def sample(entry, model, start: int, size: int, seed: int) -> np.ndarray:
    """Samples start .. start + size - 1: Bernoulli probabilities (rows of 784) decoded from z ~ N(0, I).

    Sample i comes from block i // SAMPLE_BLOCK, drawn with the stateless seed (seed, block): the same
    seed gives the same samples in any batching, and the SavedModel's `sample(n, seed)` equals the first
    n for n <= SAMPLE_BLOCK.
    """
    import tensorflow as tf

    out = np.empty((size, 784), np.float32)
    for block in range(start // SAMPLE_BLOCK, (start + size - 1) // SAMPLE_BLOCK + 1):
        z = tf.random.stateless_normal([SAMPLE_BLOCK, model.latent_dim], seed=tf.constant([seed, block], tf.int64))
        lo, hi = max(start, block * SAMPLE_BLOCK), min(start + size, (block + 1) * SAMPLE_BLOCK)
        rows = z[lo - block * SAMPLE_BLOCK: hi - block * SAMPLE_BLOCK]
        out[lo - start: hi - start] = tf.sigmoid(model.decoder(rows)).numpy()
    return out


def endpoints(entry, model) -> dict:
    """serve: x -> reconstruction probabilities; encode: x -> {mean, log_var}; decode: z -> probabilities;
    sample: (n, seed) -> n images from z ~ N(0, I) drawn with a stateless seed, so a SavedModel
    samples reproducibly with TensorFlow alone (for your own z, call `decode`)."""
    import tensorflow as tf

    latent = model.latent_dim
    x_spec = tf.TensorSpec((None, 784), tf.float32, name="x")

    def encode(x):
        mean, log_var = model.encoder(x)
        return {"mean": mean, "log_var": log_var}

    def decode(z):
        return tf.sigmoid(model.decoder(z))

    def draw(n, seed):
        z = tf.random.stateless_normal(tf.stack([n, latent]), seed=tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)]))
        return tf.sigmoid(model.decoder(z))

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
    return pictures.progress(np.stack(history.snapshots).astype(np.float32) / 255.0, history.snapshot_epochs, entry.name, out)


def _reconstructions(entry, model, history, out):
    x, _ = measure.test_images(entry)
    return pictures.reconstructions(x[:36], np.asarray(model(x[:36])), entry.name, out)  # 36: a full 6 x 6 grid


def _manifold(entry, model, history, out):
    import tensorflow as tf

    decode = lambda z: np.asarray(tf.sigmoid(model.decoder(np.asarray(z, np.float32))))  # noqa: E731
    return pictures.manifold(decode, _latent_means(entry, model)[0], entry.name, out)


def docs(cards: list[dict]) -> str:
    lines = ["## Measured on the test set", "",
             "| entry | NLL (nats) | k | ELBO | reconstruction | KL | active units | NLL evaluation (s) | training (s) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for card in cards:
        m = card.get("metrics", {})
        lines.append(f"| {card['entry']} | {m.get('nll', float('nan')):.2f} | {m.get('k')} | {m.get('elbo', float('nan')):.2f} "
                     f"| {m.get('reconstruction', float('nan')):.2f} | {m.get('kl', float('nan')):.2f} | {m.get('active_units')} "
                     f"| {m.get('nll_eval_seconds')} | {card.get('training_seconds')} |")
    return "\n".join(lines)


FAMILY = Family(
    name="vae",
    train_data=train_data,
    evaluate=measure.evaluate,
    eval_options=("k", "n", "seed"),
    small_batches=10,  # fewer steps: the noise of the fresh binarisation and of z can hide the fall of the loss
    loss=negative_elbo,
    snapshot=snapshot,
    endpoints=endpoints,
    sample=sample,
    check=measure.check,
    plots={
        "reconstructions": _reconstructions,
        "latent": lambda entry, model, history, out: pictures.latent(*_latent_means(entry, model), entry.name, out),
        "manifold": _manifold,
        "progress": _progress,
    },
    docs=docs,
)


def _fields(description: str, latent: int, epochs: int, nll_k: int, expected: dict, headline: str, anchor: str) -> dict:
    return dict(family=FAMILY, description=description, reference=REFERENCE, dataset="mnist", task="generate",
                recipe=_recipe(epochs, nll_k), expected=expected, headline=headline, anchor=anchor,
                params={"hidden": (200, 200), "latent": latent, "activation": "tanh"})


@register("vae", **_fields("MLP VAE 784-200-200-50 (tanh), Bernoulli decoder, dynamically binarised MNIST", 50, 350, 5000,
                           {"nll": ("<=", 90.0)}, "nll", "Burda et al. 2015: VAE 86.76 nats (3,280 epochs), IWAE 84.78"))
@register("vae-2d", **_fields("MLP VAE 784-200-200-2 (tanh): a 2-D latent space to look at", 2, 100, 1000,
                              {}, "elbo", "keras.io VAE example (2-D latent; ELBO reported)"))
def vae(hidden, latent, activation, seed):
    return build_vae(hidden, latent, activation, seed=seed, name="vae" if latent != 2 else "vae_2d")
