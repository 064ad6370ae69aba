"""Where the words people read may live, shared by the wording tests.

`bot/wording/` is their home. A module outside it may hold Chinese literals only when it is listed here
with the reason; everything else is a sentence, label or name that belongs in the wording folder.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from bot import PROJECT_ROOT

WORDING_HOME = PROJECT_ROOT / "bot" / "wording"

#: Modules whose Chinese literals are not words for people but what people write (patterns matched against
#: residents' messages, word lists the classifier and the duplicate finder read): intent-like data.
MATCHED_INPUT = {
    "bot/nlu/danger.py": "danger patterns matched against residents' messages",
    "bot/nlu/term_matches.py": "negators, rhetorical markers and who-failed-to-handle-it terms the classifier reads in messages",
    "bot/nlu/sentence_zones.py": "request-sentence markers and the asks-the-desk-to-act pattern the classifier reads in messages",
    "bot/cases/duplicates.py": "filler words dropped before comparing two reports",
    "bot/cases/privacy.py": "patterns of phones, IDs, plates and flats to mask",
    "bot/cases/routing.py": "Chinese numerals and building suffixes parsed out of addresses",
    "bot/cases/hotspots.py": "the building-number pattern read out of addresses",
    "bot/dialog/resident/common.py": "the words that mean cancel / skip when typed",
    "bot/dialog/resident/midway.py": "patterns of corrections, acknowledgements and 'I don't know' typed mid-report",
    "bot/dialog/resident/emergency.py": "words that name a fire, an injury or a crime in a message",
    "bot/dialog/resident/intake.py": "the characters of a thank-you (谢 / 謝), the action words a worker types, ratings in words",
    "bot/dialog/resident/selfserve.py": "the self-service words residents type (催办, 补充, 撤销…)",
    "bot/dialog/resident/question.py": "the question pattern",
    "bot/dialog/dispatch.py": "the 督办 / 改类 / 派给 words a dispatcher types after /case NUMBER",
    "bot/dialog/resident/status.py": "patterns of 'how is my case doing' questions",
    "bot/kb/index.py": "stop words of the knowledge-base search",
    "bot/kb/dialect.py": "Cantonese and colloquial words residents type, mapped to the entries' Mandarin",
    "bot/kb/asks.py": "cues of questions no entry answers (where to buy, prices, opening hours, events)",
    "bot/kb/entries.py": "the 依据: prefix and 《》 law titles that admins' knowledge files must carry",
}
#: The staff console's pages are HTML templates written in Python (`bot/web/console/`): their headings and
#: table words stay with the markup; what the case service tells staff (refusals) comes from the wording home.
TEMPLATES = ("bot/web/console/",)
#: Left where they are this session, and why (each is a real gap, reported).
PENDING: dict[str, str] = {}

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def relative(path: Path) -> str:
    return path.relative_to(PROJECT_ROOT).as_posix()


def chinese_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal in a module that is Chinese: it has Chinese characters and no
    more Latin letters than Chinese ones (an English sentence that names a Chinese term, such as a CLI help
    line "list the grids (网格)…", is not). Docstrings are left out; f-strings count by their constant parts."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            cjk = len(_CJK.findall(node.value))
            if cjk and cjk >= len(_LATIN.findall(node.value)):
                found.append((node.lineno, node.value))
    return sorted(found)


def allowed(rel: str) -> bool:
    return rel in MATCHED_INPUT or rel in PENDING or rel.startswith(TEMPLATES)


def wording_modules() -> list[str]:
    """Every module of the wording folder (found, never listed), then the pending ones."""
    return sorted(relative(p) for p in WORDING_HOME.glob("*.py")) + sorted(PENDING)
