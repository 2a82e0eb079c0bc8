"""Shared fixtures. Tests run on the embedded MNIST and on data they make themselves: no network."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402

from zoo import artifacts, registry  # noqa: E402

ENTRIES = registry.list_models()
SHIPPED = [name for name in ENTRIES if (artifacts.pretrained_dir(name) / artifacts.CARD).exists()]


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()
