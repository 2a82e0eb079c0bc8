"""Shared fixtures. Tests run on the embedded MNIST and on data they make themselves: no network."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _split_the_cores_between_workers() -> None:
    """Each pytest-xdist worker gets its share of the cores for TensorFlow's thread pools (and so does every
    process it starts): two workers each running two-thread pools on two cores left the cores idle part of
    the time (the 51 short-training tests: 184 s with TensorFlow's defaults, 171 s with one thread each,
    measured side by side)."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        share = str(max(1, (os.cpu_count() or 1) // workers))
        os.environ.setdefault("TF_NUM_INTRAOP_THREADS", share)
        os.environ.setdefault("TF_NUM_INTEROP_THREADS", share)


_split_the_cores_between_workers()

import pytest  # noqa: E402

import zoo  # noqa: E402
from zoo import artifacts  # noqa: E402

ENTRIES = zoo.list_models()
SHIPPED = [name for name in ENTRIES if artifacts.ships(name)]


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


@pytest.fixture
def copy_of_encoder(tmp_path):
    """A copy of the shipped encoder-9-2-9 artifact, to alter."""
    import shutil

    folder = tmp_path / "encoder-9-2-9"
    shutil.copytree(artifacts.pretrained_dir("encoder-9-2-9"), folder)
    return folder


def first_output(outputs):
    """The first output of a model or endpoint that may return a tensor, a list or a dict."""
    if isinstance(outputs, dict):
        return list(outputs.values())[0]
    return outputs[0] if isinstance(outputs, (list, tuple)) else outputs


def random_inputs(name, model, n):
    """n random inputs in [0, 1) of the shape entry `name`'s model takes."""
    import numpy as np

    entry = zoo.get(name)
    shape = entry.family.input_shape(entry, model)
    return np.random.default_rng(0).random((n,) + shape, dtype=np.float32)


def pytest_collection_modifyitems(items):
    """The `slow` tests first: pytest-xdist hands tests out in this order, so the long ones start while
    the other worker still has short ones to take, instead of one of them running alone at the end
    (longest first is the classic way to balance jobs over machines)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # a stable sort keeps the rest in order
