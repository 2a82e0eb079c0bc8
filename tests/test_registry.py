"""Every registered entry, whatever its family: it builds, runs, learns, exports, and its shipped artifact holds."""
import numpy as np
import pytest

import zoo
from zoo import api, artifacts
from zoo.family import get_family
from zoo.registry import get
from zoo.training import History

from conftest import ENTRIES, SHIPPED, first_output

QUICK_EPOCHS = 3


def _quick_train(name):
    entry = get(name)
    family = get_family(entry.family)
    model = zoo.build(name)
    data = family.small_data(entry)
    history = family.fit(entry, model, data=data, epochs=QUICK_EPOCHS)
    return entry, family, model, data, history


def test_registry_is_not_empty_and_names_are_unique():
    assert len(ENTRIES) == len(set(ENTRIES)) >= 4


@pytest.mark.parametrize("name", ENTRIES)
def test_entry_builds_and_runs_forward(name):
    entry = get(name)
    model = zoo.build(name)
    x = np.asarray(get_family(entry.family).small_data(entry).x[:4])
    out = model(x)
    outputs = out if isinstance(out, (list, tuple)) else [out]
    for o in outputs:
        assert np.all(np.isfinite(np.asarray(o)))
        assert np.asarray(o).shape[0] == len(x)


@pytest.mark.parametrize("name", ENTRIES)
def test_short_training_lowers_the_loss_and_exports(name, tmp_path):
    import tensorflow as tf

    entry, family, model, data, history = _quick_train(name)
    assert history.epochs >= 2 and np.all(np.isfinite(history.loss))
    assert history.loss[-1] < history.loss[0], history.loss

    folder = api.export_artifact(entry, model, history, {}, 0.0, 0, tmp_path / name)
    x = np.asarray(data.x[:8], np.float32)
    expected = np.asarray(first_output(model(x)))
    loaded = tf.saved_model.load(str(folder / artifacts.SAVED_MODEL))  # keep a reference: it owns the variables
    served = first_output(loaded.serve(tf.constant(x)))
    np.testing.assert_allclose(np.asarray(served), expected, rtol=1e-4, atol=1e-5)
    reloaded = artifacts.load_keras(folder)  # checksums verified, safe mode on
    np.testing.assert_allclose(np.asarray(first_output(reloaded(x))), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_artifact_verifies_and_reaches_its_card(name):
    entry = get(name)
    folder = artifacts.pretrained_dir(name)
    card = artifacts.verify(folder)
    assert card["entry"] == name
    assert not entry.meets(card["metrics"]), entry.meets(card["metrics"])
    assert card["training_seconds"] > 0 and card["parameters"] > 0
    model = zoo.load(name)
    problems = get_family(entry.family).check_artifact(entry, model, card)
    assert not problems, problems


def test_every_catalogue_entry_ships_an_artifact():
    missing = [name for name in ENTRIES if name not in SHIPPED]
    assert not missing, f"train and commit: {missing}"


def test_unknown_names_suggest_the_closest():
    with pytest.raises(zoo.ZooError, match="did you mean encoder-9-2-9"):
        get("encoder-9-2-8x")


def test_history_round_trips_through_arrays():
    history = History(loss=[1.0, 0.5], grad_names=["a"], grad_norms=[[1.0], [2.0]],
                      snapshot_epochs=[2], snapshots=[np.zeros((2, 2))])
    again = History.from_arrays(history.to_arrays())
    assert again.loss == history.loss and again.grad_norms == history.grad_norms
    assert again.snapshot_epochs == [2] and again.snapshots[0].shape == (2, 2)


FIRST_OF_EACH_FAMILY = list({get(name).family: name for name in reversed(ENTRIES)}.values())


@pytest.mark.parametrize("name", FIRST_OF_EACH_FAMILY)
def test_the_same_seed_gives_the_same_weights_and_losses(name):
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()  # zoo.train turns it on; this test calls the family directly
    runs = []
    for _ in range(2):
        _, _, model, _, history = _quick_train(name)
        runs.append((model.get_weights(), history.loss))
    (weights_a, loss_a), (weights_b, loss_b) = runs
    assert loss_a == loss_b
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_array_equal(a, b)
