"""What the loaders of admin-edited files share: collecting every problem with its `path:line`.

Intent files (YAML) and knowledge entries (YAML front matter) are both read with ruamel's
round-trip loader, whose nodes remember 0-based lines; `line_offset` maps them to file lines.
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.errors import Problem


def show(value: object) -> str:
    """A value as quoted in an error message, cut short."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def display_path(path: Path) -> str:
    """A path as admins see it: relative to where they ran the command when possible."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class ProblemCollector:
    """Validates one file, collecting problems instead of stopping at the first."""

    def __init__(self, path: str, problems: list[Problem], line_offset: int = 1):
        self.path = path
        self.problems = problems
        self.line_offset = line_offset

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def key_line(self, node: CommentedMap, key: str) -> int:
        try:
            return node.lc.key(key)[0] + self.line_offset
        except (KeyError, TypeError, AttributeError):
            return node.lc.line + self.line_offset

    def item_line(self, node: CommentedSeq, index: int) -> int:
        try:
            return node.lc.item(index)[0] + self.line_offset
        except (KeyError, TypeError, AttributeError, IndexError):
            return node.lc.line + self.line_offset
