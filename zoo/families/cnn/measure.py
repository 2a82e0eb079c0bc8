"""What the cnn family measures: test accuracy, the transfer experiment, and the activations its pictures show.

Transfer (entries with extras["transfer_labels"]): after the entry's own training, a 5-class twin of
the network is trained on the training digits 0-4 ("source"); its penultimate layer, frozen, gives
the features on which a new softmax learns digits 5-9 from `transfer_labels` labelled images:
its convolutional layers' output ("transfer") and, for comparison, its penultimate layer
("transfer-penultimate"). The same 5-class network from a fresh random init is trained on those same images
("scratch"), with the same optimizer and steps. Both are scored on the 5,139 test digits 5-9 and
the two accuracies go on the card as training-time metrics (the side networks are not shipped).
Every draw (the twins' init, the labelled subset, the shuffles) follows the run's seed.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from zoo import data as datasets
from zoo.family import recipe_loss
from zoo.inference import predict

TRANSFER_METRICS = ("transfer_accuracy", "transfer_penultimate_accuracy", "scratch_accuracy")
SPLIT_DIGIT = 5  # source: digits below it; target: digits from it on
PATCH_IMAGES = 2000  # test images searched for each unit's strongest inputs (fixed: the pictures are reproducible)


def evaluate(entry, model) -> dict:
    from zoo.losses import get_loss

    split = datasets.vectors(entry.dataset)
    probabilities = predict(model, split.x_test)
    loss = float(get_loss(entry.recipe.loss)(datasets.one_hot(split.y_test), probabilities))
    return {"test_accuracy": float(np.mean(probabilities.argmax(1) == split.y_test)), "test_loss": loss}


def check(entry, model, card: dict) -> list[str]:
    """The family's full check, asking for the transfer numbers only of entries that run the experiment."""
    carried = TRANSFER_METRICS if entry.recipe.extras.get("transfer_labels") else ()
    return dataclasses.replace(entry.family, check=None, trained_metrics=carried).check_artifact(entry, model, card)


# ------------------------------------------------------------------------------------- structure


def feature_layer(model):
    """The penultimate representation: the last Dense layer below the output one."""
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)][-2]


def feature_model(model):
    import keras

    return keras.Model(model.input, feature_layer(model).output)


def conv_features(model):
    """The convolutional representation: what the first Dense layer receives (the last pooled maps, flattened)."""
    import keras

    first = next(layer for layer in model.layers if isinstance(layer, keras.layers.Dense))
    return keras.Model(model.input, first.input)


def first_filters(model) -> np.ndarray:
    """The first convolution's kernels as (filters, height, width) images."""
    import keras

    conv = next(layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D))
    return np.transpose(np.asarray(conv.kernel)[:, :, 0, :], (2, 0, 1))


def spatial_stages(model) -> list:
    """The feature maps worth showing: past the input reshape, the last layer of every run of layers with one
    output shape (conv -> batch norm -> activation is one stage: its activation), and each pooling."""
    import keras

    layers = [
        layer for layer in model.layers if len(layer.output.shape) == 4 and not isinstance(layer, keras.layers.Reshape)
    ]
    return [
        layer
        for layer, after in zip(layers, layers[1:] + [None])
        if after is None or tuple(after.output.shape) != tuple(layer.output.shape)
    ]


def receptive_fields(model) -> dict:
    """layer -> (size, step, first): unit (i, j) of its map sees the input square of side `size` whose top-left
    pixel is (first + i * step, first + j * step); derived from every conv and pooling layer's kernel, stride and
    padding."""
    import keras

    size, step, centre, fields = 1, 1, 0.0, {}
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
            k = (layer.kernel_size if isinstance(layer, keras.layers.Conv2D) else layer.pool_size)[0]
            stride = layer.strides[0]
            pad = (k - 1) // 2 if layer.padding == "same" else 0
            centre += ((k - 1) / 2 - pad) * step
            size += (k - 1) * step
            step *= stride
        fields[layer.name] = (size, step, int(round(centre - (size - 1) / 2)))
    return fields


def _outputs(model, layers, x) -> list[np.ndarray]:
    import keras

    probe = keras.Model(model.input, [layer.output for layer in layers])
    parts = [probe(x[i : i + 500], training=False) for i in range(0, len(x), 500)]
    return [np.concatenate([np.asarray(p[k]) for p in parts]) for k in range(len(layers))]


def feature_maps(entry, model, index: int = 0):
    """One test digit and every stage's maps for it: (image, [(label, maps (h, w, channels))])."""
    x = datasets.vectors(entry.dataset).x_test[index : index + 1]
    layers = spatial_stages(model)
    maps = _outputs(model, layers, x)
    return x[0].reshape(28, 28), [
        (f"{layer.name} {m.shape[1]}x{m.shape[2]}x{m.shape[3]}", m[0]) for layer, m in zip(layers, maps)
    ]


def top_patches(entry, model, units: int = 8, top: int = 8) -> list[tuple[str, np.ndarray]]:
    """For every conv stage and the penultimate layer: the `units` most excitable units (highest activation
    over the first PATCH_IMAGES test images) and, for each, the input patches (the unit's receptive field)
    of the `top` images that excite it most, each image once -> [(label, patches (units, top, side, side))]."""
    import keras

    x = datasets.vectors(entry.dataset).x_test[:PATCH_IMAGES]
    images = x.reshape(-1, 28, 28)
    fields = receptive_fields(model)
    stages = [
        layer
        for layer in spatial_stages(model)
        if not isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D))
    ]
    dense = feature_layer(model)
    result = []
    for layer, acts in zip(stages + [dense], _outputs(model, stages + [dense], x)):
        if acts.ndim == 2:  # a Dense unit sees the whole image
            acts, (size, step, first) = acts[:, None, None, :], (28, 1, 0)
        else:
            size, step, first = fields[layer.name]
        per_image = acts.reshape(len(acts), -1, acts.shape[-1])  # (images, positions, units)
        strongest = per_image.max(axis=1)  # (images, units)
        chosen = np.argsort(-strongest.max(axis=0), kind="stable")[:units]
        padded = np.pad(images, ((0, 0), (size, size), (size, size)))
        patches = np.zeros((len(chosen), top, size, size), np.float32)
        for row, unit in enumerate(chosen):
            for col, image in enumerate(np.argsort(-strongest[:, unit], kind="stable")[:top]):
                i, j = divmod(int(per_image[image, :, unit].argmax()), acts.shape[2])
                r, c = first + i * step + size, first + j * step + size
                patches[row, col] = padded[image, r : r + size, c : c + size]
        result.append((f"{layer.name}: {size}x{size} input patches", patches))
    return result


# ------------------------------------------------------------------------------------- training


def fit(entry, model, *, data=None, checkpoint=None, resume=False, on_chunk=None, on_stage=None):
    """The entry's own training ("train"), then, if its recipe asks, the transfer experiment's three stages."""
    from zoo.stages import Stages

    family, recipe = entry.family, entry.recipe
    data = data if data is not None else family.train_data(entry)
    stages = Stages(entry, checkpoint=checkpoint, resume=resume, on_chunk=on_chunk, on_stage=on_stage)

    def run(stage, net, loss_fn, x, y, stage_recipe, own_checkpoint=False):
        stages.run(stage, net, loss_fn, x, y, stage_recipe, final=own_checkpoint)

    run("train", model, family.loss(entry), data.x, data.y, recipe, own_checkpoint=True)
    if recipe.extras.get("transfer_labels"):
        stages.history.measured.update(transfer(entry, data, run))
    return stages.finish()


def transfer(entry, data, run) -> dict:
    """Features from digits 0-4 against random init, both learning 5-9 from a few labels (see the module doc)."""
    import keras

    recipe = entry.recipe
    labels = np.asarray(data.y).argmax(1)
    x = np.asarray(data.x, np.float32)
    classify = recipe_loss(entry)
    plain = recipe.replace(extras={})  # Adam at the recipe's constant rate: the cosine schedule is the main run's

    def twin(offset):
        keras.utils.set_random_seed(recipe.seed + offset)  # each side network's init follows the run's seed
        return entry.builder(**entry.params, classes=SPLIT_DIGIT)

    source = twin(1)
    low = labels < SPLIT_DIGIT
    run(
        f"source-digits-0-{SPLIT_DIGIT - 1}",
        source,
        classify,
        x[low],
        datasets.one_hot(labels[low], SPLIT_DIGIT),
        plain.replace(epochs=recipe.stage_epochs["source"]),
    )

    target = np.flatnonzero(labels >= SPLIT_DIGIT)
    few = np.sort(np.random.default_rng(recipe.seed).permutation(target)[: recipe.extras["transfer_labels"]])
    x_few, y_few = x[few], datasets.one_hot(labels[few] - SPLIT_DIGIT, SPLIT_DIGIT)
    few_recipe = plain.replace(epochs=recipe.stage_epochs["few_labels"], batch_size=min(10, len(few)))
    n = len(few)
    heads = {}
    for key, stage, features in (
        ("transfer_accuracy", f"transfer-{n}-labels", conv_features(source)),
        ("transfer_penultimate_accuracy", f"transfer-penultimate-{n}-labels", feature_model(source)),
    ):
        keras.utils.set_random_seed(recipe.seed + 2)
        head = keras.Sequential(
            [keras.Input((features.output.shape[-1],)), keras.layers.Dense(SPLIT_DIGIT, activation="softmax")],
            name="new_classifier",
        )
        run(stage, head, classify, predict(features, x_few), y_few, few_recipe)
        heads[key] = (features, head)
    scratch = twin(3)
    run(f"scratch-{n}-labels", scratch, classify, x_few, y_few, few_recipe)

    split = datasets.vectors(entry.dataset)
    test = split.y_test >= SPLIT_DIGIT
    truth = split.y_test[test] - SPLIT_DIGIT
    scores = {
        key: float(np.mean(predict(head, predict(features, split.x_test[test])).argmax(1) == truth))
        for key, (features, head) in heads.items()
    }
    return {**scores, "scratch_accuracy": float(np.mean(predict(scratch, split.x_test[test]).argmax(1) == truth))}


def docs(cards: list[dict]) -> str:
    lines = []
    for card in cards:
        m, recipe = card["metrics"], card["recipe"]
        if "transfer_accuracy" not in m:
            continue
        labels = recipe["extras"]["transfer_labels"]
        lines += [
            "## Transfer: digits 0-4 to digits 5-9",
            "",
            f"`{card['entry']}`, from {labels} labelled training images of digits 5-9, scored on the 5,139 test "
            "images of 5-9 (5 classes):",
            "",
            "| features | test accuracy on 5-9 |",
            "|---|---|",
            "| the convolutional layers learned on digits 0-4 (frozen), a new softmax on top | "
            f"{m['transfer_accuracy']:.4f} |",
            f"| the penultimate layer learned on digits 0-4 (frozen), a new softmax on top | "
            f"{m['transfer_penultimate_accuracy']:.4f} |",
            f"| none: the same network trained from scratch on those {labels} images | {m['scratch_accuracy']:.4f} |",
            "",
            f"The digits-0-4 network trains {recipe['stage_epochs']['source']} epochs on the 30,596 training "
            "images of 0-4; the new softmax and the scratch network each train "
            f"{recipe['stage_epochs']['few_labels']} epochs of mini-batches of 10 on the {labels} images "
            f"(Adam {recipe['learning_rate']}). These side networks are trained and scored during the "
            "training run and not shipped; their seconds are in the card's.",
            "",
        ]
    return "\n".join(lines)
