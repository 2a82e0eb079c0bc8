"""TensorFlow without its noise: the C++ start-up lines, and the retracing warning for functions traced per model.

Importing: without the C++ start-up lines (oneDNN notices, CUDA probing, `failed call to cuInit`).

Those lines bypass Python's logging: TF_CPP_MIN_LOG_LEVEL=3 (unless the user set it) silences the
logged ones, and fd 2 is pointed at /dev/null while the import prints the rest. Every verb that
needs TensorFlow calls `tensorflow()` first, so Python users and the CLI see the same quiet start.
"""

from __future__ import annotations

import os
import sys


def tensorflow():
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            try:
                import tensorflow
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)
    return tensorflow


def traced_per_model(function):
    """`function` (a tf.function built for one model, by design) without TensorFlow's frequent-retracing warning.

    TensorFlow keys that warning on the Python code, so a function built afresh for each model (the gradient
    through time of the four models a picture compares, the sampler of each VAE evaluated, the linear probe of each
    autoencoder, the training loop of each model a Python loop trains through zoo.train) printed "5 out of the last
    5 calls ... triggered tf.function retracing" by the fifth model of a process. The attribute is TensorFlow's own
    opt-out (private: without it the warning merely returns).
    """
    function._omit_frequent_tracing_warning = True
    return function
