"""The encoder family: the lecture's recipe reaches its target, and weight space has its symmetries."""

import numpy as np
import pytest

import zoo
from zoo import get


def test_parametric_names_build_on_demand():
    entry = get("encoder-16-4-16")
    assert not entry.catalogue and entry.params == {"n_in": 16, "k": 4, "n_out": 16, "init_std": 0.001}
    assert zoo.build("encoder-16-4-16").count_params() == 16 * 4 + 4 + 4 * 16 + 16


@pytest.mark.parametrize(
    "bad, message",
    [
        ("encoder-8-8-8", "K must be between 1 and N - 1"),
        ("encoder-8-9-8", "K must be between 1 and N - 1"),
        ("encoder-8-0-8", "K must be between 1 and N - 1"),
        ("encoder-9-2-8", "as many outputs as inputs"),
    ],
)
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


@pytest.mark.parametrize(
    "name, kind",
    [("encoder-9-2-9", "hidden"), ("encoder-8-3-8", "hidden"), ("encoder-9-2-9", "dynamics"), ("code-6-2-3", "hidden")],
)
def test_plots_are_written(name, kind, tmp_path):
    out = zoo.plot(name, kind, tmp_path / "p.png")
    assert out.stat().st_size > 10_000 and out.read_bytes()[:4] == b"\x89PNG"


def test_8_3_8_codes_sit_at_8_corners_and_each_output_cuts_off_its_own():
    from zoo.families.encoders.cube import CORNERS
    from zoo.families.encoders.entries import hidden_codes

    model = zoo.load("encoder-8-3-8")
    codes = np.asarray(hidden_codes(model, np.eye(8, dtype=np.float32)))
    corners = np.where(codes >= 0, 1.0, -1.0)
    assert len({tuple(c) for c in corners}) == 8 and np.abs(codes - corners).max() < 0.05
    w, b = model.get_layer("output").get_weights()
    on = CORNERS @ w + b > 0  # (cube corner, output unit): which side of each output's plane
    for j in range(8):  # output j is on at exactly one corner of the cube: its own code's
        assert [tuple(c) for c in CORNERS[on[:, j]]] == [tuple(corners[j])]


def test_output_planes_are_clipped_to_the_cube():
    from zoo.families.encoders.cube import plane_polygon

    corner = plane_polygon(np.array([1.0, 1.0, 1.0]), -2.5)  # cuts the corner (1, 1, 1) off: a triangle
    assert corner.shape == (3, 3) and np.allclose(corner.sum(1), 2.5) and np.all(np.abs(corner) <= 1 + 1e-9)
    middle = plane_polygon(np.array([1.0, 0.0, 0.0]), 0.0)  # h1 = 0: the square through the middle
    assert middle.shape == (4, 3) and np.allclose(middle[:, 0], 0)
    assert plane_polygon(np.array([1.0, 0.0, 0.0]), -3.0) is None  # h1 = 3 misses the cube


def test_twin_started_units_never_separate():
    from zoo.families.encoders.entries import hidden_codes, twin_gap

    entry = get("encoder-9-2-9-twins").with_options(epochs=500)
    model = entry.build()
    assert twin_gap(model) == 0.0
    entry.family.fit(entry, model)
    codes = np.asarray(hidden_codes(model, np.eye(9, dtype=np.float32)))
    assert twin_gap(model) == 0.0 and np.array_equal(codes[:, 0], codes[:, 1])
    assert np.ptp(codes[:, 0]) > 0.5  # they did learn: the codes spread out, along the line h1 = h2
    normal = get("encoder-9-2-9").with_options(epochs=500)
    untied = normal.build()
    normal.family.fit(normal, untied)
    assert twin_gap(untied) > 0.1


def test_symmetries_move_hidden_space_but_not_the_outputs():
    from zoo.families.encoders.measure import symmetries

    views = symmetries(zoo.load("encoder-9-2-9"), np.eye(9))
    reference = views["trained"]
    for label, view in views.items():
        np.testing.assert_allclose(view["outputs"], reference["outputs"], atol=1e-12)
        if label != "trained":
            assert np.abs(view["codes"] - reference["codes"]).max() > 0.1  # the picture moved


def test_large_initial_weights_start_saturated(tmp_path):
    from zoo.families.encoders.lesson_pictures import scales
    from zoo.families.encoders.measure import scale_sweep

    entry = get("encoder-8-3-8-large-init").with_options(epochs=300)
    runs = scale_sweep(entry, scales=(0.001, 10.0))
    assert runs[0.001]["saturation"][0] == 0.0 and runs[10.0]["saturation"][0] > 0.8
    assert runs[0.001]["loss"][-1] < runs[10.0]["loss"][-1]  # the small start learns faster
    out = scales(runs, entry.name, tmp_path / "s.png", entry.recipe.stop_below)
    assert out.stat().st_size > 10_000
