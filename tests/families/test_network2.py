"""The lecture's lessons: network2's update step for step, dropout the lecture's way, overfitting."""

import numpy as np
import pytest

import zoo
from zoo import get, training
from zoo.families.network2 import measure


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _network2_step(weights, biases, x, y, eta, n, l2=0.0, l1=0.0):
    """network2.update_mini_batch (row-vector form): cross-entropy delta a - y, backprop summed over the batch,
    w <- (1 - eta l2 / n) w - eta (l1 / n) sgn(w) - (eta / m) sum dC/dw; biases without decay."""
    activations, zs = [x], []
    for w, b in zip(weights, biases):
        zs.append(activations[-1] @ w + b)
        activations.append(_sigmoid(zs[-1]))
    delta = activations[-1] - y  # CrossEntropyCost.delta: the sigmoid' cancels
    grads_w, grads_b = [None] * len(weights), [None] * len(weights)
    for layer in range(len(weights) - 1, -1, -1):
        grads_w[layer], grads_b[layer] = activations[layer].T @ delta, delta.sum(0)
        if layer:
            delta = (delta @ weights[layer].T) * _sigmoid(zs[layer - 1]) * (1 - _sigmoid(zs[layer - 1]))
    m = len(x)
    new_w = [(1 - eta * l2 / n) * w - eta * l1 / n * np.sign(w) - eta / m * g for w, g in zip(weights, grads_w)]
    return new_w, [b - eta / m * g for b, g in zip(biases, grads_b)]


@pytest.mark.parametrize("name, penalty", [("mlp-ch5-784-30-30-10", "l2"), ("mlp-l1-784-30-10", "l1")])
def test_one_zoo_step_is_network2s_update(name, penalty):
    # the recipe's lambda shrinks a weight by eta lambda / n = 1e-5 of itself per step, below float32 noise
    # on one step: 100 times that lambda makes the penalty's share of the step plainly visible
    entry = get(name)
    lam = 100 * entry.recipe.extras[penalty]
    entry = measure.variant(entry, **{penalty: lam})
    data = entry.family.small_data(entry, 10)
    x, y = data.x[:10].astype(np.float64), data.y[:10].astype(np.float64)
    model = entry.build()
    before = [np.asarray(w, np.float64) for w in model.get_weights()]
    training.fit(model, entry.family.loss(entry), x, y, entry.recipe.replace(epochs=1))  # one batch of 10 = one step
    step = dict(eta=entry.recipe.learning_rate, n=50_000)
    weights, biases = _network2_step(before[0::2], before[1::2], x, y, **step, **{penalty: lam})
    got = model.get_weights()
    for value, want in zip(got, [v for pair in zip(weights, biases) for v in pair]):
        np.testing.assert_allclose(value, want, rtol=1e-4, atol=1e-6)
    undecayed, _ = _network2_step(before[0::2], before[1::2], x, y, **step)
    assert np.abs(got[0] - undecayed[0]).max() > 1e-5  # the penalty's part of the step is really there


def test_network2_draws_weights_from_n_0_1_over_n_in_and_splits_50000_10000():
    model = zoo.build("mlp-ch5-784-30-10")
    kernel, bias = (np.asarray(v) for v in model.get_layer("hidden1").get_weights())
    assert abs(kernel.std() - 1 / np.sqrt(784)) < 0.002 and 0.5 < bias.std() < 1.5
    x, y, x_val, y_val, x_test, y_test = measure.split(get("mlp-ch5-784-30-10"))
    assert (len(x), len(x_val), len(x_test)) == (50_000, 10_000, 10_000)
    assert len(measure.split(get("mlp-overfit-1000"))[0]) == 1000


def test_a_smaller_source_never_validates_on_images_it_trains_on(tmp_path):
    """network2 validates on the last 10,000 training images: a source with fewer than 60,000 trains on those in
    front of them (and its penalties use that n), and one with 10,000 or fewer is refused in one line."""
    from zoo import data

    mnist = data.load("mnist")

    def source(n):
        path = tmp_path / f"digits-{n}.npz"
        np.savez(
            path,
            x_train=mnist.x_train[:n],
            y_train=mnist.y_train[:n],
            x_test=mnist.x_test[:100],
            y_test=mnist.y_test[:100],
        )
        return str(path)

    entry = get("mlp-ch5-784-30-10").with_options(data=source(12_000))
    x, _, x_val, *_ = measure.split(entry)
    assert (len(x), len(x_val)) == (2_000, 10_000)
    np.testing.assert_array_equal(x_val[0], data.vectors(entry.dataset).x_train[2_000])  # right after the last trained
    assert measure.train_images(entry) == 2_000  # the penalties' n
    assert measure.train_images(get("mlp-overfit-1000").with_options(data=source(12_000))) == 1_000
    with pytest.raises(zoo.ZooError, match=r"holds out the last 10,000 .* has 9,000 in all"):
        measure.split(get("mlp-ch5-784-30-10").with_options(data=source(9_000)))


def _dropout_models(rate):
    import keras

    from zoo.families.network2.layers import LectureDropout

    keras.utils.set_random_seed(0)
    lecture = keras.Sequential([keras.Input((20,)), LectureDropout(rate, seed=3), keras.layers.Dense(4, name="next")])
    inverted = keras.Sequential(
        [keras.Input((20,)), keras.layers.Dropout(rate, seed=3), keras.layers.Dense(4, name="next")]
    )
    w, b = lecture.get_layer("next").get_weights()
    inverted.get_layer("next").set_weights([w * (1 - rate), b])  # test time: the weights times the keep probability
    return lecture, inverted


def test_lecture_dropout_matches_inverted_dropout_up_to_the_keep_probability():
    import keras

    from zoo.families.network2.layers import LectureDropout

    rate = 0.4
    x = np.random.default_rng(0).random((2000, 20)).astype(np.float32)
    layer, keras_layer = LectureDropout(rate, seed=1), keras.layers.Dropout(rate, seed=1)
    dropped = np.asarray(layer(x, training=True))
    assert set(np.unique(np.isclose(dropped, x))) == {False, True}  # some units dropped, survivors unscaled
    np.testing.assert_allclose(dropped[dropped != 0], x[dropped != 0])
    assert abs(np.mean(dropped == 0) - rate) < 0.01
    # same expected activations: lecture = (1 - p) x in training (mean over draws) and at test time;
    # Keras' inverted dropout = x in both; so lecture = (1 - p) * inverted
    np.testing.assert_allclose(np.asarray(layer(x, training=False)), (1 - rate) * x, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(keras_layer(x, training=False)), x)
    means = np.mean([np.asarray(layer(x[:1].repeat(4000, 0), training=True)) for _ in range(5)], axis=(0, 1))
    keras_means = np.mean(
        [np.asarray(keras_layer(x[:1].repeat(4000, 0), training=True)) for _ in range(5)], axis=(0, 1)
    )
    np.testing.assert_allclose(means, (1 - rate) * x[0], atol=0.02)
    np.testing.assert_allclose(keras_means * (1 - rate), means, atol=0.03)


def test_the_same_function_once_the_next_layer_absorbs_the_scaling(tmp_path):
    import keras

    rate = 0.5
    lecture, inverted = _dropout_models(rate)
    x = np.random.default_rng(1).random((64, 20)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(lecture(x)), np.asarray(inverted(x)), rtol=1e-5, atol=1e-6)
    # in training, with the same mask: x*mask @ W == (x*mask / (1 - p)) @ ((1 - p) W)
    mask = (np.asarray(lecture.layers[0](x, training=True)) != 0).astype(np.float32)
    w, b = lecture.get_layer("next").get_weights()
    np.testing.assert_allclose((x * mask) @ w + b, (x * mask / (1 - rate)) @ (w * (1 - rate)) + b, rtol=1e-5, atol=1e-6)
    path = tmp_path / "lecture.keras"
    lecture.save(path)
    again = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(np.asarray(again(x)), np.asarray(lecture(x)), rtol=1e-6)


def test_near_zero_fraction_counts_pruned_connections():
    entry = get("mlp-plain-784-30-10")
    model = zoo.build(entry.name)
    kernel, bias = model.get_layer("hidden1").get_weights()
    kernel[np.abs(kernel) < 0.02] = 0.0
    model.get_layer("hidden1").set_weights([kernel, bias])
    metrics = measure.evaluate(entry, model)
    total = sum(np.asarray(k).size for k in measure.kernels(model))
    assert metrics["near_zero_fraction"] == pytest.approx(np.sum(kernel == 0) / total, abs=0.01)


@pytest.mark.parametrize("kind", ["accuracy", "connections"])
def test_network2_plots_are_written(kind, tmp_path):
    from zoo.training import History

    entry = get("mlp-l1-784-30-10")
    history = History(
        loss=[1.0, 0.5], snapshot_epochs=[1, 2], snapshots=[np.array([0.8, 0.7, 0.7]), np.array([0.9, 0.8, 0.8])]
    )
    out = entry.family.plot(entry, zoo.build(entry.name), history, kind, tmp_path / f"{kind}.png")
    assert out.stat().st_size > 10_000


def test_only_an_unregularised_net_offers_the_overfitting_picture():
    """The picture labels the entry's own run "no regularisation" and trains the same net with L2 and with dropout:
    true only of a net without either whose builder takes dropout. It was offered by every network2 entry, and
    `zoo plot mlp-ch5-784-30-10 --kind overfitting` crashed (TypeError) after training its L2 variant."""
    import inspect

    offering = [name for name in zoo.list_models() if "overfitting" in get(name).family.plots]
    assert offering == ["mlp-overfit-1000"]
    for name in offering:
        entry = get(name)
        assert not (entry.recipe.extras.get("l1") or entry.recipe.extras.get("l2") or entry.params.get("dropout"))
        assert "dropout" in inspect.signature(entry.builder).parameters
    with pytest.raises(zoo.ZooError, match=r"no picture of kind 'overfitting' \(kinds: accuracy, connections\)"):
        zoo.plot("mlp-ch5-784-30-10", "overfitting")


def test_overfitting_runs_follow_training_and_test_accuracy(tmp_path):
    from zoo.families.network2.pictures import overfitting

    entry = get("mlp-overfit-1000").with_options(epochs=20)
    runs = measure.accuracy_runs(entry, None, {"plain": {}, "dropout": {"dropout": 0.5}})
    epochs, snaps = runs["plain"]
    assert list(epochs) == [10, 20] and snaps.shape == (2, 3)
    assert snaps[-1, 0] > snaps[-1, 2] + 0.05  # 1,000 images: training accuracy runs ahead of test accuracy
    assert overfitting(runs, entry.name, tmp_path / "o.png").stat().st_size > 10_000
