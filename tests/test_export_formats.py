"""Every shipped entry exports to ONNX and TFLite, and the exported models answer like Keras; an export that
does not is refused at export time."""

import numpy as np
import pytest
from conftest import SHIPPED, first_output, random_inputs

import zoo
from zoo import exporters
from zoo.cli import main

TOLERANCE = dict(rtol=1e-4, atol=1e-5)  # float32 kernels differ in summation order between runtimes


@pytest.mark.parametrize("fmt", ["onnx", "tflite"])
@pytest.mark.parametrize("name", SHIPPED)
def test_exported_model_matches_keras(name, fmt, runner, tmp_path):
    """Checked here at another batch size than the export's own check (exporters.check_answers, 4 inputs): the
    batch dimension stays free in both formats."""
    target = tmp_path / f"{name}.{fmt}"
    result = runner.invoke(main, ["export", name, "--format", fmt, "--out", str(target)])
    assert result.exit_code == 0, result.output
    model = zoo.load(name)
    x = random_inputs(name, model, 3)
    run = exporters.run_onnx if fmt == "onnx" else exporters.run_tflite
    np.testing.assert_allclose(run(target, x), np.asarray(first_output(model(x))), **TOLERANCE)


@pytest.mark.parametrize(
    "fmt, runs", [("onnx", "run_onnx"), ("tflite", "run_tflite"), ("saved_model", "run_saved_model")]
)
def test_an_export_that_answers_otherwise_is_refused_and_leaves_nothing(fmt, runs, runner, tmp_path, monkeypatch):
    """A conversion that changed what the model computes (here its runtime answers, nudged past the tolerance)
    is caught at export time: a one-line error, no file, no temporary left behind."""
    honest = getattr(exporters, runs)
    monkeypatch.setattr(exporters, runs, lambda path, x: np.asarray(honest(path, x)) + 1e-3)
    target = tmp_path / f"encoder.{fmt}"
    result = runner.invoke(main, ["export", "encoder-9-2-9", "--format", fmt, "--out", str(target)])
    assert result.exit_code == 1, result.output
    assert "was not written: the export does not answer like the Keras model" in result.output, result.output
    assert "up to 0.001" in result.output and "Traceback" not in result.output, result.output
    assert list(tmp_path.iterdir()) == []


def test_an_onnx_optimizer_that_fails_is_skipped_on_a_second_try(runner, tmp_path, monkeypatch):
    """ONNX export first runs tf2onnx without its per-optimizer safety copies (zoo.exporters); when an
    optimizer then fails, the export is converted again with them, so tf2onnx skips that optimizer."""
    import os

    import tf2onnx.optimizer

    tries = []

    class Failing:
        graph_been_opt = False

        def optimize(self, graph, iteration):
            tries.append(os.environ.get("TF2ONNX_CATCH_ERRORS"))
            raise RuntimeError("an optimizer bug")

    monkeypatch.setitem(tf2onnx.optimizer._optimizers, "remove_identity", Failing)
    monkeypatch.delenv("TF2ONNX_CATCH_ERRORS", raising=False)
    target = tmp_path / "encoder.onnx"
    result = runner.invoke(main, ["export", "encoder-9-2-9", "--format", "onnx", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert tries[0] == "FALSE" and tries[-1] is None, tries  # without the copies first, then with them
    assert "TF2ONNX_CATCH_ERRORS" not in os.environ, "the variable is removed again"
    model = zoo.load("encoder-9-2-9")
    x = random_inputs("encoder-9-2-9", model, 4)
    np.testing.assert_allclose(exporters.run_onnx(target, x), np.asarray(first_output(model(x))), **TOLERANCE)


@pytest.mark.parametrize("fmt, suffix", [("tflite", ".tflite"), ("saved_model", "")])
def test_the_artifact_s_savedmodel_is_used_only_while_it_verifies(fmt, suffix, runner, tmp_path, copy_of_encoder):
    """TFLite export converts the artifact's own SavedModel and SavedModel export copies it, so a SavedModel
    altered after the model was loaded (and cached) is refused, not converted or copied."""
    folder = copy_of_encoder
    export = ["export", "encoder-9-2-9", "--format", fmt, "--model", str(folder), "--out"]
    result = runner.invoke(main, [*export, str(tmp_path / f"a{suffix}")])
    assert result.exit_code == 0, result.output
    variables = next((folder / "saved_model" / "variables").glob("*.data*"))
    blob = bytearray(variables.read_bytes())
    blob[-1] ^= 0xFF
    variables.write_bytes(bytes(blob))
    result = runner.invoke(main, [*export, str(tmp_path / f"b{suffix}")])
    assert result.exit_code == 1 and "sha256 does not match" in result.output, result.output
    assert not (tmp_path / f"b{suffix}").exists()


def test_tflite_without_a_savedmodel_saves_one_for_the_conversion(runner, tmp_path, copy_of_encoder):
    """As from the installed wheel, which ships no saved_model/: the export still answers like Keras."""
    import shutil

    folder = copy_of_encoder
    shutil.rmtree(folder / "saved_model")
    target = tmp_path / "c.tflite"
    result = runner.invoke(
        main, ["export", "encoder-9-2-9", "--format", "tflite", "--model", str(folder), "--out", str(target)]
    )
    assert result.exit_code == 0, result.output
    model = zoo.load(folder)
    x = random_inputs("encoder-9-2-9", model, 4)
    np.testing.assert_allclose(exporters.run_tflite(target, x), np.asarray(model(x)), **TOLERANCE)
