"""Shared fixtures. Tests run on the embedded MNIST and on data they make themselves: no network."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _share_xla_compilations() -> str | None:
    """One XLA compilation cache for the whole run, every pytest-xdist worker and every `zoo` process the tests
    start: many tests compile the same program (the seed test trains an entry three times, the interrupt test
    starts five runs of one entry, the CLI tests and the README's snippets train encoder-9-2-9), and a hit
    loads the compiled code instead of compiling it again. The process that runs the session makes the folder
    before it starts the workers, which inherit its environment, and removes it when the run ends. Returns
    the folder if this process made it (None in a worker, or when a folder was given from outside)."""
    import tempfile

    if os.environ.get("ZOO_TESTS_XLA_CACHE"):
        return None
    folder = os.environ["ZOO_TESTS_XLA_CACHE"] = tempfile.mkdtemp(prefix="zoo-tests-xla-cache-")
    flag = f"--tf_xla_persistent_cache_directory={folder}"
    os.environ["TF_XLA_FLAGS"] = (os.environ.get("TF_XLA_FLAGS", "") + " " + flag).strip()
    return folder


_XLA_CACHE_MADE_HERE = _share_xla_compilations()


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
SHIPPED = [name for name in ENTRIES if (artifacts.pretrained_dir(name) / artifacts.CARD).exists()]


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


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


def pytest_sessionfinish(session):
    """The run's XLA cache goes with the run, removed by the process that made it (never a folder set from outside)."""
    import shutil

    if _XLA_CACHE_MADE_HERE:
        shutil.rmtree(_XLA_CACHE_MADE_HERE, ignore_errors=True)
