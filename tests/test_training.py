"""The training loop: interrupted runs resume exactly, divergence stops clearly, and the loop stays compiled."""
import numpy as np
import pytest

import zoo
from zoo import training
from zoo.errors import ZooError
from zoo.family import get_family
from zoo.registry import get


def _encoder_run(epochs, checkpoint=None, resume=False):
    entry = get("encoder-9-2-9")
    model = zoo.build("encoder-9-2-9")
    family = get_family(entry.family)
    history = family.fit(entry, model, epochs=epochs, checkpoint=checkpoint, resume=resume)
    return model, history


def test_resume_continues_from_the_checkpoint_and_matches_an_uninterrupted_run(tmp_path):
    checkpoint = tmp_path / "run.checkpoint.npz"
    _, first = _encoder_run(300, checkpoint)
    assert first.epochs == 300 and checkpoint.exists()
    resumed_model, resumed = _encoder_run(700, checkpoint, resume=True)
    straight_model, straight = _encoder_run(700)
    assert resumed.epochs == straight.epochs == 700
    np.testing.assert_allclose(resumed.loss, straight.loss, rtol=1e-5)
    for a, b in zip(resumed_model.get_weights(), straight_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_resume_without_a_checkpoint_says_so(tmp_path):
    with pytest.raises(ZooError, match="no checkpoint"):
        _encoder_run(10, tmp_path / "none.npz", resume=True)


def test_a_diverging_loss_stops_with_the_epoch_named():
    entry = get("encoder-9-2-9")
    recipe = entry.recipe.replace(learning_rate=1e30, chunk=5)
    model = zoo.build("encoder-9-2-9")
    loss = get_family("encoder").loss_fn(entry)
    x = np.eye(9, dtype=np.float32)
    with pytest.raises(ZooError, match=r"diverged: the loss became nan at epoch \d+"):
        training.fit(model, lambda m, xb, yb, t: loss(m, xb, yb, t) * np.float32(np.inf) * 0.0, x, x, recipe, epochs=20)


def test_mini_batches_cover_the_data_and_stop_rule_is_exact():
    entry = get("encoder-9-2-9")
    recipe = entry.recipe.replace(batch_size=3, chunk=7, stop_below=None)
    model = zoo.build("encoder-9-2-9")
    x = np.eye(9, dtype=np.float32)
    history = training.fit(model, get_family("encoder").loss_fn(entry), x, x, recipe, epochs=10)
    assert history.epochs == 10  # two chunks: 7 + 3


def test_zero_epochs_is_refused():
    with pytest.raises(ZooError, match="at least 1"):
        _encoder_run(0)
