"""Nielsen's network2 (ch. 3 and 5) and the MNIST lecture's regularisation lessons, on MNIST."""

from zoo.families.network2.entries import FAMILY

__all__ = ["FAMILY"]
