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
