"""The depth table's last row: 110 Dense layers that train, through identity skips.

The same family, recipe and residual builder as deep-residual-50 (zoo.models.mlp): a stem, 54 blocks
h + W2 relu(W1 relu(h)) whose W2 starts at zero, so that at initialisation every block is the
identity and the gradient reaches the first layer undiminished; then the output. With the depth
table's other rows it spans 10 to 110 layers; its per-layer gradient norms go on its card and into
the table (docs/mlp.md) like theirs.
"""

from __future__ import annotations

from zoo.models.mlp import DEEP, _deep, build_deep
from zoo.registry import register


@register(
    "deep-residual-110",
    **_deep(
        "residual",
        110,
        "110 Dense layers: a stem, 54 residual blocks h + W2 relu(W1 relu(h)) with W2 starting at zero, and the output",
        {"test_accuracy": (">=", 0.96)},
        "seed depth table: skip connections at 30-100 (and beyond)",
        DEEP,
    ),
)
def deep_110(kind, depth):
    return build_deep(kind, depth)
