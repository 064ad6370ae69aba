"""Import aiogram without building a pydantic validator for every one of its ~440 Telegram types.

aiogram's types are declared with pydantic's `defer_build=True`, but `aiogram/types/__init__.py` then calls
`model_rebuild()` on every one of them to resolve their forward references, which builds them all at import:
about 110 MiB and several seconds, more than half of a running bot's memory, for types the bot never sees
(payments, stickers, games, business accounts…). Here those import-time calls only record the namespace
aiogram passes; each type is built with that same namespace the first time it is used (pydantic's own lazy
path calls `model_rebuild()`, which aiogram's models (types, methods, `Response`) then answer with the
recorded namespace). Parsing an
Update or sending a message builds what it needs: a few MiB. Parsed updates and sent calls are identical
(tests/test_aiogram_import.py compares them with an eagerly imported aiogram).

Nothing else changes: a missing or broken aiogram still fails here, at start-up, with its own ImportError,
and when aiogram stops calling `model_rebuild()` at import (or was already imported) this does nothing.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from typing import Any

_lock = threading.Lock()


def import_aiogram() -> bool:
    """Import aiogram with its types built on first use; False when it was imported before (then as it was)."""
    with _lock:
        if "aiogram" in sys.modules:
            return False
        from pydantic import BaseModel

        original = BaseModel.__dict__["model_rebuild"].__func__
        recorded: list[Mapping[str, Any]] = []

        def record(cls: type[BaseModel], *, force: bool = False, raise_errors: bool = True,
                   _parent_namespace_depth: int = 2, _types_namespace: Mapping[str, Any] | None = None) -> bool | None:
            if _types_namespace is not None and not force and cls.__module__.startswith("aiogram.types."):
                if not recorded:
                    recorded.append(_types_namespace)
                return None  # built later, on first use, with this namespace
            depth = _parent_namespace_depth + 1 if _parent_namespace_depth > 0 else 0  # this frame is one more
            return original(cls, force=force, raise_errors=raise_errors, _parent_namespace_depth=depth,  # type: ignore[no-any-return]
                            _types_namespace=_types_namespace)

        BaseModel.model_rebuild = classmethod(record)  # type: ignore[assignment,method-assign]
        try:
            import aiogram  # noqa: F401  # the whole package: Bot, Dispatcher, every type
        finally:
            BaseModel.model_rebuild = classmethod(original)  # type: ignore[assignment,method-assign]
        if recorded:
            from aiogram.client.context_controller import BotContextController
            from aiogram.methods.base import Request, Response

            namespace = recorded[0]

            def rebuild(cls: type[BaseModel], *, force: bool = False, raise_errors: bool = True,
                        _parent_namespace_depth: int = 2,
                        _types_namespace: Mapping[str, Any] | None = None) -> bool | None:
                return original(cls, force=force, raise_errors=raise_errors,  # type: ignore[no-any-return]
                                _types_namespace=namespace if _types_namespace is None else _types_namespace)

            # Every aiogram model whose fields are types: the types and the methods (BotContextController) and
            # the envelopes of requests and answers (`Response[Message]` is what every sent message is read into).
            for base in (BotContextController, Request, Response):
                base.model_rebuild = classmethod(rebuild)  # type: ignore[assignment,method-assign]
        return True
