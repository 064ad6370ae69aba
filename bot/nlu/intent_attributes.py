"""`attributes:` of a category intent: what an outside system is asked when it files that kind of case (the
Open311 service definition, `GET services/{code}`), e.g. when the noise happens.

Admins edit them in the intent file next to the category's words; `bot.nlu.intent_files` calls
`read_attributes` and reports every problem as `path:line: what is wrong`, like the rest of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ruamel.yaml.comments import CommentedMap

from bot.admin_files import show

if TYPE_CHECKING:
    from bot.admin_files import ProblemCollector

#: The datatypes of GeoReport v2 (`text` is a long free text, `string` a short one).
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_TYPES = ("singlevaluelist", "multivaluelist")
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_KEYS = {"code", "name", "description", "datatype", "required", "values"}
_VALUE_KEYS = {"key", "name"}
MAX_ATTRIBUTES = 20
MAX_VALUES = 50
#: name: read by workers in the case text; description: the question an API client shows its user.
LIMITS = {"name": 20, "description": 200, "value_key": 40, "value_name": 40}


@dataclass(frozen=True, slots=True)
class AttributeValue:
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class Attribute:
    """One question of a category's service definition; `name` labels the answer in the case text."""

    code: str
    name: str
    description: str
    datatype: str
    required: bool
    values: tuple[AttributeValue, ...]
    line: int

    def value_name(self, key: str) -> str | None:
        return next((v.name for v in self.values if v.key == key), None)


def read_attributes(reader: ProblemCollector, node: CommentedMap, kind: str) -> tuple[Attribute, ...]:
    """The `attributes:` list of an intent file (empty when absent); problems go to `reader`."""
    if "attributes" not in node or node["attributes"] is None:
        return ()
    items = node["attributes"]
    line = reader.key_line(node, "attributes")
    if kind != "category":
        reader.problem(line, "'attributes' are for category intents only (what a case of that kind is asked)")
        return ()
    if not isinstance(items, list):
        reader.problem(line, "'attributes' must be a list (one '- code: …' entry per question)")
        return ()
    if len(items) > MAX_ATTRIBUTES:
        reader.problem(line, f"'attributes' has {len(items)} entries; at most {MAX_ATTRIBUTES}")
        return ()
    out: list[Attribute] = []
    seen: dict[str, int] = {}
    for idx, item in enumerate(items):
        at = reader.item_line(items, idx)  # type: ignore[arg-type]
        attribute = _attribute(reader, item, at)
        if attribute is None:
            continue
        if attribute.code in seen:
            reader.problem(at, f"attribute code {attribute.code!r} is used twice (first at line {seen[attribute.code]})")
            continue
        seen[attribute.code] = at
        out.append(attribute)
    return tuple(out)


def _attribute(reader: ProblemCollector, item: object, line: int) -> Attribute | None:
    if not isinstance(item, CommentedMap):
        reader.problem(line, f"an attribute must be a mapping with code, name, description, datatype; got {show(item)}")
        return None
    for key in item:
        if key not in _KEYS:
            reader.problem(reader.key_line(item, key), f"unknown key {show(key)} in an attribute "
                                                      f"(allowed: {', '.join(sorted(_KEYS))})")
    code = _text(reader, item, "code", line, 40)
    if code is not None and not _CODE.match(code):
        reader.problem(reader.key_line(item, "code"), f"attribute code {show(code)} must be lower-case ASCII letters, "
                                                      "digits and _ (start with a letter, ≤40)")
        code = None
    name = _text(reader, item, "name", line, LIMITS["name"])
    description = _text(reader, item, "description", line, LIMITS["description"])
    datatype = item.get("datatype", "string")
    if datatype not in DATATYPES:
        reader.problem(reader.key_line(item, "datatype"), f"datatype must be one of {', '.join(DATATYPES)}, got {show(datatype)}")
        datatype = None
    required = item.get("required", False)
    if not isinstance(required, bool):
        reader.problem(reader.key_line(item, "required"), f"'required' must be true or false, got {show(required)}")
        required = False
    values = _values(reader, item, datatype, line)
    if code is None or name is None or description is None or datatype is None or values is None:
        return None
    return Attribute(code, name, description, datatype, required, values, line)


def _text(reader: ProblemCollector, item: CommentedMap, key: str, line: int, limit: int) -> str | None:
    value = item.get(key)
    if value is None:
        reader.problem(line, f"missing required key {key!r} in an attribute")
        return None
    if not isinstance(value, str) or not value.strip():
        reader.problem(reader.key_line(item, key), f"{key!r} must be a non-empty text, got {show(value)}")
        return None
    if not reader.fits(reader.key_line(item, key), repr(key), value.strip(), limit):
        return None
    return value.strip()


def _values(reader: ProblemCollector, item: CommentedMap, datatype: str | None,
            line: int) -> tuple[AttributeValue, ...] | None:
    """The choices of a list attribute: required for the two list types, refused for the others."""
    raw = item.get("values")
    if datatype not in LIST_TYPES:
        if raw is not None:
            reader.problem(reader.key_line(item, "values"), f"'values' only go with datatype {' or '.join(LIST_TYPES)}")
        return ()
    if not isinstance(raw, list) or not raw:
        reader.problem(line if raw is None else reader.key_line(item, "values"),
                       f"a {datatype} attribute needs 'values': a list of '- key: …, name: …'")
        return None
    if len(raw) > MAX_VALUES:
        reader.problem(reader.key_line(item, "values"), f"'values' has {len(raw)} entries; at most {MAX_VALUES}")
        return None
    out: list[AttributeValue] = []
    keys: set[str] = set()
    ok = True
    for idx, value in enumerate(raw):
        at = reader.item_line(raw, idx)  # type: ignore[arg-type]
        if not isinstance(value, CommentedMap) or set(value) - _VALUE_KEYS:
            reader.problem(at, f"each value must be 'key: …, name: …', got {show(value)}")
            ok = False
            continue
        key, name = value.get("key"), value.get("name")
        if not isinstance(key, str | int) or isinstance(key, bool) or not _CODE.match(str(key)):
            reader.problem(at, f"value key {show(key)} must be lower-case ASCII letters, digits and _ (≤40)")
            ok = False
            continue
        if not isinstance(name, str) or not name.strip() or not reader.fits(at, "value name", name.strip(), LIMITS["value_name"]):
            if not isinstance(name, str) or not name.strip():
                reader.problem(at, f"value {key!r} needs a non-empty 'name'")
            ok = False
            continue
        if str(key) in keys:
            reader.problem(at, f"value key {key!r} is listed twice")
            ok = False
            continue
        keys.add(str(key))
        out.append(AttributeValue(str(key), name.strip()))
    return tuple(out) if ok else None
