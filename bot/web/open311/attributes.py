"""A category's Open311 service definition (`GET services/{code}`), derived from its intent file's `questions:`,
and the `attribute[code]` answers of `POST requests` read back into the answers the chat would have given.

There is one declaration: the questions the chat asks (`bot/nlu/questions.py`). Each becomes an attribute
with code = the question's id, description = what the resident is asked (`ask`), required false (the chat
never insists either). A question with choices is a `singlevaluelist` whose value keys are the choices'
positions counted from 1 ("1", "2", …: ASCII and stable as long as admins add choices at the end); one
without is a `string`. An answer lands in `ReportDraft.answers` keyed by the question's label with the
choice's words, exactly as the chat's button does (`bot/dialog/resident/questions.py`), so the worker's
push and /tasks show both the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.cases.core import clean_text
from bot.nlu.intent_files import Intent
from bot.nlu.questions import MAX_ANSWER, Question

#: The two GeoReport v2 datatypes a question becomes.
LIST = "singlevaluelist"
STRING = "string"
NOTES = {LIST: "one key: the choice's position (1 = the first choice); give attribute[CODE]=KEY once",
         STRING: f"the answer in words, at most {MAX_ANSWER} characters"}
_ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]*)\](\[\])?$")


@dataclass(frozen=True, slots=True)
class AttributeValue:
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class Attribute:
    """One question as an Open311 attribute; `label` keys its answer on the case (what the worker reads)."""

    code: str
    label: str
    description: str
    datatype: str
    values: tuple[AttributeValue, ...]
    required: bool = False

    def value_name(self, key: str) -> str | None:
        return next((v.name for v in self.values if v.key == key), None)


def attribute_of(question: Question) -> Attribute:
    values = tuple(AttributeValue(str(n), choice) for n, choice in enumerate(question.choices, start=1))
    return Attribute(question.id, question.label, question.ask, LIST if values else STRING, values)


def attributes_of(intent: Intent) -> tuple[Attribute, ...]:
    """The category's attributes, in the order its questions are listed (and asked)."""
    return tuple(attribute_of(q) for q in intent.questions)


def definition(intent: Intent) -> dict[str, object]:
    """`services/{code}`: one attribute per question."""
    return {"service_code": intent.id, "attributes": [{
        "variable": True, "code": a.code, "datatype": a.datatype, "required": a.required,
        "datatype_description": NOTES[a.datatype], "order": n, "description": a.description,
        "values": [{"key": v.key, "name": v.name} for v in a.values],
    } for n, a in enumerate(attributes_of(intent), start=1)]}


def read_answers(pairs: Sequence[tuple[str, str]], intent: Intent, problems: list[str]) -> dict[str, str]:
    """`attribute[code]` (also written `attribute[code][]`) → {question label: the answer's words}, in the order
    the questions are listed; malformed keys, unknown codes and values that are not a choice's key are problems."""
    given: dict[str, list[str]] = {}
    for key, value in pairs:
        if not key.startswith("attribute"):
            continue
        match = _ATTRIBUTE_KEY.match(key)
        if match is None or not match.group(1):
            problems.append(f"malformed attribute parameter {key[:60]!r}: write attribute[CODE]=VALUE")
            continue
        given.setdefault(match.group(1), []).append(clean_text(value))
    known = {a.code: a for a in attributes_of(intent)}
    for code in given:
        if code not in known:
            listed = ", ".join(known) or "none"
            problems.append(f"attribute {code[:40]!r} is not an attribute of service {intent.id!r} (its attributes: {listed})")
    answers: dict[str, str] = {}
    for attribute in known.values():
        values = [v for v in given.get(attribute.code, []) if v]
        if values:
            answer = _answer(attribute, values, problems)
            if answer is not None:
                answers[attribute.label] = answer
    return answers


def _answer(attribute: Attribute, values: list[str], problems: list[str]) -> str | None:
    """The answer as the worker reads it, or None (with a problem) when it does not fit the attribute."""
    where = f"attribute[{attribute.code}]"
    if len(values) > 1:
        problems.append(f"{where} takes one value, got {len(values)}")
        return None
    value = values[0]
    if attribute.datatype == LIST:
        name = attribute.value_name(value)
        if name is None:
            keys = ", ".join(f"{v.key} = {v.name}" for v in attribute.values)
            problems.append(f"{where}: {value[:40]!r} is not one of its values ({keys})")
        return name
    if len(value) > MAX_ANSWER:
        problems.append(f"{where} is {len(value)} characters; at most {MAX_ANSWER}")
        return None
    return value
