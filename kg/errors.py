"""Error types. The CLI turns any KGError into one line and a non-zero exit."""
from __future__ import annotations

from pathlib import Path


class KGError(Exception):
    """Base of every error the project reports to a user."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        return where + self.message


class AmountError(KGError, ValueError):
    """Text that should be an amount of money is not one."""


class EraError(KGError, ValueError):
    """A Japanese era date or fiscal year that cannot be read."""


class FactError(KGError):
    """A fact file is malformed, or disagrees with its source document."""


class CoverageError(KGError):
    """Some amount in a source document is neither represented nor left out on purpose."""


class ValidationFailed(KGError):
    """The built graph breaks a shape or a consistency rule."""

    exit_code = 1


class QueryError(KGError):
    """A SPARQL query that cannot be run as asked."""
