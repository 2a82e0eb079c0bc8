"""The README's snippets work as written, from a directory outside the repository."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ZOO = str(Path(sys.executable).with_name("zoo"))


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)


@pytest.mark.slow
def test_the_readme_python_snippets_run_outside_the_repository(tmp_path):
    """The `zoo export` line the README gives first, then every Python block, each in a fresh process."""
    exports = [line for block in _blocks("bash") for line in block.splitlines() if line.startswith("zoo export vae")]
    assert exports == ["zoo export vae --format saved_model --out vae_saved_model"]
    subprocess.run([ZOO, *exports[0].split()[1:]], cwd=tmp_path, check=True, capture_output=True, timeout=300)
    blocks = _blocks("python")
    assert len(blocks) == 3
    for block in blocks:
        done = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, block + done.stderr[-3000:]
    assert (tmp_path / "runs" / "encoder-9-2-9" / "card.json").exists()  # the first block trained into the cwd
