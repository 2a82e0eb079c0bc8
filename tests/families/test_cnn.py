"""Convolutional networks: flat pixels in, LeNet-5's shape, receptive fields, in-graph augmentation, the transfer
stages, the features endpoint and the pictures."""

import keras  # noqa: E402
import numpy as np
import pytest

import zoo  # noqa: E402
from zoo.families.cnn import measure  # noqa: E402
from zoo.families.cnn.entries import augment  # noqa: E402

FAMILY = zoo.get("cnn-lenet5").family


def test_lenet5_takes_flat_pixels_and_has_lenet5s_layer_sizes():
    model = zoo.build("cnn-lenet5")
    assert tuple(model.input.shape) == (None, 784)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [c.filters for c in convs] == [6, 16] and [c.kernel_size for c in convs] == [(5, 5)] * 2
    assert [d.units for d in dense] == [120, 84, 10]
    # conv1 6*(25+1), conv2 16*(6*25+1), 16*5*5 -> 120 -> 84 -> 10
    assert model.count_params() == 156 + 2416 + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)
    assert measure.feature_layer(model) is dense[1]


@pytest.mark.parametrize("name", ["cnn-lenet5", "cnn"])
def test_receptive_fields_are_where_the_gradient_is(name):
    """The input pixels a unit depends on (non-zero gradient) lie inside its computed receptive field."""
    import tensorflow as tf

    model = zoo.build(name)
    fields = measure.receptive_fields(model)
    x = tf.constant(np.random.default_rng(0).random((1, 784), np.float32))
    for layer in measure.spatial_stages(model):
        size, step, first = fields[layer.name]
        probe = keras.Model(model.input, layer.output)
        i = j = probe(x).shape[1] // 2
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = tf.reduce_sum(probe(x)[0, i, j, :])
        grad = np.abs(tape.gradient(value, x).numpy().reshape(28, 28))
        rows, cols = np.nonzero(grad)
        top, left = first + i * step, first + j * step
        assert rows.min() >= top and rows.max() < top + size and cols.min() >= left and cols.max() < left + size, (
            layer.name
        )
    assert fields[measure.spatial_stages(model)[-1].name][0] == 16  # conv5-pool-conv5-pool: 16x16 pixels


def test_augmentation_follows_its_seed_stays_in_range_and_is_off_at_zero():
    x = zoo.data.vectors("mnist").x_train[:32]
    spec = {"augment": {"rotate": 10.0, "scale": 0.1, "shift": 2.0}}
    a = np.asarray(augment(x, spec, keras.random.SeedGenerator(3)))
    b = np.asarray(augment(x, spec, keras.random.SeedGenerator(3)))
    c = np.asarray(augment(x, spec, keras.random.SeedGenerator(4)))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c) and not np.allclose(a, x, atol=0.05)
    assert a.min() >= 0.0 and a.max() <= 1.0 + 1e-6
    # ink is moved, not lost: total brightness changes by scale^2 at most (~21%) plus what leaves the frame
    assert np.all(np.abs(a.sum(1) / x.sum(1) - 1) < 0.35)
    still = np.asarray(
        augment(x, {"augment": {"rotate": 0.0, "scale": 0.0, "shift": 0.0}}, keras.random.SeedGenerator(3))
    )
    np.testing.assert_allclose(still, x, atol=1e-5)


def test_lenet5_runs_its_stages_and_measures_transfer():
    entry, model = zoo.get("cnn-lenet5").with_options(epochs=1), zoo.build("cnn-lenet5")
    seen = []
    history = FAMILY.fit(entry, model, data=FAMILY.small_data(entry), on_stage=seen.append)
    assert seen == [
        "train",
        "source-digits-0-4",
        "transfer-100-labels",
        "transfer-penultimate-100-labels",
        "scratch-100-labels",
    ]
    assert history.stages == seen and all(np.isfinite(history.loss))
    assert set(history.measured) == set(measure.TRANSFER_METRICS)
    assert all(0.0 <= v <= 1.0 for v in history.measured.values())


def test_only_the_entry_that_runs_transfer_must_carry_its_numbers():
    for name, needs in (("cnn-lenet5", True), ("cnn", False)):
        entry = zoo.get(name)
        model = zoo.build(name)
        metrics = FAMILY.evaluate(entry, model)
        problems = measure.check(entry, model, {"metrics": metrics})
        assert any("transfer_accuracy" in p for p in problems) == needs, (name, problems)
        assert any("test_accuracy" in p for p in problems)  # an untrained net does not meet the bound


def test_features_endpoint_is_the_penultimate_layer():
    import tensorflow as tf

    from zoo import artifacts

    name = "cnn-lenet5"
    model = zoo.load(name)
    x = zoo.data.vectors("mnist").x_test[:8]
    loaded = tf.saved_model.load(str(artifacts.pretrained_dir(name) / artifacts.SAVED_MODEL))
    features = np.asarray(loaded.features(tf.constant(x)))
    assert features.shape == (8, 84)
    np.testing.assert_allclose(features, np.asarray(measure.feature_model(model)(x)), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.asarray(loaded.serve(tf.constant(x))), np.asarray(model(x)), rtol=1e-4, atol=1e-5)


def test_top_patches_and_feature_maps_have_the_layers_shapes():
    entry, model = zoo.get("cnn-lenet5"), zoo.build("cnn-lenet5")
    image, maps = measure.feature_maps(entry, model)
    assert image.shape == (28, 28) and [m.shape for _, m in maps] == [
        (28, 28, 6),
        (14, 14, 6),
        (10, 10, 16),
        (5, 5, 16),
    ]
    patches = measure.top_patches(entry, model, units=4, top=3)
    assert [p.shape for _, p in patches] == [(4, 3, 5, 5), (4, 3, 14, 14), (4, 3, 28, 28)]


@pytest.mark.parametrize("kind", ["filters", "feature-maps", "top-patches"])
def test_pictures_are_written(kind, tmp_path):
    entry, model = zoo.get("cnn-lenet5"), zoo.build("cnn-lenet5")
    out = FAMILY.plot(entry, model, None, kind, tmp_path / f"{kind}.png")
    assert out.stat().st_size > 5000
