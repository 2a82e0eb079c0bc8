"""The variational autoencoder as one serialisable Keras model (Kingma & Welling 2014), keras-io style.

An encoder gives the mean and log-variance of q(z|x); z = mean + sigma * eps (reparameterised); the
decoder gives the parameters of p(x|z), one of the lecture's three output distributions:
- "bernoulli" (cross-entropy): 784 logits; pixels binarised afresh every time an image is used;
- "gaussian" (squared error): 784 mean logits (mean = sigmoid) and 784 log-scales from the decoder (or,
  with a d-wide decoder, one log-scale per pixel held by the model, shared by all images; zoo.families.vae.family
  says which the entries use and why), on uniformly dequantised pixels;
- "categorical" (softmax, the Boltzmann case): 784 x `levels` logits over the quantised intensities.
The loss is the negative ELBO per image (`samples` = 1), or Burda et al.'s k-sample importance-weighted
bound (`samples` = k > 1), averaged over the batch.

`call` runs encoder and decoder (x -> the mean of p(x|z) at the posterior mean), so one call on a
dummy batch builds the model: a subclassed model whose training only ever touches its sub-models
would stay unbuilt, and Keras then refuses to save or export it properly. `call` and every
likelihood use keras.ops only; the training-time draws use TensorFlow's stateless Philox (see _draw).
"""

from __future__ import annotations

import math

import keras
from keras import ops

LIKELIHOODS = ("bernoulli", "gaussian", "categorical")
HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
# sigma >= (softly) the standard deviation of the dequantisation noise, 1 / (256 sqrt 12): the decoder cannot
# know the noise, and a Gaussian narrower than it fits it worse on average, so lower only invites instability
LOG_SCALE_FLOOR = -math.log(256 * math.sqrt(12))


def _dense_stack(h, hidden: tuple, activation: str):
    """The hidden Dense layers both halves share, named hidden_1, hidden_2, ..."""
    for i, units in enumerate(hidden):
        h = keras.layers.Dense(units, activation=activation, name=f"hidden_{i + 1}")(h)
    return h


def mlp_encoder(input_dim: int, hidden: tuple, latent: int, activation: str, name: str = "encoder"):
    """x -> (mean, log-variance) of q(z|x), a functional model."""
    x = keras.Input((input_dim,), name="x")
    h = _dense_stack(x, hidden, activation)
    mean = keras.layers.Dense(latent, name="z_mean")(h)
    log_var = keras.layers.Dense(latent, name="z_log_var")(h)
    return keras.Model(x, [mean, log_var], name=name)


def mlp_decoder(latent: int, hidden: tuple, output_dim: int, activation: str, name: str = "decoder", levels: int = 0):
    """z -> the logits of p(x|z), a functional model: (output_dim,), or (output_dim, levels) when levels > 0."""
    z = keras.Input((latent,), name="z")
    h = _dense_stack(z, hidden, activation)
    logits = keras.layers.Dense(output_dim * max(levels, 1), name="logits")(h)
    if levels:
        logits = keras.layers.Reshape((output_dim, levels), name="levels")(logits)
    return keras.Model(z, logits, name=name)


def quantise(x, levels: int):
    """Intensities in [0, 1] (8-bit pixels / 255) -> level indices 0 .. levels-1 (as floats), 256/levels values each."""
    return ops.floor(ops.round(x * 255.0) * (levels / 256.0))


@keras.saving.register_keras_serializable(package="zoo")
class VAE(keras.Model):
    """A VAE over flat images in [0, 1].

    Args:
        encoder: a model x -> [mean, log_var].
        decoder: a model z -> logits ((n, d) or, categorical, (n, d, levels)).
        seed: seeds the training-time draws (binarisation, dequantisation, reparameterisation).
        likelihood: "bernoulli", "gaussian" or "categorical" (see the module docstring).
        levels: the categorical decoder's intensity levels (0 for the others).
        samples: importance samples per image in the training bound (1: the ELBO).
    """

    def __init__(
        self,
        encoder,
        decoder,
        seed: int = 0,
        likelihood: str = "bernoulli",
        levels: int = 0,
        samples: int = 1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if likelihood not in LIKELIHOODS or (likelihood == "categorical") != (levels > 0) or samples < 1:
            raise ValueError(f"bad VAE: likelihood={likelihood!r}, levels={levels}, samples={samples}")
        self.encoder = encoder
        self.decoder = decoder
        self.seed = seed
        self.likelihood, self.levels, self.samples = likelihood, int(levels), int(samples)
        self.latent_dim = int(decoder.inputs[0].shape[-1])
        self.data_dim = int(encoder.inputs[0].shape[-1])
        # A draw counter (a saved, non-trainable weight): every draw uses the stateless seed (counter, seed) and
        # bumps it, so each step sees fresh noise in-graph. Chosen over keras.random.SeedGenerator, whose
        # [2]-vector state made the XLA-compiled training loop about 6x slower on CPU (TF 2.21).
        self.draws = self.add_weight(shape=(), dtype="int64", initializer="zeros", trainable=False, name="draws")
        # Gaussian: the decoder gives 2 d outputs (mean logits, then log sigma per pixel and image), or d mean
        # logits and the model holds one log sigma per pixel shared by all images (created only then: the
        # Bernoulli artifacts keep exactly their weights)
        self.decoder_scale = likelihood == "gaussian" and int(decoder.outputs[0].shape[-1]) == 2 * self.data_dim
        if likelihood == "gaussian" and not self.decoder_scale:
            self.log_scale = self.add_weight(shape=(self.data_dim,), initializer="zeros", name="log_scale")
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    # ------------------------------------------------------------------ the likelihood, in keras.ops

    def encoder_input(self, x):
        """What the encoder sees for intensities x: the categorical model sees its quantised levels."""
        if self.likelihood == "categorical":
            return quantise(x, self.levels) / (self.levels - 1)
        return x

    def mean_of(self, out):
        """The mean of p(x|z) from the decoder's output: pixel intensities in [0, 1]."""
        if self.likelihood == "categorical":
            grid = ops.arange(self.levels, dtype=out.dtype) / (self.levels - 1)
            return ops.sum(ops.softmax(out, axis=-1) * grid, axis=-1)
        return ops.sigmoid(out[..., : self.data_dim] if self.decoder_scale else out)

    def gaussian_log_scale(self, out):
        """log sigma: the decoder's, kept softly above LOG_SCALE_FLOOR, or the shared per-pixel weight."""
        if self.decoder_scale:
            return LOG_SCALE_FLOOR + ops.softplus(out[..., self.data_dim :] - LOG_SCALE_FLOOR)
        return ops.cast(self.log_scale, out.dtype)

    def log_px(self, x, out):
        """log p(x|z) per image, summed over pixels; x in the likelihood's own terms (binary pixels,
        dequantised intensities, or levels / (levels - 1))."""
        if self.likelihood == "bernoulli":  # -BCE with logits: x*l - softplus(l)
            return ops.sum(x * out - ops.softplus(out), axis=-1)
        if self.likelihood == "gaussian":
            mean, log_scale = ops.sigmoid(out[..., : self.data_dim]), self.gaussian_log_scale(out)
            return ops.sum(-HALF_LOG_2PI - log_scale - 0.5 * ops.square((x - mean) * ops.exp(-log_scale)), axis=-1)
        index = ops.cast(ops.round(x * (self.levels - 1)), "int32")
        return ops.sum(
            ops.sum(ops.log_softmax(out, axis=-1) * ops.one_hot(index, self.levels, dtype=out.dtype), axis=-1), axis=-1
        )

    def call(self, x, training=False):
        """The mean of p(x|z) at the posterior mean (deterministic, so exportable)."""
        mean, _ = self.encoder(self.encoder_input(x), training=training)
        return self.mean_of(self.decoder(mean, training=training))

    # ------------------------------------------------------------------ training-time draws

    def _draw(self, like, normal=False):
        """Fresh uniform (or normal) draws shaped like `like`: Philox keyed by (draw number, seed), counter 0,
        the draw that stays fast under XLA on CPU (zoo.dropout; tf.random.stateless_* with its default
        algorithm made a VAE epoch 1.5x slower, measured)."""
        import tensorflow as tf

        from zoo.dropout import philox

        self.draws.assign_add(1)
        return philox(tf.shape(like), self.draws, self.seed, like.dtype, normal=normal)

    def binarize(self, x):
        """A fresh Bernoulli draw of each pixel with probability its intensity (binary pixels stay as they are)."""
        return ops.cast(self._draw(x) < x, x.dtype)

    def observe(self, x):
        """Intensities -> the data the likelihood models, drawn afresh each call: binary pixels (Bernoulli),
        uniformly dequantised 8-bit values (round(255 x) + u) / 256 (Gaussian), or quantised levels."""
        if self.likelihood == "bernoulli":
            return self.binarize(x)
        if self.likelihood == "gaussian":
            return (ops.round(x * 255.0) + self._draw(x)) / 256.0
        return quantise(x, self.levels) / (self.levels - 1)

    def reparameterize(self, mean, log_var):
        return mean + ops.exp(0.5 * log_var) * self._draw(mean, normal=True)

    def losses_of(self, x, training=True):
        """(the loss, reconstruction term, KL) averaged over the batch of observed images x: the negative
        ELBO, or with samples = k > 1 the negative k-sample importance-weighted bound (its terms: the
        mean over the k samples of -log p(x|z), and the analytic KL)."""
        mean, log_var = self.encoder(x, training=training)
        kl = 0.5 * ops.sum(ops.square(mean) + ops.exp(log_var) - 1.0 - log_var, axis=-1)
        if self.samples == 1:
            reconstruction = -self.log_px(x, self.decoder(self.reparameterize(mean, log_var), training=training))
            reconstruction, kl = ops.mean(reconstruction), ops.mean(kl)
            return reconstruction + kl, reconstruction, kl
        k, n = self.samples, ops.shape(x)[0]
        tile = lambda t: ops.reshape(ops.tile(t[None], (k, 1, 1)), (-1, t.shape[-1]))  # noqa: E731  (k*n, .)
        z = self.reparameterize(tile(mean), tile(log_var))
        log_px = ops.reshape(self.log_px(tile(x), self.decoder(z, training=training)), (k, n))
        eps = (z - tile(mean)) * ops.exp(-0.5 * tile(log_var))
        # log p(z) - log q(z|x); the 2 pi terms cancel
        log_ratio = ops.reshape(
            ops.sum(0.5 * ops.square(eps) + 0.5 * tile(log_var) - 0.5 * ops.square(z), axis=-1), (k, n)
        )
        bound = ops.logsumexp(log_px + log_ratio, axis=0) - math.log(k)
        return -ops.mean(bound), -ops.mean(log_px), ops.mean(kl)

    def train_step(self, data):
        """One step for users who call `model.fit(x_train)` themselves (the zoo trains through zoo.training)."""
        import tensorflow as tf

        x = data[0] if isinstance(data, (tuple, list)) else data
        with tf.GradientTape() as tape:
            loss, reconstruction, kl = self.losses_of(self.observe(x), training=True)
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.loss_tracker.update_state(loss)
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return {m.name: m.result() for m in self.metrics}

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]

    def get_config(self):
        extra = (
            {}
            if self.likelihood == "bernoulli" and self.samples == 1
            else {"likelihood": self.likelihood, "levels": self.levels, "samples": self.samples}
        )
        return {
            **super().get_config(),
            "seed": self.seed,
            **extra,
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        encoder = keras.saving.deserialize_keras_object(config.pop("encoder"))
        decoder = keras.saving.deserialize_keras_object(config.pop("decoder"))
        return cls(encoder, decoder, **config)
