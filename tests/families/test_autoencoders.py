"""The autoencoder family: exact contractive penalty, in-graph noise, endpoints, metrics and pictures."""

import keras  # noqa: E402
import numpy as np
import pytest
import tensorflow as tf  # noqa: E402

import zoo  # noqa: E402
from zoo import data  # noqa: E402
from zoo.families.autoencoders import entries as ae  # noqa: E402
from zoo.families.autoencoders.measure import linear_probe, measure  # noqa: E402
from zoo.losses import bce_per_image  # noqa: E402

NAMES = ["ae", "ae-sparse", "ae-denoising", "ae-contractive", "ae-dropout"]


def small_model(width=16, dropout=0.0, n_in=784):
    keras.utils.set_random_seed(1)
    return ae.autoencoder(width=width, dropout=dropout, n_in=n_in)


def images(n=8):
    from zoo import data

    return data.as_vectors(data.load("mnist").x_test[:n])


def test_all_five_registered_the_regularised_four_sharing_one_shape():
    assert set(NAMES) <= set(zoo.list_models(family="autoencoder"))
    assert zoo.list_models(family="autoencoder")[0] == "ae"
    assert {zoo.get(n).params["width"] for n in NAMES if n != "ae"} == {ae.WIDTH}
    assert zoo.get("ae").params["width"] == ae.UNDERCOMPLETE < 784  # the baseline is undercomplete
    for name in NAMES:
        assert "width_why" in zoo.get(name).recipe.notes  # every card says why its width was chosen


def test_contractive_penalty_is_the_exact_jacobian_norm():
    model = small_model()
    x = tf.constant(images(4))
    with tf.GradientTape() as tape:
        tape.watch(x)
        h = ae.parts(model)[0](x)
    jac = tape.batch_jacobian(h, x)  # (4, width, 784)
    exact = tf.reduce_sum(tf.square(jac), axis=[1, 2]).numpy()
    closed = ae.jacobian_fro2(h, ae.parts(model)[0].kernel).numpy()
    np.testing.assert_allclose(closed, exact, rtol=1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_loss_is_reconstruction_plus_its_penalty(name):
    entry = zoo.get(name)
    model = small_model(dropout=entry.params["dropout"])
    x = tf.constant(images())
    loss = ae.FAMILY.loss(entry)
    h, recon = ae.forward(model, x, False)
    bce = float(bce_per_image(x, recon))
    extras = entry.recipe.extras
    expected = (
        bce
        + extras.get("l1", 0) * float(tf.reduce_mean(tf.reduce_sum(tf.abs(h), -1)))
        + extras.get("contractive", 0) * float(tf.reduce_mean(ae.jacobian_fro2(h, ae.parts(model)[0].kernel)))
    )
    assert float(loss(model, x, x, False)) == pytest.approx(expected, rel=1e-5)  # evaluation: no noise, no dropout
    if "mask" in extras or entry.params["dropout"]:
        train = tf.function(lambda: loss(model, x, x, True), jit_compile=True)  # noise drawn in-graph, under XLA
        first, second = float(train()), float(train())
        assert first != pytest.approx(expected) and first != second  # fresh noise every step


def test_masking_noise_zeroes_the_given_fraction():
    x = tf.ones([200, 784])
    kept = float(tf.reduce_mean(ae.mask(x, 0.25, keras.random.SeedGenerator(0))))
    assert kept == pytest.approx(0.75, abs=0.01)
    fixed = ae.masked_test_images(np.ones((100, 784), np.float32))
    assert fixed.mean() == pytest.approx(0.75, abs=0.01)
    np.testing.assert_array_equal(fixed, ae.masked_test_images(np.ones((100, 784), np.float32)))  # deterministic


def test_linear_probe_separates_separable_codes():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 600)
    codes = (np.eye(10)[labels] + 0.1 * rng.normal(size=(600, 10))).astype(np.float32)
    acc = linear_probe(codes[:500], labels[:500], codes[500:], labels[500:], steps=100)
    assert acc > 0.95
    assert acc == linear_probe(codes[:500], labels[:500], codes[500:], labels[500:], steps=100)


def test_saved_model_carries_encode_decode_reconstruct(tmp_path):
    from zoo import artifacts

    model = small_model()
    artifacts.save_saved_model(model, ae.autoencoder_endpoints(model), tmp_path / "sm")
    loaded = tf.saved_model.load(str(tmp_path / "sm"))
    x = images(3)
    code = loaded.encode(tf.constant(x)).numpy()
    np.testing.assert_allclose(code, ae.parts(model)[0](x), atol=1e-6)
    np.testing.assert_allclose(loaded.decode(tf.constant(code)).numpy(), model(x), atol=1e-5)
    np.testing.assert_allclose(loaded.reconstruct(tf.constant(x)).numpy(), model(x), atol=1e-5)
    np.testing.assert_allclose(loaded.serve(tf.constant(x)).numpy(), model(x), atol=1e-5)


def test_measure_reports_every_comparison_number():
    model = small_model(width=784)
    split = tuple(a[:500] for a in data.vectors("mnist"))
    metrics = measure(model, split)
    assert set(metrics) == {
        "bce",
        "mse",
        "mean_abs_h",
        "near_zero_fraction",
        "noisy_bce",
        "jacobian_fro2",
        "probe_accuracy",
    }
    assert metrics["noisy_bce"] > metrics["bce"] > 0 and 0 <= metrics["near_zero_fraction"] <= 1
    assert 0.1 < metrics["probe_accuracy"] <= 1


@pytest.mark.parametrize("kind", ["reconstructions", "filters", "denoise"])
def test_plots(kind, tmp_path):
    entry = zoo.get("ae-denoising")
    out = ae.FAMILY.plot(entry, small_model(), None, kind, tmp_path / f"{kind}.png")
    assert out.stat().st_size > 1000


def test_docs_table_from_cards():
    cards = [
        {
            "entry": n,
            "recipe": zoo.get(n).recipe.to_dict(),
            "training_seconds": 1.0,
            "metrics": {"bce": 70.0, "probe_accuracy": 0.9},
        }
        for n in NAMES
    ]
    text = ae.FAMILY.docs(cards)
    assert text.count("\n| ae") == 5 and "l1 = 0.1" in text.replace(
        str(zoo.get("ae-sparse").recipe.extras["l1"]), "0.1"
    )
