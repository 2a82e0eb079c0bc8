"""Measurements of the recurrent family: test error against the trivial baseline, the gradient through time,
the gates and states of one sequence, and the table across sequence lengths.

The gradient through time: for each test sequence n and step t, ||dL_n / dx_{n,t}||, the norm of the
gradient of that sequence's loss with respect to its input at step t, averaged over GRAD_SEQUENCES
test sequences. How much of the loss reaches the early steps, against the late ones, is the
vanishing gradient measured: `grad_ratio` = mean over the first EDGE of the steps / mean over the last EDGE.
"""

from __future__ import annotations

import numpy as np

GRAD_SEQUENCES = 500  # test sequences the gradient through time is averaged over (fixed: re-measurable)
EDGE = 0.1  # the fraction of steps at each end grad_ratio compares
BASELINE = 1.0  # the trivial prediction of the adding problem: the mean of the target


def recurrent_of(model):
    """(index in model.layers, layer) of the model's one recurrent layer."""
    import keras

    return next((i, layer) for i, layer in enumerate(model.layers) if isinstance(layer, keras.layers.RNN))


def unrolled(model):
    """A copy of `model` whose recurrent layers run unrolled over their fixed steps, with the same weights."""
    import keras

    def clone(layer):
        config = layer.get_config()
        if isinstance(layer, keras.layers.RNN):
            config["unroll"] = True
        return layer.__class__.from_config(config)

    twin = keras.models.clone_model(model, clone_function=clone)
    twin.set_weights(model.get_weights())
    return twin


def predict(model, x, batch: int = 1000) -> np.ndarray:
    # compiled (Keras' predict): eagerly the recurrent layer steps through time in Python, op by op (adding-lstm-200's
    # 2,000 test sequences: 0.61 s against 1.94 s, measured)
    return model.predict(x, batch_size=batch, verbose=0)


def input_gradients(entry, model, x, y) -> np.ndarray:
    """(steps,) mean over the sequences of ||dL_n/dx_{n,t}||; the loss summed, so each sequence counts whole."""
    import tensorflow as tf

    from zoo.losses import get_loss
    from zoo.tf_quiet import traced_per_model

    x, y = tf.constant(x[:GRAD_SEQUENCES]), tf.constant(y[:GRAD_SEQUENCES])
    steps = recurrent_of(model)[1].input.shape[1]
    loss_fn = get_loss(entry.recipe.loss)

    # a graph: eagerly the recurrent layer steps through time in Python (adding-lstm-200: 1.89 -> 0.79 s, measured)
    @tf.function(autograph=False)
    def gradient(x, y):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = loss_fn(y, model(x, training=False)) * tf.cast(tf.shape(x)[0], tf.float32)
        return tape.gradient(loss, x)

    grads = traced_per_model(gradient)(x, y).numpy().reshape(len(x), steps, -1)  # `zoo train adding-*` warned
    return np.linalg.norm(grads, axis=-1).mean(axis=0)


def gradient_summary(curve: np.ndarray) -> dict:
    edge = max(1, int(round(EDGE * len(curve))))
    early, late = float(curve[:edge].mean()), float(curve[-edge:].mean())
    return {"grad_early": early, "grad_late": late, "grad_ratio": early / late if late > 0 else float("nan")}


def evaluate(entry, model, test) -> dict:
    """Adding entries: test MSE, the baseline's and their ratio; classifiers: accuracy and loss. Both: the gradient."""
    outputs = predict(model, test.x)
    if entry.task == "classify":
        labels = test.y.argmax(1)
        loss = float(np.mean(-np.log(np.clip(outputs[np.arange(len(labels)), labels], 1e-7, 1.0))))
        metrics = {"test_accuracy": float(np.mean(outputs.argmax(1) == labels)), "test_loss": loss}
    else:
        mse = float(np.mean((outputs - test.y) ** 2))
        baseline = float(np.mean((BASELINE - test.y) ** 2))
        metrics = {"test_mse": mse, "baseline_mse": baseline, "mse_vs_baseline": mse / baseline}
    return {**metrics, **gradient_summary(input_gradients(entry, model, test.x, test.y))}


def _inputs_of_recurrent(model, x):
    """What the recurrent layer receives for inputs x (the layers before it applied, e.g. the rows reshape)."""
    index, _ = recurrent_of(model)
    for layer in model.layers[:index]:
        x = layer(x)
    return np.asarray(x)


def states(model, sequence) -> dict:
    """One sequence (steps, features) through the model's recurrent layer: name -> (steps, units).

    An LSTM runs through zoo.families.recurrent.layers.LectureLSTM on its trained weights: the forget, input and
    output gates, the cell state and the hidden state. A plain RNN gives its hidden state.
    """
    import keras

    from zoo.families.recurrent.layers import LectureLSTM

    _, layer = recurrent_of(model)
    x = sequence[None]
    if isinstance(layer, keras.layers.LSTM):
        trace = LectureLSTM(layer.units).from_keras(layer).trace(x)
        return {
            name: np.asarray(trace[key])[0]
            for name, key in (
                ("forget gate f", "forget"),
                ("input gate i", "input"),
                ("output gate o", "output"),
                ("cell state c", "c"),
                ("hidden state h", "h"),
            )
        }
    twin = layer.__class__.from_config({**layer.get_config(), "return_sequences": True})
    twin.build(x.shape)
    twin.set_weights(layer.get_weights())
    return {"hidden state h": np.asarray(twin(x))[0]}


def siblings(entry) -> list:
    """The entries of the same family and length whose cell differs (the RNN of an LSTM, and the other way)."""
    from zoo.registry import ENTRIES

    keep = ("length", "units")
    return [
        e
        for e in ENTRIES.values()
        if e.family is entry.family
        and e.params.get("cell") != entry.params.get("cell")
        and all(e.params.get(k) == entry.params.get(k) for k in keep)
        and entry.params.get("length") is not None
    ]


def gradient_curves(entry, model, test) -> dict:
    """label -> (steps,) gradient through time: this model, each sibling's shipped artifact, and both at
    initialisation."""
    from zoo import artifacts

    cell = lambda e: e.params.get("cell", "lstm").upper()  # noqa: E731
    curves = {f"{cell(entry)} trained (this artifact)": input_gradients(entry, model, test.x, test.y)}
    for other in siblings(entry):
        if artifacts.ships(other.name):
            trained = artifacts.load_keras(artifacts.pretrained_dir(other.name))
            curves[f"{cell(other)} trained ({other.name}, shipped)"] = input_gradients(other, trained, test.x, test.y)
    for each in [entry, *siblings(entry)]:
        curves[f"{cell(each)} at initialisation"] = input_gradients(each, each.build(), test.x, test.y)
    return curves


def through_time(entry, model, test):
    """(inputs of the recurrent layer for the first test sequence, its states, the gradient curves)."""
    sequence = _inputs_of_recurrent(model, test.x[:1])[0]
    return sequence, states(model, sequence), gradient_curves(entry, model, test)


def length_table(family) -> list[dict]:
    """One row per shipped adding entry, from its verified card: cell, length and the measured numbers."""
    from zoo import artifacts
    from zoo.registry import ENTRIES

    rows = []
    for entry in ENTRIES.values():
        card = artifacts.shipped_card(entry.name) if entry.family is family and entry.params.get("length") else None
        if card is not None:
            rows.append(
                {
                    "cell": entry.params["cell"],
                    "length": entry.params["length"],
                    **card["metrics"],
                    "seconds": card["training_seconds"],
                    "epochs": card["epochs_run"],
                }
            )
    return sorted(rows, key=lambda r: (r["length"], r["cell"]))


def docs(cards: list[dict]) -> str:
    """The table across lengths, from the cards: RNN against LSTM at each sequence length."""
    by = {(c["params"].get("length"), c["params"].get("cell")): c for c in cards if c["params"].get("length")}
    lengths = sorted({length for length, _ in by})
    lines = [
        "## The adding problem across sequence lengths",
        "",
        "Test MSE on 2,000 fixed test sequences; the trivial baseline always predicts 1 (MSE about 0.167). "
        "`grad ratio` is the mean gradient of the loss reaching the first 10% of the steps over that "
        "reaching the last 10% (on 500 test sequences, at the trained weights): the vanishing gradient, measured. "
        "`zoo plot adding-lstm-200 --kind lengths` draws this table.",
        "",
        "| T | baseline MSE | RNN MSE | LSTM MSE | RNN / baseline | LSTM / baseline | RNN grad ratio | LSTM grad ratio "
        "| RNN s | LSTM s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]

    def cell(length, kind, key, fmt="{:.4f}"):
        card = by.get((length, kind))
        if card is None:
            return "not trained"
        value = card["training_seconds"] if key == "seconds" else card["metrics"].get(key)
        return fmt.format(value) if isinstance(value, (int, float)) else str(value)

    for length in lengths:
        either = "lstm" if (length, "lstm") in by else "rnn"  # both cells of a length see the same test sequences
        lines.append(
            f"| {length} | {cell(length, either, 'baseline_mse')} | "
            + " | ".join(
                [
                    cell(length, "rnn", "test_mse", "{:.3g}"),
                    cell(length, "lstm", "test_mse", "{:.3g}"),
                    cell(length, "rnn", "mse_vs_baseline", "{:.3f}"),
                    cell(length, "lstm", "mse_vs_baseline", "{:.3f}"),
                    cell(length, "rnn", "grad_ratio", "{:.3g}"),
                    cell(length, "lstm", "grad_ratio", "{:.3g}"),
                    cell(length, "rnn", "seconds", "{:.0f}"),
                    cell(length, "lstm", "seconds", "{:.0f}"),
                ]
            )
            + " |"
        )
    lines += [
        "",
        "A grad ratio of 0 means the gradient reaching the first steps underflowed float32: it vanished entirely.",
    ]
    return "\n".join(lines)
