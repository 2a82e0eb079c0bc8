"""The `zoo` command: through click's CliRunner, and as the installed console script in a subprocess."""

import os
import shutil
import subprocess
import sys

import pytest

import zoo
from zoo.cli import main

ZOO = shutil.which("zoo") or os.path.join(os.path.dirname(sys.executable), "zoo")


def _one_clear_line(result):
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.strip().splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output


def test_list_shows_the_catalogue(runner):
    result = runner.invoke(main, ["list"])
    assert result.exit_code == 0
    assert "encoder-9-2-9" in result.output and "encoder-N-K-N" in result.output


def test_list_by_family_and_unknown_family(runner):
    assert "mlp" not in runner.invoke(main, ["list", "--family", "encoder"]).output.split()
    _one_clear_line(runner.invoke(main, ["list", "--family", "nope"]))


def test_info_shows_recipe_and_card(runner):
    result = runner.invoke(main, ["info", "encoder-9-2-9"])
    assert result.exit_code == 0 and "learning_rate=0.4" in result.output and "decoded" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["info", "encodr-9-2-9"],
        ["eval", "nope"],
        ["train", "encoder-8-8-8"],
        ["train", "encoder-8-3-9"],
        ["plot", "encoder-9-2-9", "--kind", "nope"],
        ["sample", "encoder-9-2-9"],
        ["eval", "encoder-9-2-9", "--model", "/no/such/folder"],
    ],
)
def test_user_mistakes_are_one_clear_line(runner, args):
    _one_clear_line(runner.invoke(main, args))


@pytest.mark.parametrize(
    "args",
    [
        ["train", "encoder-9-2-9", "--epochs", "0"],
        ["train", "encoder-9-2-9", "--epochs", "x"],
        ["sample", "encoder-9-2-9", "--n", "0"],
        ["export", "encoder-9-2-9", "--format", "zip"],
    ],
)
def test_bad_options_are_usage_errors(runner, args):
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_train_eval_plot_export_round_trip(runner, tmp_path):
    out = tmp_path / "enc"
    result = runner.invoke(main, ["train", "encoder-4-2-4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "decoded" in result.output and (out / "card.json").exists()
    assert not list(tmp_path.glob(".enc*")), "checkpoint and temporary folders are cleaned up"
    result = runner.invoke(main, ["eval", "encoder-4-2-4", "--model", str(out)])
    assert result.exit_code == 0 and "loss" in result.output
    result = runner.invoke(main, ["plot", "encoder-4-2-4", "--model", str(out), "--out", str(tmp_path / "h.png")])
    assert result.exit_code == 0 and (tmp_path / "h.png").stat().st_size > 10_000
    for fmt, target in [("keras", tmp_path / "m.keras"), ("saved_model", tmp_path / "sm")]:
        result = runner.invoke(
            main, ["export", "encoder-4-2-4", "--model", str(out), "--format", fmt, "--out", str(target)]
        )
        assert result.exit_code == 0, result.output
        assert target.exists()
    assert (tmp_path / "m.keras").read_bytes() == (out / "model.keras").read_bytes()  # the verified file, unchanged
    import tensorflow as tf

    loaded = tf.saved_model.load(str(tmp_path / "sm" / "saved_model"))  # keep it: it owns the variables
    served = loaded.serve(tf.eye(4))
    import numpy as np

    np.testing.assert_allclose(np.asarray(served), np.asarray(zoo.load(out)(np.eye(4, dtype="float32"))), rtol=1e-5)


def test_tensorboard_logs_are_written(runner, tmp_path):
    result = runner.invoke(
        main, ["train", "encoder-4-2-4", "--out", str(tmp_path / "e"), "--tensorboard", str(tmp_path / "tb")]
    )
    assert result.exit_code == 0, result.output
    assert list((tmp_path / "tb").glob("events.out.tfevents.*"))


def test_the_same_seed_gives_the_same_weights(runner, tmp_path):
    import numpy as np

    import zoo

    for run in ("a", "b"):
        assert (
            runner.invoke(main, ["train", "encoder-8-3-8", "--seed", "3", "--out", str(tmp_path / run)]).exit_code == 0
        )
    first, second = zoo.load(tmp_path / "a").get_weights(), zoo.load(tmp_path / "b").get_weights()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_an_unwritable_output_is_one_clear_line(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    _one_clear_line(runner.invoke(main, ["train", "encoder-4-2-4", "--out", str(blocker / "sub")]))


def _run(*args, **kwargs):
    return subprocess.run([ZOO, *args], capture_output=True, text=True, timeout=300, **kwargs)


def test_installed_zoo_lists_and_helps_without_tensorflow(tmp_path):
    probe = (
        "import sys, runpy; sys.argv = ['zoo'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('zoo.cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print('TF-LOADED' if 'tensorflow' in sys.modules else 'TF-FREE')"
    )
    for args in (["list"], ["--help"], ["train", "--help"]):
        out = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=tmp_path).stdout
        assert out.strip().endswith("TF-FREE"), (args, out)
    result = _run("list", cwd=tmp_path)
    assert result.returncode == 0 and "encoder-9-2-9" in result.stdout


def test_installed_zoo_trains_and_reports_errors_cleanly(tmp_path):
    result = _run("train", "encoder-4-2-4", "--out", str(tmp_path / "e"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "I0000" not in result.stderr, "TensorFlow's start-up noise is hidden"
    result = _run("eval", "encoder-9-9-9", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.strip().count("\n") == 0 and "K must be" in result.stderr


def test_load_finds_artifacts_from_any_directory(tmp_path):
    code = "import zoo; m = zoo.load('encoder-9-2-9'); print(m.count_params())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.stdout.strip() == "47", result.stderr


def test_a_missing_required_package_is_one_line_naming_it(tmp_path):
    """TensorFlow uninstalled (or never installed: no wheel for this Python) is the environment, not a bug:
    one line saying what to install, not a traceback. Simulated by refusing every `tensorflow` import."""
    code = (
        "import sys\n"
        "class NoTensorFlow:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'tensorflow':\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, NoTensorFlow())\n"
        "from zoo.cli import main\n"
        "main(sys.argv[1:], prog_name='zoo')\n"
    )
    for verb in (["eval", "encoder-9-2-9"], ["sample", "vae", "--n", "4", "--out", str(tmp_path / "s.npy")]):
        result = subprocess.run([sys.executable, "-c", code, *verb], capture_output=True, text=True, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip() == (
            "error: zoo needs tensorflow, and this Python cannot import 'tensorflow': "
            "install it into this environment (pip install tensorflow)"
        ), result.stderr
    assert not any(tmp_path.iterdir())


def test_a_missing_module_that_zoo_does_not_require_is_not_blamed_on_the_environment():
    from zoo.cli import missing_requirement

    assert missing_requirement(ModuleNotFoundError("x", name="keras.src.ops")) == "keras"
    assert missing_requirement(ModuleNotFoundError("x", name="tensorflow_datasets")) == "tensorflow-datasets"
    for module in ("zoo.families.typo", "tf2onnx", "skimage", None):  # a bug, or an extra with its own message
        assert missing_requirement(ModuleNotFoundError("x", name=module)) is None
