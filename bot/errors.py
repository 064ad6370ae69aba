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
    """A case operation was refused; the message is Chinese, written for the person who asked, and safe to show."""


class NotFound(CaseError):
    """No such case, invite or worker (or none this person may know of)."""


class NotYours(CaseError):
    """The case exists but this person may not do that to it (not the assignee, not the filer, not offered)."""


class NotNow(CaseError):
    """The case's state does not allow the action (`bot.cases.lifecycle`)."""


class BadInput(CaseError):
    """What the person typed cannot be used (an empty reason, a phone number of three digits)."""


class UsageError(GridDeskError):
    """A programming or command-line mistake (unknown grid id, no intent): English, for admins and developers.

    Deliberately not a `CaseError`: the dialog shows `CaseError` messages to people, and this must never
    reach a chat.
    """


class StorageError(GridDeskError):
    """The database cannot be reached or migrated."""
