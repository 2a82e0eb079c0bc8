"""tf.distribute through the one zoo loop: two logical CPUs learn as one device does, uneven and empty
replica shares included; two workers finish; a bad environment is one clear line."""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

import zoo
from zoo.cli import main
from zoo.distribute import make_strategy
from zoo.errors import ZooError

ZOO = os.path.join(os.path.dirname(sys.executable), "zoo")
MIRRORED_RUN = """
import json, sys
import numpy as np, tensorflow as tf
import zoo
from zoo.distribute import make_strategy
strategy = make_strategy(sys.argv[1] if sys.argv[1] != "none" else None)
result = zoo.train("encoder-9-2-9", export=False, strategy=sys.argv[1] if sys.argv[1] != "none" else None)
print(json.dumps({"replicas": strategy.num_replicas_in_sync, "loss": result.history.loss,
                  "weights": [w.tolist() for w in result.model.get_weights()]}))
"""

# The loop alone, on a model and data made here: one process runs each case twice, under the mirrored
# strategy on two logical CPUs and on the default single device, from the same initial weights.
SHARES_RUN = """
import json
import keras, numpy as np, tensorflow as tf
from zoo import training
from zoo.distribute import make_strategy
from zoo.registry import Recipe

strategy = make_strategy("mirrored")
x = np.random.default_rng(0).random((3, 5), dtype=np.float32)
y = (x > 0.5).astype(np.float32)

def bce(model, xb, yb, training):
    return tf.reduce_mean(keras.losses.binary_crossentropy(yb, model(xb, training=training)))

def run(recipe, scope):
    with scope:
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="tanh"),
                                  keras.layers.Dense(5, activation="sigmoid")])
        history = training.fit(model, bce, x, y, recipe)
    return {"loss": history.loss, "norms": history.grad_norms, "weights": [w.tolist() for w in model.get_weights()]}

out = {"replicas": strategy.num_replicas_in_sync}
for name, batch in [("full batch of 3", None), ("batches of 1", 1)]:
    recipe = Recipe(optimizer="sgd", learning_rate=0.5, momentum=0.9, batch_size=batch, epochs=12, chunk=5,
                    seed=0, jit=False, track_gradients=True)
    out[name] = {"mirrored": run(recipe, strategy.scope()), "single": run(recipe, tf.distribute.get_strategy().scope())}
print(json.dumps(out))
"""


def _run_python(code, *args, env=None):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_mirrored_on_two_logical_cpus_learns_an_uneven_full_batch_as_one_device_does():
    # encoder-9-2-9 trains on a full batch of 9: replicas of 4 and 5 examples, every one of them trained on
    mirrored = _run_python(MIRRORED_RUN, "mirrored", env={"ZOO_LOGICAL_CPUS": "2"})
    single = _run_python(MIRRORED_RUN, "none")
    assert mirrored["replicas"] == 2 and single["replicas"] == 1
    assert len(mirrored["loss"]) == len(single["loss"])  # same number of epochs to loss < 0.02
    assert mirrored["loss"][-1] < 0.02
    np.testing.assert_allclose(mirrored["loss"], single["loss"], rtol=1e-4, atol=1e-6)
    for a, b in zip(mirrored["weights"], single["weights"]):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)


def test_uneven_and_empty_replica_shares_give_the_single_device_step():
    # a full batch of 3 splits 1 + 2; batches of 1 leave one replica without an example every step
    result = _run_python(SHARES_RUN, env={"ZOO_LOGICAL_CPUS": "2"})
    assert result["replicas"] == 2
    for case in ("full batch of 3", "batches of 1"):
        mirrored, single = result[case]["mirrored"], result[case]["single"]
        assert len(mirrored["loss"]) == 12 and np.isfinite(mirrored["loss"]).all(), case
        np.testing.assert_allclose(mirrored["loss"], single["loss"], rtol=1e-5, atol=1e-7, err_msg=case)
        np.testing.assert_allclose(mirrored["norms"], single["norms"], rtol=1e-5, atol=1e-7, err_msg=case)
        for a, b in zip(mirrored["weights"], single["weights"]):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7, err_msg=case)


def _free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_workers_on_localhost_train_to_completion(tmp_path):
    cluster = {"worker": [f"localhost:{_free_port()}", f"localhost:{_free_port()}"]}
    workers = []
    for index in range(2):
        env = {
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}),
        }
        workers.append(
            subprocess.Popen(
                [ZOO, "train", "encoder-4-2-4", "--strategy", "multiworker", "--out", str(tmp_path / f"w{index}")],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
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


# make_strategy checks the environment before it touches TensorFlow, so these run in the test process.


@pytest.mark.parametrize(
    "config, expected",
    [
        ("garbage", "it is not JSON"),
        ("[1, 2]", "not '[1, 2]'"),
        (
            '{"cluster": {"worker": "localhost:1"}, "task": {"type": "worker", "index": 0}}',
            '"cluster" must map each job',
        ),
        ('{"cluster": {"worker": ["localhost:1"]}}', '"task" must name'),
        (
            '{"cluster": {"worker": ["localhost:1"]}, "task": {"type": "worker", "index": 3}}',
            'task "index" must be 0 to 0',
        ),
    ],
)
def test_a_bad_tf_config_is_one_line_naming_it(monkeypatch, config, expected):
    monkeypatch.setenv("TF_CONFIG", config)
    with pytest.raises(ZooError) as refused:
        make_strategy("multiworker")
    message = str(refused.value)
    assert message.startswith("TF_CONFIG must be JSON like {") and expected in message and "\n" not in message


@pytest.mark.parametrize("count", ["abc", "-2", "1.5"])
def test_a_bad_logical_cpu_count_is_one_line_naming_it(monkeypatch, count):
    monkeypatch.setenv("ZOO_LOGICAL_CPUS", count)
    with pytest.raises(ZooError) as refused:
        make_strategy("mirrored")
    assert str(refused.value) == (
        "ZOO_LOGICAL_CPUS must be a whole number of logical CPUs to split the CPU into "
        f"(2 or more; 0 or unset: no split), not {count!r}"
    )


def test_an_unknown_strategy_is_refused_in_the_api_words():
    with pytest.raises(ZooError) as refused:
        make_strategy("parameter-server")
    assert str(refused.value) == "strategy 'parameter-server' is unknown; choose one of mirrored, multiworker"
    assert refused.value.worded(cli=True).startswith("--strategy 'parameter-server' is unknown")
