"""Every registered entry, whatever its family: it builds, runs, learns, exports, follows its seed, and its shipped
artifact holds."""

import numpy as np
import pytest
from conftest import ENTRIES, SHIPPED, first_output

import zoo
from zoo import api, artifacts
from zoo.family import Family
from zoo.training import History

QUICK_EPOCHS = 3


def _quick_train(name, seed=None):
    """A few epochs on the family's small slice, with the options applied as `zoo train` applies them."""
    entry = zoo.get(name).with_options(seed=seed, epochs=QUICK_EPOCHS)
    model = entry.build()
    data = entry.family.small_data(entry)
    history = entry.family.fit(entry, model, data=data)
    return entry, model, data, history


def test_registry_is_not_empty_and_names_are_unique():
    assert len(ENTRIES) == len(set(ENTRIES)) >= 4


@pytest.mark.parametrize("name", ENTRIES)
def test_an_entry_holds_its_family_and_a_builder_that_uses_every_param(name):
    import inspect

    entry = zoo.get(name)
    assert isinstance(entry.family, Family) and entry.family.name in zoo.families()
    parameters = inspect.signature(entry.builder).parameters
    required = {n for n, p in parameters.items() if p.default is inspect.Parameter.empty} - {"seed"}
    assert set(entry.params) <= set(parameters), "every param is a builder argument (none is ignored)"
    assert required <= set(entry.params), "every required builder argument comes from the entry's params"


@pytest.mark.parametrize("name", ENTRIES)
def test_entry_builds_and_runs_forward(name):
    entry = zoo.get(name)
    model = zoo.build(name)
    x = np.asarray(entry.family.small_data(entry).x[:4])
    out = model(x)
    outputs = out if isinstance(out, (list, tuple)) else [out]
    for o in outputs:
        assert np.all(np.isfinite(np.asarray(o)))
        assert np.asarray(o).shape[0] == len(x)


FIRST_OF_EACH_FAMILY = list({zoo.get(name).family.name: name for name in reversed(ENTRIES)}.values())


def _learns_and_exports(entry, model, data, history, folder):
    """A short run lowers the loss, and its export answers like the model: the SavedModel under TensorFlow
    alone, the .keras file through zoo's checked, safe-mode loader."""
    import tensorflow as tf

    assert history.epochs >= 2 and np.all(np.isfinite(history.loss))
    assert history.loss[-1] < history.loss[0], history.loss

    folder = api.export_artifact(entry, model, history, {}, folder)
    x = np.asarray(data.x[:8], np.float32)
    expected = np.asarray(first_output(model(x)))
    loaded = tf.saved_model.load(str(folder / artifacts.SAVED_MODEL))  # keep a reference: it owns the variables
    served = first_output(loaded.serve(tf.constant(x)))
    np.testing.assert_allclose(np.asarray(served), expected, rtol=1e-4, atol=1e-5)
    reloaded = artifacts.load_keras(folder)  # checksums verified, safe mode on
    np.testing.assert_allclose(np.asarray(first_output(reloaded(x))), expected, rtol=1e-5, atol=1e-6)


# The first entry of each family is trained by test_the_seed_decides_every_draw, which makes the same
# checks on its first run: one short training fewer per family (each costs a compilation of its loop).
@pytest.mark.parametrize("name", [name for name in ENTRIES if name not in FIRST_OF_EACH_FAMILY])
def test_short_training_lowers_the_loss_and_exports(name, tmp_path):
    _learns_and_exports(*_quick_train(name), tmp_path / name)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_artifact_verifies_and_reaches_its_card(name):
    entry = zoo.get(name)
    card = artifacts.verify(artifacts.pretrained_dir(name))
    assert card["entry"] == name
    assert not entry.meets(card["metrics"]), entry.meets(card["metrics"])
    assert card["training_seconds"] > 0 and card["parameters"] > 0
    problems = entry.family.check_artifact(entry, zoo.load(name), card)
    assert not problems, problems


def test_every_catalogue_entry_ships_an_artifact():
    missing = [name for name in ENTRIES if name not in SHIPPED]
    assert not missing, f"train and commit: {missing}"


def test_unknown_names_suggest_the_closest():
    with pytest.raises(zoo.ZooError, match="did you mean encoder-9-2-9"):
        zoo.get("encoder-9-2-8x")


def test_a_history_prints_as_one_line():
    """A REPL prints `zoo.train(...)`'s result: its history is a summary, not every epoch's loss and snapshot."""
    history = History(
        loss=[0.5 + i / 1000 for i in range(15_000)][::-1],
        grad_names=["a", "b"],
        grad_norms=[[1.0, 2.0]] * 15_000,
        snapshot_epochs=[1, 2],
        snapshots=[np.zeros((9, 2))] * 2,
        stages=["pretrain-layer1"] * 5_000 + ["finetune"] * 10_000,
        seconds=12.34,
    )
    assert repr(history) == (
        "History(15000 epochs, loss 15.5 -> 0.5, gradient norms of 2 variables, 2 snapshots, "
        "stages pretrain-layer1, finetune, 12.3 s)"
    )
    assert repr(History()) == "History(no epochs)"


def test_history_round_trips_through_arrays():
    history = History(
        loss=[1.0, 0.5], grad_names=["a"], grad_norms=[[1.0], [2.0]], snapshot_epochs=[2], snapshots=[np.zeros((2, 2))]
    )
    again = History.from_arrays(history.to_arrays())
    assert again.loss == history.loss and again.grad_norms == history.grad_norms
    assert again.snapshot_epochs == [2] and again.snapshots[0].shape == (2, 2)


def _seeded_run(name, seed):
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()  # zoo.train turns it on; these tests call the family directly
    return _quick_train(name, seed)


@pytest.mark.parametrize("name", FIRST_OF_EACH_FAMILY)
def test_the_seed_decides_every_draw(name, tmp_path):
    """Same seed: the same weights and losses, bit for bit. Another seed: other weights after training.
    The first run also makes the short-training checks (it lowers the loss and exports) for its family."""
    entry, model, data, history = _seeded_run(name, 5)
    weights_a, loss_a = model.get_weights(), history.loss
    _learns_and_exports(entry, model, data, history, tmp_path / name)
    _, model_b, _, history_b = _seeded_run(name, 5)
    assert loss_a == history_b.loss
    for a, b in zip(weights_a, model_b.get_weights()):
        np.testing.assert_array_equal(a, b)
    weights_c = _seeded_run(name, 6)[1].get_weights()
    assert any(not np.array_equal(a, c) for a, c in zip(weights_a, weights_c))


def test_a_parametric_name_written_with_leading_zeros_is_the_entry_it_names():
    """`zoo eval adding-lstm-010` said there was no shipped artifact for it: the pattern built an unshipped twin of
    adding-lstm-10 under the name as typed (encoder-09-2-09 was renamed, but still not the shipped entry)."""
    assert zoo.get("adding-lstm-010") is zoo.get("adding-lstm-10")
    assert zoo.get("encoder-09-2-09") is zoo.get("encoder-9-2-9")
    assert zoo.get("adding-rnn-037").name == "adding-rnn-37" and zoo.get("encoder-016-4-16").name == "encoder-16-4-16"
    assert artifacts.pretrained_dir(zoo.get("adding-lstm-010").name) == artifacts.pretrained_dir("adding-lstm-10")


def test_options_are_applied_once_to_a_copy_of_the_recipe():
    entry = zoo.get("greedy-mlp")
    run = entry.with_options(seed=3, epochs=2)
    assert (run.recipe.seed, run.recipe.epochs) == (3, 2)
    assert all(v <= 2 for v in run.recipe.stage_epochs.values())  # every stage honours the epoch cap
    assert (entry.recipe.seed, entry.recipe.epochs) == (0, 20)  # the registered recipe is untouched
