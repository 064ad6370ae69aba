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

    def read_text(self, file: Path, max_bytes: int, what: str, hint: str) -> str | None:
        """The file as text, or None with the problem recorded: unreadable, over `max_bytes`, not UTF-8, binary.

        The size is checked before reading: a pasted-in blob once passed the checks and crashed the segmenter.
        """
        try:
            size = file.stat().st_size
            if size > max_bytes:
                self.problem(1, f"file is {size:,} bytes; {what} are limited to {max_bytes:,} ({hint})")
                return None
            raw = file.read_bytes()
        except OSError as exc:
            self.problem(0, f"cannot read: {exc.strerror}")
            return None
        try:
            text = raw.decode("utf-8-sig")  # a BOM from Windows editors is fine
        except UnicodeDecodeError as exc:
            self.problem(raw[: exc.start].count(b"\n") + 1, "not UTF-8 text (save the file as UTF-8)")
            return None
        if "\x00" in text:
            self.problem(text[: text.index("\x00")].count("\n") + 1, "contains a NUL byte: not a text file")
            return None
        return text

    def item_line(self, node: CommentedSeq, index: int) -> int:
        try:
            return node.lc.item(index)[0] + self.line_offset
        except (KeyError, TypeError, AttributeError, IndexError):
            return node.lc.line + self.line_offset
