"""The zoo's training loop, shared by every family.

Speed comes from doing no Python per step: one compiled call (`tf.function`, XLA by default) runs a
whole chunk of epochs, shuffling with a stateless per-epoch seed and slicing mini-batches in-graph
from tensors that stay on the device. Python only runs between chunks, to report progress, keep
snapshots, write checkpoints and honour Ctrl-C at a clean boundary.
"""
from __future__ import annotations

import math
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from zoo.errors import ZooError


@dataclass
class History:
    """What training leaves behind besides the weights (saved with the artifact as history.npz)."""

    loss: list[float] = field(default_factory=list)                # per epoch
    grad_norms: list[list[float]] = field(default_factory=list)    # per epoch, per trainable variable
    grad_names: list[str] = field(default_factory=list)
    snapshot_epochs: list[int] = field(default_factory=list)
    snapshots: list[np.ndarray] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)                # per epoch, for multi-stage recipes

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays = {
            "loss": np.asarray(self.loss, np.float32),
            "grad_norms": np.asarray(self.grad_norms, np.float32).reshape(len(self.grad_norms), len(self.grad_names)),
            "grad_names": np.asarray(self.grad_names, dtype=str),
            "snapshot_epochs": np.asarray(self.snapshot_epochs, np.int64),
            "stages": np.asarray(self.stages, dtype=str),
        }
        if self.snapshots:
            arrays["snapshots"] = np.stack(self.snapshots)
        return arrays

    @classmethod
    def from_arrays(cls, arrays) -> "History":
        return cls(
            loss=[float(v) for v in arrays["loss"]],
            grad_norms=[list(map(float, row)) for row in arrays["grad_norms"]],
            grad_names=[str(n) for n in arrays["grad_names"]],
            snapshot_epochs=[int(e) for e in arrays["snapshot_epochs"]],
            snapshots=list(arrays["snapshots"]) if "snapshots" in arrays else [],
            stages=[str(s) for s in arrays["stages"]] if "stages" in arrays else [],
        )


class Interrupted(ZooError):
    """Ctrl-C stopped training at a chunk boundary; the checkpoint holds every finished epoch."""


def make_optimizer(recipe):
    import keras

    config = {"learning_rate": recipe.learning_rate, **recipe.extras.get("optimizer_args", {})}
    if recipe.optimizer.lower() == "sgd":
        config["momentum"] = recipe.momentum
    try:
        return keras.optimizers.get({"class_name": recipe.optimizer, "config": config})
    except ValueError as err:
        raise ZooError(f"recipe optimizer {recipe.optimizer!r}: {err}") from None


def fit(
    model,
    loss_fn: Callable,
    x,
    y,
    recipe,
    *,
    epochs: int | None = None,
    seed: int | None = None,
    snapshot_fn: Callable | None = None,
    checkpoint: Path | None = None,
    resume: bool = False,
    on_chunk: Callable[[int, int, float], None] | None = None,
    checkpoint_seconds: float = 2.0,
    stage: str = "",
    strategy=None,
) -> History:
    """Train `model` in place by `recipe`; returns the History.

    Args:
        loss_fn: loss_fn(model, x_batch, y_batch, training) -> scalar tensor.
        x, y: the whole training set (NumPy or tensors); batches are cut in-graph.
        epochs, seed: override the recipe's.
        snapshot_fn: snapshot_fn(model) -> tensor, traced into the compiled chunk and kept after
            every chunk (the dynamics pictures).
        checkpoint: a file to save progress to; with `resume`, training continues from it.
        on_chunk: on_chunk(epochs_done, epochs_total, last_loss) after every chunk (progress).
    """
    import tensorflow as tf

    epochs = recipe.epochs if epochs is None else epochs
    seed = recipe.seed if seed is None else seed
    if epochs < 1:
        raise ZooError(f"--epochs must be at least 1, not {epochs}")
    optimizer = make_optimizer(recipe)
    variables = model.trainable_variables
    optimizer.build(variables)
    history = History(grad_names=[v.path for v in variables] if recipe.track_gradients else [])
    if checkpoint is not None and resume and Path(checkpoint).exists():
        history = _restore(checkpoint, model, optimizer)
    elif checkpoint is not None and resume:
        raise ZooError(f"--resume: no checkpoint at {checkpoint}; start without --resume")

    x = tf.convert_to_tensor(x, tf.float32)
    y = tf.convert_to_tensor(y, tf.float32)
    run_chunk = _compile_chunk(model, loss_fn, optimizer, recipe, seed, snapshot_fn)
    last_saved = time.monotonic()
    with _graceful_sigint() as stop_requested:
        while history.epochs < epochs and not _stopped(history, recipe):
            start = history.epochs
            n = min(recipe.chunk, epochs - start)
            ran, losses, norms, snap = run_chunk(x, y, tf.constant(start, tf.int64), n)  # n static: at most two traces
            losses = losses.numpy()[: int(ran)].tolist()
            if not all(math.isfinite(v) for v in losses):
                bad = start + next(i for i, v in enumerate(losses) if not math.isfinite(v)) + 1
                kept = f"; the last good checkpoint is {checkpoint}" if checkpoint is not None and Path(checkpoint).exists() else ""
                raise ZooError(f"training diverged: the loss became {losses[bad - start - 1]} at epoch {bad}{kept}")
            history.loss += losses
            history.stages += [stage] * len(losses)
            if recipe.track_gradients:
                history.grad_norms += norms.numpy()[: int(ran)].tolist()
            if snapshot_fn is not None:
                history.snapshot_epochs.append(history.epochs)
                history.snapshots.append(snap.numpy())
            if on_chunk is not None:
                on_chunk(history.epochs, epochs, losses[-1])
            done = history.epochs >= epochs or _stopped(history, recipe)
            if checkpoint is not None and (done or stop_requested() or time.monotonic() - last_saved >= checkpoint_seconds):
                _save(checkpoint, model, optimizer, history)
                last_saved = time.monotonic()
            if stop_requested() and not done:
                raise Interrupted(f"interrupted after epoch {history.epochs}; continue with --resume")
    return history


def _stopped(history: History, recipe) -> bool:
    return recipe.stop_below is not None and bool(history.loss) and history.loss[-1] < recipe.stop_below


def _compile_chunk(model, loss_fn, optimizer, recipe, seed, snapshot_fn):
    """One compiled call = up to `n` epochs; it stops early, in-graph, once the loss is below stop_below."""
    import tensorflow as tf

    variables = model.trainable_variables
    stop_below = -math.inf if recipe.stop_below is None else recipe.stop_below
    track = recipe.track_gradients
    n_vars = len(variables)
    strategy = tf.distribute.get_strategy() if tf.distribute.has_strategy() else None
    replicas = strategy.num_replicas_in_sync if strategy is not None else 1

    def local_step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(model, xb, yb, True)
            scaled = loss / replicas  # Keras sums gradients over replicas: each adds its share of the global mean
        grads = tape.gradient(scaled, variables)
        optimizer.apply_gradients(zip(grads, variables))
        norms = tf.stack([tf.norm(g) * replicas for g in grads]) if track else tf.zeros([n_vars])
        return loss, norms

    def replica_step(xb, yb):
        """Under a distribution strategy each replica takes its equal slice of the batch."""
        context = tf.distribute.get_replica_context()
        size = tf.shape(xb)[0] // replicas
        start = tf.cast(context.replica_id_in_sync_group, tf.int32) * size
        return local_step(xb[start:start + size], yb[start:start + size])

    def step(xb, yb):
        if strategy is None:
            return local_step(xb, yb)
        loss, norms = strategy.run(replica_step, args=(xb, yb))
        mean = tf.distribute.ReduceOp.MEAN  # norms: the mean over replicas of each replica's own gradient norm
        return strategy.reduce(mean, loss, axis=None), strategy.reduce(mean, norms, axis=None)

    def epoch(x, y, epoch_index):
        if recipe.batch_size is None:
            return step(x, y)
        n = tf.shape(x, out_type=tf.int64)[0]
        steps = n // recipe.batch_size  # the remainder is dropped: static shapes keep XLA happy, and the shuffle changes which
        order = tf.argsort(tf.random.stateless_uniform([n], seed=tf.stack([tf.cast(seed, tf.int64), epoch_index])))

        def body(s, loss_sum, norm_sum):
            # tf.slice with a constant size: a Python slice with a tensor bound makes tf2xla pad it to a
            # dynamic shape bounded by n, so every step gathered the whole data set (~100x slower on CPU)
            idx = tf.slice(order, tf.reshape(s * recipe.batch_size, [1]), [recipe.batch_size])
            loss, norms = step(tf.gather(x, idx), tf.gather(y, idx))
            return s + 1, loss_sum + loss, norm_sum + norms

        _, loss_sum, norm_sum = tf.while_loop(
            lambda s, *_: s < steps, body, (tf.constant(0, tf.int64), tf.constant(0.0), tf.zeros([n_vars]))
        )
        count = tf.cast(steps, tf.float32)
        return loss_sum / count, norm_sum / count

    @tf.function(jit_compile=recipe.jit and strategy is None)  # XLA cannot compile across a strategy's devices
    def run_chunk(x, y, start, n):
        # fixed-size outputs (XLA wants static shapes); `e` says how many epochs ran before an early stop
        losses = tf.TensorArray(tf.float32, size=n)
        norms = tf.TensorArray(tf.float32, size=n, element_shape=[n_vars])

        def body(e, last, losses, norms):
            loss, norm = epoch(x, y, start + tf.cast(e, tf.int64))
            return e + 1, loss, losses.write(e, loss), norms.write(e, norm)

        def keep_going(e, last, *_):
            return tf.logical_and(e < n, tf.logical_and(last >= stop_below, tf.math.is_finite(last)))

        e, _, losses, norms = tf.while_loop(keep_going, body, (tf.constant(0), tf.constant(np.finfo(np.float32).max), losses, norms))
        snap = snapshot_fn(model) if snapshot_fn is not None else tf.zeros([0])
        return e, losses.stack(), norms.stack(), snap

    return run_chunk


def _save(path: Path, model, optimizer, history: History) -> None:
    """Weights, optimizer state and history in one file, replaced atomically."""
    path = Path(path)
    arrays = {f"w{i}": np.asarray(w) for i, w in enumerate(model.get_weights())}
    arrays |= {f"o{i}": np.asarray(v) for i, v in enumerate(optimizer.variables)}
    arrays |= {f"h_{k}": v for k, v in history.to_arrays().items()}
    tmp = path.with_name(path.name + ".tmp.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(tmp, **arrays)
        tmp.replace(path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise ZooError(f"cannot write the checkpoint {path}: {err.strerror or err}") from None


def _restore(path: Path, model, optimizer) -> History:
    try:
        with np.load(path) as archive:
            weights = [archive[f"w{i}"] for i in range(len(model.get_weights()))]
            states = [archive[f"o{i}"] for i in range(len(optimizer.variables))]
            history = History.from_arrays({k[2:]: archive[k] for k in archive.files if k.startswith("h_")})
    except (OSError, KeyError, ValueError) as err:
        raise ZooError(f"{path}: not a usable checkpoint for this entry ({err}); delete it and start again") from None
    model.set_weights(weights)
    for variable, value in zip(optimizer.variables, states):
        variable.assign(value)
    return history


@contextmanager
def _graceful_sigint():
    """The first Ctrl-C asks training to stop at the next chunk boundary; a second one stops at once."""
    requested = []

    def handler(signum, frame):
        if requested:
            raise KeyboardInterrupt
        requested.append(signum)

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not in the main thread: leave signals alone
        yield lambda: False
        return
    try:
        yield lambda: bool(requested)
    finally:
        signal.signal(signal.SIGINT, previous)
