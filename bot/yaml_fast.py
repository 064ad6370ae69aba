"""Admin YAML read through libyaml (PyYAML's C parser) into the same values ruamel's round-trip loader gives.

ruamel's round-trip loader is pure Python: ~0.9 s for the shipped intent files alone, and ten times the
vocabulary is ten times that, at every start whose files changed and at every `/reload`. libyaml parses the
same text in a few per cent of that. The events it gives are built here into `CommentedMap`/`CommentedSeq`
with the lines and columns ruamel records (so `path:line` in problems and terms stays right), scalars are
resolved by ruamel's own YAML 1.2 resolver (`yes`, `on`, `010`, `1:30` mean what they mean to ruamel, not
PyYAML's YAML 1.1) and numbers and dates built by ruamel's constructor.

Anything this does not build exactly as ruamel would — anchors and aliases, explicit tags, merge keys,
complex or duplicate keys, empty values (ruamel places them elsewhere), several documents, nesting past
`MAX_DEPTH`, any syntax error — raises `NotPlain`, and the caller reads the text with ruamel instead (which
also reports what is wrong, with its line). `griddesk intents check` and `griddesk kb check` always read
with ruamel.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import ScalarNode

#: The same bound the ruamel loader enforces (bot.admin_files): deeper files are left to it to refuse.
MAX_DEPTH = 20
_STR, _NULL, _BOOL, _INT = ("tag:yaml.org,2002:" + t for t in ("str", "null", "bool", "int"))
_BUILT_BY_RUAMEL = {"tag:yaml.org,2002:" + t for t in ("float", "int", "timestamp")}
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml: ruamel reads everything
    _CParser = None


class NotPlain(Exception):
    """This text needs ruamel's own loader (a feature not built here, or an error to report with its line)."""


def available() -> bool:
    return _CParser is not None


def load(text: str) -> Any:
    """The document in `text` as ruamel's round-trip loader would give it, or `NotPlain`."""
    if _CParser is None:
        raise NotPlain("libyaml not available")
    rt = YAML(typ="rt")
    parser = _CParser(text)  # type: ignore[misc]
    try:
        return _Builder(rt).build(parser)
    except yaml.YAMLError as exc:
        raise NotPlain(str(exc)) from None
    finally:
        parser.dispose()


class _Builder:
    def __init__(self, rt: YAML):
        self.resolver = rt.resolver
        self.constructor = rt.constructor

    def build(self, parser: Any) -> Any:
        # (container, pending key or _NO_KEY, key mark, the container's own start mark) per open mapping/sequence.
        stack: list[list[Any]] = []
        root: Any = None
        documents = 0
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    raise NotPlain("anchor or tag")
                value = self.scalar(event)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.anchor is not None or event.tag is not None:
                    raise NotPlain("anchor or tag")
                if len(stack) >= MAX_DEPTH:
                    raise NotPlain("too deep")
                node: Any = CommentedMap() if kind is yaml.MappingStartEvent else CommentedSeq()
                node._yaml_set_line_col(event.start_mark.line, event.start_mark.column)
                stack.append([node, _NO_KEY, None, event.start_mark])
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                value, _, _, mark = stack.pop()
                if not stack:
                    root = value
                    continue
                self.attach(stack[-1], value, mark)
                continue
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise NotPlain("several documents")
                continue
            elif kind is yaml.StreamEndEvent:
                return root
            elif kind is yaml.AliasEvent:
                raise NotPlain("alias")
            else:  # stream start, document end
                continue
            if not stack:
                root = value
                continue
            self.attach(stack[-1], value, event.start_mark)

    @staticmethod
    def attach(top: list[Any], value: Any, mark: Any) -> None:
        container = top[0]
        if isinstance(container, CommentedSeq):
            container._yaml_set_idx_line_col(len(container), [mark.line, mark.column])
            container.append(value)
        elif top[1] is _NO_KEY:
            if isinstance(value, CommentedMap | CommentedSeq) or value in container:
                raise NotPlain("complex or duplicate key")
            top[1], top[2] = value, mark
        else:
            key, key_mark = top[1], top[2]
            container[key] = value
            container._yaml_set_kv_line_col(key, [key_mark.line, key_mark.column, mark.line, mark.column])
            top[1] = _NO_KEY

    def scalar(self, event: Any) -> Any:
        if event.style not in (None, ""):  # quoted or block: a string, as ruamel reads it
            return event.value
        if not event.value:  # ruamel places an empty value where the next token starts, libyaml where it ends
            raise NotPlain("empty value")
        resolved = self.resolver.resolve(ScalarNode, event.value, (True, False))
        tag = str(getattr(resolved, "value", resolved))  # a ruamel `Tag` (0.18) or a str
        if tag == _STR:
            return event.value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return event.value.lower() == "true"
        if tag == _INT and _PLAIN_INT.match(event.value):
            return int(event.value)
        if tag in _BUILT_BY_RUAMEL:
            return self.constructor.construct_object(ScalarNode(resolved, event.value), deep=True)
        raise NotPlain(f"scalar tag {tag}")  # merge keys (<<), and anything else ruamel would tag


_NO_KEY = object()
