"""Import aiogram without building a pydantic validator for every one of its ~440 Telegram types.

aiogram's types are declared with pydantic's `defer_build=True`, but `aiogram/types/__init__.py` then calls
`model_rebuild()` on every one of them to resolve their forward references, which builds them all at import:
about 110 MiB and several seconds, more than half of a running bot's memory, for types the bot never sees
(payments, stickers, games, business accounts…). Here those import-time calls only record the namespace
aiogram passes; each type is built with that same namespace the first time it is used (pydantic's own lazy
path calls `model_rebuild()`, which aiogram's models (types, methods, `Response`) then answer with the
recorded namespace). aiogram's methods, which it does not declare deferred, are declared so during
the import and built the same way, on first use. Parsing an
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

from bot.runtime.frozen import compiled_once

_lock = threading.Lock()


def import_aiogram() -> bool:
    """Import aiogram with its types built on first use; False when it was imported before (then as it was)."""
    with _lock:
        if "aiogram" in sys.modules:
            return False
        from pydantic import BaseModel
        from pydantic._internal._model_construction import ModelMetaclass

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

        # aiogram's ~170 methods (`TelegramMethod`, not declared `defer_build`) each build a validator as their class
        # is created: ~0.1 s of every start for calls the desk never makes. Declared deferred here, each is built
        # the first time it is made (the rebuild below gives it the types' namespace), like the types.
        original_new = ModelMetaclass.__new__

        def deferred_new(mcs: type, name: str, bases: tuple[type, ...], namespace: dict[str, Any], *args: Any,
                         **kwargs: Any) -> type:
            if str(namespace.get("__module__", "")).startswith("aiogram.methods."):
                namespace["model_config"] = {**namespace.get("model_config", {}), "defer_build": True}
            return original_new(mcs, name, bases, namespace, *args, **kwargs)  # type: ignore[no-any-return]

        BaseModel.model_rebuild = classmethod(record)  # type: ignore[assignment,method-assign]
        ModelMetaclass.__new__ = deferred_new  # type: ignore[assignment,method-assign]
        try:
            with compiled_once():
                import aiogram  # noqa: F401  # the whole package: Bot, Dispatcher, every type
        finally:
            BaseModel.model_rebuild = classmethod(original)  # type: ignore[assignment,method-assign]
            ModelMetaclass.__new__ = original_new  # type: ignore[method-assign]
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


#: One of each update the desk reads (text, command, photo with caption, location, contact, edit, button):
#: parsing these builds every type an update of the desk's can reach.
_USER = {"id": 1, "is_bot": False, "first_name": "-", "username": "u", "language_code": "zh-hans"}
_CHAT = {"id": 1, "type": "private", "first_name": "-"}
_MESSAGE = {"message_id": 1, "date": 0, "chat": _CHAT, "from": _USER, "text": "/start x",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}
_SAMPLE_UPDATES: tuple[dict[str, Any], ...] = (
    {"update_id": 1, "message": _MESSAGE},
    {"update_id": 2, "message": {**_MESSAGE, "text": None, "caption": "-", "forward_date": 0,
                                 "photo": [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}],
                                 "location": {"latitude": 31.2, "longitude": 121.4},
                                 "contact": {"phone_number": "1", "first_name": "-", "user_id": 1}}},
    {"update_id": 3, "edited_message": {**_MESSAGE, "edit_date": 1}},
    {"update_id": 4, "callback_query": {"id": "q", "from": _USER, "chat_instance": "c", "data": "x",
                                        "message": {"message_id": 5, "date": 0, "chat": _CHAT, "text": "?"}}},
)


#: The answers' envelopes (`Response[Message]`…) built by `warm_up`, held so they stay built.
_ENVELOPES: list[Any] = []


def warm_up() -> None:
    """Build, before the first update arrives, the types that update and its answer need (a few MiB).

    Built on first use, they cost the first updates after a start ~0.2 s of pydantic schema building, on the
    event loop, when a burst (a restart with a backlog) can least afford it. Parsing one update of each kind
    the desk reads, writing one keyboard of each kind it sends and reading each kind of answer it reads builds
    them all; types the desk never meets stay unbuilt. The adapter's calls are its own subclasses of aiogram's
    methods (`bot.telegram.aiogram_adapter`), built when it is imported. A sent message's answer is read as a
    `MessageId`: an envelope holding a whole `Message` (`Response[Message]`, `Response[Message | bool]`) took
    ~0.1 s each to build. After an eager import (the types all built) it costs microseconds."""
    from aiogram.methods import AnswerCallbackQuery
    from aiogram.methods.base import Response
    from aiogram.types import (
        File,
        InlineKeyboardButton,
        InlineKeyboardMarkup,
        KeyboardButton,
        MessageId,
        ReplyKeyboardMarkup,
        ReplyKeyboardRemove,
        Update,
        User,
    )

    for raw in _SAMPLE_UPDATES:
        Update.model_validate(raw).model_dump(exclude_none=True)
    inline = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="-", callback_data="x")]])
    reply = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="-", request_location=True)]], resize_keyboard=True)
    for value in (AnswerCallbackQuery(callback_query_id="q", text="-"), inline, reply, ReplyKeyboardRemove()):
        value.model_dump(warnings=False)  # how the session writes a call and its keyboard
    answers = ((MessageId, _MESSAGE), (MessageId | bool, True), (bool, True), (User, _USER),
               (File, {"file_id": "p", "file_unique_id": "u", "file_path": "p.jpg"}))
    for kind, result in answers:
        envelope = Response[kind]  # type: ignore[valid-type]
        envelope.model_validate({"ok": True, "result": result})
        # pydantic keeps parametrised classes weakly: unreferenced, the session's `Response[…]` of every call
        # would be a new class, built again each time
        _ENVELOPES.append(envelope)
