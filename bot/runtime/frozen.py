"""The collector's permanent generation (`gc.freeze`): what start-up built lives as long as the process, so a full
collection need not walk it. `/reload` replaces some of it (the intents, the jieba dictionaries, the knowledge
index, the grids); frozen, their cycles would never be collected — a slow leak for an admin who reloads often.
`refreeze` after a reload: unfreeze, collect, freeze again (once per /reload, never per update).
"""

from __future__ import annotations

import builtins
import gc
import logging
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)


_paused = False
_shared: dict[tuple[str, str, str], Any] | None = None


def begin_startup() -> None:
    """`griddesk run` starting (`bot.cli`): until `freeze_startup` (or `end_startup`),

    - no automatic collection: a start allocates ~1M objects that nearly all live as long as the process, and the
      collector's passes over them while they were made were ~0.1 s of every start;
    - each distinct string annotation compiled once (`compiled_once`).
    A command other than `run` ends it at once."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True
    _share_annotation_code()


def end_startup() -> None:
    """Automatic collection and annotations as before `begin_startup`; nothing it did not change itself."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()
    _unshare_annotation_code()


@contextmanager
def compiled_once() -> Iterator[None]:
    """Within: each distinct string annotation compiled once. pydantic reads most annotations as strings, and
    `typing.ForwardRef` compiles each one it is given: aiogram's import alone compiled ~4,100 of ~640 distinct
    strings ("str | None"…), ~0.1 s. A code object is immutable, so one serves every ForwardRef of the same text."""
    mine = _share_annotation_code()
    try:
        yield
    finally:
        if mine:
            _unshare_annotation_code()


def _compile_once(source: Any, filename: Any, mode: Any, *args: Any, **kwargs: Any) -> Any:
    if _shared is None or args or kwargs or not isinstance(source, str):
        return builtins.compile(source, filename, mode, *args, **kwargs)
    key = (source, str(filename), str(mode))
    code = _shared.get(key)
    if code is None:
        code = _shared[key] = builtins.compile(source, filename, mode)
    return code


def _share_annotation_code() -> bool:
    """typing's own global `compile`, found before the builtin; False when one is there already (ours or not)."""
    global _shared
    if "compile" in vars(typing):
        return False
    _shared = {}
    typing.compile = _compile_once  # type: ignore[attr-defined]
    return True


def _unshare_annotation_code() -> None:
    global _shared
    if vars(typing).get("compile") is _compile_once:
        del typing.compile  # type: ignore[attr-defined]
        _shared = None


def freeze_startup() -> None:
    """Move everything built so far out of the collector's sight (the runner, once started), and end the start's
    settings (`begin_startup`)."""
    gc.freeze()
    end_startup()


def refreeze() -> int:
    """After something long-lived was replaced: collect what the old one left in the permanent generation and
    freeze the survivors again. Returns the objects found unreachable; 0 and nothing done when this process never
    froze (the console chat, tests), so the collector keeps its ordinary generations there."""
    if gc.get_freeze_count() == 0:
        return 0
    gc.unfreeze()
    found = gc.collect()
    gc.freeze()
    log.info("refrozen after reload: %d unreachable objects collected, %d frozen", found, gc.get_freeze_count())
    return found
