"""Every shipped entry exports to ONNX and TFLite, and the exported models answer like Keras."""
import numpy as np
import pytest

import zoo
from zoo import exporters
from zoo.cli import main
from zoo.family import get_family

from conftest import SHIPPED

TOLERANCE = dict(rtol=1e-4, atol=1e-5)  # float32 kernels differ in summation order between runtimes


def _inputs(name, model):
    entry = zoo.get(name)
    shape = get_family(entry.family).input_shape(entry, model)
    return np.random.default_rng(0).random((4,) + shape, dtype=np.float32)


def _first(outputs):
    if isinstance(outputs, dict):
        return list(outputs.values())[0]
    return outputs[0] if isinstance(outputs, (list, tuple)) else outputs


@pytest.mark.parametrize("fmt", ["onnx", "tflite"])
@pytest.mark.parametrize("name", SHIPPED)
def test_exported_model_matches_keras(name, fmt, runner, tmp_path):
    target = tmp_path / f"{name}.{fmt}"
    result = runner.invoke(main, ["export", name, "--format", fmt, "--out", str(target)])
    assert result.exit_code == 0, result.output
    model = zoo.load(name)
    x = _inputs(name, model)
    run = exporters.run_onnx if fmt == "onnx" else exporters.run_tflite
    np.testing.assert_allclose(run(target, x), np.asarray(_first(model(x))), **TOLERANCE)
