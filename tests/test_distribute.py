"""tf.distribute through the one zoo loop: two logical CPUs learn as one device does; two workers finish."""
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

import zoo
from zoo.cli import main

ZOO = os.path.join(os.path.dirname(sys.executable), "zoo")
MIRRORED_RUN = """
import json, sys
import numpy as np, tensorflow as tf
import zoo
from zoo.distribute import make_strategy
strategy = make_strategy(sys.argv[1] if sys.argv[1] != "none" else None)
result = zoo.train("encoder-4-2-4", export=False, strategy=sys.argv[1] if sys.argv[1] != "none" else None)
print(json.dumps({"replicas": strategy.num_replicas_in_sync, "loss": result.history.loss,
                  "weights": [w.tolist() for w in result.model.get_weights()]}))
"""


def _run_python(code, *args, env=None):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_mirrored_on_two_logical_cpus_learns_as_one_device_does():
    mirrored = _run_python(MIRRORED_RUN, "mirrored", env={"ZOO_LOGICAL_CPUS": "2"})
    single = _run_python(MIRRORED_RUN, "none")
    assert mirrored["replicas"] == 2 and single["replicas"] == 1
    assert len(mirrored["loss"]) == len(single["loss"])  # same number of epochs to loss < 0.02
    np.testing.assert_allclose(mirrored["loss"], single["loss"], rtol=1e-4, atol=1e-6)
    for a, b in zip(mirrored["weights"], single["weights"]):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)


def _free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def test_two_workers_on_localhost_train_to_completion(tmp_path):
    cluster = {"worker": [f"localhost:{_free_port()}", f"localhost:{_free_port()}"]}
    workers = []
    for index in range(2):
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3",
               "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})}
        workers.append(subprocess.Popen([ZOO, "train", "encoder-4-2-4", "--strategy", "multiworker", "--out",
                                         str(tmp_path / f"w{index}")], env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True))
    outputs = [w.communicate(timeout=300) for w in workers]
    for worker, (out, err) in zip(workers, outputs):
        assert worker.returncode == 0, err[-2000:]
        assert "decoded                  1" in out
    first, second = (zoo.load(tmp_path / f"w{i}").get_weights() for i in range(2))
    for a, b in zip(first, second):
        np.testing.assert_allclose(a, b, rtol=1e-6)  # the workers kept their replicas in sync


def test_multiworker_without_tf_config_is_one_clear_line(runner, monkeypatch, tmp_path):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    result = runner.invoke(main, ["train", "encoder-4-2-4", "--strategy", "multiworker", "--out", str(tmp_path / "x")])
    assert result.exit_code == 1 and "TF_CONFIG" in result.output
