"""Greedy layer-wise pretraining: the stages run in order, train the kept layers, and resume."""

import numpy as np
import pytest

import zoo  # noqa: E402
from zoo.errors import ZooError  # noqa: E402

FAMILY = zoo.get("greedy-mlp").family
STAGES = ["pretrain-layer1", "pretrain-layer2", "pretrain-layer3", "finetune-1000-labels", "finetune"]


def fresh(name):
    return zoo.get(name).build()


def short(name, epochs):
    """The entry with its epoch cap applied, as `zoo train --epochs` applies it (every stage capped)."""
    return zoo.get(name).with_options(epochs=epochs)


def test_twins_share_the_architecture():
    greedy, scratch = fresh("greedy-mlp"), fresh("greedy-mlp-scratch")
    assert [w.shape for w in greedy.get_weights()] == [w.shape for w in scratch.get_weights()]
    assert greedy.count_params() == 784 * 500 + 500 + 2 * (500 * 500 + 500) + 500 * 10 + 10
    assert zoo.get("greedy-mlp").recipe.replace(extras={}) == zoo.get("greedy-mlp-scratch").recipe.replace(extras={})


def test_greedy_runs_every_stage_in_order_and_pretrains_the_kept_layers():
    entry, model = short("greedy-mlp", 2), fresh("greedy-mlp")
    before = [w.copy() for w in model.get_weights()]
    seen = []
    history = FAMILY.fit(entry, model, data=FAMILY.small_data(entry), on_stage=seen.append)
    assert seen == STAGES
    assert history.stages == [s for s in STAGES for _ in range(2)]  # epochs tagged with their stage
    assert all(np.isfinite(history.loss))
    assert not any(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert 0 <= FAMILY.evaluate(entry, model)["accuracy_full"] <= 1
    assert set(history.measured) == {"accuracy_1000_labels"} and 0 <= history.measured["accuracy_1000_labels"] <= 1


def test_scratch_twin_skips_pretraining():
    entry, model = short("greedy-mlp-scratch", 1), fresh("greedy-mlp-scratch")
    seen = []
    FAMILY.fit(entry, model, data=FAMILY.small_data(entry), on_stage=seen.append)
    assert seen == ["finetune-1000-labels", "finetune"]


def test_resume_skips_finished_stages(tmp_path):
    entry = short("greedy-mlp", 2)
    data = FAMILY.small_data(entry)
    checkpoint = tmp_path / ".greedy-mlp.checkpoint.npz"

    def stop_at_layer2(stage):
        if stage == "pretrain-layer2":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        FAMILY.fit(entry, fresh("greedy-mlp"), data=data, checkpoint=checkpoint, on_stage=stop_at_layer2)
    finished = tmp_path / ".greedy-mlp.checkpoint.pretrain-layer1.npz"
    assert finished.exists()
    first = np.load(finished)["h_loss"]
    model = fresh("greedy-mlp")
    history = FAMILY.fit(entry, model, data=data, checkpoint=checkpoint, resume=True)
    np.testing.assert_array_equal(history.loss[:2], first)  # restored, not retrained
    assert history.stages == [s for s in STAGES for _ in range(2)]
    assert not finished.exists() and checkpoint.exists()  # stage files cleaned up; the entry's own one is the caller's


def test_check_artifact_needs_the_low_label_number():
    entry, model = zoo.get("greedy-mlp-scratch"), fresh("greedy-mlp-scratch")
    measured = FAMILY.evaluate(entry, model)["accuracy_full"]
    problems = FAMILY.check_artifact(entry, model, {"metrics": {"accuracy_full": measured}})
    assert any("accuracy_1000_labels" in p for p in problems)


def test_stages_plot(tmp_path):
    from zoo.training import History

    history = History(loss=[3.0, 2.0, 1.0, 0.5], stages=["pretrain-layer1", "pretrain-layer1", "finetune", "finetune"])
    out = FAMILY.plot(zoo.get("greedy-mlp"), fresh("greedy-mlp"), history, "stages", tmp_path / "s.png")
    assert out.stat().st_size > 1000
    with pytest.raises(ZooError):
        FAMILY.plot(zoo.get("greedy-mlp"), None, History(), "stages", tmp_path / "t.png")
