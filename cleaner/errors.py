"""Errors a user sees: each renders as one line naming the file (and line)."""

from __future__ import annotations


class CleanerError(Exception):
    """Base class; ``str(err)`` is the one-line message printed to the user."""


class InputError(CleanerError):
    """A file or JSONL line that cannot be cleaned (unreadable, binary, malformed...)."""

    def __init__(self, source: str, message: str, line: int | None = None):
        self.source = source
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.message}"

    def __reduce__(self):  # keep the fields when sent back from a worker process
        return (type(self), (self.source, self.message, self.line))


class ConfigError(CleanerError):
    """Invalid configuration or rule file; the CLI exits 2 on these."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"

    def __reduce__(self):
        return (type(self), (self.message, self.path, self.line))
