"""The one exception type a user sees: a clear, one-line message, never a traceback."""


class ZooError(Exception):
    """A problem the user can fix (bad name, bad file, bad option); the CLI prints it on one line."""
