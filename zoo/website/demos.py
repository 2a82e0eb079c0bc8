"""What the live demos run and show: ONNX models of the shipped artifacts and small JSON files.

Every model is the verified artifact (checksums checked, safe mode on) converted with the zoo's own
ONNX exporter (`zoo.exporters.to_onnx`, tf2onnx), so the page runs exactly what `zoo export` writes.
Which entries get a demo comes from the registry: the draw-a-digit demo takes every trained entry
whose task is "classify" on "mnist"; the others name the entries they are about.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from zoo import artifacts, catalogue, resolve

LATENT_ENTRY, SAMPLE_ENTRY = "vae-2d", "vae"
DYNAMICS_ENTRIES = ("encoder-9-2-9", "encoder-8-3-8")
SPIRALS_ENTRIES = ("spirals-2hidden", "spirals-1hidden")
LATENT_POINTS = 2000  # test digits scattered on vae-2d's latent plane


def trained(name: str) -> bool:
    return artifacts.ships(name)


def classifiers() -> list[str]:
    """Every trained entry that classifies MNIST digits: the draw-a-digit demo runs them all."""
    return [
        n
        for n in catalogue.list_models()
        if catalogue.get(n).task == "classify" and catalogue.get(n).dataset == "mnist" and trained(n)
    ]


def _model(name: str):
    return resolve.cached_load(artifacts.pretrained_dir(name).resolve())


def _onnx(endpoint, path: Path) -> None:
    from zoo.exporters import to_onnx

    path.parent.mkdir(parents=True, exist_ok=True)
    to_onnx({"serve": endpoint}, path)


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, separators=(",", ":")))


def _rounded(array, digits: int = 5) -> list:
    return np.round(np.asarray(array, np.float64), digits).tolist()


def classifier_demo(out: Path, names: list[str]) -> dict:
    """models/<name>.onnx (the `serve` endpoint) for each classifier, and ten test digits to try."""
    from zoo import data

    models = []
    for name in names:
        entry, model = catalogue.get(name), _model(name)
        endpoints = entry.family.endpoints(entry, model)
        _onnx(endpoints["serve"], out / "models" / f"{name}.onnx")
        card = artifacts.read_card(artifacts.pretrained_dir(name))
        models.append(
            {
                "name": name,
                "family": entry.family.name,
                "shape": list(entry.family.input_shape(entry, model)),
                "headline": entry.headline,
                "value": card["metrics"].get(entry.headline),
            }
        )
    split = data.vectors("mnist")
    first = [int(np.flatnonzero(split.y_test == d)[0]) for d in range(10)]  # the first test image of each digit
    digits = [{"label": d, "index": i, "pixels": _rounded(split.x_test[i], 4)} for d, i in enumerate(first)]
    manifest = {"models": models, "digits": digits}
    _write_json(out / "data" / "classifiers.json", manifest)
    return manifest


def vae_demo(out: Path) -> dict:
    """models/<vae>-decode.onnx (z -> the mean of p(x|z)) for vae-2d and vae, and vae-2d's test-digit means."""
    manifest = {}
    for name in (LATENT_ENTRY, SAMPLE_ENTRY):
        if not trained(name):
            continue
        entry, model = catalogue.get(name), _model(name)
        decode = entry.family.endpoints(entry, model)["decode"]
        _onnx(decode, out / "models" / f"{name}-decode.onnx")
        manifest[name] = {"latent": int(decode[1][0].shape[1])}
    if LATENT_ENTRY in manifest:
        entry, model = catalogue.get(LATENT_ENTRY), _model(LATENT_ENTRY)
        x, y = entry.family.test_data(entry)
        means = np.asarray(model.encoder(x[:LATENT_POINTS])[0])  # q(z|x)'s mean, as the manifold picture uses
        manifest[LATENT_ENTRY]["points"] = _rounded(means, 3)
        manifest[LATENT_ENTRY]["labels"] = np.asarray(y[:LATENT_POINTS]).astype(int).tolist()
    _write_json(out / "data" / "vae.json", manifest)
    return manifest


def dynamics_demo(out: Path) -> dict:
    """data/dynamics.json: each encoder's hidden codes at every snapshot the training kept, the loss per
    epoch, and the final output layer (its units' lines in the code space: only the final weights are kept)."""
    manifest = {}
    for name in DYNAMICS_ENTRIES:
        if not trained(name):
            continue
        folder = artifacts.pretrained_dir(name)
        history = artifacts.load_history(folder)
        if not history.snapshots:
            continue
        w, b = _model(name).get_layer("output").get_weights()
        manifest[name] = {
            "epochs": history.snapshot_epochs,
            "codes": _rounded(np.stack(history.snapshots), 4),
            "loss": _rounded(history.loss, 6),
            "output_w": _rounded(w),
            "output_b": _rounded(b),
        }
    _write_json(out / "data" / "dynamics.json", manifest)
    return manifest


def spirals_demo(out: Path) -> dict:
    """models/<spirals>.onnx whose one output is every layer's activations side by side (hidden units
    first, the output unit last), so the page draws each unit over the plane; and the 194 points."""
    import tensorflow as tf

    manifest = {"entries": {}}
    for name in SPIRALS_ENTRIES:
        if not trained(name):
            continue
        model = _model(name)
        layers = [layer for layer in model.layers if layer.weights]

        def every_layer(x, layers=layers):
            outputs = []
            for layer in layers:
                x = layer(x)
                outputs.append(x)
            return tf.concat(outputs, axis=1)

        _onnx(
            (every_layer, [tf.TensorSpec((None, 2), tf.float32, name="point")]), out / "models" / f"{name}-units.onnx"
        )
        manifest["entries"][name] = {
            "widths": [int(layer.units) for layer in layers],
            "names": [layer.name for layer in layers],
        }
    points = catalogue.get(SPIRALS_ENTRIES[0]).family.train_data(catalogue.get(SPIRALS_ENTRIES[0]))  # the 194 points
    manifest["points"] = _rounded(points.x, 4)
    manifest["labels"] = points.y.ravel().astype(int).tolist()
    _write_json(out / "data" / "spirals.json", manifest)
    return manifest
