"""Measurement code of the families not yet moved to zoo/families/<family>/ (issue 31)."""
