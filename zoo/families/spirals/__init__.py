"""Twin spirals (Lang & Witbrock 1988): one hidden layer falls short, two classify every point."""

from zoo.families.spirals.entries import FAMILY

__all__ = ["FAMILY"]
