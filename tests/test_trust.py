"""Nothing lost, nothing crashes: a user's files survive, memory stays bounded, every mistake is one clear line.

Each test is a row of docs/bad-input.md. CLI mistakes: one line on stderr, exit 1 (2 for click's usage
errors), never a traceback. Python mistakes: a ZooError in the API's words (no CLI flags).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import zoo
from zoo import artifacts, resolve
from zoo.cli import main


def _one_line(result, code=1):
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if code == 1:
        lines = [line for line in result.output.strip().splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return result.output


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- data loss -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["train", "encoder-4-2-4", "--force"],  # even --force never replaces what zoo did not write
        ["export", "encoder-4-2-4", "--format", "saved_model", "--force"],
    ],
)
def test_a_users_folder_survives_an_out_that_names_it(runner, tmp_path, command):
    mine = tmp_path / "mine"
    (mine / "sub").mkdir(parents=True)
    (mine / "thesis.txt").write_text("four years of work")
    (mine / "sub" / "data.csv").write_text("1,2,3")
    before = _snapshot(mine)
    output = _one_line(runner.invoke(main, [*command, "--out", str(mine)]))
    assert "not a zoo artifact" in output and "nothing was changed" in output
    assert _snapshot(mine) == before


def test_an_existing_artifact_is_replaced_only_when_asked(runner, tmp_path):
    out = tmp_path / "run"
    assert runner.invoke(main, ["train", "encoder-4-2-4", "--out", str(out)]).exit_code == 0
    first = (out / artifacts.CARD).read_bytes()
    assert "--force replaces it" in _one_line(runner.invoke(main, ["train", "encoder-4-2-4", "--out", str(out)]))
    assert (out / artifacts.CARD).read_bytes() == first
    assert runner.invoke(main, ["train", "encoder-4-2-4", "--out", str(out), "--force", "--seed", "2"]).exit_code == 0
    assert artifacts.verify(out)["seed"] == 2


@pytest.mark.parametrize("fmt, name", [("keras", "m.keras"), ("onnx", "m.onnx"), ("tflite", "m.tflite")])
def test_an_existing_export_file_is_replaced_only_when_asked(runner, tmp_path, fmt, name):
    target = tmp_path / name
    target.write_text("a user's file")
    output = _one_line(runner.invoke(main, ["export", "encoder-9-2-9", "--format", fmt, "--out", str(target)]))
    assert "--force" in output and target.read_text() == "a user's file"
    if fmt == "keras":
        assert (
            runner.invoke(main, ["export", "encoder-9-2-9", "--format", fmt, "--out", str(target), "--force"]).exit_code
            == 0
        )
        assert target.read_bytes()[:2] == b"PK"  # a .keras file is a zip


@pytest.mark.parametrize("out", [".", "/"])
def test_out_dot_and_root_are_refused_before_training(runner, tmp_path, out, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keep.txt").write_text("x")
    _one_line(runner.invoke(main, ["train", "encoder-4-2-4", "--out", out]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
    assert not Path("/..checkpoint.npz").exists() and not Path("/.checkpoint.npz").exists()


def test_existing_plot_and_sample_files_are_kept(runner, tmp_path):
    for command in (["plot", "encoder-9-2-9"], ["sample", "vae", "--n", "4"]):
        target = tmp_path / "picture.png"
        target.write_text("a user's picture")
        output = _one_line(runner.invoke(main, [*command, "--out", str(target)]))
        assert "--force" in output and target.read_text() == "a user's picture"


def test_a_png_of_too_many_samples_is_refused_at_once(runner, tmp_path):
    output = _one_line(runner.invoke(main, ["sample", "vae", "--n", "100000", "--out", str(tmp_path / "s.png")]))
    assert ".npy" in output and not list(tmp_path.iterdir())


PEAK = """
import resource, sys
from zoo.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    print("PEAK", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_kb(args, cwd):
    done = subprocess.run([sys.executable, "-c", PEAK, *args], capture_output=True, text=True, cwd=cwd, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.strip().splitlines()[-1].split()[1])


@pytest.mark.slow
def test_a_large_sample_to_npy_takes_bounded_memory(tmp_path):
    """100,000 samples are 313 MB as one float32 array; streamed, the run costs about what 64 samples do."""
    small = _peak_kb(["sample", "vae", "--n", "64", "--out", "small.npy"], tmp_path)
    large = _peak_kb(["sample", "vae", "--n", "100000", "--out", "large.npy"], tmp_path)
    samples = np.load(tmp_path / "large.npy", mmap_mode="r")
    assert samples.shape == (100_000, 784) and 0.0 <= float(samples[-1].min())
    assert (large - small) * 1024 < 100e6, f"peak {large / 1024:.0f} MB against {small / 1024:.0f} MB for 64 samples"


# -- a model folder must be the entry's own ----------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["eval", "mlp-784-30-10", "--model", "vae"],
        ["eval", "encoder-9-2-9", "--model", "encoder-8-3-8"],
        ["plot", "vae", "--model", "mlp-784-30-10"],
        ["eval", "vae", "--model", "ae"],
        ["export", "vae", "--format", "keras", "--model", "ae"],
        ["sample", "vae", "--model", "ae"],
    ],
)
def test_another_entrys_folder_is_refused(runner, tmp_path, command):
    command = [
        str(artifacts.pretrained_dir(c)) if i and command[i - 1] == "--model" else c for i, c in enumerate(command)
    ]
    output = _one_line(
        runner.invoke(main, [*command, "--out", str(tmp_path / "x.keras")] if "export" in command else command)
    )
    assert "holds an artifact of" in output and not list(tmp_path.iterdir())


@pytest.mark.parametrize("card", [[], {"entry": "encoder-9-2-9", "files": ["model.keras"], "metrics": {}}, "text"])
def test_a_card_of_the_wrong_shape_is_one_line(runner, tmp_path, card):
    folder = tmp_path / "forged"
    shutil.copytree(artifacts.pretrained_dir("encoder-9-2-9"), folder)
    (folder / artifacts.CARD).write_text(json.dumps(card))
    _one_line(runner.invoke(main, ["eval", "encoder-9-2-9", "--model", str(folder)]))


def test_an_edited_metric_on_a_card_is_detected_everywhere(runner, tmp_path, monkeypatch):
    root = tmp_path / "pretrained"
    shutil.copytree(artifacts.pretrained_dir("mlp-784-30-10"), root / "mlp-784-30-10")
    card = root / "mlp-784-30-10" / artifacts.CARD
    edited = json.loads(card.read_text())
    edited["metrics"]["test_accuracy"] = 0.999  # a better number than training measured; card_sha256 left as it was
    card.write_text(json.dumps(edited, indent=1))
    monkeypatch.setattr(artifacts, "pretrained_root", lambda: root)
    assert "edited after it was written" in _one_line(runner.invoke(main, ["info", "mlp-784-30-10"]))
    listing = runner.invoke(main, ["list", "--family", "mlp"]).output
    row = next(line for line in listing.splitlines() if line.startswith("mlp-784-30-10 "))
    assert "0.999" not in row and row.split()[-1] == "broken"


def test_export_keras_loads_in_safe_mode_first(runner, tmp_path):
    import keras

    model = keras.Sequential([keras.Input((9,)), keras.layers.Lambda(lambda x: x * 2)])
    folder = artifacts.write(
        tmp_path / "evil", lambda f: model.save(f / artifacts.KERAS_FILE), {"entry": "encoder-9-2-9"}
    )
    output = _one_line(
        runner.invoke(
            main,
            [
                "export",
                "encoder-9-2-9",
                "--model",
                str(folder),
                "--format",
                "keras",
                "--out",
                str(tmp_path / "out.keras"),
            ],
        )
    )
    assert "Keras refused to load it" in output and not (tmp_path / "out.keras").exists()


# -- options that mean nothing, or too much ----------------------------------------------------------------


@pytest.mark.parametrize(
    "args, code",
    [
        (["train", "encoder-9-2-9", "--seed", "-1"], 2),
        (["train", "encoder-9-2-9", "--seed", "99999999999"], 2),
        (["sample", "vae", "--seed", str(2**70)], 2),
        (["eval", "mlp-784-30-10", "--k", "10"], 1),
        (["eval", "vae", "--k", "10000000"], 1),
        (["plot", "encoder-9-2-9", "--out", "x.txt"], 1),
    ],
)
def test_options_out_of_range_are_refused(runner, args, code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _one_line(runner.invoke(main, args), code)


def test_long_evaluation_reports_progress(runner):
    result = runner.invoke(main, ["eval", "vae", "--k", "2"])
    assert result.exit_code == 0, result.output
    assert "importance sampling, k = 2: 10000/10000" in result.output


def test_a_typo_in_an_option_is_refused_without_importing_tensorflow(tmp_path):
    probe = (
        "import sys\nfrom zoo.cli import main\ntry:\n    main(['train', 'encoder-9-2-9', '--bogus'])\n"
        "except SystemExit as e:\n    print('EXIT', e.code, 'tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path).stdout
    assert out.strip().endswith("EXIT 2 False"), out


# -- the Python API ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: zoo.load(None), "not NoneType"),
        (lambda: zoo.load(123), "not int"),
        (lambda: zoo.train("encoder-4-2-4", epochs=2.5), "epochs must be a whole number"),
        (lambda: zoo.train("encoder-4-2-4", epochs="10"), "epochs must be a whole number"),
        (lambda: zoo.train("encoder-4-2-4", seed=-1), "seed must be between 0"),
        (lambda: zoo.sample("vae", seed=2**64), "seed must be between 0"),
        (lambda: zoo.sample("vae", seed="a"), "seed must be a whole number"),
        (lambda: zoo.evaluate("mlp-784-30-10", model=42), "model must be a Keras model"),
        (lambda: zoo.evaluate("mlp-784-30-10", model=zoo.load("vae")), "that model is 'vae'"),
        (lambda: zoo.evaluate("mlp-784-30-10", k=10), "k means nothing for mlp-784-30-10"),
        (lambda: zoo.plot("encoder-9-2-9", out="x.txt"), "must end in .png"),
        (lambda: zoo.predict("mlp-784-30-10", np.full((2, 784), 255, np.uint8)), "divide by 255"),
        (lambda: zoo.export("encoder-9-2-9", "zip"), "format must be one of"),
    ],
)
def test_the_api_refuses_bad_arguments_in_its_own_words(call, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(zoo.ZooError, match=message) as err:
        call()
    assert "--" not in str(err.value) and "\n" not in str(err.value)
    assert not list(tmp_path.iterdir())


def test_numpy_integers_are_counts_too():
    assert zoo.sample("vae", n=np.int64(3), seed=np.int32(1)).shape == (3, 784)


def test_predict_verifies_and_loads_once():
    calls = []
    original = artifacts.verify
    try:
        artifacts.verify = lambda folder: calls.append(folder) or original(folder)
        resolve._CACHE.clear()
        for _ in range(6):
            zoo.predict("encoder-9-2-9", np.eye(9, dtype=np.float32))
    finally:
        artifacts.verify = original
    assert len(calls) == 1


def test_a_python_user_sees_no_tensorflow_start_up_lines(tmp_path):
    code = "import numpy as np, zoo; print(zoo.predict('encoder-9-2-9', np.eye(9)).shape)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        env={k: v for k, v in __import__("os").environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"},
    )
    assert done.stdout.strip() == "(9, 9)", done.stderr
    for noise in ("cuInit", "oneDNN", "I0000", "E0000", "cuda"):
        assert noise not in done.stderr, done.stderr


def _adding_gradient():
    from zoo.families.recurrent.entries import adding_problem
    from zoo.families.recurrent.measure import input_gradients

    entry, data = zoo.get("adding-rnn-10"), adding_problem(8, 10, seed=0)
    return lambda: input_gradients(entry, entry.build(), data.x, data.y)


def _vae_sampler():
    from zoo.families.vae.importance import importance_sample

    images = np.random.default_rng(0).random((4, 784), dtype=np.float32) > 0.5
    return lambda: importance_sample(zoo.build("vae"), images.astype(np.float32), k=2)


def _autoencoder_probe():
    from zoo.families.autoencoders.measure import linear_probe

    codes, labels = np.random.default_rng(0).random((20, 3), dtype=np.float32), np.arange(20) % 10
    return lambda: linear_probe(codes, labels, codes, labels, steps=2)


def _training_loop():
    entry = zoo.get("encoder-9-2-9").with_options(epochs=2)
    return lambda: entry.family.fit(entry, entry.build(), data=entry.family.small_data(entry))


@pytest.mark.parametrize("measure", [_adding_gradient, _vae_sampler, _autoencoder_probe, _training_loop])
def test_measuring_many_models_prints_no_retracing_warning(measure):
    """The gradient through time, the VAE's sampler, the autoencoders' probe and the training loop trace one
    function per model, by design: TensorFlow's frequent-retracing warning (keyed on the code) printed a paragraph by
    the fifth model of a process, on every `zoo train adding-lstm-10` (evaluation and its picture measure five
    models), and in a Python loop calling zoo.train."""
    import logging

    class Collect(logging.Handler):
        def __init__(self):
            super().__init__()
            self.messages = []

        def emit(self, record):
            self.messages.append(record.getMessage())

    run, collect = measure(), Collect()
    logging.getLogger("tensorflow").addHandler(collect)
    try:
        for _ in range(6):
            run()
    finally:
        logging.getLogger("tensorflow").removeHandler(collect)
    assert not [m for m in collect.messages if "retracing" in m], collect.messages
