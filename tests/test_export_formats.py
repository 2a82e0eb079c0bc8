"""Every shipped entry exports to ONNX and TFLite, and the exported models answer like Keras."""
import numpy as np
import pytest

import zoo
from zoo import exporters
from zoo.cli import main

from conftest import SHIPPED, first_output, random_inputs

TOLERANCE = dict(rtol=1e-4, atol=1e-5)  # float32 kernels differ in summation order between runtimes


@pytest.mark.parametrize("fmt", ["onnx", "tflite"])
@pytest.mark.parametrize("name", SHIPPED)
def test_exported_model_matches_keras(name, fmt, runner, tmp_path):
    target = tmp_path / f"{name}.{fmt}"
    result = runner.invoke(main, ["export", name, "--format", fmt, "--out", str(target)])
    assert result.exit_code == 0, result.output
    model = zoo.load(name)
    x = random_inputs(name, model, 4)
    run = exporters.run_onnx if fmt == "onnx" else exporters.run_tflite
    np.testing.assert_allclose(run(target, x), np.asarray(first_output(model(x))), **TOLERANCE)


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


def test_tflite_is_converted_from_the_artifact_s_savedmodel_only_while_it_verifies(runner, tmp_path):
    """TFLite export reads the artifact's own SavedModel (zoo.exporters.to_tflite), so a SavedModel altered after
    the model was loaded (and cached) is refused, not converted."""
    import shutil

    from zoo import artifacts

    folder = tmp_path / "encoder-9-2-9"
    shutil.copytree(artifacts.pretrained_dir("encoder-9-2-9"), folder)
    export = ["export", "encoder-9-2-9", "--format", "tflite", "--model", str(folder), "--out"]
    assert runner.invoke(main, [*export, str(tmp_path / "a.tflite")]).exit_code == 0
    variables = next((folder / "saved_model" / "variables").glob("*.data*"))
    variables.write_bytes(variables.read_bytes()[:-1] + bytes([variables.read_bytes()[-1] ^ 0xFF]))
    result = runner.invoke(main, [*export, str(tmp_path / "b.tflite")])
    assert result.exit_code == 1 and "sha256 does not match" in result.output, result.output
    assert not (tmp_path / "b.tflite").exists()
    shutil.rmtree(folder / "saved_model")  # as in the installed wheel: a SavedModel is saved for the conversion
    assert runner.invoke(main, [*export, str(tmp_path / "c.tflite")]).exit_code == 0
    model = zoo.load(folder)
    x = random_inputs("encoder-9-2-9", model, 4)
    np.testing.assert_allclose(exporters.run_tflite(tmp_path / "c.tflite", x), np.asarray(model(x)), **TOLERANCE)
