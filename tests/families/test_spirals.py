"""Twin spirals: the generated data set is Lang & Witbrock's, and the pictures draw."""

import numpy as np
import pytest

import zoo
from zoo import get
from zoo.families.spirals.entries import twin_spirals


def test_the_data_set_is_lang_and_witbrocks_194_points():
    data = twin_spirals()
    assert data.x.shape == (194, 2) and data.y.shape == (194, 1)
    assert data.y.sum() == 97
    np.testing.assert_allclose(data.x[0], [0.0, 1.0], atol=1e-7)  # i = 0: angle 0, radius 6.5
    np.testing.assert_allclose(data.x[97:], -data.x[:97])  # spiral B is spiral A through the origin
    radius = np.linalg.norm(data.x[:97], axis=1)
    np.testing.assert_allclose(radius, (104 - np.arange(97)) / 104, rtol=1e-6)
    assert np.all(np.diff(radius) < 0)  # winding inwards
    np.testing.assert_array_equal(twin_spirals().x, data.x)  # deterministic


def test_the_two_nets_have_the_same_number_of_hidden_units():
    one, two = zoo.build("spirals-1hidden"), zoo.build("spirals-2hidden")
    units = lambda m: sum(layer.units for layer in m.layers if layer.name.startswith("hidden"))  # noqa: E731
    assert units(one) == units(two) == 40
    assert len(two.layers) == len(one.layers) + 1


@pytest.mark.parametrize("kind", ["decision", "hidden"])
def test_plots_are_written(kind, tmp_path):
    entry = get("spirals-2hidden")
    out = zoo.get("spirals-1hidden").family.plot(entry, zoo.build(entry.name), None, kind, tmp_path / f"{kind}.png")
    assert out.stat().st_size > 1000


def test_evaluate_counts_training_points():
    entry = get("spirals-1hidden")
    metrics = zoo.get("spirals-1hidden").family.evaluate(entry, zoo.build(entry.name))
    assert set(metrics) == {"train_accuracy", "train_loss"}
    assert (metrics["train_accuracy"] * 194) == pytest.approx(round(metrics["train_accuracy"] * 194))
