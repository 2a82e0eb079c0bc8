"""Every row of docs/bad-input.md: a user mistake is one clear line (CLI) or a clear ZooError (Python)."""

import json
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zoo
from zoo import artifacts, data
from zoo.cli import main
from zoo.errors import ZooError


def _clear_line(result, code=1):
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if code == 1:
        assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("error: ")


@pytest.mark.parametrize(
    "args, code",
    [
        (["eval", "vea"], 1),  # unknown entry name
        (["train", "encoder-9-x-9"], 1),  # malformed parametric name
        (["train", "encoder-9-9-9"], 1),  # K >= N
        (["sample", "encoder-9-2-9", "--n", "0"], 2),  # --n 0
        (["sample", "encoder-9-2-9", "--n", "-3"], 2),  # --n -3
        (["sample", "encoder-9-2-9", "--n", "abc"], 2),  # --n abc
        (["train", "encoder-9-2-9", "--epochs", "0"], 2),  # --epochs 0
        (["eval", "encoder-9-2-9", "--model", "README.md"], 1),  # a path that is not a model
        (["eval", "encoder-9-2-9", "--model", "docs"], 1),  # a folder that is not a model
        (["sample", "encoder-9-2-9", "--out", "x.gif"], 1),  # non-generative entry / bad extension
        (["plot", "encoder-16-4-16"], 1),  # an entry built on demand: nothing shipped
    ],
)
def test_cli_rows(runner, args, code):
    _clear_line(runner.invoke(main, args), code)


def test_an_entry_with_nothing_shipped_says_what_to_do_next(runner):
    """It said to train one, in the Python API's words, but not that a verb then needs the folder as --model:
    `zoo plot encoder-16-4-16` after `zoo train encoder-16-4-16` still said there was nothing shipped."""
    said = runner.invoke(main, ["plot", "encoder-16-4-16"]).output
    assert said.strip() == (
        "error: no shipped artifact for 'encoder-16-4-16': train one (`zoo train encoder-16-4-16` "
        "or zoo.train) and give its folder as --model"
    )
    with pytest.raises(ZooError, match=r"or zoo.train\) and load its folder$"):
        zoo.load("encoder-16-4-16")
    with pytest.raises(ZooError, match=r"or zoo.train\) and give its folder as model$"):
        zoo.evaluate("encoder-16-4-16")


def _artifact_with(tmp_path, write_keras):
    def fill(folder):
        write_keras(folder / artifacts.KERAS_FILE)

    return artifacts.write(tmp_path / "forged", fill, {"entry": "encoder-9-2-9"})


def test_a_lambda_layer_is_refused_by_safe_mode(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((9,)), keras.layers.Lambda(lambda x: x * 2)])
    folder = _artifact_with(tmp_path, model.save)  # checksums are right: only safe mode stands in the way
    with pytest.raises(ZooError, match="Keras refused to load it"):
        zoo.load(folder)


def test_a_changed_config_is_refused(tmp_path):
    source = artifacts.pretrained_dir("encoder-9-2-9") / artifacts.KERAS_FILE

    def forge(path):
        with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as forged:
            for item in original.infolist():
                blob = original.read(item)
                if item.filename == "config.json":
                    config = json.loads(blob)
                    config["config"]["layers"][0]["class_name"] = "EvilLayer"
                    config["config"]["layers"][0]["module"] = "os"
                    blob = json.dumps(config).encode()
                forged.writestr(item, blob)

    folder = _artifact_with(tmp_path, forge)
    with pytest.raises(ZooError, match="Keras refused to load it"):
        zoo.load(folder)


@pytest.mark.parametrize(
    "x, message",
    [
        (np.zeros((3, 8), np.float32), r"shape \(n, 9\)"),
        (np.zeros((0, 9), np.float32), "n >= 1"),
        (np.zeros((3, 9, 1), np.float32), r"shape \(n, 9\)"),
        (np.array([["a"] * 9]), "must be numbers"),
        (np.full((2, 9), np.nan, np.float32), "NaN"),
        ([[1, 2], [3]], "array of shape|shape"),
    ],
)
def test_python_api_checks_inputs(x, message):
    with pytest.raises(ZooError, match=message):
        zoo.predict("encoder-9-2-9", x)


def test_python_api_accepts_integer_one_hots():
    out = zoo.predict("encoder-9-2-9", np.eye(9, dtype=np.uint8))
    assert np.array_equal(out.argmax(axis=1), np.arange(9))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.integers(-(10**12), 10**12).map(str), st.text(max_size=8)))
def test_numeric_options_never_crash(runner, value):
    for args in (
        ["sample", "encoder-9-2-9", "--n", value],
        ["train", "encoder-9-2-9", "--epochs", value, "--out", "/dev/null/x"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code in (1, 2), (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=30))
def test_the_data_loader_rejects_names_cleanly(name):
    if name == "mnist":
        return
    with pytest.raises(ZooError):
        data.load(name, data_dir="/nonexistent-zoo-data")


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 5), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_preprocessing_keeps_shape_and_range(n, h, w, seed):
    images = np.random.default_rng(seed).integers(0, 256, (n, h, w), dtype=np.uint8)
    x = data.as_vectors(images)
    assert x.shape == (n, h * w) and x.dtype == np.float32 and 0.0 <= x.min() and x.max() <= 1.0
    b = data.binarize(x, seed)
    assert b.shape == x.shape and set(np.unique(b)) <= {0.0, 1.0}


@pytest.mark.parametrize(
    "command",
    [
        ["export", "adding-lstm-200", "--format", "onnx"],
        ["export", "adding-lstm-200", "--format", "tflite"],
        ["plot", "adding-lstm-200"],
        ["sample", "vae"],
    ],
)
def test_an_out_in_a_missing_folder_is_refused_before_any_work(command, runner, tmp_path, monkeypatch):
    """At once, in one line: not after loading the model and a long conversion or drawing (adding-lstm-200's
    ONNX export takes ~10 s), which is when the write itself would fail."""
    from zoo import resolve

    def never(*args, **kwargs):
        raise AssertionError("the model was loaded before --out was checked")

    monkeypatch.setattr(resolve, "cached_load", never)  # export and plot load through it
    monkeypatch.setattr(resolve, "model_for", never)  # sample
    folder = tmp_path / "nowhere"
    suffix = {"onnx": ".onnx", "tflite": ".tflite"}.get(command[-1], ".png")
    result = runner.invoke(main, [*command, "--out", str(folder / f"x{suffix}")])
    _clear_line(result)
    assert f"the folder {folder} does not exist" in result.output, result.output
    assert not folder.exists()
