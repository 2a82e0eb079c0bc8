"""scripts/train_all.py, the retraining script: each entry in a forked child, as `zoo train` trains it.

Two of the quickest entries, two at a time, into a temporary folder (`--out`): the artifacts verify and
hold the shipped weights bit for bit (training is deterministic, whatever the process or thread count),
each child's output is in its log. A name that is not in the catalogue, an --out that is a file and a logs
folder train_all did not make each stop the run before it starts, in one line.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import zoo
from zoo import artifacts

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "train_all.py"
QUICK = ["code-6-2-3", "encoder-4-2-4"]  # the two shortest trainings in the catalogue (under a second each)


def _train_all(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300)


def test_each_entry_trains_in_its_own_child_to_the_shipped_weights(tmp_path):
    done = _train_all("--jobs", "2", "--out", str(tmp_path), *QUICK)
    assert done.returncode == 0, done.stderr
    threads = max(1, (os.cpu_count() or 1) // 2)
    assert "trained 2 of 2 entries" in done.stdout and f"(2 at a time, {threads} thread(s) each)" in done.stdout
    for name in QUICK:
        assert f"done {name} in " in done.stdout
        card = artifacts.verify(tmp_path / name)  # every checksum and the card itself
        assert card["entry"] == name
        log = (tmp_path / "logs" / f"{name}.log").read_text()  # the child's `zoo train` output
        assert f"trained {name}: " in log and f"artifact: {tmp_path / name}" in log
        for ours, shipped in zip(zoo.load(tmp_path / name).get_weights(), zoo.load(name).get_weights()):
            np.testing.assert_array_equal(ours, shipped)


def test_an_unknown_name_is_refused_before_anything_trains(tmp_path):
    done = _train_all("--out", str(tmp_path), QUICK[0], "encoder-9-2-9x")
    assert done.returncode == 2
    assert "did you mean encoder-9-2-9" in done.stderr and "Traceback" not in done.stderr
    assert not any(tmp_path.iterdir()), "nothing written"


def test_an_out_that_is_a_file_or_holds_someone_else_s_logs_folder_is_refused(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("mine")
    done = _train_all("--out", str(a_file), QUICK[0])
    assert done.returncode == 2 and "cannot write the logs to" in done.stderr and "Traceback" not in done.stderr
    assert a_file.read_text() == "mine"

    theirs = tmp_path / "theirs"
    (theirs / "logs").mkdir(parents=True)
    (theirs / "logs" / f"{QUICK[0]}.log").write_text("not zoo's")
    done = _train_all("--out", str(theirs), QUICK[0])
    assert done.returncode == 2 and "holds files train_all did not write" in done.stderr
    assert (theirs / "logs" / f"{QUICK[0]}.log").read_text() == "not zoo's"
    assert sorted(p.name for p in theirs.iterdir()) == ["logs"], "nothing trained"
