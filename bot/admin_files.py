"""What the loaders of admin-edited files share: collecting every problem with its `path:line`.

Intent files (YAML) and knowledge entries (YAML front matter) are both read as ruamel's round-trip loader
reads them, whose nodes remember 0-based lines; `line_offset` maps them to file lines. The checks
(`intents check`, `kb check`) read with ruamel itself; the bot's start and `/reload` through libyaml
(`load_yaml(fast=True)`), and with ruamel again whenever a file has a problem to report.

Admin files are untrusted input in one sense: a typo, a stray symlink or a pasted blob must give
`path:line: what is wrong`, never a hang, a traceback or a bot that runs out of memory. Hence: only
regular files are opened (a FIFO would block `intents check` and `/reload` forever, a symlink to
`/dev/zero` would be read until memory runs out), at most `max_bytes` are read, YAML nesting is
bounded (ruamel composes recursively: 20,000 levels is a RecursionError), and every text field has
a length limit.
"""

from __future__ import annotations

import os
import stat
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import Problem

if TYPE_CHECKING:  # ruamel is imported when a file is read with it, not by every module naming these (a hot start)
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

#: Deeper than any admin file needs (an intent's term weight sits at depth 5), far below Python's recursion limit.
MAX_YAML_DEPTH = 20
#: Open without blocking (a FIFO with no writer would block `open` itself) and never as a controlling tty.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


@cache
def _depth_limited_composer() -> type:
    """The composer class, made (with ruamel's import) the first time a file is read through ruamel."""
    from ruamel.yaml.composer import Composer, ComposerError

    class _DepthLimitedComposer(Composer):
        """ruamel's composer, refusing nesting deeper than `MAX_YAML_DEPTH` with the mark where it happens.

        The check runs as nodes are composed, so the (lazy) scanner never looks past the limit either:
        20,000 levels are refused after reading the first few lines, not after minutes of scanning.
        """

        def compose_node(self, parent: Any, index: Any) -> Any:
            depth = getattr(self, "_griddesk_depth", 0)
            if depth >= MAX_YAML_DEPTH:
                mark = self.parser.peek_event().start_mark
                raise ComposerError(None, None, f"nested more than {MAX_YAML_DEPTH} levels deep; admin files need only a few",
                                    mark)
            self._griddesk_depth = depth + 1
            try:
                return super().compose_node(parent, index)
            finally:
                self._griddesk_depth = depth

    return _DepthLimitedComposer


def yaml_loader() -> YAML:
    """The round-trip loader both loaders use (nodes keep their lines), with nesting bounded."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.Composer = _depth_limited_composer()
    return yaml


def load_yaml(text: str, *, fast: bool = False) -> Any:
    """One document as ruamel's round-trip loader gives it. `fast`: through libyaml (`bot.yaml_fast`, the same
    values and lines, ~20× faster), falling back on ruamel for what that does not build, errors included."""
    if fast:
        from bot import yaml_fast

        try:
            return yaml_fast.load(text)
        except yaml_fast.NotPlain:
            pass
    return yaml_loader().load(text)


def yaml_files(root: Path) -> list[Path]:
    """The YAML files of a folder (an intent set: also what its build-cache key is made of)."""
    return sorted([*root.glob("*.yaml"), *root.glob("*.yml")])


def _file_kind(mode: int) -> str:
    """What a non-regular file is, in the words of an error message."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


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
        """The file as text, or None with the problem recorded: not a regular file, unreadable, over
        `max_bytes`, not UTF-8, binary.

        The size is checked before reading: a pasted-in blob once passed the checks and crashed the segmenter.
        The file is opened first and then checked (`fstat` on the open file, so a swapped-in FIFO cannot slip
        between check and read); symlinks to regular files are fine. At most `max_bytes + 1` bytes are read
        even if the file grows meanwhile.
        """
        try:
            fd = os.open(file, _OPEN_FLAGS)
        except OSError as exc:
            self.problem(0, f"cannot read: {exc.strerror}")
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                self.problem(0, f"{_file_kind(info.st_mode)}, not a regular file: {what} must be plain text files")
                return None
            if info.st_size > max_bytes:
                self.problem(1, f"file is {info.st_size:,} bytes; {what} are limited to {max_bytes:,} ({hint})")
                return None
            raw = _read_at_most(fd, max_bytes + 1)
        except OSError as exc:
            self.problem(0, f"cannot read: {exc.strerror}")
            return None
        finally:
            os.close(fd)
        if len(raw) > max_bytes:
            self.problem(1, f"file grew past {max_bytes:,} bytes while being read; {what} are limited to that ({hint})")
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

    def fits(self, line: int, what: str, value: str, max_chars: int, hint: str = "") -> bool:
        """True when `value` is at most `max_chars` long; otherwise the problem is recorded (value cut short).

        Every text field has a limit: a 100,000-character name would otherwise reach buttons, pushes and logs.
        """
        if len(value) <= max_chars:
            return True
        self.problem(line, f"{what} {show(value)} is {len(value):,} characters; keep it under {max_chars}"
                           + (f" ({hint})" if hint else ""))
        return False

    def item_line(self, node: CommentedSeq, index: int) -> int:
        try:
            return node.lc.item(index)[0] + self.line_offset
        except (KeyError, TypeError, AttributeError, IndexError):
            return node.lc.line + self.line_offset


def read_regular(file: Path, max_bytes: int) -> bytes | None:
    """The bytes of a regular file of at most `max_bytes`, else None (never blocks on a FIFO, never reads
    a device): for callers that only fingerprint files and leave reporting problems to the loaders."""
    try:
        fd = os.open(file, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        raw = _read_at_most(fd, max_bytes + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return raw if len(raw) <= max_bytes else None


def _read_at_most(fd: int, limit: int) -> bytes:
    """Up to `limit` bytes from `fd` (a regular file: `read` returns less only at the end)."""
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
