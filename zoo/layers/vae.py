"""The variational autoencoder as one serialisable Keras model (Kingma & Welling 2014), keras-io style.

An encoder gives the mean and log-variance of q(z|x); z = mean + sigma * eps (reparameterised); a
Bernoulli decoder gives the logits of p(x|z). The loss is the negative ELBO per image, averaged over
the batch: the binary cross-entropy with logits summed over pixels plus KL(q(z|x) || N(0, I)).

`call` runs encoder and decoder (x -> reconstruction probabilities from the posterior mean), so one
call on a dummy batch builds the model: a subclassed model whose training only ever touches its
sub-models would stay unbuilt, and Keras then refuses to save or export it properly.
"""
from __future__ import annotations

import keras
from keras import ops


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


def mlp_decoder(latent: int, hidden: tuple, output_dim: int, activation: str, name: str = "decoder"):
    """z -> the logits of p(x|z), a functional model (reversed hidden sizes are the caller's choice)."""
    z = keras.Input((latent,), name="z")
    h = _dense_stack(z, hidden, activation)
    logits = keras.layers.Dense(output_dim, name="logits")(h)
    return keras.Model(z, logits, name=name)


@keras.saving.register_keras_serializable(package="zoo")
class VAE(keras.Model):
    """A VAE over flat images in [0, 1], trained on dynamically binarised pixels.

    Args:
        encoder: a model x -> [mean, log_var].
        decoder: a model z -> logits.
        seed: seeds the generator of the binarisation draws and the reparameterisation noise.
    """

    def __init__(self, encoder, decoder, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.seed = seed
        self.latent_dim = int(decoder.inputs[0].shape[-1])
        # A draw counter (a saved, non-trainable weight): every draw uses the stateless seed (counter, seed) and
        # bumps it, so each step sees fresh noise in-graph. Chosen over keras.random.SeedGenerator, whose
        # [2]-vector state made the XLA-compiled training loop about 6x slower on CPU (TF 2.21).
        self.draws = self.add_weight(shape=(), dtype="int64", initializer="zeros", trainable=False, name="draws")
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    def call(self, x, training=False):
        """Reconstruction probabilities, decoded from the posterior mean (deterministic, so exportable)."""
        mean, _ = self.encoder(x, training=training)
        return ops.sigmoid(self.decoder(mean, training=training))

    def _next_seed(self):
        import tensorflow as tf

        self.draws.assign_add(1)
        return tf.stack([tf.convert_to_tensor(self.draws), tf.constant(self.seed, tf.int64)])  # int64: XLA's fast path

    def binarize(self, x):
        """A fresh Bernoulli draw of each pixel with probability its intensity (binary pixels stay as they are)."""
        import tensorflow as tf

        u = tf.random.stateless_uniform(tf.shape(x), seed=self._next_seed(), dtype=x.dtype)
        return ops.cast(u < x, x.dtype)

    def reparameterize(self, mean, log_var):
        import tensorflow as tf

        eps = tf.random.stateless_normal(tf.shape(mean), seed=self._next_seed(), dtype=mean.dtype)
        return mean + ops.exp(0.5 * log_var) * eps

    def losses_of(self, x, training=True):
        """(negative ELBO, reconstruction term, KL) averaged over the batch of binary images x."""
        mean, log_var = self.encoder(x, training=training)
        logits = self.decoder(self.reparameterize(mean, log_var), training=training)
        # -log p(x|z) of a Bernoulli decoder = BCE with logits: softplus(l) - x*l, summed over pixels
        reconstruction = ops.sum(ops.softplus(logits) - x * logits, axis=-1)
        kl = 0.5 * ops.sum(ops.square(mean) + ops.exp(log_var) - 1.0 - log_var, axis=-1)
        reconstruction, kl = ops.mean(reconstruction), ops.mean(kl)
        return reconstruction + kl, reconstruction, kl

    def train_step(self, data):
        """One step for users who call `model.fit(x_train)` themselves (the zoo trains through zoo.training)."""
        import tensorflow as tf

        x = data[0] if isinstance(data, (tuple, list)) else data
        with tf.GradientTape() as tape:
            loss, reconstruction, kl = self.losses_of(self.binarize(x), training=True)
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
        return {**super().get_config(), "seed": self.seed,
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "decoder": keras.saving.serialize_keras_object(self.decoder)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        encoder = keras.saving.deserialize_keras_object(config.pop("encoder"))
        decoder = keras.saving.deserialize_keras_object(config.pop("decoder"))
        return cls(encoder, decoder, **config)
