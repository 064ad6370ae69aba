"""The messages a case change sends to other people (workers, dispatchers, residents, supporters).

Each builder returns a `bot.messages.Reply`; the service writes it to the outbox in the same
transaction as the change. Residents' notices are converted to their script (Simplified/Traditional).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.cases import callbacks
from bot.cases.privacy import mask
from bot.cases.views import LEVEL_NAMES, SCORE_NAMES, STATE_NAMES, UNSATISFIED_REASONS
from bot.messages import Button, Reply

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
    "reassign": "您反映的问题（案件 {number}）已改由另一位{assignee}处理，我们会继续跟进。",
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
    if (evidence := _evidence_line(case)) is not None:
        lines.append(evidence)
    return lines


def _photo(case: Any) -> str | None:
    """The first real photo (voice notes and files are kept in the same list as "voice:…" / "file:…")."""
    return next((p for p in case.photos or () if ":" not in p), None)


def _evidence_line(case: Any) -> str | None:
    voices = sum(1 for p in case.photos or () if p.startswith("voice:"))
    files = sum(1 for p in case.photos or () if p.startswith("file:"))
    parts = ([f"语音 {voices} 条"] if voices else []) + ([f"文件 {files} 个"] if files else [])
    return f"附件：{'、'.join(parts)}（居民随反映发来）" if parts else None


def _location_extra(case: Any) -> dict[str, str]:
    if case.latitude is None or case.longitude is None:
        return {}
    return {"latitude": f"{case.latitude:.6f}", "longitude": f"{case.longitude:.6f}"}


def worker_push(chat_id: int, case: Any, label: str, *, kind: str, note: str | None = None,
                deadline: str | None = None, assign_choices: list[tuple[int, str, int]] | None = None,
                phone: str | None = None) -> Reply:
    """A case for the worker, with 接单 / 办结 / 退单 (and 派给 … rows for a dispatcher)."""
    head = {"new": "【新派单】请及时接单处理", "reopen": "【重办】居民对处理结果不满意，请重新处理",
            "escalate": "【超时升级】案件已超过办结时限，升级督办",
            "chase": "【紧急·请立即接单】紧急案件尚无人接单",
            "urge": "【居民催办】请尽快处理并回复居民",
            "reassign": "【改派】此案件改由您处理，请及时接单"}.get(kind, "【派单】")
    lines = [head, *_case_lines(case, label, phone=phone)]
    if deadline:
        lines.append(f"办结时限：{deadline} 前")
    if note:
        lines.append(f"说明：{_short(note, 200)}")
    buttons = callbacks.worker_buttons(case.id) + callbacks.assign_buttons(case.id, assign_choices or [])
    return Reply(chat_id=chat_id, text="\n".join(lines), buttons=buttons,
                 photo_file_id=_photo(case), extra=_location_extra(case))


def dispatcher_push(chat_id: int, case: Any, label: str, why: str, choices: list[tuple[int, str, int]]) -> Reply:
    """A case waiting in the community/street queue, with one 派给 button per grid worker."""
    lines = [f"【待派单】{level_word(case.level)}需要安排处理人员", *_case_lines(case, label, masked=True),
             f"原因：{mask(_short(why, 200))}"]
    if not choices:
        lines.append("本社区暂无已绑定的网格员，请先用 griddesk worker invite 邀请。")
    return Reply(chat_id=chat_id, text="\n".join(lines), buttons=callbacks.assign_buttons(case.id, choices),
                 photo_file_id=_photo(case), extra=_location_extra(case))


def worker_reminder(chat_id: int, case: Any, label: str, deadline: str) -> Reply:
    lines = [f"【即将超时】请在 {deadline} 前办结", *_case_lines(case, label)]
    return Reply(chat_id=chat_id, text="\n".join(lines), buttons=callbacks.worker_buttons(case.id))


def reassigned_from(name: str) -> str:
    """What the new assignee reads about where the case comes from."""
    return f"由派单员从 {name} 处改派"


def worker_reassigned_away(chat_id: int, case: Any, to_name: str) -> Reply:
    return Reply(chat_id=chat_id, text=f"案件 {case.number} 已由派单员改派给 {to_name}，您无需继续处理。")


def worker_escalated_away(chat_id: int, case: Any) -> Reply:
    return Reply(chat_id=chat_id, text=f"案件 {case.number} 已超过办结时限，已升级至{level_word(case.level)}督办。")


def worker_supervised(chat_id: int, case: Any, label: str, note: str, deadline: str, times: int) -> Reply:
    """督办: the dispatcher presses the assignee about a case (with its buttons, so he can act at once)."""
    lines = [f"【督办】请加快处理（第 {times} 次督办）", *_case_lines(case, label), f"办结时限：{deadline} 前"]
    if note:
        lines.append(f"督办意见：{_short(note, 300)}")
    return Reply(chat_id=chat_id, text="\n".join(lines), buttons=callbacks.worker_buttons(case.id))


def worker_recategorized(chat_id: int, case: Any, old_label: str, new_label: str) -> Reply:
    return Reply(chat_id=chat_id, text=f"案件 {case.number} 的类别已由「{old_label}」改为「{new_label}」。")


def worker_merged_away(chat_id: int, case: Any, into_number: str) -> Reply:
    return Reply(chat_id=chat_id, text=f"案件 {case.number} 与案件 {into_number} 是同一问题，已合并到 {into_number} 办理，"
                                       "本案无需继续处理。")


def resident_merged(chat_id: int, case: Any, into_number: str, script: str, to_script: ToScript) -> Reply:
    """The filer and supporters of a duplicate: their case now lives on as the other one (they follow it)."""
    text = (f"您反映的问题（案件 {case.number}）与案件 {into_number} 是同一件事，已合并到 {into_number} 一并办理，"
            "后续进展会继续通知您。")
    return Reply(chat_id=chat_id, text=to_script(text, script))


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


def resident_progress(chat_id: int, case: Any, note: str, photo: str | None, script: str, to_script: ToScript) -> Reply:
    """进展 from the assignee to the filer or a supporter (the photo, when there is one, carries the words)."""
    text = f"您反映的问题（案件 {case.number}）有新进展：" + (f"\n{_short(note, 600)}" if note else "（见照片）")
    return Reply(chat_id=chat_id, text=to_script(text, script), photo_file_id=photo)


def resident_question(chat_id: int, case: Any, question: str, script: str, to_script: ToScript) -> Reply:
    """需要补充: the assignee's question; the filer's next message is taken as the answer."""
    text = (f"处理案件 {case.number} 的网格员需要您补充情况：\n“{_short(question, 600)}”\n"
            "请直接回复文字或照片，您发来的下一条消息会转给网格员。")
    return Reply(chat_id=chat_id, text=to_script(text, script))


def answer_line(text: str) -> str:
    return f"居民补充：{_short(text, 200)}" if text else "居民补充了一张照片"


def worker_answer(chat_id: int, case: Any, text: str, photo: str | None) -> Reply:
    """补充: the filer's answer, sent on to the assignee with the case's buttons."""
    lines = [f"【居民补充】案件 {case.number}", _short(text, 1000) if text else "（见照片）"]
    return Reply(chat_id=chat_id, text="\n".join(lines), buttons=callbacks.worker_buttons(case.id), photo_file_id=photo)


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


def weekly_digest(chat_id: int, spots: Any, area: str, first_day: str, last_day: str) -> Reply:
    """每周热点 for a grid worker or a community dispatcher (`bot.cases.digest`): where last week's cases piled
    up, what came back and what is late — the console's 主动治理 figures, a few lines each."""
    lines = [f"【每周热点】{area} 上周（{first_day} 至 {last_day}）共受理 {spots.total} 件"]
    if spots.buildings:
        lines.append("案件最多的楼栋：" + "；".join(f"{_short(b.name, 20)} {b.cases} 件" for b in spots.buildings))
    if spots.categories:
        lines.append("最多的问题：" + "；".join(f"{c.name} {c.cases} 件" for c in spots.categories))
    if spots.repeat_addresses:
        lines.append("反复反映的地址：" + "；".join(f"{_short(a.name, 20)} {a.cases} 次" for a in spots.repeat_addresses))
    if spots.overdue_count:
        lines.append(f"已超时未办结 {spots.overdue_count} 件：" + "、".join(c.number for c in spots.overdue))
    if spots.reopened_count:
        lines.append(f"居民不满意重办 {spots.reopened_count} 件：" + "、".join(c.number for c in spots.reopened))
    lines.append("详情可在控制台“主动治理”页查看（发送 /console 登录）。")
    return Reply(chat_id=chat_id, text="\n".join(lines))
