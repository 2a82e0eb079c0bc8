"""The embedded MNIST, its checks, and the tensorflow-datasets path on a data set the test prepares offline."""

import numpy as np
import pytest

from zoo import data
from zoo.errors import ZooError


def test_embedded_mnist_is_the_real_one():
    split = data.load("mnist")
    assert split.x_train.shape == (60000, 28, 28) and split.x_test.shape == (10000, 28, 28)
    assert split.x_train.dtype == np.uint8
    assert np.bincount(split.y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert np.bincount(split.y_train)[:3].tolist() == [5923, 6742, 5958]


def test_preprocessing_scales_and_flattens():
    x = data.as_vectors(np.full((2, 28, 28), 255, np.uint8))
    assert x.shape == (2, 784) and x.dtype == np.float32 and x.max() == 1.0
    b = data.binarize(np.full((1000,), 0.25, np.float32), seed=0)
    assert set(np.unique(b)) <= {0.0, 1.0} and 0.2 < b.mean() < 0.3
    np.testing.assert_array_equal(b, data.binarize(np.full((1000,), 0.25, np.float32), seed=0))


def test_the_lookup_gives_every_byte_the_float64_route_s_float32():
    """as_vectors maps uint8 through a table; the artifacts were trained on (x / 255.0).astype(float32)."""
    every_byte = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    np.testing.assert_array_equal(data.as_vectors(every_byte), (every_byte.reshape(1, -1) / 255.0).astype(np.float32))
    np.testing.assert_array_equal(data.as_vectors(every_byte.astype(np.int32)), data.as_vectors(every_byte))


@pytest.mark.parametrize("damage", ["missing", "truncated", "altered"])
def test_a_damaged_data_file_gives_one_clear_line(tmp_path, damage):
    path = tmp_path / "mnist.npz"
    if damage != "missing":
        blob = data.MNIST_PATH.read_bytes()
        path.write_bytes(blob[: len(blob) // 2] if damage == "truncated" else blob[:-1] + b"x")
    with pytest.raises(ZooError) as err:
        data._embedded_mnist(str(path))
    message = str(err.value)
    assert str(path) in message and "\n" not in message


def test_other_names_go_through_tensorflow_datasets(tmp_path):
    from tiny_digits import ZooTinyDigits  # importing it registers "zoo_tiny_digits" with TFDS

    ZooTinyDigits(data_dir=str(tmp_path)).download_and_prepare()
    split = data.load("zoo_tiny_digits", data_dir=str(tmp_path))
    assert split.x_train.shape == (12, 28, 28) and split.x_test.shape == (4, 28, 28)
    assert sorted(split.y_train.tolist()) == [0] * 6 + [1] * 6


def test_an_unknown_tfds_name_gives_one_clear_line(tmp_path):
    with pytest.raises(ZooError, match="'no_such_dataset_anywhere': TensorFlow Datasets knows no data set") as err:
        data.load("no_such_dataset_anywhere", data_dir=str(tmp_path))
    assert "\n" not in str(err.value)


def test_an_unprepared_tfds_name_is_refused_without_a_download(tmp_path, capfd):
    """TFDS's default would download: it printed "Downloading and preparing dataset" on stdout, wrote into its
    folder, and failed here on "No module named 'importlib_resources'"."""
    with pytest.raises(ZooError, match="'fashion_mnist' is not prepared in .*zoo does not download") as err:
        data.load("fashion_mnist", data_dir=str(tmp_path))
    assert "\n" not in str(err.value) and "importlib" not in str(err.value)
    out, errors = capfd.readouterr()
    assert "Download" not in out + errors and "Variant folder" not in errors
    assert not list(tmp_path.iterdir())
