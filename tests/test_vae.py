"""The VAE family: its model survives save/load/export, its likelihood estimate is right, it samples reproducibly."""
from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

import zoo
from zoo import get

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from zoo.evaluation.vae import importance_sample, test_images  # noqa: E402

FAMILY = zoo.get("vae").family


def draw(entry, model, n, seed):
    return FAMILY.sample(entry, model, 0, n, seed)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """vae-2d after three epochs of the zoo loop on 1,000 images (the loop only touches the sub-models)."""
    entry = get("vae-2d").with_options(epochs=3)
    model = entry.build()
    history = FAMILY.fit(entry, model, data=FAMILY.small_data(entry))
    return entry, model, history


def test_parameter_count_and_built():
    model = zoo.build("vae")
    # encoder 784-200-200-(50+50), decoder 50-200-200-784, plus the draw counter (non-trainable)
    assert model.count_params() == (784 * 200 + 200) + (200 * 200 + 200) + 2 * (200 * 50 + 50) \
        + (50 * 200 + 200) + (200 * 200 + 200) + (200 * 784 + 784) + 1
    assert model.built  # the builder calls the model once; an unbuilt subclassed model saves no weights


def test_a_bare_vae_is_unbuilt_until_called():
    """The trap the builder avoids: constructing the subclassed VAE does not build it; calling it does."""
    from zoo.layers.vae import VAE, mlp_decoder, mlp_encoder

    model = VAE(mlp_encoder(784, (8,), 2, "tanh"), mlp_decoder(2, (8,), 784, "tanh"))
    assert not model.built
    model(np.zeros((1, 784), np.float32))
    assert model.built


def test_binarization_is_fresh_each_draw_inside_xla():
    model = zoo.build("vae-2d")
    x = tf.fill([200, 784], 0.3)

    @tf.function(jit_compile=True)  # as in the zoo's training loop
    def two_draws(x):
        return model.binarize(x), model.binarize(x)

    a, b = (v.numpy() for v in two_draws(x))
    assert set(np.unique(a)) <= {0.0, 1.0}
    assert abs(a.mean() - 0.3) < 0.01
    assert (a != b).mean() > 0.3  # independent draws disagree on 2 * 0.3 * 0.7 = 42% of pixels
    again = two_draws(x)[0].numpy()
    assert (again != a).mean() > 0.3  # and the next call draws afresh (the counter lives in a variable)
    binary = tf.constant(np.random.default_rng(0).random((10, 784)) < 0.5, tf.float32)
    assert np.array_equal(model.binarize(binary).numpy(), binary.numpy())  # binary images pass through unchanged


def test_training_lowers_the_negative_elbo(trained):
    _, _, history = trained
    assert all(math.isfinite(v) for v in history.loss)
    assert history.loss[-1] < history.loss[0]
    assert len(history.snapshots) == 3 and history.snapshots[0].shape == (10, 784)


def test_importance_sampling_is_exact_when_q_is_the_prior_and_the_decoder_ignores_z():
    """Zero weights: q(z|x) = p(z) = N(0, I) and logits = the output biases, so every importance weight
    equals p(x) and the estimate is exact for any k (also with a last chunk overhanging k)."""
    model = zoo.build("vae-2d")
    for layer in model.encoder.layers + model.decoder.layers:
        if layer.weights and layer.name != "logits":
            layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    logits_layer = model.decoder.get_layer("logits")
    bias = logits_layer.get_weights()[1]
    logits_layer.set_weights([np.zeros_like(logits_layer.get_weights()[0]), bias])
    x, _ = test_images(get("vae-2d"))
    x = x[:37]
    exact = np.sum(x * bias - np.logaddexp(0, bias), axis=1)
    log_px_mean, log_px = importance_sample(model, x, k=7, samples_per_call=24)  # chunk 3: 3 + 3 + 1 of 3
    np.testing.assert_allclose(log_px, exact, rtol=1e-5)
    np.testing.assert_allclose(log_px_mean, exact, rtol=1e-5)


def test_more_samples_tighten_the_bound(trained):
    entry, model, _ = trained
    one = FAMILY.evaluate(entry, model, k=1, n=300)
    many = FAMILY.evaluate(entry, model, k=200, n=300)
    assert abs(one["nll"] + one["elbo"]) < 1.0   # k = 1: the estimate is a one-sample ELBO
    assert many["nll"] < -many["elbo"]            # k > 1: a tighter bound than the ELBO
    assert many["nll"] <= one["nll"] + 0.2
    assert many["kl"] == pytest.approx(one["kl"])  # analytic: no sampling
    assert 0 <= many["active_units"] <= 2


def test_evaluate_rejects_a_bad_k(trained):
    entry, model, _ = trained
    for bad in (0, -3, 2.5, True, 10**9):
        with pytest.raises(zoo.ZooError, match="k must be"):
            FAMILY.evaluate(entry, model, k=bad)


def test_samples_are_reproducible_and_batched(trained):
    entry, model, _ = trained
    a = draw(entry, model, 1001, seed=5)  # more than one block of 1000
    b = draw(entry, model, 1001, seed=5)
    c = draw(entry, model, 16, seed=6)
    assert a.shape == (1001, 784) and a.dtype == np.float32
    assert np.array_equal(a, b)
    assert 0.0 <= a.min() and a.max() <= 1.0
    assert not np.allclose(a[:16], c)
    np.testing.assert_array_equal(draw(entry, model, 10, seed=5), a[:10])
    np.testing.assert_array_equal(FAMILY.sample(entry, model, 995, 10, 5), a[995:1005])  # any batching, same samples


def test_saved_model_samples_with_tensorflow_alone(trained, tmp_path):
    """The SavedModel answers in a process that never imports zoo, like the README's five lines."""
    from zoo.artifacts import save_saved_model

    entry, model, _ = trained
    save_saved_model(model, FAMILY.endpoints(entry, model), tmp_path / "saved_model")
    script = (
        "import json, sys, numpy as np, tensorflow as tf\n"
        f"m = tf.saved_model.load({str(tmp_path / 'saved_model')!r})\n"
        "s = m.sample(n=tf.constant(64), seed=tf.constant(0)).numpy()\n"
        "e = m.encode(tf.zeros([3, 784]))\n"
        "d = m.decode(e['mean']).numpy()\n"
        "print(json.dumps({'zoo': 'zoo' in sys.modules, 'shape': s.shape, 'min': float(s.min()), 'max': float(s.max()),"
        " 'first': s[0].tolist(), 'decoded': d.shape, 'log_var': list(e['log_var'].shape)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["zoo"] is False
    assert answer["shape"] == [64, 784] and answer["decoded"] == [3, 784] and answer["log_var"] == [3, 2]
    assert 0.0 <= answer["min"] and answer["max"] <= 1.0
    # the SavedModel's sample(n, seed) is zoo's sample for n <= 1000
    np.testing.assert_allclose(answer["first"], draw(entry, model, 64, seed=0)[0], atol=1e-5)


def test_keras_file_loads_in_safe_mode_and_fine_tunes(trained, tmp_path):
    """`import zoo.keras_objects` registers zoo's VAE class; safe mode then loads it (no Lambda, no pickled
    code), and the model's own train_step runs under model.fit."""
    import zoo.keras_objects  # noqa: F401

    _, model, _ = trained
    model.save(tmp_path / "vae.keras")
    loaded = keras.saving.load_model(tmp_path / "vae.keras", safe_mode=True)
    x = FAMILY.train_data(get("vae-2d")).x[:200]
    np.testing.assert_allclose(np.asarray(loaded(x[:8])), np.asarray(model(x[:8])), atol=1e-6)
    before = [w.copy() for w in loaded.get_weights()]
    loaded.compile(optimizer=keras.optimizers.Adam(1e-3))
    logs = loaded.fit(x, epochs=1, batch_size=100, verbose=0).history
    assert math.isfinite(logs["loss"][0]) and logs["loss"][0] == pytest.approx(logs["reconstruction"][0] + logs["kl"][0], rel=1e-3)
    assert any(not np.array_equal(a, b) for a, b in zip(before, loaded.get_weights()))


@pytest.mark.parametrize("kind", list(FAMILY.plots))
def test_every_plot_kind_draws(trained, tmp_path, kind):
    entry, model, history = trained
    path = FAMILY.plot(entry, model, history, kind, tmp_path / f"{kind}.png")
    assert path.stat().st_size > 1000
