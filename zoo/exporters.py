"""An artifact in other formats: a SavedModel folder, the .keras file, ONNX (tf2onnx) and TFLite.

ONNX and TFLite hold the `serve` endpoint. The converters are optional dependencies
(`pip install 'zoo[export]'`); a missing one is a clear error. Every export but the .keras copy (the
verified file itself) is run on a few inputs and checked against the Keras model it came from before it is
moved into place, so a conversion that changed what the model computes is refused and leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import numpy as np

from zoo import artifacts
from zoo.errors import ZooError
from zoo.output_files import write_atomically

FORMATS = ("saved_model", "keras", "onnx", "tflite")
SUFFIXES = {"saved_model": "_saved_model", "keras": ".keras", "onnx": ".onnx", "tflite": ".tflite"}


def export(entry, model, folder: Path, fmt: str, target: Path, replace: bool = False) -> None:
    """Write `model` (verified, from artifact `folder`) as `fmt` to `target`."""
    endpoints = entry.family.endpoints(entry, model)
    if fmt == "saved_model":

        def fill(tmp: Path):
            shipped = _verified_saved_model(folder)
            if shipped is not None:  # the SavedModel the training run exported
                shutil.copytree(shipped, tmp / artifacts.SAVED_MODEL)
            else:  # an installed wheel ships no SavedModel: export one from the verified weights
                artifacts.save_saved_model(model, endpoints, tmp / artifacts.SAVED_MODEL)
            check_answers(entry, model, tmp / artifacts.SAVED_MODEL, run_saved_model, target)

        artifacts.write(target, fill, {"entry": entry.name, "exported_from": str(folder)}, replace=replace)
    elif fmt == "keras":
        write_atomically(target, lambda tmp: shutil.copyfile(folder / artifacts.KERAS_FILE, tmp), replace)
    else:
        convert, run = {
            "onnx": (lambda tmp: to_onnx(endpoints, tmp), run_onnx),
            "tflite": (lambda tmp: to_tflite(model, endpoints, tmp, folder), run_tflite),
        }[fmt]

        def convert_and_check(tmp: Path):
            convert(tmp)
            check_answers(entry, model, tmp, run, target)

        write_atomically(target, convert_and_check, replace)


def _verified_saved_model(folder: Path | None) -> Path | None:
    """The artifact's own SavedModel, its checksums verified again now (the model may have been verified and
    cached long before), or None where the artifact has none (the installed wheel)."""
    if folder is None or not artifacts.has_saved_model(folder):
        return None
    artifacts.verify(folder)
    return folder / artifacts.SAVED_MODEL


CHECK_TOLERANCE = dict(rtol=1e-4, atol=1e-5)  # float32 kernels differ in summation order between runtimes


def check_answers(entry, model, path: Path, run, target: Path) -> None:
    """The export at `path` (`run(path, x)` gives its `serve` outputs) must answer like the Keras model on four
    random inputs; else a ZooError naming `target`, the file the user asked for (nothing is written there)."""
    x = np.random.default_rng(0).random((4,) + entry.family.input_shape(entry, model), dtype=np.float32)
    served, expected = np.asarray(run(path, x)), np.asarray(_first(model(x)))
    if served.shape != expected.shape:
        how = f"it answers in shape {served.shape}, the Keras model in {expected.shape}"
    elif not np.allclose(served, expected, **CHECK_TOLERANCE):
        gap = np.max(np.abs(served - expected))
        how = f"on 4 random inputs its answers differ from the Keras model's by up to {gap:.3g}"
    else:
        return
    raise ZooError(
        f"{target} was not written: the export does not answer like the Keras model ({how}); please report it"
    )


def run_saved_model(path: Path, x):
    """Outputs of an exported SavedModel's `serve` endpoint on x, through TensorFlow alone."""
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))  # held while serve runs: it owns the variables
    return np.asarray(_first(loaded.serve(tf.constant(x))))


def _first(outputs):
    if isinstance(outputs, dict):
        return next(iter(outputs.values()))
    return outputs[0] if isinstance(outputs, (list, tuple)) else outputs


def to_onnx(endpoints: dict, path: Path, opset: int = 17) -> None:
    """Write the `serve` endpoint as an ONNX model (its input keeps the signature's name)."""
    import tensorflow as tf

    try:
        import tf2onnx
    except ImportError:
        raise ZooError("ONNX export needs tf2onnx: pip install 'zoo[export]'") from None
    fn, signature = endpoints["serve"]
    traced = tf.function(lambda inputs: fn(inputs), input_signature=signature)
    try:
        with _without_tf2onnx_safety_copies():
            proto, _ = tf2onnx.convert.from_function(traced, input_signature=signature, opset=opset)
    except Exception:  # one of its optimizers failed: again with the copies, so tf2onnx skips that optimizer
        proto, _ = tf2onnx.convert.from_function(traced, input_signature=signature, opset=opset)
    path.write_bytes(proto.SerializeToString())


@contextlib.contextmanager
def _without_tf2onnx_safety_copies():
    """tf2onnx deep-copies the whole graph before each of its optimizers, to restore it if one fails: a third of
    an export's time (adding-lstm-200, its 200 steps unrolled: 17-19 s with the copies, 11-12 s without). An
    optimizer that runs without failing gives the same graph either way, and one that fails raises here, so
    to_onnx converts again with the copies and gets what tf2onnx gave before: the copies cost only on a retry.
    tf2onnx 1.17 turns them off whenever TF2ONNX_CATCH_ERRORS is set, whatever its value (it compares the
    variable's name, not its value, with "TRUE"), so the variable is set here and removed again after."""
    saved = os.environ.get("TF2ONNX_CATCH_ERRORS")
    os.environ["TF2ONNX_CATCH_ERRORS"] = "FALSE"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TF2ONNX_CATCH_ERRORS", None)
        else:
            os.environ["TF2ONNX_CATCH_ERRORS"] = saved


def to_tflite(model, endpoints: dict, path: Path, folder: Path | None = None) -> None:
    """Convert the `serve` endpoint to a TFLite flatbuffer, from the SavedModel of artifact `folder` (verified
    again) where it has one, else through a temporary one. Saving was half the conversion's time for the
    large graphs (deep-residual-110 7.2 s against 3.4 s from the artifact's SavedModel, adding-lstm-200 9.4
    against 5.6, measured in one process); a converter fed the concrete function directly names its signature
    serving_default instead of serve, and lost the signature of the unrolled LSTMs."""
    import tempfile

    import tensorflow as tf

    def convert(saved_model: Path) -> None:
        converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_model), signature_keys=["serve"])
        path.write_bytes(converter.convert())

    shipped = _verified_saved_model(folder)
    if shipped is not None:
        convert(shipped)
        return
    with tempfile.TemporaryDirectory() as tmp:
        artifacts.save_saved_model(model, {"serve": endpoints["serve"]}, Path(tmp) / "sm")
        convert(Path(tmp) / "sm")


def run_onnx(path: Path, x):
    """Outputs of an exported ONNX model on x (onnxruntime), for checks and for users."""
    try:
        import onnxruntime as ort
    except ImportError:
        raise ZooError("running ONNX needs onnxruntime: pip install 'zoo[export]'") from None
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def run_tflite(path: Path, x):
    """Outputs of an exported TFLite model on x, through LiteRT (`ai-edge-litert`, the successor of
    tf.lite.Interpreter, which warns that it is deprecated)."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        raise ZooError("running TFLite needs LiteRT: pip install 'zoo[export]'") from None
    interpreter = Interpreter(model_path=str(path))
    runner = interpreter.get_signature_runner("serve")
    outputs = runner(**{next(iter(runner.get_input_details())): x})
    return next(iter(outputs.values()))
