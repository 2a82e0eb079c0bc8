"""Training beyond one device, on TensorFlow's own engine, through the one zoo training loop.

`zoo train NAME --strategy mirrored` uses every GPU (or, without GPUs, the CPU split into
ZOO_LOGICAL_CPUS logical devices, which is how the tests exercise it on a laptop);
`--strategy multiworker` reads the cluster from TF_CONFIG. The loop in zoo.training notices the
strategy it runs under and gives each replica an equal slice of every batch.
"""
from __future__ import annotations

import os

from zoo.errors import ZooError

STRATEGIES = ("mirrored", "multiworker")


def make_strategy(name: str | None):
    """A tf.distribute strategy by name; None gives the default (single-device) one."""
    import tensorflow as tf

    if name is None:
        return tf.distribute.get_strategy()
    if name == "mirrored":
        devices = _split_cpu_if_asked() or None
        return tf.distribute.MirroredStrategy(devices)
    if name == "multiworker":
        if "TF_CONFIG" not in os.environ:
            raise ZooError("--strategy multiworker needs TF_CONFIG describing the cluster (see docs/distributed.md)")
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ZooError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")


def _split_cpu_if_asked() -> list[str]:
    import tensorflow as tf

    count = int(os.environ.get("ZOO_LOGICAL_CPUS", "0") or 0)
    if count < 2 or tf.config.list_physical_devices("GPU"):
        return []
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)
    except RuntimeError:
        raise ZooError("ZOO_LOGICAL_CPUS must be set before TensorFlow starts (use it in a fresh process)") from None
    return [f"/cpu:{i}" for i in range(count)]
