"""The word index of cases (`case_word`): the console's word search without reading every case's text.

Each case's text and address are kept as the set of their character pairs (`first_char`, `next_char`), plus
the last character of every whitespace-free run as a pair with an empty `next_char`, so every character of the
text starts at least one entry. A word of the search is looked up as a few of its pairs (an indexed equality
each); a one-character word as every entry that starts with it. That gives a superset of the cases whose text
or address contains the word; the caller keeps its own `LIKE` on those few cases, so what matches is exactly
what the scan matched before (SQLite's ASCII case folding included: pairs are ASCII-lowercased on both sides).

Kept on write by mapper events on `Case` (a flush that inserts a case, or changes its text or address, writes
its pairs in the same transaction); a case inserted with Core writes its `pair_rows` itself (filing does), other
rows written by bulk Core inserts are indexed with `index_missing`. Plain
SQL on both databases: nothing dialect-specific here.

Script-blind: the pairs are those of the Simplified form (`simplify_chars`: Traditional-only characters converted
one by one, so 梨園小區3棟 is indexed as 梨园小区3栋), the word is converted the same way, and the caller's `LIKE`
(`matches`) reads that form too: `Case.search_text`, kept only for a case whose form differs from what was typed
(NULL: its text and address are their own Simplified form, which is nearly every case).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from sqlalchemy import and_, bindparam, delete, event, exists, insert, inspect, or_, select, update
from sqlalchemy.engine import Connection

from bot.nlu.normalize import simplify_chars
from storage.models import Case, CaseWord

#: Pairs of a word looked up at most: any subset of a word's pairs still gives a superset, and every extra
#: lookup costs a probe per candidate.
MAX_PAIRS = 3
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_CHUNK = 2000


def fold(text: str) -> str:
    """ASCII lowercase, as SQLite's LIKE compares (PostgreSQL's LIKE is case-sensitive: a subset of it)."""
    return text.translate(_ASCII_LOWER)


def pairs_of(*fields: str | None) -> set[tuple[str, str]]:
    """The index entries of a case: every adjacent character pair of each whitespace-free run, and (c, "") for
    each run's last character."""
    found: set[tuple[str, str]] = set()
    for value in fields:
        for run in fold(value or "").split():
            found.update(pairwise(run))
            found.add((run[-1], ""))
    return found


def case_pairs(text: str | None, address: str | None) -> set[tuple[str, str]]:
    """The index entries of a case: the pairs of its text and address in their Simplified form."""
    return pairs_of(*(simplify_chars(v) if v else v for v in (text, address)))


def search_text(text: str | None, address: str | None) -> str | None:
    """What `Case.search_text` holds: the text and address in their Simplified form, a line apart (a word has no
    whitespace: it never spans the two), or None when that is what was typed."""
    if not any(simplify_chars(v) != v for v in (text, address) if v):
        return None
    return "\n".join(simplify_chars(v) for v in (text, address) if v)


def matches(word: str) -> Any:
    """The exact test of the search (after `candidates`): the Simplified form of `word` in the Simplified form of
    the case's text or address. The text and address as typed are tried first (what a Simplified case is, the
    scan's old test): a form found in them is in their Simplified form too (the conversion is per character, and a
    form converts to itself), so this is the same test, with no NULL check on nearly every case."""
    form = simplify_chars(word)
    return or_(Case.text.contains(form, autoescape=True), Case.address.contains(form, autoescape=True),
               Case.search_text.contains(form, autoescape=True))


def word_pairs(word: str) -> list[tuple[str, str]]:
    """The pairs of `word`'s Simplified form to look up (at most MAX_PAIRS, spread over it); one character:
    [(c, "")] meaning 'any entry starting with c'."""
    folded = fold(simplify_chars(word))
    if len(folded) == 1:
        return [(folded, "")]
    distinct = list(dict.fromkeys(pairwise(folded)))
    if len(distinct) <= MAX_PAIRS:
        return distinct
    step = (len(distinct) - 1) / (MAX_PAIRS - 1)
    return [distinct[round(i * step)] for i in range(MAX_PAIRS)]


def candidates(word: str, *, per_case: bool = False) -> Any:
    """A WHERE clause on `Case`: the cases whose text or address may contain `word` (a superset; no whitespace in
    `word`). Each pair is one IN over the index's primary key (first_char, next_char, case_id): the candidates
    drive the query. `per_case`: an EXISTS per case instead (one primary-key probe each), for a query that walks
    another index in its own order and stops early (a word so common that listing its candidates is the cost)."""
    conds = []
    for first, nxt in word_pairs(word):
        where = [CaseWord.first_char == first]
        if len(word) > 1:
            where.append(CaseWord.next_char == nxt)
        conds.append(exists().where(CaseWord.case_id == Case.id, *where).correlate(Case) if per_case
                     else Case.id.in_(select(CaseWord.case_id).where(*where)))
    return and_(*conds)


def driving_pair(word: str) -> tuple[str, str] | None:
    """The pair whose index range can drive a search for `word` with each case met once (a two-character or longer
    word: one entry per case and pair); None for one character (it matches several entries of a case)."""
    pairs = word_pairs(word)
    return pairs[0] if len(fold(word)) > 1 and pairs else None


def pair_rows(case_id: int, text: str | None, address: str | None, *, as_typed: bool = False) -> list[dict[str, Any]]:
    """The index rows of one case, for a caller that inserts the case with Core (no mapper event fires; it sets
    `search_text` itself). `as_typed`: the pairs of the text as typed (the index before migration 0016)."""
    found = pairs_of(text, address) if as_typed else case_pairs(text, address)
    return [{"first_char": a, "next_char": b, "case_id": case_id} for a, b in sorted(found)]


def write_pairs(conn: Connection, cases: Iterable[tuple[int, str | None, str | None]], *, as_typed: bool = False,
                ) -> int:
    """Insert the entries of (id, text, address) cases (none of which has entries yet) and, unless `as_typed`, set
    the `search_text` of those whose Simplified form differs; returns the index rows written."""
    rows: list[dict[str, Any]] = []
    forms: list[dict[str, Any]] = []
    for case_id, text, address in cases:
        rows.extend(pair_rows(case_id, text, address, as_typed=as_typed))
        form = None if as_typed else search_text(text, address)
        if form is not None:
            forms.append({"case_id": case_id, "form": form})
    for start in range(0, len(rows), 20 * _CHUNK):  # one executemany per 40k rows
        conn.execute(insert(CaseWord.__table__), rows[start:start + 20 * _CHUNK])
    if forms:
        table = Case.__table__
        conn.execute(update(table).where(table.c.id == bindparam("case_id")).values(search_text=bindparam("form")),
                     forms)
    return len(rows)


def index_missing(conn: Connection, *, as_typed: bool = False) -> int:
    """Index every case that has no entry (bulk-inserted rows, a database from before the index): the
    migrations' backfill and the benchmarks'. One pass over the index for the cases it has (it is keyed by pairs,
    not by case), then the others in chunks. Returns the cases indexed. `as_typed`: the index of migration 0013
    (pairs of the text as typed, no `search_text` column yet)."""
    table = Case.__table__
    have = set(conn.execute(select(CaseWord.case_id).distinct()).scalars())
    done = last = 0
    while True:
        batch = conn.execute(select(table.c.id, table.c.text, table.c.address).where(table.c.id > last)
                             .order_by(table.c.id).limit(_CHUNK)).all()
        if not batch:
            return done
        todo = [(int(i), t, a) for i, t, a in batch if int(i) not in have]
        write_pairs(conn, todo, as_typed=as_typed)
        done += len(todo)
        last = int(batch[-1][0])


@event.listens_for(Case, "before_insert")
def _before_insert(_mapper: Any, _conn: Connection, target: Case) -> None:
    target.search_text = search_text(target.text, target.address)


@event.listens_for(Case, "before_update")
def _before_update(_mapper: Any, _conn: Connection, target: Case) -> None:
    """A new text or address (补充, a corrected place): its Simplified form, in the same UPDATE."""
    state = inspect(target)
    if state.attrs.text.history.has_changes() or state.attrs.address.history.has_changes():
        target.search_text = search_text(target.text, target.address)


@event.listens_for(Case, "after_insert")
def _after_insert(_mapper: Any, conn: Connection, target: Case) -> None:
    rows = pair_rows(int(target.id or 0), target.text, target.address)
    if rows:  # an empty list would be one INSERT without values
        conn.execute(insert(CaseWord.__table__), rows)


@event.listens_for(Case, "after_update")
def _after_update(_mapper: Any, conn: Connection, target: Case) -> None:
    """Write only the difference: 补充 appends to the text, so nearly every old pair stays."""
    state = inspect(target)
    changed = [h for h in (state.attrs.text.history, state.attrs.address.history) if h.has_changes()]
    if not changed:
        return
    table = CaseWord.__table__
    new = case_pairs(target.text, target.address)
    if any(not h.deleted for h in changed):  # the old value was never loaded: start this case's entries afresh
        conn.execute(delete(table).where(CaseWord.case_id == target.id))
        old: set[tuple[str, str]] = set()
    else:
        text, address = state.attrs.text.history, state.attrs.address.history
        old = case_pairs(text.deleted[0] if text.deleted else target.text,
                         address.deleted[0] if address.deleted else target.address)
    for first, nxt in old - new:  # by primary key (the index is not ordered by case)
        conn.execute(delete(table).where(CaseWord.first_char == first, CaseWord.next_char == nxt,
                                         CaseWord.case_id == target.id))
    if new - old:
        conn.execute(insert(table), [{"first_char": a, "next_char": b, "case_id": target.id}
                                     for a, b in sorted(new - old)])
