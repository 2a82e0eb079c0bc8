"""A user's own data: IDX folders and .npz files the tests write themselves, good and broken."""

import gzip
import json

import numpy as np
import pytest

import zoo
from zoo import data
from zoo.cli import main
from zoo.data_files import IDX_FILES


def _idx(array: np.ndarray, magic: int) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx_folder(folder, n_train=600, n_test=200, gz=True, **override):
    """The first images of the embedded MNIST as the four IDX files; `override` replaces a file's bytes."""
    split = data.load("mnist")
    arrays = {
        ("train", "images"): split.x_train[:n_train],
        ("train", "labels"): split.y_train[:n_train],
        ("test", "images"): split.x_test[:n_test],
        ("test", "labels"): split.y_test[:n_test],
    }
    folder.mkdir(parents=True, exist_ok=True)
    for key, name in IDX_FILES.items():
        blob = override.get(name, _idx(arrays[key], 0x803 if key[1] == "images" else 0x801))
        (folder / (name + ".gz" if gz else name)).write_bytes(gzip.compress(blob) if gz else blob)
    return folder


@pytest.mark.parametrize("gz", [True, False])
def test_an_idx_folder_reads_as_the_arrays_it_holds(tmp_path, gz):
    folder = write_idx_folder(tmp_path / "digits", gz=gz)
    split, mnist = data.load(str(folder)), data.load("mnist")
    np.testing.assert_array_equal(split.x_train, mnist.x_train[:600])
    np.testing.assert_array_equal(split.y_test, mnist.y_test[:200])
    described = data.describe(str(folder))
    assert described["kind"] == "idx" and len(described["sha256"]) == 4
    assert described["shapes"] == {"x_train": [600, 28, 28], "x_test": [200, 28, 28]}
    assert sum(described["class_counts"]["train"]) == 600


def test_an_npz_reads_and_float_pixels_are_taken_as_grey_levels(tmp_path):
    mnist = data.load("mnist")
    path = tmp_path / "mine.npz"
    np.savez(
        path,
        x_train=mnist.x_train[:50].astype(np.float32),
        y_train=mnist.y_train[:50],
        x_test=mnist.x_test[:10, :, :, None],
        y_test=mnist.y_test[:10],
    )
    split = data.load(str(path))
    assert split.x_train.dtype == np.uint8 and split.x_test.shape == (10, 28, 28)
    np.testing.assert_array_equal(split.x_train, mnist.x_train[:50])


def _bad(tmp_path, name, blob):
    return write_idx_folder(tmp_path / "bad", **{name: blob})


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda t: _bad(t, "train-images-idx3-ubyte", _idx(np.zeros((5, 28, 28)), 0x801)),
            "magic number 0x00000801, expected 0x00000803",
        ),
        (lambda t: _bad(t, "t10k-labels-idx1-ubyte", _idx(np.zeros(200), 0x801)[:-7]), "truncated"),
        (lambda t: _bad(t, "train-labels-idx1-ubyte", b""), "too short for an IDX header"),
        (
            lambda t: _bad(t, "train-labels-idx1-ubyte", _idx(np.zeros(599), 0x801)),
            "600 train images but labels of shape",
        ),
        (lambda t: _bad(t, "train-labels-idx1-ubyte", _idx(np.full(600, 12), 0x801)), "labels must be integers 0..9"),
        (lambda t: _bad(t, "train-images-idx3-ubyte", _idx(np.zeros((600, 32, 32)), 0x803)), "expected 28 x 28"),
        (lambda t: (t / "empty").mkdir() or t / "empty", "no train-images-idx3-ubyte"),
    ],
)
def test_data_that_does_not_fit_is_one_clear_line(tmp_path, make, message):
    source = make(tmp_path)
    with pytest.raises(zoo.ZooError, match=message) as err:
        data.vectors(str(source))
    assert "\n" not in str(err.value)


def test_colour_images_in_an_npz_are_refused_not_mangled(tmp_path):
    path = tmp_path / "colour.npz"
    x = np.zeros((4, 28, 28, 3), np.uint8)
    np.savez(path, x_train=x, y_train=np.zeros(4, int), x_test=x, y_test=np.zeros(4, int))
    with pytest.raises(zoo.ZooError, match="expected 28 x 28 grey levels"):
        data.vectors(str(path))


def test_an_npz_without_its_arrays_is_one_clear_line(tmp_path):
    path = tmp_path / "half.npz"
    np.savez(path, x_train=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(zoo.ZooError, match="no y_train, x_test, y_test"):
        data.vectors(str(path))


def test_train_and_eval_on_an_idx_folder_record_where_the_data_came_from(runner, tmp_path):
    folder = write_idx_folder(tmp_path / "digits", n_train=1000, n_test=300)
    out = tmp_path / "run"
    result = runner.invoke(main, ["train", "mlp-784-30-10", "--data", str(folder), "--epochs", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    card = json.loads((out / "card.json").read_text())
    assert card["dataset"] == str(folder) and card["data"]["kind"] == "idx"
    assert card["data"]["shapes"]["x_test"] == [300, 28, 28] and set(card["data"]["sha256"]) == {
        name + ".gz" for name in IDX_FILES.values()
    }
    result = runner.invoke(main, ["eval", "mlp-784-30-10", "--model", str(out), "--data", str(folder)])
    assert result.exit_code == 0 and f"{card['metrics']['test_accuracy']:.6g}" in result.output


@pytest.mark.parametrize(
    "args", [["train", "encoder-9-2-9", "--data", "x"], ["eval", "spirals-1hidden", "--data", "x"]]
)
def test_data_means_nothing_for_entries_with_their_own(runner, args):
    result = runner.invoke(main, args)
    assert result.exit_code == 1 and "--data means nothing for" in result.output


def test_an_artifact_trained_on_a_users_data_is_measured_and_drawn_on_that_data(tmp_path, monkeypatch):
    """eval and plot of `--model FOLDER` use the data its card says it was trained on, not the embedded MNIST
    (which gave, silently, the accuracy on digits it never saw); `data=` still measures on another source, and a
    source that has gone is one line naming `data`."""
    from zoo import api
    from zoo.training import History

    mnist = data.load("mnist")
    source = tmp_path / "inverted.npz"
    np.savez(
        source,
        x_train=255 - mnist.x_train[:200],
        y_train=mnist.y_train[:200],
        x_test=255 - mnist.x_test[:100],
        y_test=mnist.y_test[:100],
    )
    drawn = []  # the data set of every picture drawn (the artifact's own one included)
    family = zoo.get("mlp-784-30-10").family
    monkeypatch.setitem(family.plots, family.default_plot(), lambda e, *_: drawn.append(e.dataset))
    entry = zoo.get("mlp-784-30-10").with_options(data=str(source))
    folder = api.export_artifact(entry, entry.build(), History(loss=[1.0, 0.5]), {}, tmp_path / "mine")

    own = zoo.evaluate("mlp-784-30-10", model=folder)
    assert own == zoo.evaluate("mlp-784-30-10", model=folder, data=str(source))
    assert own["test_loss"] != zoo.evaluate("mlp-784-30-10", model=folder, data="mnist")["test_loss"]

    api.plot("mlp-784-30-10", model=folder, out=tmp_path / "p.png")
    assert drawn == [str(source), str(source.resolve())]

    source.rename(tmp_path / "moved.npz")
    with pytest.raises(zoo.ZooError, match=r"was trained on .*inverted.npz, which is not there now; data names where"):
        zoo.evaluate("mlp-784-30-10", model=folder)
    with pytest.raises(zoo.ZooError, match=r"which is not there now; put it back to draw on it$"):
        api.plot("mlp-784-30-10", model=folder, out=tmp_path / "p2.png")
