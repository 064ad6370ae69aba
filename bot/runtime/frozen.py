"""The collector's permanent generation (`gc.freeze`): what start-up built lives as long as the process, so a full
collection need not walk it. `/reload` replaces some of it (the intents, the jieba dictionaries, the knowledge
index, the grids); frozen, their cycles would never be collected — a slow leak for an admin who reloads often.
`refreeze` after a reload: unfreeze, collect, freeze again (once per /reload, never per update).
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


_paused = False


def pause_collection() -> None:
    """No automatic collection until `freeze_startup` (or `resume_collection`): a start allocates ~1M objects
    that nearly all live as long as the process, and the collector's passes over them while they were made were
    ~0.1 s of every start (`griddesk run`; `bot.cli` pauses, a command other than `run` resumes at once)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collection() -> None:
    """Automatic collection as before `pause_collection`; nothing when it did not pause it."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()


def freeze_startup() -> None:
    """Move everything built so far out of the collector's sight (the runner, once started), and let the collector
    run again if the start paused it."""
    gc.freeze()
    resume_collection()


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
