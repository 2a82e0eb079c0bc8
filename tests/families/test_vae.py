"""The VAE family: its model survives save/load/export, its likelihood estimate is right, it samples reproducibly."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import keras  # noqa: E402
import numpy as np
import pytest
import tensorflow as tf  # noqa: E402

import zoo
from zoo import get
from zoo.families.vae.measure import importance_sample  # noqa: E402  (not collected as a test)
from zoo.families.vae.measure import test_images as observed_test_set

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
    assert (
        model.count_params()
        == (784 * 200 + 200)
        + (200 * 200 + 200)
        + 2 * (200 * 50 + 50)
        + (50 * 200 + 200)
        + (200 * 200 + 200)
        + (200 * 784 + 784)
        + 1
    )
    assert model.built  # the builder calls the model once; an unbuilt subclassed model saves no weights


def test_a_bare_vae_is_unbuilt_until_called():
    """The trap the builder avoids: constructing the subclassed VAE does not build it; calling it does."""
    from zoo.families.vae.layers import VAE, mlp_decoder, mlp_encoder

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
    x, _ = observed_test_set(get("vae-2d"))
    x = x[:37]
    exact = np.sum(x * bias - np.logaddexp(0, bias), axis=1)
    log_px_mean, log_px = importance_sample(model, x, k=7, samples_per_call=24)  # chunk 3: 3 + 3 + 1 of 3
    np.testing.assert_allclose(log_px, exact, rtol=1e-5)
    np.testing.assert_allclose(log_px_mean, exact, rtol=1e-5)


def test_more_samples_tighten_the_bound(trained):
    entry, model, _ = trained
    one = FAMILY.evaluate(entry, model, k=1, n=300)
    many = FAMILY.evaluate(entry, model, k=200, n=300)
    assert abs(one["nll"] + one["elbo"]) < 1.0  # k = 1: the estimate is a one-sample ELBO
    assert many["nll"] < -many["elbo"]  # k > 1: a tighter bound than the ELBO
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
    a = draw(entry, model, 1005, seed=5)  # more than one block of 1000
    b = draw(entry, model, 1005, seed=5)
    c = draw(entry, model, 16, seed=6)
    assert a.shape == (1005, 784) and a.dtype == np.float32
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
    assert math.isfinite(logs["loss"][0]) and logs["loss"][0] == pytest.approx(
        logs["reconstruction"][0] + logs["kl"][0], rel=1e-3
    )
    assert any(not np.array_equal(a, b) for a, b in zip(before, loaded.get_weights()))


@pytest.mark.parametrize("kind", list(FAMILY.plots))
def test_every_plot_kind_draws(trained, tmp_path, kind):
    entry, model, history = trained
    path = FAMILY.plot(entry, model, history, kind, tmp_path / f"{kind}.png")
    assert path.stat().st_size > 1000


# ----------------------------------------------------------------- the three output distributions, IWAE, faces

from zoo.families.vae.layers import VAE, mlp_decoder, mlp_encoder  # noqa: E402
from zoo.families.vae.measure import observe_test  # noqa: E402

LATENT, PIXELS, LEVELS = 3, 6, 4
KL_OF_A_POINT = 0.5 * LATENT * (math.exp(-30.0) - 1.0 + 30.0)  # q(z|x) = N(0, e^-30): KL(q || N(0, I)) by hand


def constant_vae(likelihood, bias, log_scale=None, samples=1, outputs=PIXELS):
    """A VAE whose q(z|x) is (almost) the point z = 0 and whose decoder ignores z: every weight zero, the
    encoder's log-variance bias -30 and the decoder's output bias `bias`, so the loss is known by hand."""
    levels = LEVELS if likelihood == "categorical" else 0
    model = VAE(
        mlp_encoder(PIXELS, (5,), LATENT, "tanh"),
        mlp_decoder(LATENT, (5,), outputs, "tanh", levels=levels),
        likelihood=likelihood,
        levels=levels,
        samples=samples,
    )
    model(np.zeros((1, PIXELS), np.float32))
    for layer in model.encoder.layers + model.decoder.layers:
        if layer.weights:
            layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    model.encoder.get_layer("z_log_var").bias.assign(np.full(LATENT, -30.0, np.float32))
    model.decoder.get_layer("logits").bias.assign(np.asarray(bias, np.float32).reshape(-1))
    if log_scale is not None:
        model.log_scale.assign(np.asarray(log_scale, np.float32))
    return model


def loss_of(model, x):
    return float(model.losses_of(tf.constant(x, tf.float32), training=False)[0])


def test_bernoulli_loss_is_the_bernoulli_nll():
    logits = np.array([-2.0, -0.5, 0.0, 0.3, 1.0, 4.0])
    x = np.array([[0, 1, 1, 0, 1, 1], [1, 0, 0, 0, 1, 0]], np.float32)
    p = 1 / (1 + np.exp(-logits))
    nll = -np.sum(x * np.log(p) + (1 - x) * np.log(1 - p), axis=1)
    model = constant_vae("bernoulli", logits)
    assert loss_of(model, x) == pytest.approx(nll.mean() + KL_OF_A_POINT, rel=1e-5)
    # the family's loss (what the zoo loop minimises): binary pixels pass the binarisation unchanged
    family_loss = FAMILY.loss(get("vae"))(model, tf.constant(x), tf.constant(x), True)
    assert float(family_loss) == pytest.approx(nll.mean() + KL_OF_A_POINT, rel=1e-5)


def test_gaussian_loss_with_one_shared_variance_per_pixel_is_the_gaussian_nll():
    logits = np.array([-1.0, 0.0, 0.5, 1.0, -3.0, 2.0])
    log_sigma = np.array([-2.0, -1.0, 0.0, -0.5, -4.0, -1.5])
    x = np.array([[0.1, 0.5, 0.9, 0.7, 0.02, 0.95], [0.0, 0.3, 0.2, 1.0, 0.5, 0.6]], np.float32)
    mean, sigma = 1 / (1 + np.exp(-logits)), np.exp(log_sigma)
    density = np.exp(-0.5 * ((x - mean) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))  # the normal density, by hand
    nll = -np.sum(np.log(density), axis=1)
    assert loss_of(constant_vae("gaussian", logits, log_sigma), x) == pytest.approx(
        nll.mean() + KL_OF_A_POINT, rel=1e-5
    )


def test_gaussian_loss_with_the_decoders_variance_is_the_gaussian_nll():
    """vae-gaussian's form: the decoder gives 2 d outputs, mean logits then raw log sigmas, the latter kept
    softly above the dequantisation noise's spread: log sigma = floor + softplus(raw - floor)."""
    from zoo.families.vae.layers import LOG_SCALE_FLOOR

    logits = np.array([-1.0, 0.0, 0.5, 1.0, -3.0, 2.0])
    raw = np.array([-2.0, -1.0, 0.0, -0.5, -9.0, -6.0])
    x = np.array([[0.1, 0.5, 0.9, 0.7, 0.02, 0.95], [0.0, 0.3, 0.2, 1.0, 0.05, 0.6]], np.float32)
    assert LOG_SCALE_FLOOR == pytest.approx(-np.log(256 * np.sqrt(12)))
    sigma = np.exp(LOG_SCALE_FLOOR + np.log1p(np.exp(raw - LOG_SCALE_FLOOR)))
    mean = 1 / (1 + np.exp(-logits))
    nll = -np.sum(-0.5 * ((x - mean) / sigma) ** 2 - np.log(sigma * np.sqrt(2 * np.pi)), axis=1)
    model = constant_vae("gaussian", np.concatenate([logits, raw]), outputs=2 * PIXELS)
    assert model.decoder_scale and not hasattr(model, "log_scale")
    assert loss_of(model, x) == pytest.approx(nll.mean() + KL_OF_A_POINT, rel=1e-5)
    np.testing.assert_allclose(np.asarray(model(x))[0], mean, rtol=1e-6)  # the mean of p(x|z): the first half
    assert get("vae-gaussian").build().decoder.output.shape[-1] == 2 * 784


def test_categorical_loss_is_the_softmax_nll_of_the_levels():
    logits = np.random.default_rng(0).normal(size=(PIXELS, LEVELS))
    levels = np.array([[0, 1, 2, 3, 3, 0], [2, 2, 1, 0, 3, 1]])
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)  # softmax, the Boltzmann distribution
    nll = -np.log(probabilities[np.arange(PIXELS), levels]).sum(axis=1)
    model = constant_vae("categorical", logits)
    assert loss_of(model, levels / (LEVELS - 1)) == pytest.approx(nll.mean() + KL_OF_A_POINT, rel=1e-5)
    # the family's loss quantises intensities first: 8-bit value v is level floor(v * K / 256)
    pixels = (levels * (256 // LEVELS) + 7) / 255.0
    family_loss = FAMILY.loss(get("vae-categorical"))(model, tf.constant(pixels, tf.float32), None, True)
    assert float(family_loss) == pytest.approx(nll.mean() + KL_OF_A_POINT, rel=1e-5)
    # and the mean of p(x|z) is the expected level, scaled to [0, 1]
    expected = (probabilities * np.arange(LEVELS)).sum(axis=1) / (LEVELS - 1)
    np.testing.assert_allclose(np.asarray(model(pixels))[0], expected, rtol=1e-5)


def test_dequantisation_is_uniform_within_each_8_bit_bin_and_fresh_each_use():
    model = constant_vae("gaussian", np.zeros(PIXELS))
    pixels = tf.constant(np.tile(np.array([0, 1, 17, 128, 254, 255]) / 255.0, (2000, 1)), tf.float32)
    a, b = model.observe(pixels).numpy(), model.observe(pixels).numpy()
    low = np.round(pixels.numpy() * 255) / 256
    assert np.all(a >= low) and np.all(a < low + 1 / 256)
    assert abs((a - low).mean() * 256 - 0.5) < 0.01  # u ~ U[0, 1): mean 1/2 of a bin
    assert not np.array_equal(a, b)
    fixed = observe_test(get("vae-gaussian"), pixels.numpy()[:4])  # the test set's one fixed draw
    np.testing.assert_array_equal(fixed, observe_test(get("vae-gaussian"), pixels.numpy()[:4]))


@pytest.mark.parametrize("name", ["vae-gaussian", "vae-categorical"])
def test_importance_sampling_is_exact_for_the_other_decoders_too(name):
    """Decoder ignoring z and q = p(z): every importance weight is p(x), so the estimate equals log p(x);
    the Gaussian's NLL is reported on the 8-bit scale (+ D log 256) and in bits per dimension."""
    entry = get(name)
    likelihood = entry.params["likelihood"]
    model = constant_vae(
        likelihood,
        np.zeros(PIXELS * (LEVELS if likelihood == "categorical" else 1)),
        log_scale=np.full(PIXELS, -1.0) if likelihood == "gaussian" else None,
    )
    model.encoder.get_layer("z_log_var").bias.assign(np.zeros(LATENT, np.float32))  # q(z|x) = N(0, I) = p(z)
    x = np.random.default_rng(1).random((9, PIXELS)).astype(np.float32)
    x = observe_test(entry, x) if likelihood == "categorical" else x
    exact = np.asarray(model.log_px(tf.constant(x), model.decoder(np.zeros((9, LATENT), np.float32))))
    _, log_px = importance_sample(model, x, k=7, samples_per_call=24)
    np.testing.assert_allclose(log_px, exact, rtol=1e-5)
    if likelihood == "categorical":
        np.testing.assert_allclose(exact, PIXELS * np.log(1 / LEVELS), rtol=1e-5)  # uniform over K levels


def test_the_importance_weighted_bound_lies_between_the_elbo_and_the_likelihood(trained):
    """Burda et al.: ELBO <= IWAE_k bound <= log p(x); when q(z|x) = p(z) and the decoder ignores z, all are equal."""
    _, model, _ = trained
    x = tf.constant(observed_test_set(get("vae-2d"))[0][:300])
    iwae = VAE(model.encoder, model.decoder, samples=50)
    elbo_loss = np.mean([float(model.losses_of(x, training=False)[0]) for _ in range(4)])
    iwae_loss = float(iwae.losses_of(x, training=False)[0])
    nll = -importance_sample(model, x.numpy(), k=500)[1].mean()
    assert nll - 0.5 < iwae_loss < elbo_loss - 0.1
    flat = np.array([-1.0, 0.5, 2.0, 0.0, 1.0, -2.0])
    xs = np.array([[0, 1, 1, 0, 1, 0]], np.float32)
    losses = []
    for samples in (1, 5):
        model = constant_vae("bernoulli", flat, samples=samples)
        model.encoder.get_layer("z_log_var").bias.assign(np.zeros(LATENT, np.float32))  # q(z|x) = N(0, I) = p(z)
        losses.append(loss_of(model, xs))
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)
    assert losses[0] == pytest.approx(np.sum(np.logaddexp(0, flat) - xs * flat), rel=1e-5)


@pytest.mark.parametrize("likelihood", ["gaussian", "categorical"])
def test_other_decoders_survive_keras_safe_mode_and_sample_in_any_batching(likelihood, tmp_path):
    import zoo.keras_objects  # noqa: F401

    model = constant_vae(
        likelihood,
        np.random.default_rng(2).normal(size=PIXELS * (LEVELS if likelihood == "categorical" else 1)),
        log_scale=np.full(PIXELS, -2.0) if likelihood == "gaussian" else None,
        samples=3,
    )
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    assert (loaded.likelihood, loaded.levels, loaded.samples) == (model.likelihood, model.levels, 3)
    x = np.random.default_rng(3).random((5, PIXELS)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)
    entry = get(f"vae-{likelihood}")
    a = FAMILY.sample(entry, loaded, 0, 12, 4)
    assert a.shape == (12, PIXELS) and 0 <= a.min() and a.max() <= 1
    np.testing.assert_array_equal(FAMILY.sample(entry, loaded, 5, 4, 4), a[5:9])


def test_the_shipped_bernoulli_artifacts_keep_their_form():
    """The older .keras files (no likelihood in their config) load as Bernoulli VAEs with exactly their weights."""
    model = zoo.load("vae-2d")
    assert (model.likelihood, model.levels, model.samples) == ("bernoulli", 0, 1)
    assert "likelihood" not in model.get_config()
    assert (
        model.count_params()
        == 784 * 200 + 200 + 200 * 200 + 200 + 2 * (200 * 2 + 2) + 2 * 200 + 200 + 200 * 200 + 200 + 200 * 784 + 784 + 1
    )


def test_kl_per_dimension_adds_up_to_the_kl_and_marks_the_active_units(trained):
    from zoo.families.vae.measure import activity, kl_per_dimension

    entry, model, _ = trained
    metrics = FAMILY.evaluate(entry, model, k=1, n=200)
    x = observed_test_set(entry)[0][:200]
    per_dimension = kl_per_dimension(model, x)
    assert per_dimension.shape == (200, 2) and np.all(per_dimension >= 0)
    assert per_dimension.sum(axis=1).mean() == pytest.approx(metrics["kl"], rel=1e-9)
    assert int((activity(model, x) > 0.01).sum()) == metrics["active_units"]


def test_faces_are_28_by_28_8_bit_rows_held_out_every_fifth():
    from zoo.families.vae.face_images import face_vectors

    faces = face_vectors()
    assert faces.x_train.shape == (80, 784) and faces.x_test.shape == (20, 784)
    values = np.concatenate([faces.x_train, faces.x_test]) * 255
    np.testing.assert_allclose(values, np.round(values), atol=1e-3)
    assert 0.2 < faces.x_train.mean() < 0.8 and faces.x_train.std() > 0.1


def test_faces_without_scikit_image_name_the_extra(monkeypatch):
    from zoo.families.vae import face_images as vae_faces

    monkeypatch.setitem(sys.modules, "skimage.data", None)  # import skimage.data now raises ImportError
    with pytest.raises(zoo.ZooError, match=r"pip install 'zoo\[faces\]'"):
        vae_faces._skimage_faces()


def test_a_face_set_is_named_through_tensorflow_datasets():
    entry = get("vae-faces-lfw")
    assert entry.dataset == "lfw" and not entry.catalogue and entry.recipe == get("vae-faces").recipe
    assert "vae-faces-lfw" not in zoo.list_models()


def test_a_tfds_face_set_becomes_28_by_28_grey_rows(monkeypatch):
    """The tfds path without the network: lfw's form, 250 x 250 colour photos under "image", one split."""
    import tensorflow_datasets as tfds

    from zoo.families.vae import face_images as vae_faces

    photos = np.random.default_rng(0).integers(0, 256, (10, 250, 250, 3), dtype=np.uint8)
    asked = []

    def fake_load(name, split, data_dir, download):
        asked.append((name, split, data_dir, download))
        return tf.data.Dataset.from_tensor_slices({"image": photos, "label": np.array([b"someone"] * 10)})

    monkeypatch.setattr(tfds, "load", fake_load)
    faces = vae_faces.face_vectors.__wrapped__("lfw")  # past the cache
    assert asked == [("lfw", "train", None, False)]  # never a download
    assert faces.x_train.shape == (8, 784) and faces.x_test.shape == (2, 784)
    grey = photos[:, 70:180, 70:180].astype(np.float64) @ [0.2989, 0.587, 0.114] / 255
    assert abs(faces.x_train.mean() - grey[[0, 1, 2, 3, 5, 6, 7, 8]].mean()) < 0.01

    def missing(name, split, data_dir, download):
        raise AssertionError(f"Dataset {name}: could not find data in {data_dir}.")  # what TFDS raises

    monkeypatch.setattr(tfds, "load", missing)
    with pytest.raises(zoo.ZooError, match="face data set 'lfw' is not prepared .* or train vae-faces, on the 100"):
        vae_faces.face_vectors.__wrapped__("lfw")


def test_a_digits_vae_given_another_digits_source_reads_that_source(tmp_path):
    """`--data` on a digits VAE is read as digits: before, any source but the embedded MNIST went to the faces'
    loader, which refused an .npz as "face data set ... not available through tensorflow_datasets"."""
    from zoo import data

    mnist = data.load("mnist")
    path = tmp_path / "digits.npz"
    np.savez(
        path,
        x_train=mnist.x_train[:60],
        y_train=mnist.y_train[:60],
        x_test=255 - mnist.x_test[:30],
        y_test=mnist.y_test[:30],
    )
    metrics = zoo.evaluate("vae", data=str(path), k=2)
    assert metrics["n"] == 30 and math.isfinite(metrics["nll"])
    shipped = zoo.evaluate("vae", k=2, n=30)  # the same model on the embedded MNIST's first 30: other images, other NLL
    assert abs(metrics["nll"] - shipped["nll"]) > 10


def test_the_sampler_s_bernoulli_likelihood_is_the_model_s():
    """bernoulli_log_px (grouped products of sigmoids) equals VAE.log_px, for binary and grey pixels and for
    logits far out in the tails, where a product of plain sigmoids would underflow."""
    from zoo.families.vae.importance import bernoulli_log_px

    rng = np.random.default_rng(0)
    logits = np.concatenate([rng.normal(0, 4, (3, 784)), np.full((1, 784), -90.0), np.full((1, 784), 90.0)]).astype(
        np.float32
    )
    model = zoo.build("vae")
    for x in (rng.random((5, 784)) < 0.3, rng.random((5, 784))):
        x = x.astype(np.float32)
        exact = np.sum(x.astype(np.float64) * logits - np.logaddexp(0.0, logits.astype(np.float64)), axis=-1)
        ours = bernoulli_log_px(tf.constant(x), tf.constant(logits)).numpy()
        np.testing.assert_allclose(ours, np.asarray(model.log_px(x, logits)), rtol=1e-6, atol=1e-3)
        np.testing.assert_allclose(ours, exact, rtol=1e-6, atol=1e-3)


def test_a_vae_on_another_source_starts_at_that_sources_marginal(tmp_path, monkeypatch):
    """The builder starts the decoder's output biases at MNIST's pixel marginal; on `--data` the run first resets
    them to its own source's (inverted digits: the background is bright), and on MNIST leaves them as built."""
    from zoo import data
    from zoo.families.vae import family as family_module

    mnist = data.load("mnist")
    path = tmp_path / "inverted.npz"
    np.savez(
        path,
        x_train=255 - mnist.x_train[:500],
        y_train=mnist.y_train[:500],
        x_test=255 - mnist.x_test[:50],
        y_test=mnist.y_test[:50],
    )
    started = {}
    monkeypatch.setattr(
        family_module,
        "fit_by_recipe",
        lambda entry, model, **_: started.setdefault(entry.dataset, np.asarray(model.decoder.get_layer("logits").bias)),
    )
    for source in (None, str(path)):
        entry = get("vae").with_options(data=source)
        entry.family.fit(entry, entry.build())
    built = np.asarray(get("vae").build().decoder.get_layer("logits").bias)
    np.testing.assert_array_equal(started["mnist"], built)
    assert built[0] < -5 and started[str(path)][0] > 5  # a corner pixel: dark in MNIST, bright inverted
