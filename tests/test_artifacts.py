"""Artifacts are verified before they are read, and a write never deletes or replaces what zoo did not write.

A changed, truncated, missing or extra file is refused clearly; so is an edited or wrong-shaped card.
These tests use zoo.artifacts directly.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import SHIPPED, first_output, random_inputs

from zoo import artifacts
from zoo.errors import ZooError


def _one_line(match, call, *args, **kwargs) -> ZooError:
    with pytest.raises(ZooError, match=match) as err:
        call(*args, **kwargs)
    assert "\n" not in str(err.value)
    return err.value


def _refused(folder, match):
    return _one_line(match, artifacts.load_keras, folder)


def _artifact(folder, name="a.txt", text="1", replace=False):
    return artifacts.write(
        folder, lambda f: (f / name).write_text(text), {"entry": "toy", "metrics": {"m": 1.0}}, replace=replace
    )


def _siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir())


def _tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _rewrite_card(folder, change, reseal=True):
    """Edit the card of `folder`; reseal=True recomputes card_sha256, as a careful forger would."""
    card = json.loads((folder / "card.json").read_text())
    card = change(card)
    if reseal and isinstance(card, dict):
        card["card_sha256"] = artifacts.card_digest(card)
    (folder / "card.json").write_text(json.dumps(card, indent=2))


# ----------------------------------------------------------------------------------- file checksums


def test_an_intact_copy_loads(copy_of_encoder):
    model = artifacts.load_keras(copy_of_encoder)
    assert model.count_params() == 9 * 2 + 2 + 2 * 9 + 9


def test_a_truncated_keras_file_is_refused(copy_of_encoder):
    path = copy_of_encoder / "model.keras"
    path.write_bytes(path.read_bytes()[:100])
    _refused(copy_of_encoder, "model.keras: sha256 does not match")


def test_a_missing_file_is_refused(copy_of_encoder):
    (copy_of_encoder / "history.npz").unlink()
    _refused(copy_of_encoder, "missing")


def test_an_extra_file_is_refused(copy_of_encoder):
    (copy_of_encoder / "extra.py").write_text("print('hi')")
    _refused(copy_of_encoder, "not on the card")


def test_a_symlink_in_an_artifact_is_refused(copy_of_encoder, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (copy_of_encoder / "linked").symlink_to(tmp_path / "elsewhere")
    _refused(copy_of_encoder, "not on the card: linked")


def test_a_folder_without_a_card_is_not_a_model(tmp_path):
    _one_line("no card.json", artifacts.verify, tmp_path)


# --------------------------------------------------------------------- saved_model/: the exports rule


def test_every_shipped_card_splits_files_from_exports():
    for name in SHIPPED:
        card = artifacts.verify(artifacts.pretrained_dir(name))
        assert card["card_sha256"] == artifacts.card_digest(card), name
        assert {"model.keras", "history.npz"} <= card["files"].keys(), name
        assert not any(p.startswith("saved_model/") for p in card["files"]), name
        assert card["exports"] and all(p.startswith("saved_model/") for p in card["exports"]), name
        assert artifacts.has_saved_model(artifacts.pretrained_dir(name)), name


def test_a_missing_saved_model_folder_is_fine(copy_of_encoder):
    """The installed wheel ships no saved_model/: the rest must still verify and load."""
    shutil.rmtree(copy_of_encoder / "saved_model")
    assert not artifacts.has_saved_model(copy_of_encoder)
    assert artifacts.load_keras(copy_of_encoder).count_params() == 47


def test_an_altered_export_is_refused(copy_of_encoder):
    path = next((copy_of_encoder / "saved_model" / "variables").glob("*.data*"))
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 0xFF
    path.write_bytes(bytes(blob))
    _refused(copy_of_encoder, "variables.data.*sha256 does not match")


def test_one_missing_export_is_refused(copy_of_encoder):
    (copy_of_encoder / "saved_model" / "fingerprint.pb").unlink()
    _refused(copy_of_encoder, "fingerprint.pb: missing")


def test_an_empty_saved_model_folder_is_refused(copy_of_encoder):
    shutil.rmtree(copy_of_encoder / "saved_model")
    (copy_of_encoder / "saved_model").mkdir()
    _refused(copy_of_encoder, "missing")


def test_a_foreign_file_in_saved_model_is_refused(copy_of_encoder):
    (copy_of_encoder / "saved_model" / "assets").mkdir(exist_ok=True)  # TF writes it empty; git does not keep it
    (copy_of_encoder / "saved_model" / "assets" / "vocab.txt").write_text("evil")
    _refused(copy_of_encoder, "not on the card: saved_model/assets/vocab.txt")


def test_a_file_named_saved_model_is_refused(copy_of_encoder):
    shutil.rmtree(copy_of_encoder / "saved_model")
    (copy_of_encoder / "saved_model").write_text("not a folder")
    _refused(copy_of_encoder, "not on the card: saved_model")


def test_write_puts_saved_model_in_exports(tmp_path):
    def fill(folder):
        (folder / "model.keras").write_bytes(b"k")
        (folder / "saved_model" / "variables").mkdir(parents=True)
        (folder / "saved_model" / "saved_model.pb").write_bytes(b"pb")
        (folder / "saved_model" / "variables" / "variables.index").write_bytes(b"ix")

    card = artifacts.verify(artifacts.write(tmp_path / "entry", fill, {"entry": "toy"}))
    assert card["files"].keys() == {"model.keras"}
    assert card["exports"].keys() == {"saved_model/saved_model.pb", "saved_model/variables/variables.index"}
    assert card["metrics"] == {} and artifacts.has_saved_model(tmp_path / "entry")


# ------------------------------------------------------------------------------ the card's integrity


def test_an_edited_metric_is_detected(copy_of_encoder):
    def edit(card):
        card["metrics"]["loss"] = 0.001
        return card

    _rewrite_card(copy_of_encoder, edit, reseal=False)
    _one_line(
        r"card.json was edited after it was written \(its card_sha256 does not match\)",
        artifacts.read_card,
        copy_of_encoder,
    )
    _refused(copy_of_encoder, "edited after it was written")


def test_a_card_without_its_checksum_is_refused(copy_of_encoder):
    _rewrite_card(copy_of_encoder, lambda card: {k: v for k, v in card.items() if k != "card_sha256"}, reseal=False)
    _refused(copy_of_encoder, "no card_sha256")


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda card: [], "a JSON object is expected, not list"),
        (lambda card: {**card, "files": list(card["files"])}, "'files' must be an object"),
        (
            lambda card: {**card, "files": {**card["files"], "../thesis.txt": "0" * 64}},
            "not a plain path inside the folder",
        ),
        (
            lambda card: {**card, "files": {**card["files"], "/etc/passwd": "0" * 64}},
            "not a plain path inside the folder",
        ),
        (lambda card: {**card, "exports": {"saved_model/../../x": "0" * 64}}, "not a plain path inside the folder"),
        (lambda card: {**card, "files": {**card["files"], "model.keras": "not-a-sha"}}, "is not a sha256"),
        (lambda card: {**card, "files": {**card["files"], **card["exports"]}}, "which belongs in exports"),
        (lambda card: {k: v for k, v in card.items() if k != "exports"}, "'exports' must be an object"),
        (lambda card: {**card, "entry": 7}, "'entry' must be a string"),
        (lambda card: {**card, "metrics": [0.5]}, "'metrics' must be an object"),
    ],
)
def test_a_wrong_shaped_card_is_refused_in_one_line(copy_of_encoder, change, match):
    _rewrite_card(copy_of_encoder, change)
    _one_line(f"not a zoo model card: .*{match}", artifacts.read_card, copy_of_encoder)
    _refused(copy_of_encoder, match)


@pytest.mark.parametrize(
    "text, match",
    [
        ("{not json", "not JSON"),
        ('{"entry": "a", "entry": "b"}', "appears twice"),
        ("\xff\xfe", "not JSON"),
    ],
)
def test_an_unreadable_card_is_refused_in_one_line(tmp_path, text, match):
    (tmp_path / "card.json").write_bytes(text.encode("latin-1"))
    _one_line(match, artifacts.verify, tmp_path)


# ------------------------------------------------------------------- never replace what zoo did not write


def test_a_users_files_in_an_out_folder_survive(tmp_path):
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "thesis.txt").write_text("four years of work")
    (out / "sub" / "notes.md").write_text("more")
    before = _tree(out)
    for replace in (False, True):
        error = _one_line("is not empty and zoo did not write it", _artifact, out, replace=replace)
        assert "nothing was changed" in str(error)
        _one_line("nothing was changed", artifacts.check_destination, out, replace)
    assert _tree(out) == before and (out / "sub").is_dir()
    assert _siblings(out) == ["out"]  # no temporary folder left behind


def test_a_file_is_refused_as_a_destination(tmp_path):
    path = tmp_path / "thesis.txt"
    path.write_text("four years of work")
    _one_line("is a file, not a folder; nothing was changed", _artifact, path, replace=True)
    assert path.read_text() == "four years of work" and _siblings(path) == ["thesis.txt"]


def test_the_root_is_refused(tmp_path):
    for replace in (False, True):
        _one_line("root of the filesystem", _artifact, Path("/"), replace=replace)
        _one_line("root of the filesystem", artifacts.check_destination, "/", replace)


def test_the_current_directory_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _one_line("is the current directory", _artifact, ".", replace=True)  # even empty: it would pull the folder away
    (tmp_path / "thesis.txt").write_text("mine")
    _one_line("current directory", _artifact, Path("."))
    _one_line("current directory or holds it", artifacts.check_destination, "..", True)
    assert [p.name for p in tmp_path.iterdir()] == ["thesis.txt"]


def test_a_relative_path_is_resolved(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    written = _artifact("runs/../runs/x")
    assert written == tmp_path / "runs" / "x" and written.is_absolute()
    assert artifacts.check_destination("runs/y", False) == tmp_path / "runs" / "y"
    assert not (tmp_path / "runs" / "y").exists()  # the check creates nothing


def test_an_empty_folder_is_fine(tmp_path):
    (tmp_path / "out").mkdir()
    assert artifacts.check_destination(tmp_path / "out", False) == tmp_path / "out"
    _artifact(tmp_path / "out")
    assert artifacts.verify(tmp_path / "out")["files"].keys() == {"a.txt"}


def test_an_artifact_is_replaced_only_when_asked(tmp_path):
    out = tmp_path / "entry"
    _artifact(out, "a.txt", "1")
    error = _one_line(r"entry already holds a zoo artifact of 'toy'; force=True replaces it", _artifact, out, "b.txt")
    assert error.worded(cli=True).endswith("--force replaces it")
    _one_line("force=True replaces it", artifacts.check_destination, out, False)
    assert _tree(out).keys() == {"a.txt", "card.json"}  # untouched
    assert artifacts.check_destination(out, True) == out
    _artifact(out, "b.txt", "2", replace=True)
    assert _tree(out).keys() == {"b.txt", "card.json"}
    assert artifacts.verify(out)["files"].keys() == {"b.txt"}
    assert _siblings(out) == ["entry"]  # the old one is gone, no temporary folder left


def test_an_artifact_holding_a_users_file_is_not_replaced(tmp_path):
    out = tmp_path / "entry"
    _artifact(out)
    (out / "mine.txt").write_text("keep me")
    before = _tree(out)
    _one_line("files its card does not list \\(mine.txt\\); nothing was changed", _artifact, out, replace=True)
    assert _tree(out) == before and _siblings(out) == ["entry"]


def test_an_edited_artifact_is_not_replaced(tmp_path):
    out = tmp_path / "entry"
    _artifact(out)
    _rewrite_card(out, lambda card: {**card, "metrics": {"m": 2.0}}, reseal=False)
    _one_line("zoo did not write it \\(card.json was edited", _artifact, out, replace=True)


def test_a_users_file_arriving_during_a_write_survives(tmp_path):
    """The destination is checked again just before the swap: a long job may have run in between."""
    out = tmp_path / "entry"
    _artifact(out)

    def fill(folder):
        (folder / "b.txt").write_text("new")
        (out / "late.txt").write_text("written by the user meanwhile")

    _one_line("files its card does not list", artifacts.write, out, fill, {"entry": "toy"}, replace=True)
    assert _tree(out).keys() == {"a.txt", "card.json", "late.txt"} and _siblings(out) == ["entry"]


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    def fill(folder):
        (folder / "half.bin").write_bytes(b"x")
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        artifacts.write(tmp_path / "entry", fill, {"entry": "toy"})
    assert list(tmp_path.iterdir()) == []


def test_a_failed_replacement_keeps_the_old_artifact(tmp_path):
    out = tmp_path / "entry"
    _artifact(out, "a.txt", "1")
    before = _tree(out)

    def fill(folder):
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        artifacts.write(out, fill, {"entry": "toy"}, replace=True)
    assert _tree(out) == before and _siblings(out) == ["entry"]


def test_a_full_disk_is_one_clear_line_and_leaves_nothing(tmp_path):
    import errno

    def fill(folder):
        (folder / "model.keras").write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    _one_line("No space left on device", artifacts.write, tmp_path / "entry", fill, {"entry": "toy"})
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------------ history


def test_history_is_saved_compressed_and_loads_back(tmp_path):
    from zoo.training import History

    history = History(
        loss=[1.0, 0.5],
        grad_norms=[[1.0], [0.5]],
        grad_names=["dense"],
        snapshot_epochs=[0, 1],
        snapshots=[np.zeros((2, 2), np.float32), np.ones((2, 2), np.float32)],
        stages=["a", "b"],
    )
    artifacts.save_history(tmp_path / artifacts.HISTORY, history.to_arrays())
    with zipfile.ZipFile(tmp_path / artifacts.HISTORY) as archive:
        assert all(item.compress_type == zipfile.ZIP_DEFLATED for item in archive.infolist())
    loaded = artifacts.load_history(tmp_path)
    assert loaded.loss == [1.0, 0.5] and loaded.stages == ["a", "b"] and len(loaded.snapshots) == 2


def test_every_shipped_history_is_compressed():
    for name in SHIPPED:
        with zipfile.ZipFile(artifacts.pretrained_dir(name) / artifacts.HISTORY) as archive:
            assert all(item.compress_type == zipfile.ZIP_DEFLATED for item in archive.infolist()), name


# ---------------------------------------------------------------------------- SavedModels, TF alone


@pytest.mark.slow
def test_saved_models_answer_in_a_process_that_never_imports_zoo(tmp_path):
    """One subprocess loads every shipped SavedModel with TensorFlow alone and answers like Keras."""
    inputs, expected = {}, {}
    for name in SHIPPED:
        model = artifacts.load_keras(artifacts.pretrained_dir(name))
        x = random_inputs(name, model, 5)
        inputs[name], expected[name] = x, np.asarray(first_output(model(x)))
    np.savez(tmp_path / "inputs.npz", **inputs)
    script = (
        "import sys, numpy as np, tensorflow as tf\n"
        "inputs = np.load(sys.argv[1]); root = sys.argv[2]; results = {}\n"
        "for name in inputs.files:\n"
        "    loaded = tf.saved_model.load(f'{root}/{name}/saved_model')\n"
        "    out = loaded.serve(tf.constant(inputs[name]))\n"
        "    out = list(out.values())[0] if isinstance(out, dict) else out\n"
        "    out = out[0] if isinstance(out, (list, tuple)) else out\n"
        "    results[name] = out.numpy()\n"
        "assert 'zoo' not in sys.modules\n"
        "np.savez(sys.argv[3], **results)\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            str(tmp_path / "inputs.npz"),
            str(artifacts.pretrained_root()),
            str(tmp_path / "out.npz"),
        ],
        check=True,
        cwd=tmp_path,
        capture_output=True,
        env=env,
    )
    with np.load(tmp_path / "out.npz") as served:
        for name in SHIPPED:
            np.testing.assert_allclose(served[name], expected[name], rtol=1e-4, atol=1e-5, err_msg=name)
