"""The messages a case change sends to other people (workers, dispatchers, residents, supporters).

Each builder returns a `bot.messages.Reply` whose words come from `bot.wording.notices`; the service
writes it to the outbox in the same transaction as the change. Residents' notices are converted to their
script (Simplified/Traditional).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.cases import callbacks
from bot.cases.privacy import mask
from bot.messages import Button, Reply
from bot.wording import notices as w
from bot.wording.names import LEVEL_NAMES, SCORE_NAMES, STATE_NAMES, UNSATISFIED_REASONS

ToScript = Callable[[str, str], str]


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
    lines = [w.CASE_NUMBER.format(number=case.number), w.CASE_CATEGORY.format(label=label)]
    if case.urgent:
        lines[0] += w.CASE_URGENT_MARK
    where = hide(_short(case.address, 100))
    if case.latitude is not None and case.longitude is not None:
        pin = w.CASE_PIN.format(latitude=case.latitude, longitude=case.longitude)
        where = w.CASE_WHERE_AND_PIN.format(where=where, pin=pin) if where else pin
    lines.append(w.CASE_ADDRESS.format(where=where or w.CASE_NO_ADDRESS))
    lines.append(w.CASE_TEXT.format(text=hide(_short(case.text))))
    lines += [w.CASE_ANSWER.format(question=question, answer=hide(_short(answer, 100)))
              for question, answer in (getattr(case, "answers", None) or {}).items()]
    if phone and not masked:
        lines.append(w.CASE_PHONE.format(phone=phone))
    if case.supporter_count:
        lines.append(w.CASE_SUPPORTERS.format(count=case.supporter_count))
    if (evidence := _evidence_line(case)) is not None:
        lines.append(evidence)
    return lines


def _photo(case: Any) -> str | None:
    """The first real photo (voice notes and files are kept in the same list as "voice:…" / "file:…")."""
    return next((p for p in case.photos or () if ":" not in p), None)


def _evidence_line(case: Any) -> str | None:
    voices = sum(1 for p in case.photos or () if p.startswith("voice:"))
    files = sum(1 for p in case.photos or () if p.startswith("file:"))
    parts = ([w.EVIDENCE_VOICES.format(count=voices)] if voices else []) + (
        [w.EVIDENCE_FILES.format(count=files)] if files else [])
    return w.EVIDENCE.format(parts=w.EVIDENCE_JOIN.join(parts)) if parts else None


def _location_extra(case: Any) -> dict[str, str]:
    if case.latitude is None or case.longitude is None:
        return {}
    return {"latitude": f"{case.latitude:.6f}", "longitude": f"{case.longitude:.6f}"}


def _in_script(rows: tuple[tuple[Button, ...], ...], script: str, to_script: ToScript) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(Button(to_script(b.text, script), b.data) for b in row) for row in rows)


def _worker_buttons(case: Any) -> tuple[tuple[Button, ...], ...]:
    """The assignee's buttons for the state the case is in when the push is written."""
    return callbacks.worker_buttons(case.id, getattr(case, "state", None))


def worker_push(chat_id: int, case: Any, label: str, *, kind: str, note: str | None = None,
                deadline: str | None = None, assign_choices: list[tuple[int, str, int]] | None = None,
                phone: str | None = None) -> Reply:
    """A case for the worker, with 接单 / 办结 / 退单 (and 派给 … rows for a dispatcher)."""
    lines = [w.PUSH_HEADS.get(kind, w.PUSH_HEAD_OTHER), *_case_lines(case, label, phone=phone)]
    if deadline:
        lines.append(w.DEADLINE_LINE.format(deadline=deadline))
    if note:
        lines.append(w.NOTE_LINE.format(note=_short(note, 200)))
    buttons = _worker_buttons(case) + callbacks.assign_buttons(case.id, assign_choices or [])
    return Reply(chat_id=chat_id, text="\n".join(lines), buttons=buttons,
                 photo_file_id=_photo(case), extra=_location_extra(case))


def dispatcher_push(chat_id: int, case: Any, label: str, why: str, choices: list[tuple[int, str, int]]) -> Reply:
    """A case waiting in the community/street queue, with one 派给 button per grid worker."""
    lines = [w.QUEUE_HEAD.format(level=level_word(case.level)), *_case_lines(case, label, masked=True),
             w.QUEUE_WHY.format(why=mask(_short(why, 200)))]
    if not choices:  # no community known: no grid worker to offer until the place is checked
        lines.append(w.DISPATCH_NO_WORKERS if case.community_id else w.DISPATCH_NO_PLACE)
    return Reply(chat_id=chat_id, text="\n".join(lines), buttons=callbacks.assign_buttons(case.id, choices),
                 photo_file_id=_photo(case), extra=_location_extra(case))


def worker_reminder(chat_id: int, case: Any, label: str, deadline: str) -> Reply:
    lines = [w.REMINDER_HEAD.format(deadline=deadline), *_case_lines(case, label)]
    return Reply(chat_id=chat_id, text="\n".join(lines), buttons=_worker_buttons(case))


def reassigned_from(name: str) -> str:
    """What the new assignee reads about where the case comes from."""
    return w.REASSIGNED_FROM.format(name=name)


def worker_reassigned_away(chat_id: int, case: Any, to_name: str) -> Reply:
    return Reply(chat_id=chat_id, text=w.REASSIGNED_AWAY.format(number=case.number, to_name=to_name))


def worker_escalated_away(chat_id: int, case: Any) -> Reply:
    return Reply(chat_id=chat_id, text=w.ESCALATED_AWAY.format(number=case.number, level=level_word(case.level)))


def worker_supervised(chat_id: int, case: Any, label: str, note: str, deadline: str, times: int) -> Reply:
    """督办: the dispatcher presses the assignee about a case (with its buttons, so he can act at once)."""
    lines = [w.SUPERVISED_HEAD.format(times=times), *_case_lines(case, label), w.DEADLINE_LINE.format(deadline=deadline)]
    if note:
        lines.append(w.SUPERVISED_NOTE.format(note=_short(note, 300)))
    return Reply(chat_id=chat_id, text="\n".join(lines), buttons=_worker_buttons(case))


def worker_recategorized(chat_id: int, case: Any, old_label: str, new_label: str) -> Reply:
    return Reply(chat_id=chat_id, text=w.RECATEGORIZED.format(number=case.number, old=old_label, new=new_label))


def worker_merged_away(chat_id: int, case: Any, into_number: str) -> Reply:
    return Reply(chat_id=chat_id, text=w.MERGED_AWAY.format(number=case.number, into=into_number))


def resident_merged(chat_id: int, case: Any, into_number: str, script: str, to_script: ToScript) -> Reply:
    """The filer and supporters of a duplicate: their case now lives on as the other one (they follow it)."""
    text = w.MERGED_FOR_RESIDENT.format(number=case.number, into=into_number)
    return Reply(chat_id=chat_id, text=to_script(text, script))


def worker_cancelled(chat_id: int, case: Any) -> Reply:
    return Reply(chat_id=chat_id, text=w.CANCELLED_FOR_WORKER.format(number=case.number))


def worker_rated(chat_id: int, case: Any, score: str) -> Reply:
    return Reply(chat_id=chat_id, text=w.RATED_FOR_WORKER.format(number=case.number, score=SCORE_NAMES.get(score, score)))


def supporter_joined(chat_id: int, case: Any) -> Reply:
    return Reply(chat_id=chat_id, text=w.SUPPORTER_JOINED.format(number=case.number, count=case.supporter_count))


def resident_state(chat_id: int, case: Any, action: str, script: str, to_script: ToScript) -> Reply:
    """A state notice to the filer or a supporter, in their script."""
    template = w.RESIDENT_NOTICES.get(action, w.RESIDENT_NOTICE_OTHER)
    assignee = w.ASSIGNEE_GRID if case.level == "grid" else w.ASSIGNEE_LEVEL.format(level=level_word(case.level))
    text = template.format(number=case.number, assignee=assignee, level=level_word(case.level), state=state_word(case.state))
    return Reply(chat_id=chat_id, text=to_script(text, script))


def resident_returned(chat_id: int, case: Any, told: str, script: str, to_script: ToScript) -> Reply:
    """退单, to the filer or a supporter: who re-assigns it as `_push_to_dispatcher` found ("dispatcher",
    "admin", "oncall"; "" = nobody could be told) — never "社区正在安排" when nobody can."""
    if told == "dispatcher":
        return resident_state(chat_id, case, "return", script, to_script)
    staff = {"admin": w.TOLD_ADMIN, "oncall": w.TOLD_ONCALL}.get(told)
    text = (w.RESIDENT_RETURNED_STAFF.format(number=case.number, told=staff) if staff
            else w.RESIDENT_RETURNED_NOBODY.format(number=case.number))
    return Reply(chat_id=chat_id, text=to_script(text, script))


def resident_progress(chat_id: int, case: Any, note: str, photo: str | None, script: str, to_script: ToScript) -> Reply:
    """进展 from the assignee to the filer or a supporter (the photo, when there is one, carries the words)."""
    text = w.PROGRESS_FOR_RESIDENT.format(number=case.number) + (
        w.PROGRESS_NOTE.format(note=_short(note, 600)) if note else w.SEE_PHOTO)
    return Reply(chat_id=chat_id, text=to_script(text, script), photo_file_id=photo)


def resident_question(chat_id: int, case: Any, question: str, script: str, to_script: ToScript) -> Reply:
    """需要补充: the assignee's question; the filer's next message is taken as the answer."""
    text = w.QUESTION_FOR_RESIDENT.format(number=case.number, question=_short(question, 600))
    return Reply(chat_id=chat_id, text=to_script(text, script))


def answer_line(text: str) -> str:
    return w.ANSWER_LINE.format(text=_short(text, 200)) if text else w.ANSWER_PHOTO_LINE


def worker_answer(chat_id: int, case: Any, text: str, photo: str | None) -> Reply:
    """补充: the filer's answer, sent on to the assignee with the case's buttons."""
    lines = [w.ANSWER_HEAD.format(number=case.number), _short(text, 1000) if text else w.SEE_PHOTO]
    return Reply(chat_id=chat_id, text="\n".join(lines), buttons=_worker_buttons(case), photo_file_id=photo)


def resident_resolved(chat_id: int, case: Any, script: str, to_script: ToScript, *, ask_rating: bool) -> Reply:
    """办结 notice; the filer also gets 满意 / 基本满意 / 不满意 buttons."""
    text = w.RESOLVED_FOR_RESIDENT.format(number=case.number)
    if case.resolution_note:  # supporters read it masked: only the filer and the worker see the details
        note = case.resolution_note if ask_rating else mask(case.resolution_note)
        text += w.RESOLUTION_NOTE.format(note=_short(note, 300))
    if ask_rating:
        text += w.RATE_PLEASE
        buttons = _in_script(callbacks.rating_buttons(case.id), script, to_script)
        return Reply(chat_id=chat_id, text=to_script(text, script), buttons=buttons,
                     photo_file_id=case.resolution_photo)
    return Reply(chat_id=chat_id, text=to_script(text, script), photo_file_id=case.resolution_photo)


def worker_supplemented(chat_id: int, case: Any, text: str, photo: str | None, *, moved_from: str | None = None,
                        elsewhere: str | None = None) -> Reply:
    """补充: what the filer added, for the assignee (the words as written; the assignee may read them);
    `moved_from`: the address the 补充 corrected (the case's address is the new one), said first; `elsewhere`: the
    grid the new address belongs to when it is not the case's."""
    lines = [w.ANSWER_HEAD.format(number=case.number)]
    if moved_from is not None:
        lines.append(w.PLACE_CORRECTED_FOR_WORKER.format(new=case.address, old=moved_from or w.CASE_NO_ADDRESS))
    if elsewhere:
        lines.append(w.PLACE_IN_OTHER_GRID.format(grid=elsewhere))
    if text:
        lines.append(w.SUPPLEMENT_TEXT.format(text=_short(text, 500)))
    if photo:
        lines.append(w.SUPPLEMENT_PHOTO)
    return Reply(chat_id=chat_id, text="\n".join(lines), photo_file_id=photo, buttons=_worker_buttons(case))


def worker_unsatisfied_reason(chat_id: int, case: Any, reason: str, comment: str | None) -> Reply:
    """Why the filer rated 不满意, for the worker who handled it."""
    text = w.UNSATISFIED_FOR_WORKER.format(number=case.number, reason=UNSATISFIED_REASONS.get(reason, reason))
    if comment:
        text += w.RESIDENT_WORDS.format(comment=_short(comment, 300))
    return Reply(chat_id=chat_id, text=text)


def resident_rate_reminder(chat_id: int, case: Any, script: str, to_script: ToScript) -> Reply:
    """The one reminder to rate a resolved case (the rating buttons again)."""
    text = w.RATE_REMINDER.format(number=case.number)
    return Reply(chat_id=chat_id, text=to_script(text, script),
                 buttons=_in_script(callbacks.rating_buttons(case.id), script, to_script))


def self_service_buttons(case_id: int, *, own: bool, script: str, to_script: ToScript) -> tuple[tuple[Button, ...], ...]:
    """进度 (and, for the filer, 补充 / 催办 / 撤销) under a notice about an open case, in the reader's script."""
    return _in_script(callbacks.self_service_buttons(case_id, own=own), script, to_script)


def weekly_digest(chat_id: int, spots: Any, area: str, first_day: str, last_day: str) -> Reply:
    """每周热点 for a grid worker or a community dispatcher (`bot.cases.digest`): where last week's cases piled
    up, what came back and what is late — the console's 主动治理 figures, a few lines each."""
    lines = [w.DIGEST_HEAD.format(area=area, first_day=first_day, last_day=last_day, total=spots.total)]
    if spots.buildings:
        lines.append(w.DIGEST_BUILDINGS + w.DIGEST_SEP.join(
            w.DIGEST_BUILDING.format(name=_short(b.name, 20), cases=b.cases) for b in spots.buildings))
    if spots.categories:
        lines.append(w.DIGEST_CATEGORIES + w.DIGEST_SEP.join(
            w.DIGEST_CATEGORY.format(name=c.name, cases=c.cases) for c in spots.categories))
    if spots.repeat_addresses:
        lines.append(w.DIGEST_ADDRESSES + w.DIGEST_SEP.join(
            w.DIGEST_ADDRESS.format(name=_short(a.name, 20), cases=a.cases) for a in spots.repeat_addresses))
    if spots.overdue_count:
        lines.append(w.DIGEST_OVERDUE.format(count=spots.overdue_count)
                     + w.DIGEST_NUMBER_SEP.join(c.number for c in spots.overdue))
    if spots.reopened_count:
        lines.append(w.DIGEST_REOPENED.format(count=spots.reopened_count)
                     + w.DIGEST_NUMBER_SEP.join(c.number for c in spots.reopened))
    lines.append(w.DIGEST_FOOT)
    return Reply(chat_id=chat_id, text="\n".join(lines))
