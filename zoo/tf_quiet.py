"""Import TensorFlow without its C++ start-up lines (oneDNN notices, CUDA probing, `failed call to cuInit`).

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
