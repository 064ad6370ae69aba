"""The messages a case change sends to other people (workers, dispatchers, residents, supporters).

Each builder returns a `bot.dialog.events.Reply`; the service writes it to the outbox in the same
transaction as the change. Residents' notices are converted to their script (Simplified/Traditional).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.cases import callbacks
from bot.cases.privacy import mask
from bot.cases.views import LEVEL_NAMES, SCORE_NAMES, STATE_NAMES, UNSATISFIED_REASONS
from bot.dialog.events import Button, Reply

ToScript = Callable[[str, str], str]

#: Names used when no intent set is loaded (CLI, tests); the intent files' names win otherwise.
CATEGORY_FALLBACK = {
    "noise": "噪声扰民", "illegal_construction": "违章建筑", "parking": "停车秩序", "sanitation": "环境卫生",
    "greening": "绿化管理", "group_rental": "群租房", "falling_objects": "高空抛物", "pets": "宠物饲养",
    "street_vending": "占道经营", "fumes_odor": "油烟异味", "water_leak": "漏水渗水", "elevator": "电梯问题",
    "public_facilities": "市政设施", "utilities": "水电气暖", "property_service": "物业服务", "fire_hazard": "消防隐患",
    "neighbor_dispute": "邻里纠纷", "public_order": "治安问题", "other": "其他诉求",
}

#: How a case filed by an outside system (Open311) carries its picture link in the text workers read (its
#: answers to the category's questions go on the case like the chat's: `Case.answers`).
API_MEDIA_LINE = "图片链接：{url}"
#: What the outside system is told of its request (Open311 service_notice, status_notes).
API_NOTICE = "已受理，已通知{told}，办结时限 {deadline}"
API_NOTICE_QUEUED = "已受理，等待派单，办结时限 {deadline}"
API_STATUS_NOTE = "{state}：{note}"

_RESIDENT_NOTICES = {
    "assign": "您反映的问题（案件 {number}）已派给{assignee}处理，我们会跟进进展。",
    "accept": "您反映的问题（案件 {number}）{assignee}已接单，正在处置。",
    "return": "您反映的问题（案件 {number}）需要重新派单，社区正在安排合适的人员处理。",
    "escalate": "您反映的问题（案件 {number}）未在时限内办结，已升级至{level}督办。",
    "reopen": "案件 {number} 因反映人不满意已重新交办，会继续处理。",
    "cancel": "案件 {number} 已由反映人撤销。",
}


def state_word(state: str) -> str:
    return STATE_NAMES.get(state, state)


def level_word(level: str) -> str:
    return LEVEL_NAMES.get(level, level)


def _short(text: str | None, limit: int = 300) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _case_lines(case: Any, label: str, *, masked: bool = False, phone: str | None = None) -> list[str]:
    """The case as a worker reads it; `masked` for anyone but its assignee (phones, IDs, plates, flats hidden);
    `phone`: the filer's number, for the assignee only and only when the filer agreed."""
    hide = mask if masked else (lambda text: text or "")
    lines = [f"案件编号：{case.number}", f"类别：{label}"]
    if case.urgent:
        lines[0] += "  【紧急】"
    where = hide(_short(case.address, 100))
    if case.latitude is not None and case.longitude is not None:
        pin = f"位置 {case.latitude:.5f}, {case.longitude:.5f}（见地图）"
        where = f"{where}；{pin}" if where else pin
    lines.append(f"地址：{where or '未提供'}")
    lines.append(f"居民反映：{hide(_short(case.text))}")
    lines += [f"{question}：{hide(_short(answer, 100))}" for question, answer in (getattr(case, "answers", None) or {}).items()]
    if phone and not masked:
        lines.append(f"居民电话：{phone}（居民同意提供，仅用于联系处理）")
    if case.supporter_count:
        lines.append(f"附议：{case.supporter_count} 人")
    return lines


def _location_extra(case: Any) -> dict[str, str]:
    if case.latitude is None or case.longitude is None:
        return {}
    return {"latitude": f"{case.latitude:.6f}", "longitude": f"{case.longitude:.6f}"}


def worker_push(chat_id: int, case: Any, label: str, *, kind: str, note: str | None = None,
                deadline: str | None = None, assign_choices: list[tuple[int, str]] | None = None,
                phone: str | None = None) -> Reply:
    """A case for the worker, with 接单 / 办结 / 退单 (and 派给 … rows for a dispatcher)."""
    head = {"new": "【新派单】请及时接单处理", "reopen": "【重办】居民对处理结果不满意，请重新处理",
            "escalate": "【超时升级】案件已超过办结时限，升级督办",
            "chase": "【紧急·请立即接单】紧急案件尚无人接单",
            "urge": "【居民催办】请尽快处理并回复居民"}.get(kind, "【派单】")
    lines = [head, *_case_lines(case, label, phone=phone)]
    if deadline:
        lines.append(f"办结时限：{deadline} 前")
    if note:
        lines.append(f"说明：{_short(note, 200)}")
    buttons = callbacks.worker_buttons(case.id) + callbacks.assign_buttons(case.id, assign_choices or [])
    return Reply(chat_id=chat_id, text="\n".join(lines), buttons=buttons,
                 photo_file_id=(case.photos[0] if case.photos else None), extra=_location_extra(case))


def dispatcher_push(chat_id: int, case: Any, label: str, why: str, choices: list[tuple[int, str]]) -> Reply:
    """A case waiting in the community/street queue, with one 派给 button per grid worker."""
    lines = [f"【待派单】{level_word(case.level)}需要安排处理人员", *_case_lines(case, label, masked=True),
             f"原因：{mask(_short(why, 200))}"]
    if not choices:
        lines.append("本社区暂无已绑定的网格员，请先用 griddesk worker invite 邀请。")
    return Reply(chat_id=chat_id, text="\n".join(lines), buttons=callbacks.assign_buttons(case.id, choices),
                 photo_file_id=(case.photos[0] if case.photos else None), extra=_location_extra(case))


def worker_reminder(chat_id: int, case: Any, label: str, deadline: str) -> Reply:
    lines = [f"【即将超时】请在 {deadline} 前办结", *_case_lines(case, label)]
    return Reply(chat_id=chat_id, text="\n".join(lines), buttons=callbacks.worker_buttons(case.id))


def worker_escalated_away(chat_id: int, case: Any) -> Reply:
    return Reply(chat_id=chat_id, text=f"案件 {case.number} 已超过办结时限，已升级至{level_word(case.level)}督办。")


def worker_cancelled(chat_id: int, case: Any) -> Reply:
    return Reply(chat_id=chat_id, text=f"案件 {case.number} 已由居民撤销，无需继续处理。")


def worker_rated(chat_id: int, case: Any, score: str) -> Reply:
    return Reply(chat_id=chat_id, text=f"案件 {case.number} 居民评价：{SCORE_NAMES.get(score, score)}。辛苦了！")


def supporter_joined(chat_id: int, case: Any) -> Reply:
    return Reply(chat_id=chat_id, text=f"案件 {case.number} 又有居民附议，目前共 {case.supporter_count} 人附议。")


def resident_state(chat_id: int, case: Any, action: str, script: str, to_script: ToScript) -> Reply:
    """A state notice to the filer or a supporter, in their script."""
    template = _RESIDENT_NOTICES.get(action, "案件 {number} 状态更新：{state}。")
    text = template.format(number=case.number, assignee="网格员" if case.level == "grid" else f"{level_word(case.level)}工作人员",
                           level=level_word(case.level), state=state_word(case.state))
    return Reply(chat_id=chat_id, text=to_script(text, script))


def resident_resolved(chat_id: int, case: Any, script: str, to_script: ToScript, *, ask_rating: bool) -> Reply:
    """办结 notice; the filer also gets 满意 / 基本满意 / 不满意 buttons."""
    text = f"您反映的问题（案件 {case.number}）已办结。"
    if case.resolution_note:  # supporters read it masked: only the filer and the worker see the details
        note = case.resolution_note if ask_rating else mask(case.resolution_note)
        text += f"\n处理结果：{_short(note, 300)}"
    if ask_rating:
        text += "\n请对处理结果进行评价："
        rows = callbacks.rating_buttons(case.id)
        buttons = tuple(tuple(Button(to_script(b.text, script), b.data) for b in row) for row in rows)
        return Reply(chat_id=chat_id, text=to_script(text, script), buttons=buttons,
                     photo_file_id=case.resolution_photo)
    return Reply(chat_id=chat_id, text=to_script(text, script), photo_file_id=case.resolution_photo)


def worker_supplemented(chat_id: int, case: Any, text: str, photo: str | None) -> Reply:
    """补充: what the filer added, for the assignee (the words as written; the assignee may read them)."""
    lines = [f"【居民补充】案件 {case.number}"]
    if text:
        lines.append(f"补充内容：{_short(text, 500)}")
    if photo:
        lines.append("（居民补充了一张照片）")
    return Reply(chat_id=chat_id, text="\n".join(lines), photo_file_id=photo, buttons=callbacks.worker_buttons(case.id))


def worker_unsatisfied_reason(chat_id: int, case: Any, reason: str, comment: str | None) -> Reply:
    """Why the filer rated 不满意, for the worker who handled it."""
    text = f"案件 {case.number} 居民不满意的原因：{UNSATISFIED_REASONS.get(reason, reason)}"
    if comment:
        text += f"\n居民原话：{_short(comment, 300)}"
    return Reply(chat_id=chat_id, text=text)


def resident_rate_reminder(chat_id: int, case: Any, script: str, to_script: ToScript) -> Reply:
    """The one reminder to rate a resolved case (the rating buttons again)."""
    text = f"您反映的问题（案件 {case.number}）已办结，还没有收到您的评价。处理得怎么样？点一下就行："
    rows = callbacks.rating_buttons(case.id)
    return Reply(chat_id=chat_id, text=to_script(text, script),
                 buttons=tuple(tuple(Button(to_script(b.text, script), b.data) for b in row) for row in rows))


def self_service_buttons(case_id: int, *, own: bool, script: str, to_script: ToScript) -> tuple[tuple[Button, ...], ...]:
    """进度 (and, for the filer, 补充 / 催办 / 撤销) under a notice about an open case, in the reader's script."""
    rows = callbacks.self_service_buttons(case_id, own=own)
    return tuple(tuple(Button(to_script(b.text, script), b.data) for b in row) for row in rows)
