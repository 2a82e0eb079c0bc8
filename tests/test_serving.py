"""The shipped SavedModels are ready for TensorFlow Serving: named signatures with typed, batch-first specs."""

import pytest
import tensorflow as tf
from conftest import SHIPPED

import zoo
from zoo import artifacts, get


@pytest.mark.parametrize("name", SHIPPED)
def test_signatures_have_names_and_specs(name):
    entry = get(name)
    endpoints = entry.family.endpoints(entry, zoo.load(name))
    loaded = tf.saved_model.load(str(artifacts.pretrained_dir(name) / artifacts.SAVED_MODEL))
    signatures = loaded.signatures
    assert {"serving_default", *endpoints} <= set(signatures), sorted(signatures)
    for endpoint, (_, input_signature) in endpoints.items():
        function = signatures[endpoint]
        _, inputs = function.structured_input_signature
        assert [spec.dtype for spec in inputs.values()] == [spec.dtype for spec in input_signature]
        for spec, declared in zip(inputs.values(), input_signature):
            assert spec.shape.as_list() == declared.shape.as_list()
        for output in function.structured_outputs.values():
            assert output.dtype.is_floating and output.shape.rank >= 1
    default = signatures["serving_default"]
    assert default.structured_input_signature == signatures["serve"].structured_input_signature
