"""Artifacts are verified before they are read: a changed, truncated, missing or extra file is refused clearly."""
import shutil
import subprocess
import sys

import numpy as np
import pytest

import zoo
from zoo import artifacts
from zoo.errors import ZooError

from conftest import SHIPPED, first_output, random_inputs


@pytest.fixture
def copy_of_encoder(tmp_path):
    folder = tmp_path / "encoder-9-2-9"
    shutil.copytree(artifacts.pretrained_dir("encoder-9-2-9"), folder)
    return folder


def _refused(folder, match):
    with pytest.raises(ZooError, match=match) as err:
        zoo.load(folder)
    assert "\n" not in str(err.value)


def test_an_intact_copy_loads(copy_of_encoder):
    model = zoo.load(copy_of_encoder)
    assert model.count_params() == 9 * 2 + 2 + 2 * 9 + 9


def test_a_truncated_keras_file_is_refused(copy_of_encoder):
    path = copy_of_encoder / "model.keras"
    path.write_bytes(path.read_bytes()[:100])
    _refused(copy_of_encoder, "model.keras: sha256 does not match")


def test_an_altered_saved_model_is_refused(copy_of_encoder):
    path = next((copy_of_encoder / "saved_model" / "variables").glob("*.data*"))
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 0xFF
    path.write_bytes(bytes(blob))
    _refused(copy_of_encoder, "sha256 does not match")


def test_a_missing_file_is_refused(copy_of_encoder):
    (copy_of_encoder / "history.npz").unlink()
    _refused(copy_of_encoder, "missing")


def test_an_extra_file_is_refused(copy_of_encoder):
    (copy_of_encoder / "extra.py").write_text("print('hi')")
    _refused(copy_of_encoder, "not on the card")


def test_a_folder_without_a_card_is_not_a_model(tmp_path):
    with pytest.raises(ZooError, match="no card.json"):
        artifacts.verify(tmp_path)


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    def fill(folder):
        (folder / "half.bin").write_bytes(b"x")
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        artifacts.write(tmp_path / "entry", fill, {})
    assert list(tmp_path.iterdir()) == []


def test_a_rewrite_replaces_the_whole_folder(tmp_path):
    artifacts.write(tmp_path / "entry", lambda f: (f / "a.txt").write_text("1"), {})
    artifacts.write(tmp_path / "entry", lambda f: (f / "b.txt").write_text("2"), {})
    assert sorted(p.name for p in (tmp_path / "entry").iterdir()) == ["b.txt", "card.json"]
    assert artifacts.verify(tmp_path / "entry")["files"].keys() == {"b.txt"}


def test_saved_models_answer_in_a_process_that_never_imports_zoo(tmp_path):
    """One subprocess loads every shipped SavedModel with TensorFlow alone and answers like Keras."""
    inputs, expected = {}, {}
    for name in SHIPPED:
        model = zoo.load(name)
        x = random_inputs(name, model, 5)
        inputs[name], expected[name] = x, np.asarray(first_output(model(x)))
    np.savez(tmp_path / "inputs.npz", **inputs)
    script = (
        "import sys, numpy as np, tensorflow as tf\n"
        "inputs = np.load(sys.argv[1]); root = sys.argv[2]; results = {}\n"
        "for name in inputs.files:\n"
        "    loaded = tf.saved_model.load(f'{root}/{name}/saved_model')\n"
        "    out = loaded.serve(tf.constant(inputs[name]))\n"
        "    out = list(out.values())[0] if isinstance(out, dict) else (out[0] if isinstance(out, (list, tuple)) else out)\n"
        "    results[name] = out.numpy()\n"
        "assert 'zoo' not in sys.modules\n"
        "np.savez(sys.argv[3], **results)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "inputs.npz"), str(artifacts.pretrained_root()),
                    str(tmp_path / "out.npz")], check=True, cwd=tmp_path, capture_output=True)
    with np.load(tmp_path / "out.npz") as served:
        for name in SHIPPED:
            np.testing.assert_allclose(served[name], expected[name], rtol=1e-4, atol=1e-5, err_msg=name)


def test_a_full_disk_is_one_clear_line_and_leaves_nothing(tmp_path):
    import errno

    def fill(folder):
        (folder / "model.keras").write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ZooError, match="No space left on device") as err:
        artifacts.write(tmp_path / "entry", fill, {})
    assert "\n" not in str(err.value) and list(tmp_path.iterdir()) == []
