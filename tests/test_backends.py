"""Every shipped .keras file loads and answers on the JAX backend as it does on TensorFlow."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import SHIPPED

from zoo import portability

ROOT = Path(__file__).resolve().parent.parent
TOLERANCE = dict(rtol=1e-4, atol=1e-5)  # float32 kernels: XLA's CPU code under JAX sums in another order
RUN = (
    "import sys, numpy as np, zoo.portability as p; r = p.outputs();"
    "np.savez(sys.argv[1], **{k.replace('/', '|'): v for k, v in r.items()}); print(p.backend())"
)


def _jax_env():
    # XLA's optimisation level 0 for JAX's programs: loading 51 files builds their layers, and JAX compiled ~150
    # initialiser programs for that (23 of the test's 36 s of loading, measured; 9.5 s at level 0). The answers
    # are the same arithmetic, checked against TensorFlow's below.
    return {
        **os.environ,
        "KERAS_BACKEND": "jax",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "XLA_FLAGS": (os.environ.get("XLA_FLAGS", "") + " --xla_backend_optimization_level=0").strip(),
    }


@pytest.mark.slow
def test_every_artifact_answers_on_jax_as_on_tensorflow(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(tmp_path / "jax.npz")],
        env=_jax_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "jax"
    reference = portability.outputs()  # this process runs TensorFlow
    assert {key.split("/")[0] for key in reference} == set(SHIPPED)
    with np.load(tmp_path / "jax.npz") as archive:
        on_jax = {k.replace("|", "/"): archive[k] for k in archive.files}
    assert set(on_jax) == set(reference)
    for key, want in reference.items():
        np.testing.assert_allclose(on_jax[key], want, err_msg=key, **TOLERANCE)


def test_the_jax_snippet_in_the_docs_runs(tmp_path):
    snippet = re.search(r"```python\n(.*?)```", (ROOT / "docs" / "backends.md").read_text(), flags=re.S).group(1)
    done = subprocess.run(
        [sys.executable, "-c", snippet], env=_jax_env(), cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "(1, 10) (4, 784)"
