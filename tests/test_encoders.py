"""The encoder family: the lecture's recipe reaches its target, and weight space has its symmetries."""
import numpy as np
import pytest

import zoo
from zoo import get


def test_parametric_names_build_on_demand():
    entry = get("encoder-16-4-16")
    assert not entry.catalogue and entry.params == {"n_in": 16, "k": 4, "n_out": 16, "init_std": 0.001}
    assert zoo.build("encoder-16-4-16").count_params() == 16 * 4 + 4 + 4 * 16 + 16


@pytest.mark.parametrize("bad, message", [
    ("encoder-8-8-8", "K must be between 1 and N - 1"),
    ("encoder-8-9-8", "K must be between 1 and N - 1"),
    ("encoder-8-0-8", "K must be between 1 and N - 1"),
    ("encoder-9-2-8", "as many outputs as inputs"),
])
def test_parametric_names_are_checked(bad, message):
    with pytest.raises(zoo.ZooError, match=message):
        get(bad)


def test_seed_recipe_trains_9_2_9_to_the_lecture_target():
    result = zoo.train("encoder-9-2-9", export=False)
    assert result.metrics["loss"] < 0.02 and result.metrics["decoded"] == 1.0
    assert 5_000 < result.history.epochs < 30_000  # the seed script needs about 15,000
    assert result.history.snapshots and result.history.snapshots[-1].shape == (9, 2)


def _outputs(model, weights):
    model.set_weights(weights)
    return np.asarray(model(np.eye(9, dtype=np.float32)))


def test_weight_space_symmetries_leave_outputs_unchanged():
    model = zoo.load("encoder-9-2-9")
    w1, b1, w2, b2 = model.get_weights()
    reference = _outputs(model, [w1, b1, w2, b2])
    swap = [1, 0]  # exchange hidden units: their incoming and outgoing weights move together
    swapped = _outputs(model, [w1[:, swap], b1[swap], w2[swap, :], b2])
    sign = np.array([-1.0, 1.0], np.float32)  # tanh is odd: flip unit 1's inputs and outputs
    flipped = _outputs(model, [w1 * sign, b1 * sign, w2 * sign[:, None], b2])
    np.testing.assert_allclose(swapped, reference, atol=1e-6)
    np.testing.assert_allclose(flipped, reference, atol=1e-6)
    assert not np.allclose(w1[:, swap], w1)  # the permuted weights really differ


def test_code_6_2_3_decodes_every_input_to_its_3_bit_code():
    model = zoo.load("code-6-2-3")
    out = np.asarray(model(np.eye(6, dtype=np.float32)))
    codes = np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0]])
    np.testing.assert_array_equal(out > 0.5, codes == 1)


@pytest.mark.parametrize("name, kind", [("encoder-9-2-9", "hidden"), ("encoder-8-3-8", "hidden"),
                                        ("encoder-9-2-9", "dynamics"), ("code-6-2-3", "hidden")])
def test_plots_are_written(name, kind, tmp_path):
    out = zoo.plot(name, kind, tmp_path / "p.png")
    assert out.stat().st_size > 10_000 and out.read_bytes()[:4] == b"\x89PNG"
