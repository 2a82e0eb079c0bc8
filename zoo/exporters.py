"""Formats for other stacks: ONNX (through tf2onnx) and TFLite, both of an entry's `serve` endpoint.

The converters are optional dependencies (`pip install 'zoo[export]'`); a missing one is a clear error.
"""
from __future__ import annotations

from pathlib import Path

from zoo.errors import ZooError

FORMATS = ("saved_model", "keras", "onnx", "tflite")


def to_onnx(endpoints: dict, path: Path, opset: int = 17) -> None:
    """Write the `serve` endpoint as an ONNX model (its input keeps the signature's name)."""
    import tensorflow as tf

    try:
        import tf2onnx
    except ImportError:
        raise ZooError("ONNX export needs tf2onnx: pip install 'zoo[export]'") from None
    fn, signature = endpoints["serve"]
    traced = tf.function(lambda inputs: fn(inputs), input_signature=signature)
    proto, _ = tf2onnx.convert.from_function(traced, input_signature=signature, opset=opset)
    path.write_bytes(proto.SerializeToString())


def to_tflite(saved_model_dir: Path, path: Path) -> None:
    """Convert the SavedModel's `serve` signature to a TFLite flatbuffer."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_model_dir), signature_keys=["serve"])
    path.write_bytes(converter.convert())


def run_onnx(path: Path, x):
    """Outputs of an exported ONNX model on x (onnxruntime), for checks and for users."""
    try:
        import onnxruntime as ort
    except ImportError:
        raise ZooError("running ONNX needs onnxruntime: pip install 'zoo[export]'") from None
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def run_tflite(path: Path, x):
    """Outputs of an exported TFLite model on x (the TFLite interpreter)."""
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_path=str(path))
    runner = interpreter.get_signature_runner("serve")
    outputs = runner(**{next(iter(runner.get_input_details())): x})
    return next(iter(outputs.values()))
