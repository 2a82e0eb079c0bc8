"""Variational autoencoders on dynamically binarised MNIST, judged by their test log-likelihood.

`vae` follows Burda, Grosse & Salakhutdinov (2015): 784-200-200-50 with tanh, a Bernoulli decoder,
one stochastic layer, trained on the ELBO with Adam; its test NLL is estimated by importance sampling
with k = 5000 samples per image. `vae-2d` is the same network with a 2-D latent, for the pictures.

Training binarises dynamically: every time the loop uses an image, each pixel is drawn afresh as a
Bernoulli variable with probability its intensity (in-graph, inside the compiled loop). The test set
is binarised ONCE, by a fixed draw (`zoo.data.binarize(pixels, seed=0)`), so every evaluation sees
the same 10,000 binary images.
"""
from __future__ import annotations

import math
import time

import numpy as np

from zoo.errors import ZooError
from zoo.family import Family, TrainData, family
from zoo.registry import Recipe, register

TEST_BINARIZATION_SEED = 0
SAMPLE_BATCH = 1000          # zoo sample draws z and decodes in batches of this many
SNAPSHOT_SEED, SNAPSHOT_N = 1234, 10
REFERENCE = ("Kingma & Welling 2014, Auto-Encoding Variational Bayes; Burda, Grosse & Salakhutdinov 2015, "
             "Importance Weighted Autoencoders (architecture and NLL protocol)")
EXTRAS = {
    "training_binarization": "dynamic: a fresh Bernoulli draw of every pixel each time an image is used (in-graph)",
    "test_binarization": f"one fixed Bernoulli draw of the 10,000 test images: zoo.data.binarize(pixels, seed={TEST_BINARIZATION_SEED})",
}


def _lr_schedule(initial: float, steps: int, alpha: float) -> dict:
    """A cosine decay of Adam's learning rate over the whole run, as the recipe's optimizer_args."""
    return {"learning_rate": {"module": "keras.optimizers.schedules", "class_name": "CosineDecay", "registered_name": None,
                              "config": {"initial_learning_rate": initial, "decay_steps": steps, "alpha": alpha}}}


def _recipe(epochs: int, nll_k: int, batch_size: int = 100, lr: float = 1e-3) -> Recipe:
    steps = epochs * (60_000 // batch_size)
    return Recipe(optimizer="adam", learning_rate=lr, batch_size=batch_size, epochs=epochs, loss="negative_elbo",
                  seed=0, chunk=1, jit=True,
                  extras={**EXTRAS, "nll_k": nll_k, "optimizer_args": _lr_schedule(lr, steps, 0.05)})


def build_vae(hidden: tuple = (200, 200), latent: int = 50, activation: str = "tanh", seed: int = 0, name: str = "vae"):
    """An MLP VAE: 784 -> hidden -> (mean, log-variance) of `latent` dims; decoder mirrors it back to 784 logits.

    The decoder's output biases start at the logits of the mean training image (Burda et al. do the
    same): training then starts from the right marginal brightness instead of spending epochs on it.
    """
    import keras

    from zoo import data
    from zoo.layers.vae import VAE, mlp_decoder, mlp_encoder

    encoder = mlp_encoder(784, tuple(hidden), latent, activation)
    decoder = mlp_decoder(latent, tuple(reversed(hidden)), 784, activation)
    mean = data.as_vectors(data.load("mnist").x_train).mean(axis=0).clip(1e-3, 1 - 1e-3)
    decoder.get_layer("logits").bias.assign(np.log(mean / (1 - mean)).astype(np.float32))
    model = VAE(encoder, decoder, seed=seed, name=name.replace("-", "_"))
    model(keras.ops.zeros((1, 784)))  # call() runs encoder and decoder: the model is built, so it saves and exports
    return model


def _fields(description: str, latent: int, epochs: int, nll_k: int, expected: dict, headline: str, anchor: str) -> dict:
    return dict(family="vae", description=description, reference=REFERENCE, dataset="mnist", task="generate",
                recipe=_recipe(epochs, nll_k), expected=expected, headline=headline, anchor=anchor,
                params={"hidden": (200, 200), "latent": latent, "activation": "tanh"})


@register("vae", **_fields("MLP VAE 784-200-200-50 (tanh), Bernoulli decoder, dynamically binarised MNIST", 50, 350, 5000,
                           {"nll": ("<=", 90.0)}, "nll", "Burda et al. 2015: VAE 86.76 nats (3,280 epochs), IWAE 84.78"))
@register("vae-2d", **_fields("MLP VAE 784-200-200-2 (tanh): a 2-D latent space to look at", 2, 100, 1000,
                              {}, "elbo", "keras.io VAE example (2-D latent; ELBO reported)"))
def vae(hidden, latent, activation):
    return build_vae(hidden, latent, activation, name="vae" if latent != 2 else "vae_2d")


def _fixed_z(latent: int, n: int = SNAPSHOT_N) -> np.ndarray:
    return np.random.default_rng(SNAPSHOT_SEED).standard_normal((n, latent)).astype(np.float32)


@family
class VaeFamily(Family):
    name = "vae"
    plot_kinds = {"reconstructions": "plot_reconstructions", "latent": "plot_latent", "manifold": "plot_manifold",
                  "progress": "plot_progress"}
    keeps_snapshots = True  # decoded images of one fixed set of z after every epoch: the progress picture

    # -- data and loss ---------------------------------------------------------------------------------
    def train_data(self, entry) -> TrainData:
        from zoo import data

        x = data.as_vectors(data.load("mnist").x_train)  # intensities; the loss binarises them afresh every use
        return TrainData(x, x)

    def small_data(self, entry, n: int = 64) -> TrainData:
        data = self.train_data(entry)
        # ten mini-batches at least: with fewer steps, the noise of the fresh binarisation and of z can hide
        # the fall of the loss over a few epochs
        n = max(n, 10 * (entry.recipe.batch_size or 1))
        return TrainData(data.x[:n], data.y[:n])

    def test_data(self):
        """The binarised test images (one fixed draw) and their labels."""
        from zoo import data

        split = data.load("mnist")
        return data.binarize(data.as_vectors(split.x_test), seed=TEST_BINARIZATION_SEED), split.y_test

    def loss_fn(self, entry):
        def negative_elbo(model, x, y, training):
            return model.losses_of(model.binarize(x), training)[0]  # the draw happens in-graph, on device

        return negative_elbo

    def snapshot(self, entry, model):
        import tensorflow as tf

        probs = tf.sigmoid(model.decoder(_fixed_z(model.latent_dim)))
        return tf.cast(tf.round(probs * 255.0), tf.uint8)  # quantised to 1/255: a quarter of the bytes in history.npz

    # -- numbers ---------------------------------------------------------------------------------------
    def evaluate(self, entry, model, k: int | None = None, n: int | None = None, seed: int = 0, **options) -> dict:
        """Test metrics in nats (per image, averaged over the test set).

        Args:
            k: importance samples per image for the NLL (default the recipe's extras["nll_k"]: 5000 for vae;
                1000 for vae-2d, whose 2-D posteriors need fewer, and whose evaluation then takes a minute).
            n: use only the first n test images (default: all 10,000).
        Returns: nll (importance-sampled, k samples), elbo (E_q log p(x|z) - KL, estimated with the same
            k samples), reconstruction (-E_q log p(x|z)), kl (analytic), active_units (Burda et al.:
            Cov_x(E_q[z_i]) > 0.01), k, n and nll_eval_seconds.
        """
        k = entry.recipe.extras.get("nll_k", 5000) if k is None else k
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ZooError(f"k must be a positive integer, not {k!r}")
        x, _ = self.test_data()
        x = x[:n] if n is not None else x
        mean, log_var = (np.asarray(v, np.float64) for v in model.encoder.predict(x, batch_size=1000, verbose=0))
        kl = 0.5 * np.sum(mean ** 2 + np.exp(log_var) - 1.0 - log_var, axis=1)
        active = int(np.sum(np.var(mean, axis=0) > 0.01))
        started = time.perf_counter()
        log_px_mean, log_likelihood = importance_sample(model, x, k, seed)
        seconds = time.perf_counter() - started
        return {
            "nll": float(-log_likelihood.mean()),
            "elbo": float(np.mean(log_px_mean - kl)),
            "reconstruction": float(-log_px_mean.mean()),
            "kl": float(kl.mean()),
            "active_units": active,
            "k": k,
            "n": len(x),
            "nll_eval_seconds": round(seconds, 2),
        }

    CHECK_K = 50

    def check_artifact(self, entry, model, card: dict) -> list[str]:
        """A fast re-measurement (seconds) of a committed VAE against its card.

        The card's NLL uses k = 5000 importance samples, too slow for the test suite. Here k = 50 on all
        10,000 test images. The importance-sampled estimate -log mean_k w is an upper bound on -log p(x)
        whose bias shrinks as k grows (Burda et al., Theorem 1), so in expectation NLL_50 >= NLL_5000:
        - NLL_50 must meet the entry's bound (<= 90): if even the looser estimate meets it, the card's does;
        - NLL_50 must lie between the card's NLL - 0.15 (the card cannot beat the k=50 figure by more
          than the Monte-Carlo noise, ~0.05 nats over 10,000 images) and the card's NLL + 3 (the k=50 to
          k=5000 gap of a one-layer VAE is about 1 nat; a bigger gap means the card is not this model's);
        - KL (analytic, deterministic) within 1e-3 relative, active units exactly, and the ELBO (the
          mean over samples of log p(x|z) minus KL: unbiased for any k, 500,000 samples here) within 0.15.
        """
        metrics = card.get("metrics", {})
        again = self.evaluate(entry, model, k=self.CHECK_K)
        problems = entry.meets(again)
        if "nll" in metrics and not metrics["nll"] - 0.15 <= again["nll"] <= metrics["nll"] + 3.0:
            problems.append(f"nll: card says {metrics['nll']:.3f} (k={metrics.get('k')}), measured "
                            f"{again['nll']:.3f} with k={self.CHECK_K}: outside [card - 0.15, card + 3]")
        if "kl" in metrics and abs(again["kl"] - metrics["kl"]) > 1e-3 * max(1.0, abs(metrics["kl"])):
            problems.append(f"kl: card says {metrics['kl']}, measured {again['kl']}")
        if "active_units" in metrics and again["active_units"] != metrics["active_units"]:
            problems.append(f"active_units: card says {metrics['active_units']}, measured {again['active_units']}")
        if "elbo" in metrics and abs(again["elbo"] - metrics["elbo"]) > 0.15:
            problems.append(f"elbo: card says {metrics['elbo']}, measured {again['elbo']}")
        return problems

    # -- generation and export -------------------------------------------------------------------------
    def sample(self, entry, model, n: int, seed: int):
        """n images (n, 784) of Bernoulli probabilities decoded from z ~ N(0, I).

        Batch i draws z with the stateless seed (seed, i), so the same seed gives the same samples and
        memory stays bounded for any n; the SavedModel's `sample(n, seed)` equals the first batch.
        """
        import tensorflow as tf

        out = np.empty((n, 784), np.float32)
        for i, start in enumerate(range(0, n, SAMPLE_BATCH)):
            size = min(SAMPLE_BATCH, n - start)
            z = tf.random.stateless_normal([size, model.latent_dim], seed=tf.constant([seed, i], tf.int64))
            out[start:start + size] = tf.sigmoid(model.decoder(z)).numpy()
        return out

    def endpoints(self, entry, model) -> dict:
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

        def sample(n, seed):
            z = tf.random.stateless_normal(tf.stack([n, latent]), seed=tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)]))
            return tf.sigmoid(model.decoder(z))

        return {
            "serve": (model, [x_spec]),
            "encode": (encode, [x_spec]),
            "decode": (decode, [tf.TensorSpec((None, latent), tf.float32, name="z")]),
            "sample": (sample, [tf.TensorSpec((), tf.int32, name="n"), tf.TensorSpec((), tf.int32, name="seed")]),
        }

    # -- pictures --------------------------------------------------------------------------------------
    def plot_reconstructions(self, entry, model, history, out_path):
        from zoo.plots.vae import reconstructions

        x, _ = self.test_data()
        return reconstructions(x[:36], np.asarray(model(x[:36])), entry.name, out_path)  # 36: a full 6 x 6 grid

    def plot_latent(self, entry, model, history, out_path):
        from zoo.plots.vae import latent

        x, y = self.test_data()
        mean = np.asarray(model.encoder.predict(x, batch_size=1000, verbose=0)[0])
        return latent(mean, y, entry.name, out_path)

    def plot_manifold(self, entry, model, history, out_path):
        from zoo.plots.vae import manifold

        x, _ = self.test_data()
        mean = np.asarray(model.encoder.predict(x, batch_size=1000, verbose=0)[0])
        return manifold(lambda z: np.asarray(self._decode(model, z)), mean, entry.name, out_path)

    def plot_progress(self, entry, model, history, out_path):
        from zoo.plots.vae import progress

        if history is None or not history.snapshots:
            raise ZooError(f"{entry.name}: this artifact kept no training snapshots; retrain it with `zoo train`")
        return progress(np.stack(history.snapshots).astype(np.float32) / 255.0, history.snapshot_epochs, entry.name, out_path)

    @staticmethod
    def _decode(model, z):
        import tensorflow as tf

        return tf.sigmoid(model.decoder(np.asarray(z, np.float32)))

    def docs(self, cards: list[dict]) -> str:
        lines = ["## Measured on the test set", "",
                 "| entry | NLL (nats) | k | ELBO | reconstruction | KL | active units | NLL evaluation (s) | training (s) |",
                 "|---|---|---|---|---|---|---|---|---|"]
        for card in cards:
            m = card.get("metrics", {})
            lines.append(f"| {card['entry']} | {m.get('nll', float('nan')):.2f} | {m.get('k')} | {m.get('elbo', float('nan')):.2f} "
                         f"| {m.get('reconstruction', float('nan')):.2f} | {m.get('kl', float('nan')):.2f} | {m.get('active_units')} "
                         f"| {m.get('nll_eval_seconds')} | {card.get('training_seconds')} |")
        return "\n".join(lines) + "\n\n" + DOCS


def importance_sample(model, x: np.ndarray, k: int, seed: int = 0, samples_per_call: int = 8192):
    """Per image: the mean over k samples of log p(x|z), and log p(x) estimated by importance sampling.

    log p(x) ~= log (1/k) sum_j p(x|z_j) p(z_j) / q(z_j|x), z_j ~ q(z|x), computed as a running
    log-sum-exp (numerically stable) over chunks of samples. One XLA-compiled call handles a block of
    images and all k samples of each (a while-loop over chunks), each chunk decoding
    (chunk x images) latents in one matmul; memory stays at about samples_per_call x 784 floats.
    """
    import tensorflow as tf

    chunk = min(k, max(1, samples_per_call // 8))        # samples per image per step
    images = max(1, samples_per_call // chunk)            # images per call
    steps = math.ceil(k / chunk)
    latent = model.latent_dim
    half_log_2pi = 0.5 * math.log(2 * math.pi)

    @tf.function(jit_compile=True)
    def block(xb, block_index):
        mean, log_var = model.encoder(xb)
        std = tf.exp(0.5 * log_var)

        def body(s, lse, px_sum):
            eps = tf.random.stateless_normal([chunk, images, latent], seed=tf.stack([tf.cast(seed, tf.int64), block_index * steps + s]))
            z = mean + std * eps
            logits = tf.reshape(model.decoder(tf.reshape(z, [-1, latent])), [chunk, images, -1])
            log_px = tf.reduce_sum(xb * logits - tf.nn.softplus(logits), axis=-1)           # (chunk, images)
            log_pz = -0.5 * tf.reduce_sum(tf.square(z), axis=-1) - latent * half_log_2pi
            log_qz = -tf.reduce_sum(0.5 * tf.square(eps) + 0.5 * log_var, axis=-1) - latent * half_log_2pi
            valid = (tf.cast(s, tf.int32) * chunk + tf.range(chunk))[:, None] < k         # the last chunk may overhang k
            log_w = tf.where(valid, log_px + log_pz - log_qz, -np.inf)
            lse = tf.reduce_logsumexp(tf.concat([lse[None], log_w], axis=0), axis=0)
            return s + 1, lse, px_sum + tf.reduce_sum(tf.where(valid, log_px, 0.0), axis=0)

        _, lse, px_sum = tf.while_loop(lambda s, *_: s < steps, body,
                                       (tf.constant(0, tf.int64), tf.fill([images], -np.inf), tf.zeros([images])))
        return px_sum / k, lse - math.log(k)

    n = len(x)
    padded = np.zeros((math.ceil(n / images) * images, x.shape[1]), np.float32)  # one shape: one compilation
    padded[:n] = x
    px, ll = [], []
    for b in range(len(padded) // images):
        p, l = block(tf.constant(padded[b * images:(b + 1) * images]), tf.constant(b, tf.int64))
        px.append(p.numpy())
        ll.append(l.numpy())
    return np.concatenate(px)[:n].astype(np.float64), np.concatenate(ll)[:n].astype(np.float64)


DOCS = """## Using the VAE elsewhere

TensorFlow alone, no zoo needed (the SavedModel's `sample` endpoint takes n and a seed):

```python
import tensorflow as tf
vae = tf.saved_model.load("pretrained/vae/saved_model")
images = vae.sample(n=tf.constant(64), seed=tf.constant(0))  # (64, 784) pixel probabilities, z ~ N(0, I)
codes = vae.encode(tf.zeros([1, 784]))                       # {"mean", "log_var"} of q(z|x)
pixels = vae.decode(codes["mean"])                           # and vae.serve(x): reconstructions
```

Keras, to keep training it (importing `zoo.keras_objects` registers the VAE class, so safe mode stays on):

```python
import keras, zoo.keras_objects
from zoo.data import as_vectors, load
vae = keras.saving.load_model("pretrained/vae/model.keras", safe_mode=True)
vae.compile(optimizer=keras.optimizers.Adam(1e-4))
vae.fit(as_vectors(load("mnist").x_train[:1000]), epochs=1, batch_size=100)  # its own train_step
```

## Measuring it

- `zoo eval vae [--k 5000]`: the test NLL by importance sampling with k samples per image
  (log-mean-exp of p(x|z) p(z) / q(z|x) as a numerically stable running log-sum-exp, vectorised over
  images and samples in one XLA-compiled function), the ELBO, its reconstruction and KL terms, and
  the active units (Burda et al.: Cov_x(E_q[z_i]) > 0.01).
- The test set is binarised once, by a fixed Bernoulli draw (`zoo.data.binarize(pixels, seed=0)`);
  training images are binarised afresh, in-graph, every time they are used.
- `vae-2d` is evaluated with k = 1000 (a 2-D posterior needs few samples).
- The artifact check in the test suite uses k = 50: in expectation an upper bound on the k = 5000
  figure, so it stays honest while taking seconds rather than minutes.
- `zoo sample vae --n 64 --seed 0` decodes z ~ N(0, I) drawn with the stateless seed (seed, batch), in
  batches of 1000; the SavedModel's `sample(n, seed)` gives the same images for n <= 1000.
"""
