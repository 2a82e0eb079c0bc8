"""The one exception type a user sees: a clear, one-line message, never a traceback.

Core code speaks the Python API's words. When a message is about an option, it says `{option}`
where the option belongs and names it with `option=`: Python users read `epochs`, the CLI prints
`--epochs` (see `ZooError.worded`), so no core message names a command-line flag.

    raise ZooError("{option} must be at least 1, not 0", option="epochs")
    raise ZooError("runs/x already holds an artifact; {option} replaces it", option="force", value=True)
"""

from __future__ import annotations


class ZooError(Exception):
    """A problem the user can fix (bad name, bad file, bad option); the CLI prints it on one line."""

    def __init__(self, message: str, *, option: str | None = None, value=None):
        self.template, self.option, self.value = message, option, value
        super().__init__(self.worded(cli=False))

    def worded(self, cli: bool) -> str:
        """The message naming the option as the CLI (`--force`) or the Python API (`force=True`) spells it."""
        if self.option is None:
            return self.template
        if cli:
            name = "--" + self.option.replace("_", "-")
        else:
            name = self.option if self.value is None else f"{self.option}={self.value!r}"
        return self.template.replace("{option}", name)
