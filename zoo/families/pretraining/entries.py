"""Greedy layer-wise pretraining (Bengio et al. 2007) against the same network trained from scratch.

`greedy-mlp`: a one-hidden-layer autoencoder is trained on the pixels and its encoder kept as
layer 1; the next autoencoder is trained on layer 1's codes and kept as layer 2; and so on for the
three hidden layers. A softmax layer goes on top and the whole stack is fine-tuned by backprop.
`greedy-mlp-scratch` is the same 784-500-500-500-10 sigmoid network from Glorot-uniform random
initialisation, fine-tuned with the same optimizer and the same number of epochs.

Both are run twice from the same starting weights: fine-tuned on all 60,000 labelled images (the
shipped model, `accuracy_full`) and on 1,000 of them (`accuracy_1000_labels`; greedy-mlp's
pretraining still sees all 60,000 images, without labels). The low-label network is trained and
scored on the test set during `fit`, which returns that number in History.measured; it is not
shipped, so the card's figure comes from the training run.

Stages: pretrain-layer1..3 (greedy only), finetune-1000-labels, finetune. Each stage reports itself
through on_stage and tags its epochs in history.stages; each keeps its own checkpoint beside the
entry's, so `resume` skips the finished stages and continues the interrupted one.
"""

from __future__ import annotations

import numpy as np

from zoo import pictures
from zoo.data import one_hot, vectors
from zoo.family import Family, TrainData, recipe_loss
from zoo.registry import Recipe, register

REFERENCE = (
    "Bengio, Lamblin, Popovici & Larochelle 2007, Greedy layer-wise training of deep networks; seed autoencoder lecture"
)
WIDTHS = (500, 500, 500)  # Bengio et al. 2007's MNIST networks had three hidden layers of this order
LOW_LABELS = 1000
LOW_LABEL_METRIC = f"accuracy_{LOW_LABELS}_labels"
RECIPE = Recipe(
    optimizer="adam",
    learning_rate=1e-3,
    batch_size=128,
    epochs=20,
    loss="categorical_crossentropy",
    seed=0,
    chunk=1,
    stage_epochs={
        "pretrain": 10,  # per autoencoder layer, Adam 1e-3, batch 128, BCE per image
        "low_labels": 100,
    },  # 1,000 images / 128 per batch = 7 steps an epoch
    extras={"labels_low": LOW_LABELS},
)


def hidden_layers(model) -> list:
    """The Dense layers below the softmax, bottom first."""
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)][:-1]


def _encode(layer, x: np.ndarray, batch: int = 10_000) -> np.ndarray:
    return np.concatenate([np.asarray(layer(x[i : i + batch])) for i in range(0, len(x), batch)])


def accuracy(model, x: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.argmax(np.asarray(model.predict(x, batch_size=2000, verbose=0)), axis=1) == labels))


def train_data(entry) -> TrainData:
    split = vectors(entry.dataset)
    return TrainData(split.x_train, one_hot(split.y_train))


def fit(entry, model, *, data=None, checkpoint=None, resume=False, on_chunk=None, on_stage=None):
    """The stages in order, each by the entry's recipe with its own stage's epochs."""
    import keras

    from zoo.losses import bce_per_image
    from zoo.stages import Stages

    data = data if data is not None else train_data(entry)
    recipe = entry.recipe
    stages = Stages(entry, checkpoint=checkpoint, resume=resume, on_chunk=on_chunk, on_stage=on_stage)

    def run(stage, net, loss_fn, x, y, epochs, final=False):
        stages.run(stage, net, loss_fn, x, y, recipe.replace(epochs=epochs), final=final)

    if recipe.extras.get("pretrain"):
        codes = np.asarray(data.x, np.float32)
        ae_loss = lambda net, x, y, training: bce_per_image(y, net(x, training=training))  # noqa: E731
        for k, layer in enumerate(hidden_layers(model), start=1):
            inputs = keras.Input((codes.shape[1],))  # the kept layer is shared: training the autoencoder trains it
            autoencoder = keras.Model(
                inputs, keras.layers.Dense(codes.shape[1], activation="sigmoid", name=f"decoder{k}")(layer(inputs))
            )
            run(f"pretrain-layer{k}", autoencoder, ae_loss, codes, codes, recipe.stage_epochs["pretrain"])
            codes = _encode(layer, codes)

    classify = recipe_loss(entry)
    subset = np.random.default_rng(recipe.seed).permutation(len(data.x))[: recipe.extras["labels_low"]]
    low = keras.models.clone_model(model)  # the same starting point: pretrained (greedy) or the random init (scratch)
    low.set_weights(model.get_weights())
    run(
        f"finetune-{recipe.extras['labels_low']}-labels",
        low,
        classify,
        np.asarray(data.x)[subset],
        np.asarray(data.y)[subset],
        recipe.stage_epochs["low_labels"],
    )
    split = vectors(entry.dataset)
    stages.history.measured[LOW_LABEL_METRIC] = accuracy(low, split.x_test, split.y_test)

    run("finetune", model, classify, data.x, data.y, recipe.epochs, final=True)
    return stages.finish()


def evaluate(entry, model) -> dict:
    split = vectors(entry.dataset)
    return {"accuracy_full": accuracy(model, split.x_test, split.y_test)}


def docs(cards: list[dict]) -> str:
    rows = {c["entry"]: c for c in cards}
    lines = [
        "## Greedy pretraining against training from scratch (MNIST test accuracy)",
        "",
        "| entry | all 60,000 labels | 1,000 labels | training s |",
        "|---|---|---|---|",
    ]
    for name in ("greedy-mlp", "greedy-mlp-scratch"):
        if name in rows:
            m = rows[name]["metrics"]
            lines.append(
                f"| {name} | {m.get('accuracy_full', float('nan')):.4f} | "
                f"{m.get(LOW_LABEL_METRIC, float('nan')):.4f} | {rows[name].get('training_seconds')} |"
            )
    lines += [
        "",
        "Both start from the same kind of network (784-500-500-500-10, sigmoid) and get the same fine-tuning "
        "budget (Adam 1e-3, batch 128: 20 epochs on all labels, 100 epochs on 1,000 labels). greedy-mlp first "
        "trains three autoencoders, one per layer, each on the previous layer's codes of all 60,000 training "
        "images (10 epochs each, no labels). The 1,000-label networks are trained and scored during the training "
        "run and are not shipped: `zoo eval` re-measures accuracy_full only.",
        "",
    ]
    return "\n".join(lines)


FAMILY = Family(
    name="pretraining",
    train_data=train_data,
    evaluate=evaluate,
    fit=fit,
    trained_metrics=(LOW_LABEL_METRIC,),
    plots={
        "stages": lambda entry, model, history, out: pictures.stage_losses(history, entry.name, out),
        "filters": lambda entry, model, history, out: pictures.filters(
            np.asarray(hidden_layers(model)[0].kernel), entry.name, out
        ),
    },
    docs=docs,
)


def _entry(description: str, pretrain: bool) -> dict:
    return dict(
        family=FAMILY,
        description=description,
        reference=REFERENCE,
        dataset="mnist",
        task="classify",
        recipe=RECIPE.replace(extras={**RECIPE.extras, "pretrain": pretrain}),
        expected={"accuracy_full": (">=", 0.97)},
        headline="accuracy_full",
        anchor="Bengio et al. 2007: pretrained deep nets beat the same nets from random init, most with few labels",
        params={"widths": WIDTHS},
    )


# stacked decorators register bottom-up: greedy-mlp is listed first
@register("greedy-mlp-scratch", **_entry("784-500-500-500-10 sigmoid MLP from random init: greedy-mlp's twin", False))
@register(
    "greedy-mlp",
    **_entry("784-500-500-500-10 sigmoid MLP, greedily pretrained as stacked autoencoders, then fine-tuned", True),
)
def greedy_mlp(widths=WIDTHS, n_in: int = 784, classes: int = 10):
    """n_in -> widths (sigmoid) -> classes softmax."""
    import keras

    x = keras.Input((n_in,), name="pixels")
    h = x
    for i, width in enumerate(widths):
        h = keras.layers.Dense(width, activation="sigmoid", name=f"layer{i + 1}")(h)
    return keras.Model(x, keras.layers.Dense(classes, activation="softmax", name="softmax")(h), name="greedy_mlp")
