"""Regularised autoencoders on MNIST: one shared 784-H-784 shape, five ways to stop it copying its input.

Every entry is the same network: 784 pixels -> H sigmoid code units ("encoder") -> 784 sigmoid
pixels ("decoder"), trained on grey-level pixels in [0, 1] with binary cross-entropy summed over the
784 pixels (nats per image, the number `bce` reports). Only the regulariser differs:

- `ae`: none, E = L(x, g(f(x))), and undercomplete (H = 128): the bottleneck is its only regulariser.
  The baseline the others are measured against.
- `ae-sparse`: E = L + lambda * sum_i |h_i| (an L1 penalty on the code).
- `ae-denoising`: masking noise (Vincent et al. 2008): each input pixel is set to 0 with
  probability `mask`, the loss compares the reconstruction with the *clean* image.
- `ae-contractive`: E = L + lambda * ||J_f(x)||_F^2, the squared Frobenius norm of the encoder's
  Jacobian (Rifai et al. 2011), computed exactly in closed form: for h = sigmoid(W^T x + b),
  dh_j/dx_i = h_j (1 - h_j) W_ij, so ||J||_F^2 = sum_j (h_j (1 - h_j))^2 sum_i W_ij^2.
- `ae-dropout`: a Keras Dropout layer on the code, active only in training.

The noise and the dropout are drawn in-graph (keras.random with a SeedGenerator, and Keras'
Dropout layer), so every recipe runs in the XLA-compiled training loop.
"""
from __future__ import annotations

import weakref

import numpy as np

from zoo.family import Family, TrainData, family
from zoo.registry import Recipe, register

REFERENCE = ("Seed autoencoder lecture; Vincent et al. 2008 (denoising), Rifai et al. 2011 (contractive), "
             "Ng 2011 (sparse), Srivastava et al. 2014 (dropout)")
WIDTH = 784          # H of the four regularised entries: see WIDTH_WHY
UNDERCOMPLETE = 128  # H of the plain `ae`: a bottleneck, the classic way to stop the identity
WIDTH_WHY = ("H = 784, as wide as the input, for the four regularised entries: the lecture's point is that a code "
             "this wide risks the trivial identity unless something regularises it, so only the regulariser differs "
             "between them; it is the narrowest width at which the regularisers have that job, and it keeps the "
             "20-epoch runs and their linear probes within the family's 2-core budget")
REGULARISERS = ("l1", "mask", "contractive", "dropout")  # the recipe extras that name a regulariser
EVAL_MASK = 0.25     # the corruption used to measure robustness: each test pixel zeroed with this probability
NEAR_ZERO = 0.05     # a code unit counts as silent for an image when its activation is below this
PROBE_STEPS = 300    # full-batch steps of the linear probe
PROBE_TRAIN = 10_000 # the probe learns from the codes of the first this-many training images (seconds, not minutes)
PROBE_TOLERANCE = 0.003  # the probe is trained again by check_artifact: allow for floating-point order effects

# loss: binary cross-entropy, summed over the 784 pixels by the family's loss_fn (nats per image)
RECIPE = Recipe(optimizer="adam", learning_rate=1e-3, batch_size=128, epochs=20, loss="binary_crossentropy", seed=0,
                chunk=1, extras={})


def _entry(name: str, description: str, regulariser: dict, why: str, expected: dict, headline: str,
           width: int = WIDTH) -> dict:
    width_why = WIDTH_WHY + ". " + why if width == WIDTH else why
    return dict(family="autoencoder", description=description, reference=REFERENCE, dataset="mnist",
                task="reconstruct", recipe=RECIPE.replace(extras={**regulariser, "width_why": width_why}),
                expected=expected, headline=headline, anchor="seed autoencoder lecture (no published figure for this exact recipe)",
                params={"width": width, "dropout": regulariser.get("dropout", 0.0)})


# stacked decorators register bottom-up: this order lists ae first. The penalty weights were picked from
# 5-epoch trial runs (l1 0.1 vs 0.5, contractive 0.1 vs 1): the smaller ones cost the least reconstruction.
@register("ae-dropout", **_entry("ae-dropout", "784-784-784 autoencoder with dropout (p = 0.5) on the code",
                                 {"dropout": 0.5}, "Dropout on a wide code keeps units from co-adapting into a copy of the input.",
                                 {"bce": ("<=", 75.0), "probe_accuracy": (">=", 0.85)}, "probe_accuracy"))
@register("ae-contractive", **_entry("ae-contractive", "784-784-784 autoencoder with the exact Jacobian Frobenius penalty",
                                     {"contractive": 0.1}, "The Jacobian penalty, not the width, makes the code insensitive to small input changes.",
                                     {"jacobian_fro2": ("<=", 100.0), "bce": ("<=", 70.0), "probe_accuracy": (">=", 0.85)},
                                     "jacobian_fro2"))
@register("ae-denoising", **_entry("ae-denoising", "784-784-784 autoencoder reconstructing clean images from masked ones (p = 0.25)",
                                   {"mask": 0.25}, "Denoising needs no bottleneck: the corruption rules out the identity.",
                                   {"noisy_bce": ("<=", 80.0), "bce": ("<=", 80.0), "probe_accuracy": (">=", 0.85)}, "noisy_bce"))
@register("ae-sparse", **_entry("ae-sparse", "784-784-784 autoencoder with an L1 penalty (0.1) on the code",
                                {"l1": 0.1}, "Sparsity is what lets a code as wide as the input stay informative.",
                                {"near_zero_fraction": (">=", 0.5), "bce": ("<=", 70.0), "probe_accuracy": (">=", 0.85)},
                                "near_zero_fraction"))
@register("ae", **_entry("ae", f"784-{UNDERCOMPLETE}-784 sigmoid autoencoder, no regulariser but the bottleneck: the baseline", {},
                         f"H = {UNDERCOMPLETE} < 784: an undercomplete code cannot copy its input, so the bottleneck "
                         "is the regulariser; the plain baseline the four wide, regularised entries are compared with.",
                         {"bce": ("<=", 80.0), "probe_accuracy": (">=", 0.85)}, "bce", width=UNDERCOMPLETE))
def autoencoder(width: int = WIDTH, dropout: float = 0.0, n_in: int = 784):
    """n_in -> width sigmoid ("encoder") -> [Dropout] -> n_in sigmoid ("decoder")."""
    import keras

    x = keras.Input((n_in,), name="pixels")
    h = keras.layers.Dense(width, activation="sigmoid", name="encoder")(x)
    z = keras.layers.Dropout(dropout, name="dropout")(h) if dropout > 0 else h
    out = keras.layers.Dense(n_in, activation="sigmoid", name="decoder")(z)
    return keras.Model(x, out, name="autoencoder")


def forward(model, x, training: bool):
    """(code, reconstruction) in one pass through the named layers."""
    h = model.get_layer("encoder")(x)
    z = model.get_layer("dropout")(h, training=training) if _has(model, "dropout") else h
    return h, model.get_layer("decoder")(z)


def _has(model, name: str) -> bool:
    return any(layer.name == name for layer in model.layers)


def bce_per_image(x, p):
    """Binary cross-entropy summed over pixels, averaged over images (nats per image); works on tensors."""
    import keras

    p = keras.ops.clip(p, 1e-7, 1 - 1e-7)
    return keras.ops.mean(-keras.ops.sum(x * keras.ops.log(p) + (1 - x) * keras.ops.log(1 - p), axis=-1))


def jacobian_fro2(h, kernel):
    """Per image ||dh/dx||_F^2 for h = sigmoid(x @ kernel + b): sum_j (h_j (1 - h_j))^2 ||kernel[:, j]||^2 (exact)."""
    import keras

    return keras.ops.sum(keras.ops.square(h * (1 - h)) * keras.ops.sum(keras.ops.square(kernel), axis=0), axis=-1)


def mask(x, p: float, seed):
    """Masking noise: every pixel set to 0 with probability p (seed: an int or a keras SeedGenerator)."""
    import keras

    return x * keras.ops.cast(keras.random.uniform(keras.ops.shape(x), seed=seed) >= p, x.dtype)


def linear_probe(train_codes, train_labels, test_codes, test_labels, steps: int = PROBE_STEPS) -> float:
    """Test accuracy of softmax regression on frozen codes: zero init, full batch, Adam, a fixed number of steps.

    Deterministic up to floating-point summation order (no random initialisation, no shuffling); a few
    seconds for 60,000 codes of width 784 on 2 cores.
    """
    import keras
    import tensorflow as tf

    x = tf.constant(train_codes, tf.float32)
    y = tf.constant(np.asarray(train_labels, np.int64))
    w = tf.Variable(tf.zeros([x.shape[1], 10]))
    b = tf.Variable(tf.zeros([10]))
    opt = keras.optimizers.Adam(0.02)
    opt.build([w, b])

    @tf.function(jit_compile=True)
    def train(x, y):  # the codes as arguments, not captured constants (XLA would fold 60,000 x H into the program)
        def body(i):
            with tf.GradientTape() as tape:
                logits = x @ w + b
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits)) + 1e-4 * tf.reduce_sum(w * w)
            opt.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))
            return (i + 1,)

        tf.while_loop(lambda i: i < steps, body, (tf.constant(0),))
        return w.read_value(), b.read_value()

    w_, b_ = (v.numpy() for v in train(x, y))
    predicted = np.argmax(np.asarray(test_codes) @ w_ + b_, axis=1)
    return float(np.mean(predicted == np.asarray(test_labels)))


@family
class AutoencoderFamily(Family):
    name = "autoencoder"
    plot_kinds = {"reconstructions": "plot_reconstructions", "filters": "plot_filters", "denoise": "plot_denoise"}

    def small_data(self, entry, n: int = 64) -> TrainData:
        """At least two mini-batches: the compiled loop slices whole batches of the recipe's size."""
        return super().small_data(entry, max(n, 2 * entry.recipe.batch_size))

    def train_data(self, entry) -> TrainData:
        from zoo import data

        x = data.as_vectors(data.load(entry.dataset).x_train)
        return TrainData(x, x)

    def loss_fn(self, entry):
        import keras

        extras = entry.recipe.extras
        l1, corrupt, contractive = extras.get("l1", 0.0), extras.get("mask", 0.0), extras.get("contractive", 0.0)
        seeds = keras.random.SeedGenerator(entry.recipe.seed + 1) if corrupt else None  # its state advances in-graph

        def loss(model, x, y, training):
            inputs = mask(x, corrupt, seeds) if corrupt and training else x
            h, recon = forward(model, inputs, training)
            total = bce_per_image(y, recon)
            if l1:
                total = total + l1 * keras.ops.mean(keras.ops.sum(keras.ops.abs(h), axis=-1))
            if contractive:
                total = total + contractive * keras.ops.mean(jacobian_fro2(h, model.get_layer("encoder").kernel))
            return total

        return loss

    def evaluate(self, entry, model, **options) -> dict:
        split = _mnist(entry.dataset)
        return measure(model, split, probe=options.get("probe", True))

    def check_artifact(self, entry, model, card: dict) -> list[str]:
        metrics = self.evaluate(entry, model)
        problems = entry.meets(metrics)
        for name, value in card.get("metrics", {}).items():
            again = metrics.get(name)
            tolerance = PROBE_TOLERANCE if name == "probe_accuracy" else 1e-3 + 1e-3 * abs(value)
            if again is not None and abs(again - value) > tolerance:
                problems.append(f"{name}: card says {value}, measured {again}")
        return problems

    def endpoints(self, entry, model):
        return autoencoder_endpoints(model)

    def plot_reconstructions(self, entry, model, history, out_path):
        from zoo.plots.autoencoders import reconstructions

        x = _mnist(entry.dataset)[2][:16]
        return reconstructions(x, forward(model, x, False)[1], entry.name, out_path)

    def plot_filters(self, entry, model, history, out_path):
        from zoo.plots.autoencoders import filters

        return filters(np.asarray(model.get_layer("encoder").kernel), entry.name, out_path)

    def plot_denoise(self, entry, model, history, out_path):
        from zoo.plots.autoencoders import denoise

        x = _mnist(entry.dataset)[2][:16]
        noisy = masked_test_images(x)
        return denoise(x, noisy, forward(model, noisy, False)[1], EVAL_MASK, entry.name, out_path)

    def docs(self, cards: list[dict]) -> str:
        return comparison_docs(cards)


def _mnist(name: str):
    """(x_train, y_train, x_test, y_test) as float vectors in [0, 1] and integer labels."""
    from zoo import data

    split = data.load(name)
    return data.as_vectors(split.x_train), split.y_train, data.as_vectors(split.x_test), split.y_test


def masked_test_images(x: np.ndarray) -> np.ndarray:
    """The fixed corruption of the robustness metric: masking noise with p = EVAL_MASK, NumPy seed 0."""
    keep = np.random.default_rng(0).random(x.shape, dtype=np.float32) >= EVAL_MASK
    return (x * keep).astype(np.float32)


def measure(model, split, probe: bool = True) -> dict:
    """The five numbers of the comparison, on the test set."""
    x_train, y_train, x_test, y_test = split
    h, recon = (np.asarray(t, np.float64) for t in forward(model, x_test, False))
    clipped = np.clip(recon, 1e-7, 1 - 1e-7)
    bce = -np.sum(x_test * np.log(clipped) + (1 - x_test) * np.log(1 - clipped), axis=1)
    noisy_recon = np.clip(np.asarray(forward(model, masked_test_images(x_test), False)[1], np.float64), 1e-7, 1 - 1e-7)
    noisy_bce = -np.sum(x_test * np.log(noisy_recon) + (1 - x_test) * np.log(1 - noisy_recon), axis=1)
    kernel = np.asarray(model.get_layer("encoder").kernel, np.float64)
    metrics = {
        "bce": float(bce.mean()),                                          # nats per image
        "mse": float(np.sum((recon - x_test) ** 2, axis=1).mean()),         # squared error summed over pixels, per image
        "mean_abs_h": float(np.abs(h).mean()),
        "near_zero_fraction": float((np.abs(h) < NEAR_ZERO).mean()),
        "noisy_bce": float(noisy_bce.mean()),                              # clean target, masked input
        "jacobian_fro2": float(np.mean(np.sum((h * (1 - h)) ** 2 * np.sum(kernel**2, axis=0), axis=1))),
    }
    if probe:
        train_codes = np.asarray(model.get_layer("encoder")(x_train[:PROBE_TRAIN]))
        metrics["probe_accuracy"] = linear_probe(train_codes, y_train[:PROBE_TRAIN], h.astype(np.float32), y_test)
    return metrics


def autoencoder_endpoints(model) -> dict:
    """serve = reconstruct (pixels -> pixels), encode (pixels -> code), decode (code -> pixels)."""
    import tensorflow as tf

    encoder, decoder = model.get_layer("encoder"), model.get_layer("decoder")
    pixels = [tf.TensorSpec((None, encoder.kernel.shape[0]), tf.float32, name="pixels")]
    code = [tf.TensorSpec((None, encoder.kernel.shape[1]), tf.float32, name="code")]
    return {
        "serve": (model, pixels),
        "reconstruct": (lambda x: forward(model, x, False)[1], pixels),
        "encode": (lambda x: encoder(x), pixels),
        "decode": (lambda h: decoder(h), code),
    }


COLUMNS = [("bce", "BCE / image"), ("mse", "MSE / image"), ("mean_abs_h", r"mean \|h\|"),  # pipes escaped for markdown tables
           ("near_zero_fraction", f"frac h < {NEAR_ZERO}"), ("noisy_bce", f"BCE from {EVAL_MASK:.0%}-masked input"),
           ("jacobian_fro2", r"mean \|J\|_F^2"), ("probe_accuracy", "linear probe acc.")]


def comparison_docs(cards: list[dict]) -> str:
    """The comparison table of the five autoencoders, from their cards (whatever they measured)."""
    order = ["ae", "ae-sparse", "ae-denoising", "ae-contractive", "ae-dropout"]
    cards = sorted(cards, key=lambda c: order.index(c["entry"]) if c["entry"] in order else len(order))
    head = ["entry", "regulariser"] + [label for _, label in COLUMNS] + ["train s"]
    lines = ["## Comparison (MNIST test set, measured by the final training runs)", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for card in cards:
        extras = {k: v for k, v in card["recipe"]["extras"].items() if k in REGULARISERS}
        regulariser = ", ".join(f"{k} = {v}" for k, v in extras.items()) or "none"
        values = [f"{card['metrics'].get(key, float('nan')):.4g}" for key, _ in COLUMNS]
        lines.append("| " + " | ".join([card["entry"], regulariser] + values + [str(card.get("training_seconds"))]) + " |")
    lines += ["", f"Shape: {WIDTH_WHY}.", "",
              f"BCE and MSE are summed over the 784 pixels and averaged over the 10,000 test images. The robustness "
              f"column feeds images with each pixel zeroed with probability {EVAL_MASK} (NumPy seed 0; the same "
              "masking noise ae-denoising trains with) and scores the reconstruction against the clean image. "
              "|J|_F^2 is the exact squared Frobenius norm of the encoder's Jacobian, in closed form for the sigmoid "
              f"layer. The linear probe is softmax regression on the frozen codes of the first {PROBE_TRAIN:,} training images "
              f"(zero initialisation, {PROBE_STEPS} full-batch Adam steps, L2 1e-4), scored on the test codes.", ""]
    return "\n".join(lines)
