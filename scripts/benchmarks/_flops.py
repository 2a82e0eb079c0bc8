"""Compute-bound estimates: matmul FLOPs of a Keras model counted from its weights, and the machine's rate.

forward_flops counts 2 x (multiply-adds) of every Dense, Conv and recurrent matmul for one example;
training one example costs about 3x that (forward, and two matmuls of the same size backward: the
gradients with respect to the inputs and to the weights). Elementwise work (activations, losses,
optimizer updates, random draws) is not counted: it is what the bound leaves out, and what a
loop near the bound has to keep small.
"""

from __future__ import annotations

import math
import time


def _shape(layer, attribute: str):
    try:
        return tuple(getattr(layer, attribute).shape)
    except (AttributeError, ValueError, RuntimeError):  # a layer not called in a functional graph
        return None


def _timesteps(layer) -> int:
    shape = _shape(layer, "input")
    return int(shape[1]) if shape is not None and len(shape) == 3 and shape[1] is not None else 1


def forward_flops(model) -> int:
    """Matmul FLOPs of one example's forward pass (2 per multiply-add), from the weights' shapes."""
    import keras

    total, cells = 0, set()
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.RNN):  # the cell's input and recurrent kernels, once per time step
            cells.add(id(layer.cell))
            kernels = [w for w in layer.cell.weights if len(w.shape) == 2]
            total += 2 * sum(math.prod(w.shape) for w in kernels) * _timesteps(layer)
        elif id(layer) in cells or isinstance(layer, (keras.Model,)):
            continue  # counted with its RNN, or a container whose layers are visited themselves
        elif isinstance(layer, keras.layers.Dense):
            shape = _shape(layer, "input")  # a Dense on (batch, steps, features) runs once per step
            positions = math.prod(d for d in shape[1:-1] if d) if shape is not None and len(shape) > 2 else 1
            total += 2 * math.prod(layer.kernel.shape) * positions
        elif hasattr(layer, "kernel") and len(layer.kernel.shape) >= 3:  # Conv1D/2D/3D: once per output position
            out = _shape(layer, "output")
            positions = math.prod(out[1:-1]) if out is not None else 1
            total += 2 * math.prod(layer.kernel.shape) * positions
        else:  # a custom layer (the lecture's LSTM): its 2-D weights, once per time step of its input
            kernels = [w for w in layer.weights if len(w.shape) == 2 and w.trainable]
            total += 2 * sum(math.prod(w.shape) for w in kernels) * _timesteps(layer)
    return int(total)


def epoch_flops(model, examples: int) -> int:
    """Training FLOPs of one epoch over `examples`: 3x the forward matmuls (forward + backward)."""
    return 3 * forward_flops(model) * examples


def matmul_rate(n: int = 2048, repeats: int = 7) -> float:
    """float32 FLOP/s of a large tf.linalg.matmul on this machine now (best of XLA and TF's kernel, median of
    repeats)."""
    import tensorflow as tf

    a = tf.random.stateless_normal([n, n], seed=[0, 0])
    best = 0.0
    for jit in (True, False):
        f = tf.function(lambda a: tf.reduce_sum(tf.linalg.matmul(a, a)), jit_compile=jit)
        f(a).numpy()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            f(a).numpy()
            times.append(time.perf_counter() - start)
        best = max(best, 2 * n**3 / sorted(times)[len(times) // 2])
    return best
