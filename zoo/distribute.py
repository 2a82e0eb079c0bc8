"""Training beyond one device, on TensorFlow's own engine, through the one zoo training loop.

`zoo train NAME --strategy mirrored` uses every GPU (or, without GPUs, the CPU split into
ZOO_LOGICAL_CPUS logical devices, which is how the tests exercise it on a laptop);
`--strategy multiworker` reads the cluster from TF_CONFIG. The loop in zoo.training notices the
strategy it runs under and splits every batch among the replicas as evenly as possible (sizes
differ by at most one), weighting each replica's loss by its share of the batch.
"""

from __future__ import annotations

import json
import os

from zoo.errors import ZooError

STRATEGIES = ("mirrored", "multiworker")
TF_CONFIG_EXAMPLE = '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}'


def make_strategy(name: str | None):
    """A tf.distribute strategy by name; None gives the default (single-device) one.

    The environment is checked before TensorFlow is touched: a bad ZOO_LOGICAL_CPUS or TF_CONFIG is
    one ZooError naming the variable and what it should hold.
    """
    if name is not None and name not in STRATEGIES:
        raise ZooError(f"{{option}} {name!r} is unknown; choose one of {', '.join(STRATEGIES)}", option="strategy")
    if name == "mirrored":
        count = logical_cpus()
    elif name == "multiworker":
        check_tf_config()

    import tensorflow as tf

    if name is None:
        return tf.distribute.get_strategy()
    if name == "mirrored":
        devices = _split_cpu(count) or None
        return tf.distribute.MirroredStrategy(devices)
    return tf.distribute.MultiWorkerMirroredStrategy()


def logical_cpus() -> int:
    """ZOO_LOGICAL_CPUS as a count: unset, empty, 0 or 1 leave the CPU whole; 2 or more split it."""
    text = os.environ.get("ZOO_LOGICAL_CPUS", "").strip()
    if not text:
        return 0
    try:
        count = int(text)
    except ValueError:
        count = -1
    if count < 0:
        raise ZooError(
            f"ZOO_LOGICAL_CPUS must be a whole number of logical CPUs to split the CPU into "
            f"(2 or more; 0 or unset: no split), not {text!r}"
        )
    return count


def check_tf_config() -> dict:
    """TF_CONFIG parsed and checked: a cluster of "host:port" lists and this process's task in it."""
    if "TF_CONFIG" not in os.environ:
        raise ZooError(
            f"multiworker training needs TF_CONFIG describing the cluster, like {TF_CONFIG_EXAMPLE} "
            "(see docs/distributed.md)"
        )
    text = os.environ["TF_CONFIG"]
    expected = f"TF_CONFIG must be JSON like {TF_CONFIG_EXAMPLE}"
    try:
        config = json.loads(text)
    except ValueError as err:
        raise ZooError(f"{expected}; it is not JSON ({err}): {_clip(text)}") from None
    if not isinstance(config, dict):
        raise ZooError(f"{expected}, not {_clip(text)}")
    cluster, task = config.get("cluster"), config.get("task")
    if (
        not isinstance(cluster, dict)
        or not cluster
        or not all(
            isinstance(hosts, list) and hosts and all(isinstance(h, str) and ":" in h for h in hosts)
            for hosts in cluster.values()
        )
    ):
        raise ZooError(f'{expected}: its "cluster" must map each job to a list of "host:port" addresses')
    if not isinstance(task, dict) or task.get("type") not in cluster:
        raise ZooError(f'{expected}: its "task" must name this process\'s job, one of {", ".join(map(str, cluster))}')
    index = task.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(cluster[task["type"]]):
        raise ZooError(
            f'{expected}: its task "index" must be 0 to {len(cluster[task["type"]]) - 1} '
            f"(the {task['type']} job has {len(cluster[task['type']])}), not {index!r}"
        )
    return config


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _split_cpu(count: int) -> list[str]:
    import tensorflow as tf

    if count < 2 or tf.config.list_physical_devices("GPU"):
        return []
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)
    except RuntimeError:
        raise ZooError("ZOO_LOGICAL_CPUS must be set before TensorFlow starts (use it in a fresh process)") from None
    return [f"/cpu:{i}" for i in range(count)]
