"""The MLP family's networks: the lecture's plain sigmoid stacks and the depth table's deep nets (Keras inside)."""

from __future__ import annotations


def build_mlp(sizes, activation="sigmoid", output="sigmoid", init="normal", name="mlp"):
    """A plain stack of Dense layers, sizes = (inputs, hidden..., outputs).

    Args:
        init: "normal": weights and biases from N(0, 1) (the lecture's Network); otherwise a Keras
            initializer name for the kernels, with zero biases.
    """
    import keras

    def kernel():
        return keras.initializers.RandomNormal(0.0, 1.0) if init == "normal" else init

    def bias():
        return keras.initializers.RandomNormal(0.0, 1.0) if init == "normal" else "zeros"

    layers = [keras.Input((sizes[0],), name="pixels")]
    for i, width in enumerate(sizes[1:-1], 1):
        layers.append(
            keras.layers.Dense(
                width, activation=activation, kernel_initializer=kernel(), bias_initializer=bias(), name=f"hidden{i}"
            )
        )
    layers.append(
        keras.layers.Dense(
            sizes[-1], activation=output, kernel_initializer=kernel(), bias_initializer=bias(), name="output"
        )
    )
    return keras.Sequential(layers, name=name)


def build_deep(kind: str, depth: int, width: int = 100):
    """`depth` Dense layers in all (hidden + output), each hidden one `width` wide.

    kind: "sigmoid" (Glorot init), "relu" (He init), "selu" (LeCun-normal init, alpha dropout),
    "bn" (He init, Dense -> batch norm -> ReLU), "residual" (a stem, then blocks
    h + W2 relu(W1 relu(h)) whose W2 starts at zero so each block starts as the identity).
    """
    import keras

    from zoo.dropout import FastAlphaDropout

    inputs = keras.Input((784,), name="pixels")
    h = inputs
    if kind in ("sigmoid", "relu", "selu"):
        init = {"sigmoid": "glorot_uniform", "relu": "he_normal", "selu": "lecun_normal"}[kind]
        for i in range(1, depth):
            h = keras.layers.Dense(width, activation=kind, kernel_initializer=init, name=f"hidden{i}")(h)
            if kind == "selu":  # alpha dropout keeps SELU's mean 0, variance 1; drawn cheaply under XLA
                h = FastAlphaDropout(0.05, name=f"alpha_dropout{i}")(h)
    elif kind == "bn":
        for i in range(1, depth):
            h = keras.layers.Dense(width, use_bias=False, kernel_initializer="he_normal", name=f"hidden{i}")(h)
            h = keras.layers.BatchNormalization(name=f"bn{i}")(h)
            h = keras.layers.Activation("relu", name=f"relu{i}")(h)
    elif kind == "residual":
        h = keras.layers.Dense(width, kernel_initializer="he_normal", name="hidden1")(h)
        for b in range((depth - 2) // 2):
            r = keras.layers.Activation("relu", name=f"block{b + 1}_relu1")(h)
            r = keras.layers.Dense(
                width, activation="relu", kernel_initializer="he_normal", name=f"block{b + 1}_dense1"
            )(r)
            r = keras.layers.Dense(width, kernel_initializer="zeros", name=f"block{b + 1}_dense2")(r)
            h = keras.layers.Add(name=f"block{b + 1}_add")([h, r])
        h = keras.layers.Activation("relu", name="final_relu")(h)
    else:
        raise ValueError(f"unknown deep kind {kind!r}")
    outputs = keras.layers.Dense(10, activation="softmax", name="output")(h)
    return keras.Model(inputs, outputs, name=f"deep_{kind}_{depth}")
