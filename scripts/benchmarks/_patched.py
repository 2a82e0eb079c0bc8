"""The training-loop change this benchmark proposes for zoo/training.py, applied in memory for a before/after.

PATCH maps the shipped text to the proposed text. `patched_training()` returns a copy of zoo.training
with it applied (None once zoo/training.py already holds the change), so one bench run times both loops
on the same machine at the same moment.

The change: one tf.gather per epoch puts the shuffled examples in order, and each step takes a
contiguous fixed-size tf.slice of them, instead of gathering `batch_size` rows per step. Under XLA
on CPU that per-step gather of a few rows cost more than the step's arithmetic at small batches.
Same order, same batches: the training maths is unchanged. Cost: one shuffled copy of x per epoch.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

OLD = """        def body(s, loss_sum, norm_sum):
            # tf.slice with a constant size: a Python slice with a tensor bound makes tf2xla pad it to a
            # dynamic shape bounded by n, so every step gathered the whole data set (~100x slower on CPU)
            idx = tf.slice(order, tf.reshape(s * recipe.batch_size, [1]), [recipe.batch_size])
            loss, norms = step(tf.gather(x, idx), tf.gather(y, idx))
"""
NEW = """        # One gather per epoch puts the shuffled examples in order, and each step slices a contiguous batch:
        # a gather of a few rows per step costs more than a small step's arithmetic (a stand-alone XLA epoch of
        # mlp-784-30-10 at batch 10: 1.3 -> 0.4 s; see docs/benchmarks.md for this loop). Same batches; costs
        # one shuffled copy of x per epoch.
        xs, ys = tf.gather(x, order), tf.gather(y, order)

        def rows(t, start):
            # tf.slice with a constant size: a Python slice with a tensor bound makes tf2xla pad it to a
            # dynamic shape bounded by n, so every step gathered the whole data set (~100x slower on CPU)
            begin = tf.concat([tf.reshape(start, [1]), tf.zeros([t.shape.rank - 1], tf.int64)], 0)
            return tf.slice(t, begin, [recipe.batch_size] + t.shape[1:].as_list())  # static sizes: XLA needs them

        def body(s, loss_sum, norm_sum):
            loss, norms = step(rows(xs, s * recipe.batch_size), rows(ys, s * recipe.batch_size))
"""


def patched_training():
    """zoo.training with PATCH applied, as a separate module object; None if the source has changed."""
    import zoo.training

    source = Path(zoo.training.__file__).read_text()
    if OLD not in source:
        return None
    spec = importlib.util.spec_from_loader("zoo_training_patched", loader=None)
    module = importlib.util.module_from_spec(spec)
    import tensorflow as tf

    exec(compile(source.replace(OLD, NEW), "zoo/training.py (patched)", "exec"), module.__dict__)
    # autograph cannot read source that is not in a file; the loop uses tf.while_loop explicitly, so skip it
    module._compile_chunk = _no_autograph(module._compile_chunk, tf)
    return module


def _no_autograph(compile_chunk, tf):
    def wrapped(*args, **kwargs):
        run_chunk = compile_chunk(*args, **kwargs)
        return tf.function(run_chunk.python_function, jit_compile=run_chunk._jit_compile, autograph=False)

    return wrapped


def diff() -> str:
    """The proposal as a unified diff against zoo/training.py."""
    import difflib

    import zoo.training

    source = Path(zoo.training.__file__).read_text()
    return "".join(difflib.unified_diff(source.splitlines(True), source.replace(OLD, NEW).splitlines(True),
                                        "a/zoo/training.py", "b/zoo/training.py"))
