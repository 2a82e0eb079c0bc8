"""The recurrent family: the adding problem's generator, the lecture's LSTM cell against Keras', the unrolled
serve endpoint, the gradient through time, and the pictures."""

from __future__ import annotations

import keras  # noqa: E402
import numpy as np
import pytest

import zoo
from zoo.families.recurrent import measure
from zoo.families.recurrent.entries import TEST_SEED, TEST_STREAM, adding_problem, held_out
from zoo.families.recurrent.layers import LectureLSTM  # noqa: E402


def test_adding_problem_is_what_the_docstring_says():
    data = adding_problem(5000, 40, seed=3)
    x, y = data.x, data.y
    assert x.shape == (5000, 40, 2) and y.shape == (5000, 1) and x.dtype == y.dtype == np.float32
    markers = x[:, :, 1]
    assert set(np.unique(markers)) == {0.0, 1.0} and np.all(markers.sum(1) == 2)
    positions = np.argwhere(markers > 0)[:, 1].reshape(-1, 2)
    assert np.all(positions[:, 0] < 20) and np.all(positions[:, 1] >= 20)  # one marker in each half
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * markers).sum(1), rtol=1e-6)
    assert 0.0 <= x[:, :, 0].min() and x[:, :, 0].max() < 1.0
    assert abs(np.mean((1.0 - y) ** 2) - 1 / 6) < 0.01  # predicting 1 always: MSE = Var(u_a + u_b) = 2/12


def test_adding_problem_is_deterministic_and_seeded():
    a, b, c = adding_problem(50, 10, 1), adding_problem(50, 10, 1), adding_problem(50, 10, 2)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)
    test = adding_problem(50, 10, TEST_SEED, TEST_STREAM)
    assert not np.array_equal(adding_problem(50, 10, TEST_SEED).x, test.x)  # the test stream is not a training one


def test_training_data_follows_the_runs_seed_and_the_test_set_does_not():
    entry = zoo.get("adding-lstm-10")
    one, two = (entry.family.train_data(entry.with_options(seed=s)) for s in (1, 2))
    assert not np.array_equal(one.x, two.x)
    np.testing.assert_array_equal(held_out(entry.with_options(seed=1)).x, held_out(entry.with_options(seed=2)).x)


def _lstm_and_inputs(units=5, features=3, steps=7):
    rng = np.random.default_rng(0)
    lstm = keras.layers.LSTM(units)
    x = rng.normal(size=(4, steps, features)).astype(np.float32)
    lstm(x)
    lstm.set_weights([rng.normal(scale=0.5, size=w.shape).astype(np.float32) for w in lstm.get_weights()])
    return lstm, x


def test_the_lecture_cell_gives_keras_lstm_outputs_with_the_same_weights():
    lstm, x = _lstm_and_inputs()
    lecture = LectureLSTM(5).from_keras(lstm)
    np.testing.assert_allclose(np.asarray(lecture(x)), np.asarray(lstm(x)), rtol=1e-5, atol=1e-6)
    sequences = keras.layers.LSTM.from_config({**lstm.get_config(), "return_sequences": True, "return_state": True})
    sequences(x)
    sequences.set_weights(lstm.get_weights())
    h_all, _, c_last = (np.asarray(v) for v in sequences(x))
    trace = lecture.trace(x)
    np.testing.assert_allclose(np.asarray(trace["h"]), h_all, rtol=1e-5, atol=1e-6)  # every step, not only the last
    np.testing.assert_allclose(np.asarray(trace["c"])[:, -1], c_last, rtol=1e-5, atol=1e-6)  # and the cell state
    for gate in ("forget", "input", "output"):
        values = np.asarray(trace[gate])
        assert values.shape == (4, 7, 5) and 0.0 < values.min() and values.max() < 1.0


def test_the_forget_gate_is_the_memory():
    """f = 1, i = 0 (huge biases): the cell state never changes; f = 0: it forgets all but the last write."""
    lecture = LectureLSTM(3)
    x = np.random.default_rng(1).normal(size=(2, 6, 4)).astype(np.float32)
    lecture.build(x.shape)
    for w in lecture.weights:
        w.assign(np.zeros(w.shape, np.float32))
    lecture.b_f.assign(np.full(3, 50.0, np.float32))
    lecture.b_i.assign(np.full(3, -50.0, np.float32))
    assert np.abs(np.asarray(lecture.trace(x)["c"])).max() < 1e-6  # starts at 0 and keeps it
    lecture.b_f.assign(np.full(3, -50.0, np.float32))
    lecture.b_i.assign(np.full(3, 50.0, np.float32))
    lecture.b_c.assign(np.full(3, 0.5, np.float32))
    np.testing.assert_allclose(np.asarray(lecture.trace(x)["c"]), np.tanh(0.5), rtol=1e-5)  # c_t = g_t each step


def test_the_lecture_cell_saves_and_loads_in_safe_mode(tmp_path):
    lstm, x = _lstm_and_inputs()
    model = keras.Sequential([keras.Input(x.shape[1:]), LectureLSTM(5, name="lecture")])
    model.get_layer("lecture").from_keras(lstm)
    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    np.testing.assert_allclose(np.asarray(again(x)), np.asarray(lstm(x)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["adding-rnn-10", "lstm-mnist-rows"])
def test_the_serve_endpoint_is_the_same_model_unrolled(name):
    entry = zoo.get(name)
    model = entry.build()
    serve, signature = entry.family.endpoints(entry, model)["serve"]
    assert serve is not model and measure.recurrent_of(serve)[1].unroll and not measure.recurrent_of(model)[1].unroll
    assert tuple(signature[0].shape) == (None,) + tuple(model.inputs[0].shape[1:])  # mnist: flat 784 pixels
    x = np.asarray(entry.family.small_data(entry).x[:8])
    np.testing.assert_allclose(np.asarray(serve(x)), np.asarray(model(x)), rtol=1e-5, atol=1e-6)


def test_gradient_through_time_vanishes_for_a_contracting_rnn():
    """A tanh RNN whose recurrent weights are 0.3 I: the gradient reaching step t shrinks by ~0.3 per step back."""
    entry = zoo.get("adding-rnn-10")
    model = entry.build()
    layer = measure.recurrent_of(model)[1]
    kernel, _, bias = layer.get_weights()
    layer.set_weights([kernel * 0.1, 0.3 * np.eye(len(bias), dtype=np.float32), bias * 0])
    test = held_out(entry)
    curve = measure.input_gradients(entry, model, test.x, test.y)
    assert curve.shape == (10,)
    ratios = curve[:-1] / curve[1:]
    assert np.all(ratios < 0.35) and np.all(ratios > 0.2), ratios  # tanh' ~ 1 at these small activations
    summary = measure.gradient_summary(curve)
    assert summary["grad_ratio"] == pytest.approx(curve[0] / curve[-1])


def test_evaluation_reports_the_baseline_and_the_states(tmp_path):
    entry = zoo.get("adding-lstm-10")
    model = entry.build()
    metrics = entry.family.evaluate(entry, model)
    assert metrics["baseline_mse"] == pytest.approx(1 / 6, abs=0.01)
    assert metrics["mse_vs_baseline"] == pytest.approx(metrics["test_mse"] / metrics["baseline_mse"])
    sequence, states, curves = measure.through_time(entry, model, held_out(entry))
    assert sequence.shape == (10, 2)
    assert set(states) == {"forget gate f", "input gate i", "output gate o", "cell state c", "hidden state h"}
    assert all(v.shape == (10, 64) for v in states.values())
    assert any("RNN at initialisation" == k for k in curves) and any("LSTM at initialisation" == k for k in curves)
    rnn = zoo.get("adding-rnn-10")
    assert set(measure.states(rnn.build(), sequence)) == {"hidden state h"}
    out = entry.family.plot(entry, model, None, "through-time", tmp_path / "t.png")
    assert out.stat().st_size > 10_000


def test_mnist_rows_reads_28_rows_of_28_pixels():
    entry = zoo.get("lstm-mnist-rows")
    model = entry.build()
    x = np.asarray(entry.family.small_data(entry).x[:2])
    rows = measure._inputs_of_recurrent(model, x)
    np.testing.assert_array_equal(rows, x.reshape(2, 28, 28))
    assert measure.recurrent_of(model)[1].input.shape[1] == 28


def test_any_length_is_built_on_demand_by_the_same_rule():
    entry = zoo.get("adding-lstm-400")
    assert not entry.catalogue and entry.params == {"cell": "lstm", "units": 64, "length": 400}
    assert entry.recipe.epochs == 50 and entry.recipe == zoo.get("adding-lstm-200").recipe.replace(epochs=50)
    assert entry.expected == {"test_mse": ("<=", 0.01)} and zoo.get("adding-rnn-400").expected["mse_vs_baseline"]
    assert tuple(entry.build().inputs[0].shape) == (None, 400, 2)
    with pytest.raises(zoo.ZooError, match="between 2 and 10,000"):
        zoo.get("adding-rnn-1")
