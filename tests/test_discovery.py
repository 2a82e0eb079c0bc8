"""Families are found, not listed: zoo's own folders, and other distributions' `zoo.families` entry points.

A family from another distribution is installed the light way pip's own result takes: a `.dist-info` folder
(METADATA and entry_points.txt) on the path beside the package (tests/fake_family, which `pip install` also takes).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import zoo
from zoo import discovery

FAKE = Path(__file__).resolve().parent / "fake_family"
ZOO = os.path.join(os.path.dirname(sys.executable), "zoo")
SHIPPED = ["autoencoders", "cnn", "encoders", "mlp", "network2", "pretraining", "recurrent", "spirals", "vae"]


def _install(site: Path, distribution: str, points: dict) -> dict:
    """A distribution's metadata declaring `points` in the zoo.families group; the env that puts it on the path."""
    info = site / f"{distribution}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[zoo.families]\n" + "".join(f"{k} = {v}\n" for k, v in points.items()))
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(FAKE)])}


def _zoo(*args, env, cwd):
    return subprocess.run([ZOO, *args], capture_output=True, text=True, timeout=600, env=env, cwd=cwd)


def test_the_shipped_families_are_the_folders_under_zoo_families():
    found = discovery.discover()
    assert list(found)[: len(SHIPPED)] == SHIPPED
    assert all(module.__name__ == f"zoo.families.{name}" for name, module in found.items() if name in SHIPPED)
    assert {m.FAMILY.name for m in found.values()} >= set(zoo.families())  # every entry's family was discovered


def test_the_families_layers_are_imported_where_a_family_has_them():
    assert discovery.import_layers() == [f"zoo.families.{n}.layers" for n in ("network2", "recurrent", "vae")]


def test_a_family_from_another_distribution_is_listed_described_and_trained(tmp_path):
    env = _install(tmp_path / "site", "zoo_fake_family", {"fake": "zoo_fake_family"})
    listed = _zoo("list", env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert any(line.split()[:2] == ["fake-xor", "fake"] for line in listed.stdout.splitlines()), listed.stdout
    info = _zoo("info", "fake-xor", env=env, cwd=tmp_path)
    assert info.returncode == 0 and info.stdout.startswith("fake-xor  (fake, classify, data: xor)"), info.stderr
    trained = _zoo("train", "fake-xor", "--out", str(tmp_path / "xor"), env=env, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    card = json.loads((tmp_path / "xor" / "card.json").read_text())
    assert card["entry"] == "fake-xor" and card["family"] == "fake" and card["epochs_run"] == 20
    assert "fake-xor" not in zoo.list_models()  # this process never saw the other distribution


def test_two_families_of_one_name_are_an_error_not_a_choice(tmp_path, monkeypatch):
    env = _install(tmp_path, "labzoo", {"vae": "labzoo.vae"})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(zoo.ZooError, match=r"two families are called 'vae': zoo.families.vae and labzoo.vae"):
        discovery.family_modules()
    listed = _zoo("list", env=env, cwd=tmp_path)
    assert listed.returncode == 1 and listed.stderr.count("\n") == 1, listed.stderr
    assert "two families are called 'vae'" in listed.stderr and "Traceback" not in listed.stderr


def test_an_entry_point_must_name_a_module_that_imports(tmp_path, monkeypatch):
    _install(tmp_path, "labzoo", {"faces": "labzoo.faces:FAMILY"})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(zoo.ZooError, match="names a module, not an object in one"):
        discovery.family_modules()
    (tmp_path / "labzoo-0.1.dist-info" / "entry_points.txt").write_text("[zoo.families]\nfaces = labzoo_missing\n")
    with pytest.raises(zoo.ZooError, match=r"family 'faces' \(labzoo_missing\) could not be imported"):
        discovery.discover(refresh=True)
