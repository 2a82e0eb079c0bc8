"""A non-editable install finds its artifacts and data through the package, from any directory."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_built_wheel_ships_the_artifacts_and_the_data(tmp_path):
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(ROOT),
                    "-w", str(wheels)], check=True, cwd=tmp_path, capture_output=True)
    wheel = next(wheels.glob("zoo-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    code = ("import zoo, zoo.data; m = zoo.load('encoder-9-2-9'); s = zoo.data.load('mnist');"
            "print(zoo.__file__); print(m.count_params(), s.x_test.shape[0])")
    env = {**os.environ, "PYTHONPATH": str(target), "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    where, counts = result.stdout.strip().splitlines()[-2:]
    assert where.startswith(str(target)), result.stdout + result.stderr
    assert counts == "47 10000"
