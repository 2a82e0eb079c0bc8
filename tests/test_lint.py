"""The house is checked, not hoped for: ruff (lint and format), the import contracts, and small files.

`.ci/run` runs the README's test command, so CI runs these with the rest of the suite.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ["zoo", "tests", "scripts"]
MAX_LINES = 300  # no file of zoo/ over this: a longer one holds more than one job


def _ruff(*args):
    return subprocess.run([sys.executable, "-m", "ruff", *args, *CHECKED], cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing():
    result = _ruff("check", "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted_by_ruff():
    result = _ruff("format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_import_contracts_hold():
    """pyproject.toml's [tool.importlinter]: the core never imports a family, no family imports another, and
    no module of zoo/ takes part in an import circle."""
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_no_file_of_zoo_is_over_300_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "zoo").rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
