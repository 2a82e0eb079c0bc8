"""Measurement code too long to sit beside a family's entries: one module per family that needs it."""
