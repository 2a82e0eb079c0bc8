"""The training loop itself: a resumed run is the run it resumes, one run writes a checkpoint at a time,
every mini-batch example is trained on, the stop rule stops where it says, and divergence stops clearly.

These tests drive `zoo.training.fit` with a 9-2-9 encoder built here, so they test the loop, not a family.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo import training
from zoo.errors import ZooError
from zoo.registry import Recipe

X = np.eye(9, dtype=np.float32)
ENCODER = Recipe(
    optimizer="sgd",
    learning_rate=0.4,
    momentum=0.9,
    batch_size=None,
    epochs=700,
    loss="binary_crossentropy",
    stop_below=0.02,
    seed=0,
    chunk=100,
)


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [keras.Input((9,)), keras.layers.Dense(2, activation="sigmoid"), keras.layers.Dense(9, activation="sigmoid")]
    )


def _bce(model, xb, yb, training):
    return tf.reduce_mean(keras.losses.binary_crossentropy(yb, model(xb, training=training)))


def _identity(recipe, entry="encoder-9-2-9"):
    return {"entry": entry, "params": {}, "recipe": recipe.to_dict()}


def _fit(recipe, checkpoint=None, resume=False, identity=None, **options):
    model = _model(recipe.seed)
    history = training.fit(
        model,
        _bce,
        X,
        X,
        recipe,
        checkpoint=checkpoint,
        resume=resume,
        identity=identity if identity is not None else _identity(recipe),
        **options,
    )
    return model, history


def _checkpoint_meta(path):
    with np.load(path) as archive:
        return json.loads(str(archive["meta"]))


def test_resume_after_ctrl_c_is_the_uninterrupted_run_and_counts_all_its_seconds(tmp_path):
    checkpoint = tmp_path / "run.checkpoint.npz"

    def ctrl_c_at_300(done, total, loss):
        if done == 300:
            signal.raise_signal(signal.SIGINT)  # the loop's handler: stop at this chunk's end, checkpoint kept

    with pytest.raises(training.Interrupted) as interrupted:
        _fit(ENCODER, checkpoint, on_chunk=ctrl_c_at_300)
    assert str(interrupted.value) == "interrupted after epoch 300; continue with resume=True"
    assert interrupted.value.worded(cli=True) == "interrupted after epoch 300; continue with --resume"
    meta = _checkpoint_meta(checkpoint)
    assert meta["epochs"] == 300 and meta["identity"] == _identity(ENCODER) and meta["seconds"] > 0

    started = time.perf_counter()
    resumed_model, resumed = _fit(ENCODER, checkpoint, resume=True)
    resume_wall = time.perf_counter() - started
    straight_model, straight = _fit(ENCODER)
    assert resumed.epochs == straight.epochs == 700
    np.testing.assert_allclose(resumed.loss, straight.loss, rtol=1e-5)
    for a, b in zip(resumed_model.get_weights(), straight_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    # the whole run's training time: the interrupted part (from the checkpoint) plus the resumed part
    assert meta["seconds"] < resumed.seconds <= meta["seconds"] + resume_wall
    assert _checkpoint_meta(checkpoint)["seconds"] == pytest.approx(resumed.seconds, abs=0.05)
    assert 0 < straight.seconds


def test_ctrl_c_in_a_run_without_a_checkpoint_is_a_plain_interrupt():
    """A run that keeps no checkpoint (the trainings inside `zoo plot`'s pictures) has nothing to resume: `zoo plot
    mlp-overfit-1000 --kind overfitting` stopped by Ctrl-C said "continue with --resume", an option plot lacks."""

    def ctrl_c_at_100(done, total, loss):
        if done == 100:
            signal.raise_signal(signal.SIGINT)

    with pytest.raises(KeyboardInterrupt) as stopped:
        _fit(ENCODER, on_chunk=ctrl_c_at_100)
    assert not isinstance(stopped.value, ZooError)


def test_ctrl_c_after_training_keeps_it_and_says_how_to_resume(tmp_path, monkeypatch):
    """Ctrl-C during the evaluation or the export (the VAEs' NLL takes minutes) said only "interrupted", though
    the finished training's checkpoint was kept and --resume goes straight to the evaluation."""
    import zoo
    from zoo import api

    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "export_artifact", ctrl_c)
    interrupted = None
    try:  # a bare KeyboardInterrupt escaping would stop the whole test session, not fail this test
        zoo.train("encoder-9-2-9", out=tmp_path / "run", epochs=6)
    except BaseException as stopped:  # noqa: B036
        interrupted = stopped
    assert isinstance(interrupted, training.Interrupted), repr(interrupted)
    assert interrupted.worded(cli=True) == (
        "interrupted after the last epoch (6), before the artifact was "
        "written; the training is kept: continue with --resume"
    )
    monkeypatch.undo()
    resumed = zoo.train("encoder-9-2-9", out=tmp_path / "run", epochs=6, resume=True)
    assert resumed.history.epochs == 6 and (tmp_path / "run" / "card.json").exists()


def test_resume_without_a_checkpoint_says_so_in_the_api_words(tmp_path):
    with pytest.raises(ZooError) as refused:
        _fit(ENCODER.replace(epochs=10), tmp_path / "none.npz", resume=True)
    assert str(refused.value).startswith("resume=True: no checkpoint at ")
    assert refused.value.worded(cli=True).startswith("--resume: no checkpoint at ")


@pytest.fixture(scope="module")
def eight_epochs(tmp_path_factory):
    """A checkpoint of 8 epochs of encoder-9-2-9, seed 0, written by a run of 8 epochs."""
    checkpoint = tmp_path_factory.mktemp("eight") / "run.checkpoint.npz"
    _fit(ENCODER.replace(epochs=8, chunk=4), checkpoint)
    return checkpoint


def _refused_resume(checkpoint, recipe, identity):
    before = checkpoint.read_bytes()
    with pytest.raises(ZooError) as refused:
        _fit(recipe, checkpoint, resume=True, identity=identity)
    assert checkpoint.read_bytes() == before, "a refused checkpoint is left as it was"
    message = str(refused.value)
    assert "\n" not in message and "--" not in message
    return message


def test_resume_refuses_a_checkpoint_of_another_run_naming_what_differs(eight_epochs):
    recipe = ENCODER.replace(epochs=8, chunk=4)
    different = f"the checkpoint at {eight_epochs} is of a different run: "
    again = "; resume with the same options or start again"

    seed_7 = recipe.replace(seed=7)
    assert _refused_resume(eight_epochs, seed_7, _identity(seed_7)) == different + "seed 0 there, 7 here" + again
    assert _refused_resume(eight_epochs, recipe, _identity(recipe, "encoder-8-3-8")) == (
        different + "entry encoder-9-2-9 there, encoder-8-3-8 here" + again
    )
    # `--resume --epochs 5` after 8 epochs: refused by the identity, and by the epochs done when there is none
    five = recipe.replace(epochs=5)
    assert _refused_resume(eight_epochs, five, _identity(five)) == different + "epochs 8 there, 5 here" + again
    model = _model()
    with pytest.raises(ZooError, match="8 epochs done there, 5 asked for here; resume with the same options"):
        training.fit(model, _bce, X, X, five, checkpoint=eight_epochs, resume=True)
    # the same run resumes: nothing left to do, the history is the checkpoint's
    _, history = _fit(recipe, eight_epochs, resume=True)
    assert history.epochs == 8


def test_a_run_on_other_data_is_another_run(tmp_path, monkeypatch):
    """The data is part of a run's identity (a file source by its absolute path): a run on `data=` resumed
    without it used to go on, silently, on the embedded MNIST; from another folder, a relative path to the same
    file still resumes."""
    import zoo

    entry = zoo.get("mlp-784-30-10")
    source = tmp_path / "digits.npz"
    on_file = entry.with_options(data=str(source)).identity()
    assert on_file["data"] == str(source) and entry.identity()["data"] == "mnist"
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert entry.with_options(data="../digits.npz").identity() == on_file

    recipe = ENCODER.replace(epochs=8, chunk=4)
    checkpoint = tmp_path / "run.checkpoint.npz"
    _fit(recipe.replace(epochs=4), checkpoint, identity={**on_file, "recipe": recipe.to_dict()})
    assert _refused_resume(checkpoint, recipe, {**entry.identity(), "recipe": recipe.to_dict()}) == (
        f"the checkpoint at {checkpoint} is of a different run: data {source} there, mnist here; resume with the "
        "same options or start again"
    )


def test_a_file_that_is_not_a_zoo_checkpoint_is_one_clear_error(tmp_path, eight_epochs):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a checkpoint at all\n" * 10)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(eight_epochs.read_bytes()[: eight_epochs.stat().st_size // 2])
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, w0=np.zeros((9, 2)))
    for path in (garbage, truncated, foreign):
        message = _refused_resume(path, ENCODER, _identity(ENCODER))
        assert message.startswith(f"{path} is not a zoo training checkpoint"), message
        assert message.endswith("; start again without resume=True"), message


LOCK_HOLDER = """
import sys, time
from pathlib import Path
from zoo.training import run_lock
with run_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_run_lock_refuses_a_second_writer_and_cleans_up(tmp_path):
    checkpoint = tmp_path / ".run.checkpoint.npz"
    lock_file = checkpoint.with_name(checkpoint.name + ".lock")
    # two open file descriptions in one process: flock treats them as two holders
    with training.run_lock(checkpoint):
        assert lock_file.read_text().strip() == str(os.getpid())
        with pytest.raises(ZooError) as refused:
            with training.run_lock(checkpoint, out=tmp_path / "run"):
                pass
        assert str(refused.value) == f"another zoo training run is writing to {tmp_path / 'run'} (pid {os.getpid()})"
        with pytest.raises(
            ZooError, match=re.escape(f"writing to {tmp_path / 'run'} ")
        ):  # the folder zoo.api's checkpoint is beside
            with training.run_lock(checkpoint):
                pass
    assert not lock_file.exists(), "the lock file is removed by its holder"

    # another process holding it
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(checkpoint)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ZooError, match=rf"another zoo training run is writing to .* \(pid {holder.pid}\)$"):
            with training.run_lock(checkpoint):
                pass
        assert lock_file.exists(), "a refused run leaves the holder's lock file alone"
    finally:
        holder.communicate("done\n", timeout=60)
    assert holder.returncode == 0 and not lock_file.exists()
    with training.run_lock(checkpoint):  # free again
        pass


def test_a_diverging_loss_stops_with_the_epoch_named():
    recipe = ENCODER.replace(learning_rate=1e30, chunk=5, epochs=20)
    with pytest.raises(ZooError, match=r"diverged: the loss became nan at epoch \d+"):
        training.fit(_model(), lambda m, xb, yb, t: _bce(m, xb, yb, t) * np.float32(np.inf) * 0.0, X, X, recipe)


def test_every_mini_batch_example_is_trained_on_once_an_epoch():
    seen = tf.Variable(tf.zeros([9]))

    def counting(model, xb, yb, training):
        seen.assign_add(tf.reduce_sum(xb, axis=0))  # one-hot rows: +1 for every example this step saw
        return _bce(model, xb, yb, training)

    def per_epoch(batch_size, epochs=6):
        seen.assign(tf.zeros([9]))
        counts = []
        recipe = ENCODER.replace(batch_size=batch_size, chunk=1, epochs=epochs, stop_below=None)
        training.fit(_model(), counting, X, X, recipe, on_chunk=lambda *_: counts.append(seen.numpy().copy()))
        return np.diff(np.stack([np.zeros(9)] + counts), axis=0)

    np.testing.assert_array_equal(per_epoch(3), np.ones((6, 9)))  # three batches of 3: each example exactly once
    uneven = per_epoch(4)  # two batches of 4: the ninth example of each epoch's shuffle waits for a later epoch
    assert set(np.unique(uneven)) <= {0.0, 1.0} and (uneven.sum(axis=1) == 8).all()
    assert len({int(np.argmin(row)) for row in uneven}) > 1, "the shuffle leaves out a different example"


def test_the_stop_rule_stops_at_the_first_epoch_below_it_even_inside_a_chunk():
    free = ENCODER.replace(batch_size=3, chunk=7, epochs=10, stop_below=None)
    _, history = _fit(free)
    assert history.epochs == 10  # two chunks: 7 + 3
    long = free.replace(epochs=40)
    _, full = _fit(long)
    losses = full.loss
    # the first epoch past the first chunk that reaches a new low, and not at a chunk's end
    k = next(k for k in range(8, len(losses)) if losses[k] < min(losses[:k]) and (k + 1) % 7)
    threshold = (min(losses[:k]) + losses[k]) / 2  # every epoch before k is above it, epoch k below
    _, stopped = _fit(long.replace(stop_below=threshold))
    assert stopped.epochs == k + 1
    np.testing.assert_allclose(stopped.loss, losses[: k + 1], rtol=1e-6)


def test_zero_epochs_is_refused_naming_the_option():
    with pytest.raises(ZooError) as refused:
        _fit(ENCODER.replace(epochs=0))
    assert str(refused.value) == "epochs must be at least 1, not 0"
    assert refused.value.worded(cli=True) == "--epochs must be at least 1, not 0"


def test_history_keeps_its_arrays_format():
    history = training.History(loss=[1.0, 0.5], stages=["", ""], seconds=3.5, measured={"probe": 0.9})
    arrays = history.to_arrays()
    assert set(arrays) == {"loss", "grad_norms", "grad_names", "snapshot_epochs", "stages"}
    again = training.History.from_arrays(arrays)
    assert again.loss == [1.0, 0.5] and again.seconds == 0.0 and again.measured == {}
