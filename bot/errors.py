"""One exception tree: every error GridDesk raises on purpose says what, where and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


class GridDeskError(Exception):
    """Base of every deliberate GridDesk error."""


class ConfigError(GridDeskError):
    """A setting (environment or `.env`) has a value GridDesk cannot use."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in an admin-edited file, printed as `path:line: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class DataFileError(GridDeskError):
    """One or more admin files (intents, knowledge, seed) are broken; carries every problem at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class IntentFileError(DataFileError):
    """The intent files under `intents/` do not load."""


class KnowledgeFileError(DataFileError):
    """The knowledge entries under `knowledge/` do not load."""


class SeedFileError(DataFileError):
    """The grid seed file does not load."""


class CaseError(GridDeskError):
    """A case operation was refused (illegal transition, unknown case, not the assignee…)."""


class StorageError(GridDeskError):
    """The database cannot be reached or migrated."""
