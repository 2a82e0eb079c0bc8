"""The zoo's training loop, shared by every family.

Speed comes from doing no Python per step: one compiled call (`tf.function`, XLA by default) runs a
whole chunk of epochs, shuffling with a stateless per-epoch seed and slicing mini-batches in-graph
from tensors that stay on the device. Python only runs between chunks, to report progress, keep
snapshots, write checkpoints and honour Ctrl-C at a clean boundary.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from zoo.checkpoints import plain_json, restore, run_lock, save  # noqa: F401  (run_lock: the API takes it from here)
from zoo.errors import ZooError
from zoo.sigint import graceful_sigint
from zoo.tf_quiet import traced_per_model
from zoo.training_history import History  # noqa: F401  (part of this module's interface)


class Interrupted(ZooError):
    """Ctrl-C stopped training at a chunk boundary; the checkpoint holds every finished epoch (a run without a
    checkpoint raises KeyboardInterrupt instead: there is nothing to resume).

    Raised as Interrupted("interrupted after epoch N; continue with {option}", option="resume", value=True).
    """


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
    snapshot_fn: Callable | None = None,
    checkpoint: Path | None = None,
    resume: bool = False,
    on_chunk: Callable[[int, int, float], None] | None = None,
    checkpoint_seconds: float = 2.0,
    stage: str = "",
    identity: dict | None = None,
) -> History:
    """Train `model` in place by `recipe` (its epochs and seed included); returns the History.

    Args:
        loss_fn: loss_fn(model, x_batch, y_batch, training) -> scalar tensor, the mean over the batch
            (under a distribution strategy each replica's mean is weighted by its share of the batch).
        x, y: the whole training set (NumPy or tensors); batches are cut in-graph.
        recipe: the run's recipe, options already applied: `recipe.epochs` and `recipe.seed` are used as they are.
        snapshot_fn: snapshot_fn(model) -> tensor, traced into the compiled chunk and kept after
            every chunk (the dynamics pictures).
        checkpoint: a file to save progress to; with `resume`, training continues from it.
        on_chunk: on_chunk(epochs_done, epochs_total, last_loss) after every chunk (progress).
        identity: a JSON-able dict naming the run (entry, recipe, ...), stored in the checkpoint; `resume`
            refuses a checkpoint whose identity differs, naming what differs.
    """
    import tensorflow as tf

    epochs, seed = recipe.epochs, recipe.seed
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
        raise ZooError(f"{{option}} must be at least 1, not {epochs!r}", option="epochs")
    identity = plain_json(identity)
    optimizer, history = _start(model, recipe, checkpoint, resume, identity)

    started, before = time.perf_counter(), history.seconds  # seconds of the runs this one resumes

    def elapsed() -> float:
        return before + time.perf_counter() - started

    x = tf.convert_to_tensor(x, tf.float32)
    y = tf.convert_to_tensor(y, tf.float32)
    run_chunk = traced_per_model(_compile_chunk(model, loss_fn, optimizer, recipe, seed, snapshot_fn))  # one per model
    last_saved = time.monotonic()
    with graceful_sigint() as stop_requested:
        while history.epochs < epochs and not _stopped(history, recipe):
            start = history.epochs
            n = min(recipe.chunk, epochs - start)
            ran, losses, norms, snap = run_chunk(x, y, tf.constant(start, tf.int64), n)  # n static: at most two traces
            losses = losses.numpy()[: int(ran)].tolist()
            _check_finite(losses, start, checkpoint)
            _record(history, losses, norms.numpy()[: int(ran)] if recipe.track_gradients else None, stage)
            if snapshot_fn is not None:
                history.snapshot_epochs.append(history.epochs)
                history.snapshots.append(snap.numpy())
            if on_chunk is not None:
                on_chunk(history.epochs, epochs, losses[-1])
            done = history.epochs >= epochs or _stopped(history, recipe)
            if checkpoint is not None and (
                done or stop_requested() or time.monotonic() - last_saved >= checkpoint_seconds
            ):
                history.seconds = elapsed()
                save(checkpoint, model, optimizer, history, identity)
                last_saved = time.monotonic()
            if stop_requested() and not done:
                if checkpoint is None:  # a run inside a picture or a measurement: nothing kept, nothing to resume
                    raise KeyboardInterrupt
                raise Interrupted(
                    f"interrupted after epoch {history.epochs}; continue with {{option}}", option="resume", value=True
                )
    history.seconds = elapsed()
    return history


def _start(model, recipe, checkpoint, resume: bool, identity):
    """(optimizer built for the model's variables, the history so far): empty, or the checkpoint's when resuming."""
    optimizer = make_optimizer(recipe)
    variables = model.trainable_variables
    optimizer.build(variables)
    if checkpoint is not None and resume and Path(checkpoint).exists():
        return optimizer, restore(checkpoint, model, optimizer, identity, recipe.epochs)
    if checkpoint is not None and resume:
        raise ZooError(f"{{option}}: no checkpoint at {checkpoint}; start without it", option="resume", value=True)
    return optimizer, History(grad_names=[v.path for v in variables] if recipe.track_gradients else [])


def _check_finite(losses: list, start: int, checkpoint) -> None:
    """A chunk's epoch losses must be finite: a NaN or an infinity stops the run, naming the epoch."""
    if all(math.isfinite(v) for v in losses):
        return
    bad = start + next(i for i, v in enumerate(losses) if not math.isfinite(v)) + 1
    kept = f"; the last good checkpoint is {checkpoint}" if checkpoint is not None and Path(checkpoint).exists() else ""
    raise ZooError(f"training diverged: the loss became {losses[bad - start - 1]} at epoch {bad}{kept}")


def _record(history: History, losses: list, norms, stage: str) -> None:
    """A chunk's epochs into the history: their losses, stage, and gradient norms (None: not tracked)."""
    history.loss += losses
    history.stages += [stage] * len(losses)
    if norms is not None:
        history.grad_norms += norms.tolist()


MEASURED_STEPS = 500  # gradient norms per epoch a tracked run averages (at least; every step up to 999 steps)


def _measure_every(examples: int | None, batch_size: int) -> int:
    """Measure the gradient norms every k-th step, k chosen so an epoch still measures >= MEASURED_STEPS steps.

    Why not every step: the norms are a per-layer reduction each, and at batch 10 (6,000 steps an epoch)
    they cost more than the step itself under XLA on CPU (mlp-784-30-10: 0.66 -> 0.27 s an epoch, measured).
    The norms never touch the weights, so the training is the same; the history's mean norm is over every
    k-th step. At batch 128 on MNIST (468 steps) k = 1: every step, as before.
    """
    if examples is None:
        return 1
    return max(1, (examples // batch_size) // MEASURED_STEPS)


def _stopped(history: History, recipe) -> bool:
    return recipe.stop_below is not None and bool(history.loss) and history.loss[-1] < recipe.stop_below


def _make_step(model, loss_fn, optimizer, track: bool, strategy):
    """step(x_batch, y_batch, measure) -> (mean loss, gradient norms): one optimizer step, on this device or
    split across a distribution strategy's replicas; the norms are zeros unless tracked (and `measure`)."""
    import tensorflow as tf

    variables = model.trainable_variables
    n_vars = len(variables)
    replicas = strategy.num_replicas_in_sync if strategy is not None else 1

    def local_step(xb, yb, measure):
        with tf.GradientTape() as tape:
            loss = loss_fn(model, xb, yb, True)
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables))
        if not track:
            return loss, tf.zeros([n_vars])
        norms = lambda: tf.stack([tf.norm(g) for g in grads])  # noqa: E731
        return loss, norms() if measure is True else tf.cond(measure, norms, lambda: tf.zeros([n_vars]))

    def replica_step(xb, yb):
        """This replica's part of a step under a distribution strategy; returns its weighted loss.

        The batch is split as evenly as possible (sizes differ by at most one, none is dropped), and
        each replica's mean loss is weighted by its share of the batch, so the gradients Keras sums
        over the replicas are the gradient of the mean over the whole batch. A replica left without
        an example (a batch smaller than the replicas) still takes part in the all-reduce: it runs
        on one example of the batch with weight 0 and adds exactly zero.
        """
        context = tf.distribute.get_replica_context()
        total = tf.shape(xb)[0]
        replica = tf.cast(context.replica_id_in_sync_group, tf.int32)
        start, end = replica * total // replicas, (replica + 1) * total // replicas
        first, count = tf.minimum(start, total - 1), tf.maximum(end - start, 1)
        share = tf.cast(end - start, tf.float32) / tf.cast(total, tf.float32)
        with tf.GradientTape() as tape:
            loss = loss_fn(model, xb[first : first + count], yb[first : first + count], True)
            weighted = tf.math.multiply_no_nan(loss, share)  # exactly 0 for an empty share, whatever the loss
        grads = tape.gradient(weighted, variables)
        if track:  # the norm of the whole batch's gradient, as one device would see it
            norms = tf.stack([tf.norm(g) for g in context.all_reduce(tf.distribute.ReduceOp.SUM, grads)])
        else:
            norms = tf.zeros([n_vars])
        optimizer.apply_gradients(zip(grads, variables))  # Keras sums the replicas' gradients
        return weighted, norms

    def step(xb, yb, measure=True):
        if strategy is None:
            return local_step(xb, yb, measure)
        weighted, norms = strategy.run(replica_step, args=(xb, yb))
        # the weighted losses add up to the batch's mean loss; every replica holds the same norms
        return (
            strategy.reduce(tf.distribute.ReduceOp.SUM, weighted, axis=None),
            strategy.reduce(tf.distribute.ReduceOp.MEAN, norms, axis=None),
        )

    return step


def _compile_chunk(model, loss_fn, optimizer, recipe, seed, snapshot_fn):
    """One compiled call = up to `n` epochs; it stops early, in-graph, once the loss is below stop_below."""
    import tensorflow as tf

    stop_below = -math.inf if recipe.stop_below is None else recipe.stop_below
    track = recipe.track_gradients
    n_vars = len(model.trainable_variables)
    strategy = tf.distribute.get_strategy() if tf.distribute.has_strategy() else None

    step = _make_step(model, loss_fn, optimizer, track, strategy)

    def epoch(x, y, epoch_index):
        if recipe.batch_size is None:
            return step(x, y)
        n = tf.shape(x, out_type=tf.int64)[0]
        # Whole batches only: the last n % batch_size examples of each epoch's shuffled order are not trained
        # on in that epoch (96 of MNIST's 60,000 images in batches of 128); the shuffle drops different ones
        # each epoch. Kept because the shipped artifacts were trained this way: covering the remainder would
        # change what their recipes give.
        steps = n // recipe.batch_size
        # sampled under XLA only, where their cost was measured; without XLA (and under a strategy, whose
        # norms need an all-reduce) every step is measured, as before
        every = _measure_every(x.shape[0], recipe.batch_size) if track and recipe.jit and strategy is None else 1
        order = tf.argsort(tf.random.stateless_uniform([n], seed=tf.stack([tf.cast(seed, tf.int64), epoch_index])))

        def body(s, loss_sum, norm_sum):
            # tf.slice with a constant size: a Python slice with a tensor bound makes tf2xla pad it to a
            # dynamic shape bounded by n, so every step gathered the whole data set (~100x slower on CPU)
            idx = tf.slice(order, tf.reshape(s * recipe.batch_size, [1]), [recipe.batch_size])
            loss, norms = step(tf.gather(x, idx), tf.gather(y, idx), True if every == 1 else s % every == 0)
            return s + 1, loss_sum + loss, norm_sum + norms

        _, loss_sum, norm_sum = tf.while_loop(
            lambda s, *_: s < steps, body, (tf.constant(0, tf.int64), tf.constant(0.0), tf.zeros([n_vars]))
        )
        measured = tf.cast((steps + every - 1) // every, tf.float32)  # steps 0, every, 2 every, ...
        return loss_sum / tf.cast(steps, tf.float32), norm_sum / measured

    # XLA cannot compile across a strategy's devices. No autograph: the loops are explicit tf.while_loops and
    # every Python `if` here is on static values, so converting the code would only cost start-up (~1 s of
    # `zoo train encoder-9-2-9`'s ~2 s after the import, measured)
    @tf.function(jit_compile=recipe.jit and strategy is None, autograph=False)
    def run_chunk(x, y, start, n):
        # fixed-size outputs (XLA wants static shapes); `e` says how many epochs ran before an early stop
        losses = tf.TensorArray(tf.float32, size=n)
        norms = tf.TensorArray(tf.float32, size=n, element_shape=[n_vars])

        def body(e, last, losses, norms):
            loss, norm = epoch(x, y, start + tf.cast(e, tf.int64))
            return e + 1, loss, losses.write(e, loss), norms.write(e, norm)

        def keep_going(e, last, *_):
            return tf.logical_and(e < n, tf.logical_and(last >= stop_below, tf.math.is_finite(last)))

        e, _, losses, norms = tf.while_loop(
            keep_going, body, (tf.constant(0), tf.constant(np.finfo(np.float32).max), losses, norms)
        )
        snap = snapshot_fn(model) if snapshot_fn is not None else tf.zeros([0])
        return e, losses.stack(), norms.stack(), snap

    return run_chunk
