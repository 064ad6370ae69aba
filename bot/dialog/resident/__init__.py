"""Resident flows, one module per topic: `report` (draft, place, photo; `filing`: duplicates, filing), `emergency`,
`question` (knowledge-base answers, the offer to file), `my_cases` (/my, ratings, 附议), `status` (status asked in
words), `midway` (what is said mid-report that is not the answer asked for: giving up, corrections, questions,
words that are no address, voice notes and files), with `intake` reading a fresh message and `common` holding
the button data and one-word answers they share.

Which handler runs for which step and input is declared once, in `bot/dialog/steps.py`.
"""

from bot.dialog.resident.common import (
    CANCEL,
    CATEGORY_PREFIX,
    FILE_IT,
    FILE_NEW,
    NO_THANKS,
    OTHER,
    PICK,
    RETRY,
    SKIP_PHOTO,
    cancel,
    cancel_row,
    is_cancel,
    plain,
    set_aside,
)

__all__ = ["CANCEL", "CATEGORY_PREFIX", "FILE_IT", "FILE_NEW", "NO_THANKS", "OTHER", "PICK", "RETRY", "SKIP_PHOTO",
           "cancel", "cancel_row", "is_cancel", "plain", "set_aside"]
