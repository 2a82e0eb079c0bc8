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
- `ae-dropout`: inverted dropout on the code, active only in training.

The noise and the dropout are drawn in-graph by zoo.dropout (a Keras SeedGenerator drawn
through Philox with a constant counter): keras.random and keras.layers.Dropout take XLA's slow
run-time-counter path on CPU, which made these two entries train in 300-490 s instead of ~70 s.
"""

from __future__ import annotations

import numpy as np

from zoo import data
from zoo.families.autoencoders import pictures
from zoo.families.autoencoders.measure import (
    EVAL_MASK,
    NEAR_ZERO,
    PROBE_STEPS,
    PROBE_TOLERANCE,
    PROBE_TRAIN,
    masked_test_images,
    measure,
)
from zoo.families.autoencoders.network import forward, jacobian_fro2, parts
from zoo.family import Family, TrainData
from zoo.losses import bce_per_image
from zoo.pictures import filters
from zoo.registry import Recipe, register

REFERENCE = (
    "Seed autoencoder lecture; Vincent et al. 2008 (denoising), Rifai et al. 2011 (contractive), "
    "Ng 2011 (sparse), Srivastava et al. 2014 (dropout)"
)
WIDTH = 784  # H of the four regularised entries: see WIDTH_WHY
UNDERCOMPLETE = 128  # H of the plain `ae`: a bottleneck, the classic way to stop the identity
WIDTH_WHY = (
    "H = 784, as wide as the input, for the four regularised entries: the lecture's point is that a code "
    "this wide risks the trivial identity unless something regularises it, so only the regulariser differs "
    "between them; it is the narrowest width at which the regularisers have that job, and it keeps the "
    "20-epoch runs and their linear probes within the family's 2-core budget"
)
REGULARISERS = ("l1", "mask", "contractive")  # the recipe extras the loss reads; dropout is a layer (a builder param)

# loss: binary cross-entropy, summed over the 784 pixels by the family's loss (nats per image)
RECIPE = Recipe(
    optimizer="adam", learning_rate=1e-3, batch_size=128, epochs=20, loss="binary_crossentropy", seed=0, chunk=1
)


def mask(x, p: float, seeds):
    """Masking noise: every pixel set to 0 with probability p (seeds: a keras SeedGenerator)."""
    import keras

    from zoo.dropout import keep_mask

    return x * keep_mask(keras.ops.shape(x), p, seeds, x.dtype)


def train_data(entry) -> TrainData:
    x = data.vectors(entry.dataset).x_train
    return TrainData(x, x)


def loss(entry):
    import keras

    extras = entry.recipe.extras
    l1, corrupt, contractive = extras.get("l1", 0.0), extras.get("mask", 0.0), extras.get("contractive", 0.0)
    seeds = keras.random.SeedGenerator(entry.recipe.seed + 1) if corrupt else None  # its state advances in-graph

    def loss_fn(model, x, y, training):
        inputs = mask(x, corrupt, seeds) if corrupt and training else x
        h, recon = forward(model, inputs, training)
        total = bce_per_image(y, recon)
        if l1:
            total = total + l1 * keras.ops.mean(keras.ops.sum(keras.ops.abs(h), axis=-1))
        if contractive:
            total = total + contractive * keras.ops.mean(jacobian_fro2(h, parts(model)[0].kernel))
        return total

    return loss_fn


def evaluate(entry, model, probe: bool = True) -> dict:
    return measure(model, data.vectors(entry.dataset), probe=probe)


def autoencoder_endpoints(model) -> dict:
    """serve = reconstruct (pixels -> pixels), encode (pixels -> code), decode (code -> pixels)."""
    import tensorflow as tf

    encoder, _, decoder = parts(model)
    pixels = [tf.TensorSpec((None, encoder.kernel.shape[0]), tf.float32, name="pixels")]
    code = [tf.TensorSpec((None, encoder.kernel.shape[1]), tf.float32, name="code")]
    return {
        "serve": (model, pixels),
        "reconstruct": (lambda x: forward(model, x, False)[1], pixels),
        "encode": (lambda x: encoder(x), pixels),
        "decode": (lambda h: decoder(h), code),
    }


def _test_images(entry, n: int = 16) -> np.ndarray:
    return data.vectors(entry.dataset).x_test[:n]


def _denoise(entry, model, history, out):
    x = _test_images(entry)
    noisy = masked_test_images(x)
    return pictures.denoise(x, noisy, forward(model, noisy, False)[1], EVAL_MASK, entry.name, out)


COLUMNS = [
    ("bce", "BCE / image"),
    ("mse", "MSE / image"),
    ("mean_abs_h", r"mean \|h\|"),  # pipes escaped for markdown tables
    ("near_zero_fraction", f"frac h < {NEAR_ZERO}"),
    ("noisy_bce", f"BCE from {EVAL_MASK:.0%}-masked input"),
    ("jacobian_fro2", r"mean \|J\|_F^2"),
    ("probe_accuracy", "linear probe acc."),
]


def comparison_docs(cards: list[dict]) -> str:
    """The comparison table of the five autoencoders, from their cards (whatever they measured)."""
    order = ["ae", "ae-sparse", "ae-denoising", "ae-contractive", "ae-dropout"]
    cards = sorted(cards, key=lambda c: order.index(c["entry"]) if c["entry"] in order else len(order))
    head = ["entry", "regulariser"] + [label for _, label in COLUMNS] + ["train s"]
    lines = [
        "## Comparison (MNIST test set, measured by the final training runs)",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for card in cards:
        knobs = {**card["recipe"]["extras"], **card.get("params", {})}  # dropout is a builder param
        extras = {k: v for k, v in knobs.items() if k in REGULARISERS + ("dropout",) and v}
        regulariser = ", ".join(f"{k} = {v}" for k, v in extras.items()) or "none"
        values = [f"{card['metrics'].get(key, float('nan')):.4g}" for key, _ in COLUMNS]
        lines.append(
            "| " + " | ".join([card["entry"], regulariser] + values + [str(card.get("training_seconds"))]) + " |"
        )
    lines += [
        "",
        f"Shape: {WIDTH_WHY}.",
        "",
        f"BCE and MSE are summed over the 784 pixels and averaged over the 10,000 test images. The robustness "
        f"column feeds images with each pixel zeroed with probability {EVAL_MASK} (NumPy seed 0; the same "
        "masking noise ae-denoising trains with) and scores the reconstruction against the clean image. "
        "|J|_F^2 is the exact squared Frobenius norm of the encoder's Jacobian, in closed form for the sigmoid "
        f"layer. The linear probe is softmax regression on the frozen codes of the first {PROBE_TRAIN:,} training "
        f"images (zero initialisation, {PROBE_STEPS} full-batch Adam steps, L2 1e-4), scored on the test codes.",
        "",
    ]
    return "\n".join(lines)


FAMILY = Family(
    name="autoencoder",
    train_data=train_data,
    evaluate=evaluate,
    eval_options=("probe",),  # probe=False skips the linear probe (seconds)
    loss=loss,
    endpoints=lambda entry, model: autoencoder_endpoints(model),
    tolerances={"probe_accuracy": PROBE_TOLERANCE},
    plots={
        "reconstructions": lambda entry, model, history, out: pictures.reconstructions(
            _test_images(entry), forward(model, _test_images(entry), False)[1], entry.name, out
        ),
        "filters": lambda entry, model, history, out: filters(np.asarray(parts(model)[0].kernel), entry.name, out),
        "denoise": _denoise,
    },
    docs=comparison_docs,
)


def _entry(
    name: str, description: str, regulariser: dict, why: str, expected: dict, headline: str, width: int = WIDTH
) -> dict:
    width_why = WIDTH_WHY + ". " + why if width == WIDTH else why
    return dict(
        family=FAMILY,
        description=description,
        reference=REFERENCE,
        dataset="mnist",
        task="reconstruct",
        recipe=RECIPE.replace(
            extras={k: v for k, v in regulariser.items() if k in REGULARISERS}, notes={"width_why": width_why}
        ),
        expected=expected,
        headline=headline,
        anchor="seed autoencoder lecture (no published figure for this exact recipe)",
        params={"width": width, "dropout": regulariser.get("dropout", 0.0)},
    )  # the builder's dropout is its knob


# stacked decorators register bottom-up: this order lists ae first. The penalty weights were picked from
# 5-epoch trial runs (l1 0.1 vs 0.5, contractive 0.1 vs 1): the smaller ones cost the least reconstruction.
@register(
    "ae-dropout",
    **_entry(
        "ae-dropout",
        "784-784-784 autoencoder with dropout (p = 0.5) on the code",
        {"dropout": 0.5},
        "Dropout on a wide code keeps units from co-adapting into a copy of the input.",
        {"bce": ("<=", 75.0), "probe_accuracy": (">=", 0.85)},
        "probe_accuracy",
    ),
)
@register(
    "ae-contractive",
    **_entry(
        "ae-contractive",
        "784-784-784 autoencoder with the exact Jacobian Frobenius penalty",
        {"contractive": 0.1},
        "The Jacobian penalty, not the width, makes the code insensitive to small input changes.",
        {"jacobian_fro2": ("<=", 100.0), "bce": ("<=", 70.0), "probe_accuracy": (">=", 0.85)},
        "jacobian_fro2",
    ),
)
@register(
    "ae-denoising",
    **_entry(
        "ae-denoising",
        "784-784-784 autoencoder reconstructing clean images from masked ones (p = 0.25)",
        {"mask": 0.25},
        "Denoising needs no bottleneck: the corruption rules out the identity.",
        {"noisy_bce": ("<=", 80.0), "bce": ("<=", 80.0), "probe_accuracy": (">=", 0.85)},
        "noisy_bce",
    ),
)
@register(
    "ae-sparse",
    **_entry(
        "ae-sparse",
        "784-784-784 autoencoder with an L1 penalty (0.1) on the code",
        {"l1": 0.1},
        "Sparsity is what lets a code as wide as the input stay informative.",
        {"near_zero_fraction": (">=", 0.5), "bce": ("<=", 70.0), "probe_accuracy": (">=", 0.85)},
        "near_zero_fraction",
    ),
)
@register(
    "ae",
    **_entry(
        "ae",
        f"784-{UNDERCOMPLETE}-784 sigmoid autoencoder, no regulariser but the bottleneck: the baseline",
        {},
        f"H = {UNDERCOMPLETE} < 784: an undercomplete code cannot copy its input, so the bottleneck "
        "is the regulariser; the plain baseline the four wide, regularised entries are compared with.",
        {"bce": ("<=", 80.0), "probe_accuracy": (">=", 0.85)},
        "bce",
        width=UNDERCOMPLETE,
    ),
)
def autoencoder(width: int = WIDTH, dropout: float = 0.0, n_in: int = 784):
    """n_in -> width sigmoid ("encoder") -> [dropout] -> n_in sigmoid ("decoder")."""
    import keras

    from zoo.dropout import FastDropout

    x = keras.Input((n_in,), name="pixels")
    h = keras.layers.Dense(width, activation="sigmoid", name="encoder")(x)
    z = FastDropout(dropout, name="dropout")(h) if dropout > 0 else h
    out = keras.layers.Dense(n_in, activation="sigmoid", name="decoder")(z)
    return keras.Model(x, out, name="autoencoder")
