"""An autoencoder as a chain of layers: its parts, one pass through it, and its encoder's Jacobian norm.

What the entries (the loss) and the measures both need, below both of them.
"""

from __future__ import annotations


def parts(model):
    """(encoder, [layers between], decoder): an autoencoder is a chain of layers, the first and last Dense."""
    import keras

    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    return layers[0], layers[1:-1], layers[-1]


def forward(model, x, training: bool):
    """(code, reconstruction) in one pass through the chain."""
    encoder, between, decoder = parts(model)
    h = z = encoder(x)
    for layer in between:
        z = layer(z, training=training)
    return h, decoder(z)


def jacobian_fro2(h, kernel):
    """Per image ||dh/dx||_F^2 for h = sigmoid(x @ kernel + b): sum_j (h_j (1 - h_j))^2 ||kernel[:, j]||^2 (exact)."""
    import keras

    return keras.ops.sum(keras.ops.square(h * (1 - h)) * keras.ops.sum(keras.ops.square(kernel), axis=0), axis=-1)
