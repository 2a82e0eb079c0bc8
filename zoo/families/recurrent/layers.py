"""The lecture's LSTM, written gate by gate: the readable twin of `keras.layers.LSTM`.

For an input x_t and the previous hidden state h_{t-1} and cell state c_{t-1}:

    f_t = sigmoid(x_t W_f + h_{t-1} U_f + b_f)      forget gate: how much of the old cell state to keep
    i_t = sigmoid(x_t W_i + h_{t-1} U_i + b_i)      input gate: how much of the candidate to write
    g_t = tanh(x_t W_c + h_{t-1} U_c + b_c)         candidate cell state
    o_t = sigmoid(x_t W_o + h_{t-1} U_o + b_o)      output gate: how much of the cell to show
    c_t = f_t * c_{t-1} + i_t * g_t                 the cell state: an additive path through time
    h_t = o_t * tanh(c_t)

The cell state's update is a sum, not a squashing matrix product: when f_t is near 1 the gradient
dc_t/dc_{t-1} = f_t passes back through many steps almost unchanged, which is how the LSTM learns the
long-term dependencies a plain tanh RNN (h_t = tanh(x_t W + h_{t-1} U + b)) loses. Training is
backpropagation through time: the loop below unrolled, differentiated like any other graph.

Keras keeps the four gates side by side in one kernel, in the order i, f, c, o; `from_keras` cuts
them apart, so the same trained weights run in both and `tests/test_recurrent.py` checks that they
give the same outputs. Only `keras.ops` is used: the layer runs on any Keras backend.
"""

from __future__ import annotations

import keras
from keras import ops

GATES = ("f", "i", "c", "o")  # the lecture's order: forget, input, candidate, output
KERAS_ORDER = ("i", "f", "c", "o")  # the order of the blocks in keras.layers.LSTM's kernel and bias


@keras.saving.register_keras_serializable(package="zoo")
class LectureLSTM(keras.layers.Layer):
    """An LSTM over a whole sequence (batch, time, features), one gate at a time.

    call(x) returns the last hidden state h_T, as `keras.layers.LSTM(units)` does; `trace(x)` returns
    every step's gates, cell state and hidden state, for the pictures.
    """

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        features = input_shape[-1]
        for gate in GATES:  # one W, U and b per gate, named as in the equations
            setattr(self, f"W_{gate}", self.add_weight(shape=(features, self.units), name=f"W_{gate}"))
            setattr(self, f"U_{gate}", self.add_weight(shape=(self.units, self.units), name=f"U_{gate}"))
            setattr(self, f"b_{gate}", self.add_weight(shape=(self.units,), initializer="zeros", name=f"b_{gate}"))

    def gate(self, name, x_t, h, activation):
        """activation(x_t W + h U + b) for one gate."""
        W, U, b = getattr(self, f"W_{name}"), getattr(self, f"U_{name}"), getattr(self, f"b_{name}")
        return activation(ops.matmul(x_t, W) + ops.matmul(h, U) + b)

    def step(self, x_t, h, c):
        """One time step of the equations above -> (h_t, c_t, {gate: activation})."""
        f = self.gate("f", x_t, h, ops.sigmoid)
        i = self.gate("i", x_t, h, ops.sigmoid)
        g = self.gate("c", x_t, h, ops.tanh)
        o = self.gate("o", x_t, h, ops.sigmoid)
        c = f * c + i * g
        h = o * ops.tanh(c)
        return h, c, {"forget": f, "input": i, "candidate": g, "output": o}

    def trace(self, x):
        """Every step: {"h", "c", "forget", "input", "candidate", "output"}, each (batch, time, units)."""
        x = ops.convert_to_tensor(x)
        h = c = ops.zeros((ops.shape(x)[0], self.units), dtype=x.dtype)
        steps = []
        for t in range(x.shape[1]):  # the time axis is static: the loop is backpropagation through time, unrolled
            h, c, gates = self.step(x[:, t, :], h, c)
            steps.append({"h": h, "c": c, **gates})
        return {key: ops.stack([s[key] for s in steps], axis=1) for key in steps[0]}

    def call(self, x):
        return self.trace(x)["h"][:, -1, :]

    def from_keras(self, lstm) -> LectureLSTM:
        """Take the weights of a built `keras.layers.LSTM` (default activations, no dropout)."""
        kernel, recurrent, bias = (ops.convert_to_numpy(w) for w in lstm.cell.weights)
        if not self.built:
            self.build((None, None, kernel.shape[0]))
        n = self.units
        for k, gate in enumerate(KERAS_ORDER):
            block = slice(k * n, (k + 1) * n)
            getattr(self, f"W_{gate}").assign(kernel[:, block])
            getattr(self, f"U_{gate}").assign(recurrent[:, block])
            getattr(self, f"b_{gate}").assign(bias[block])
        return self

    def get_config(self):
        return {**super().get_config(), "units": self.units}
