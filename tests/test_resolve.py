"""One way to say a thing: whether an entry ships an artifact, how often zoo.load reads a card, and when a name
is a folder (only when it looks like a path: a folder in the working directory never hides the shipped entry)."""

import shutil
from pathlib import Path

import pytest

import zoo
from zoo import artifacts, integrity

ROOT = Path(__file__).resolve().parent.parent


def test_one_function_says_whether_an_entry_ships_an_artifact():
    assert artifacts.ships("encoder-9-2-9") and not artifacts.ships("encoder-16-4-16")
    assert zoo.card("encoder-16-4-16") is None and artifacts.shipped_card("encoder-16-4-16") is None
    assert zoo.card("encoder-9-2-9") == artifacts.shipped_card("encoder-9-2-9")
    asking = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "zoo").rglob("*.py")
        if "CARD).exists()" in path.read_text() or "CARD).is_file()" in path.read_text()
    ]
    assert asking == ["zoo/artifacts.py"]  # artifacts.ships, nowhere else


@pytest.mark.parametrize("how", ["name", "folder"])
def test_load_reads_the_card_once(how, monkeypatch):
    read = []
    parse = integrity._parse_card
    monkeypatch.setattr(integrity, "_parse_card", lambda folder: read.append(folder) or parse(folder))
    zoo.load("encoder-9-2-9" if how == "name" else artifacts.pretrained_dir("encoder-9-2-9"))
    assert len(read) == 1


def test_a_folder_named_like_an_entry_does_not_hide_the_shipped_entry(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(artifacts.pretrained_dir("encoder-4-2-4"), tmp_path / "encoder-9-2-9")  # another entry's
    assert zoo.load("encoder-9-2-9")._zoo_entry == "encoder-9-2-9"  # the shipped entry, as the name says
    assert zoo.load("./encoder-9-2-9")._zoo_entry == "encoder-4-2-4"  # the folder, as the path says
    assert zoo.load(Path("encoder-9-2-9"))._zoo_entry == "encoder-4-2-4"  # a Path is always a folder


def test_the_error_says_which_was_meant(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "myrun").mkdir()
    with pytest.raises(zoo.ZooError, match=r"unknown entry 'myrun'.*a folder myrun is here: to use it, write ./myrun"):
        zoo.load("myrun")
    with pytest.raises(zoo.ZooError, match=r"^runs/vae: no such artifact folder \(for the shipped entry, give its "):
        zoo.load("runs/vae")
    with pytest.raises(zoo.ZooError, match=r"not a zoo artifact.*\(for the shipped entry, give its name alone: vae\)"):
        (tmp_path / "vae").mkdir()
        zoo.load("./vae")
