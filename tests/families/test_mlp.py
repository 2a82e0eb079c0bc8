"""The MNIST MLP family: the lecture's update step for step, its initialisation, gradient summaries, pictures."""

import numpy as np
import pytest

import zoo
from zoo import get, training
from zoo.families.mlp import entries, measure
from zoo.training import History


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _lecture_step(weights, biases, x, y, eta):
    """The lecture's update_mini_batch (row-vector form): sum per-example backprop, step by eta / m."""
    activations, zs = [x], []
    for w, b in zip(weights, biases):
        zs.append(activations[-1] @ w + b)
        activations.append(_sigmoid(zs[-1]))
    delta = (activations[-1] - y) * _sigmoid(zs[-1]) * (1 - _sigmoid(zs[-1]))
    grads_w, grads_b = [None] * len(weights), [None] * len(weights)
    for layer in range(len(weights) - 1, -1, -1):
        grads_w[layer], grads_b[layer] = activations[layer].T @ delta, delta.sum(0)  # summed over the batch
        if layer:
            delta = (delta @ weights[layer].T) * _sigmoid(zs[layer - 1]) * (1 - _sigmoid(zs[layer - 1]))
    m = len(x)
    return ([w - eta / m * g for w, g in zip(weights, grads_w)], [b - eta / m * g for b, g in zip(biases, grads_b)])


def test_one_zoo_step_is_the_lecture_update():
    entry = get("mlp-784-30-30-10")
    family = entry.family
    data = family.small_data(entry, 10)
    x, y = data.x[:10], data.y[:10]
    model = zoo.build(entry.name)
    before = [np.asarray(w, np.float64) for w in model.get_weights()]
    training.fit(model, family.loss(entry), x, y, entry.recipe.replace(epochs=1))  # one batch of 10 = one step
    weights, biases = _lecture_step(before[0::2], before[1::2], x.astype(np.float64), y.astype(np.float64), eta=3.0)
    for got, want in zip(model.get_weights(), [v for pair in zip(weights, biases) for v in pair]):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_classic_nets_draw_weights_and_biases_from_a_unit_normal():
    model = zoo.build("mlp-784-30-10")
    assert model.count_params() == 784 * 30 + 30 + 30 * 10 + 10
    kernel, bias = (np.asarray(v) for v in model.get_layer("hidden1").get_weights())
    assert abs(kernel.std() - 1.0) < 0.02 and abs(kernel.mean()) < 0.02
    assert 0.5 < bias.std() < 1.5  # 30 draws from N(0, 1), not zeros


def test_deep_sigmoid_net_shows_the_vanishing_gradient_at_initialisation():
    entry = get("deep-sigmoid-10")
    summary = measure.gradient_summary(entry, zoo.build(entry.name))
    assert all(isinstance(v, float) for v in summary.values())
    assert summary["grad_ratio_first_last"] < 1e-2, summary
    relu = get("deep-relu-10")
    assert measure.gradient_summary(relu, zoo.build(relu.name))["grad_ratio_first_last"] > 1e-2


@pytest.mark.parametrize("name,dense", [("deep-bn-20", 20), ("deep-residual-50", 50), ("deep-selu-10", 10)])
def test_deep_entries_have_the_depth_their_name_says(name, dense):
    model = zoo.build(name)
    assert len(measure.kernels(model)) == dense


def test_evaluate_returns_plain_floats_and_the_confusion_counts_every_test_image():
    entry = get("mlp-784-30-10")
    family = entry.family
    model = zoo.build(entry.name)
    metrics = family.evaluate(entry, model)
    assert {"test_accuracy", "test_loss", "grad_ratio_first_last"} <= set(metrics)
    assert all(type(v) is float for v in metrics.values())
    counts = measure.confusion(entry, model)
    assert counts.shape == (10, 10) and counts.sum() == 10_000
    assert np.trace(counts) / 10_000 == pytest.approx(metrics["test_accuracy"])


@pytest.mark.parametrize("kind", ["gradients", "network", "confusion"])
def test_plots_are_written(kind, tmp_path):
    entry = get("mlp-784-30-10")
    model = zoo.build(entry.name)
    names = [v.path for v in model.trainable_variables]
    history = History(loss=[1.0, 0.5], grad_names=names, grad_norms=[[1.0] * len(names), [0.5] * len(names)])
    out = entries.FAMILY.plot(entry, model, history, kind, tmp_path / f"{kind}.png")
    assert out.stat().st_size > 1000


def test_network_drawing_refuses_wide_nets(tmp_path):
    entry = get("mlp-large")
    with pytest.raises(zoo.ZooError, match="small nets"):
        entries.FAMILY.plot(entry, zoo.build(entry.name), None, "network", tmp_path / "n.png")


def test_the_network_drawing_is_offered_only_where_it_can_be_drawn():
    """`zoo info mlp-large` listed a network picture that `zoo plot` then refused (512 units a layer)."""
    offering = [name for name in zoo.list_models() if "network" in get(name).family.plots]
    assert "mlp-784-30-10" in offering and "mlp-large" not in offering
    for name in offering:
        widths = [v.shape[1] for v in zoo.build(name).trainable_variables if v.path.endswith("/kernel")]
        assert max(widths) <= 100, name


def test_the_depth_table_reaches_110_layers_and_its_gradient_reaches_the_first():
    entry = get("deep-residual-110")
    model = zoo.build(entry.name)
    assert len(measure.kernels(model)) == 110
    summary = measure.gradient_summary(entry, model)
    assert summary["grad_norm_first"] > 0 and summary["grad_ratio_first_last"] > 1e-2  # the skips carry it down
