"""A one-entry family from outside the zoo (tests/test_discovery.py): XOR through two tanh units."""

from zoo_fake_family.entries import FAMILY

__all__ = ["FAMILY"]
