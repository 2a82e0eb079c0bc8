"""The wheel: under PyPI's 100 MB, no saved_model/, and a non-editable install loads every artifact from anywhere.

The wheel is built once per module, from a copy of the checkout's files (tracked and untracked, not
ignored), as a clean clone would build it: building in the checkout itself would reuse whatever an
earlier build left in build/ (setuptools copies build/lib into the wheel whole), and would race with
anyone else building there.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPI_LIMIT = 100_000_000
SHIPPED = sorted(p.parent.name for p in (ROOT / "pretrained").glob("*/card.json"))


def _copy_of_the_checkout(into: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True
    )
    if listed.returncode == 0:
        for relative in filter(None, listed.stdout.decode().split("\0")):
            source = ROOT / relative
            if source.is_file():  # a tracked file someone deleted is not in the working tree
                (into / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, into / relative)
    else:  # not a git checkout (an unpacked sdist): everything but what a build or a venv leaves
        shutil.copytree(
            ROOT,
            into,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(
                ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "runs"
            ),
        )
    return into


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = _copy_of_the_checkout(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("wheels")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(source), "-w", str(out)],
        cwd=out,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return next(out.glob("zoo-*.whl"))


def test_the_wheel_fits_pypi_and_ships_no_saved_model(wheel):
    assert wheel.stat().st_size < PYPI_LIMIT, f"{wheel.name}: {wheel.stat().st_size:,} bytes"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert SHIPPED, "no artifacts in pretrained/"
    assert not [n for n in names if "/saved_model/" in n or n.endswith("/saved_model")]
    for name in SHIPPED:
        for file in ("model.keras", "card.json", "history.npz"):
            assert f"zoo/pretrained/{name}/{file}" in names, (name, file)
    assert "zoo/_data/mnist.npz" in names


def test_the_wheel_ships_every_file_each_card_lists(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in SHIPPED:
            card = json.loads(archive.read(f"zoo/pretrained/{name}/card.json"))
            shipped = {n[len(f"zoo/pretrained/{name}/") :] for n in names if n.startswith(f"zoo/pretrained/{name}/")}
            assert shipped == {"card.json", *card["files"]}, name


@pytest.mark.slow
def test_an_installed_wheel_loads_every_artifact_from_anywhere(wheel, tmp_path):
    target, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    code = (
        "import json, sys\n"
        "import zoo, zoo.artifacts as artifacts, zoo.data\n"
        "for name in sys.argv[1:]:\n"
        "    folder = artifacts.pretrained_dir(name)\n"
        "    assert not artifacts.has_saved_model(folder), name\n"
        "    model = artifacts.load_keras(folder)  # checksums verified, safe mode on\n"
        "    card = artifacts.read_card(folder)\n"
        "    assert model.count_params() == card.get('parameters', model.count_params()), name\n"
        "    print('loaded', name)\n"
        "print(json.dumps({'zoo': zoo.__file__, 'root': str(artifacts.pretrained_root()),\n"
        "                  'mnist': int(zoo.data.load('mnist').x_test.shape[0])}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target), "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", code, *SHIPPED], capture_output=True, text=True, cwd=elsewhere, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert [line for line in lines if line.startswith("loaded ")] == [f"loaded {n}" for n in SHIPPED]
    where = json.loads(lines[-1])
    assert Path(where["zoo"]).is_relative_to(target) and Path(where["root"]) == target / "zoo" / "pretrained"
    assert where["mnist"] == 10000


def test_pyproject_lists_every_package_under_zoo():
    """setuptools installs only the packages pyproject names: a new one left out breaks every installed zoo."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    present = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "zoo").rglob("__init__.py")}
    assert present - listed == set(), "add them to [tool.setuptools] packages"
