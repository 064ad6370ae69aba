"""Grid worker flows: /bind, /tasks, 接单, 办结 (short note, optional photo), 退单 (with a reason),
and a dispatcher's 派给 buttons. Pushes to workers come from the case service's outbox, not from here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot import wording as texts
from bot.cases import callbacks
from bot.cases.privacy import mask
from bot.cases.views import CaseView, WorkerView
from bot.dialog import dispatch
from bot.dialog.resident.common import cancel_row, plain, says_nothing, short
from bot.dialog.state import Draft, Step
from bot.dialog.turn import Turn
from bot.errors import CaseError
from bot.nlu.normalize import clean

SKIP_RESOLVE_PHOTO = "d:wskip"
MIN_NOTE_CHARS = 2
MAX_NOTE_CHARS = 1000
MAX_REASON_CHARS = 500
_BIND_CODE_MAX = 40


async def bind(turn: Turn, code: str | None) -> None:
    code = (code or "").strip()
    if not code or len(code) > _BIND_CODE_MAX:
        turn.say(texts.BIND_USAGE)
        return
    try:
        worker = await turn.services.cases.bind_worker(code, turn.user_id, turn.chat_id, turn.incoming.sender.first_name,
                                                       channel=turn.channel)
    except CaseError as exc:
        turn.say(texts.BIND_FAILED.format(reason=exc))
        return
    turn.state.reset()
    where = worker.grid_id or worker.community_id or worker.street_id or ""
    turn.say(texts.BOUND.format(name=worker.name, where=f"{texts.LEVEL_NAMES.get(worker.role, '')} {where}".strip()))


SHOWN_TASKS = 10


async def show_tasks(turn: Turn) -> None:
    """/tasks: a worker's own cases; a dispatcher's also carry 派给 <worker>（load）, like the queue an admin sees."""
    worker = await turn.worker()
    desk = turn.services.cases
    if worker is None and not turn.is_admin:
        turn.say(texts.NOT_A_WORKER)
        return
    cases = await (desk.worker_tasks(worker) if worker is not None else desk.admin_queue())
    if not cases:
        turn.say(texts.TASKS_NONE)
        return
    places = dispatch.dispatches(worker, turn.is_admin)
    header = texts.QUEUE_HEADER if worker is None else texts.TASKS_HEADER
    turn.say(header.format(count=len(cases)), remember_buttons=False)
    choices: dict[str | None, list[WorkerView]] = {}
    for case in cases[:SHOWN_TASKS]:
        rows = list(buttons_for(case)) if worker is not None and case.assignee_id == worker.id else []
        text = card(turn, case, masked=worker is None or case.assignee_id != worker.id)
        if places:
            offered, line = await dispatch.offer(turn, case, choices, worker)
            rows += offered
            text += f"\n{line}" if line else ""
        turn.say(text, tuple(rows), remember_buttons=False)
    if len(cases) > SHOWN_TASKS:
        turn.say(texts.TASKS_MORE.format(more=len(cases) - SHOWN_TASKS), remember_buttons=False)


def card(turn: Turn, case: CaseView, *, masked: bool = False) -> str:
    """A case on /tasks; `masked` for a queue the reader does not hold (phones, IDs, plates, flats hidden)."""
    svc = turn.services
    hide = mask if masked else (lambda text: text or "")
    supporters = texts.TASK_SUPPORTERS.format(count=case.supporter_count) if case.supporter_count else ""
    answers = "".join(texts.TASK_ANSWER.format(question=q, answer=hide(short(a, 60))) for q, a in case.answers.items())
    return texts.TASK_CARD.format(
        urgent=texts.TASK_URGENT if case.urgent else "", number=case.number,
        category=svc.understanding.category_name(case.intent if case.intent != "other" else None),
        state=texts.state_in_chat(case.state), address=hide(case.address) or texts.TASK_NO_ADDRESS,
        text=hide(short(case.text, 120)), deadline=_local(case.deadline_at, svc.timezone), supporters=supporters,
    ) + answers


def buttons_for(case: CaseView) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The assignee's buttons on a /tasks card: 接单 or 办结, 退单, and 进展 / 需要补充."""
    talk = ((texts.BTN_PROGRESS, callbacks.make(callbacks.PROGRESS, case.id)),
            (texts.BTN_ASK, callbacks.make(callbacks.ASK, case.id)))
    if case.state == "accepted":
        return (((texts.BTN_RESOLVE, callbacks.make(callbacks.RESOLVE, case.id)),
                 (texts.BTN_RETURN, callbacks.make(callbacks.RETURN, case.id))), talk)
    return (((texts.BTN_ACCEPT, callbacks.make(callbacks.ACCEPT, case.id)),
             (texts.BTN_RETURN, callbacks.make(callbacks.RETURN, case.id))), talk)


async def on_case_button(turn: Turn, cb: callbacks.CaseCallback) -> None:
    """接单 / 办结 / 退单 / 派给 pressed on a pushed case or a /tasks card."""
    worker = await turn.worker()
    cases = turn.services.cases
    if cb.action == callbacks.ASSIGN and cb.arg and (worker is not None or turn.is_admin):
        await dispatch.place(turn, cb, worker)  # an admin with no worker role dispatches what nobody else covers
        return
    if worker is None:
        turn.say(texts.NOT_A_WORKER)
        turn.toast(texts.NOT_A_WORKER[:60])
        return
    try:
        if cb.action == callbacks.ACCEPT:
            case = await cases.accept(cb.case_id, worker)
            turn.state.reset()
            turn.say(texts.ACCEPTED.format(number=case.number),
                     [[(texts.BTN_RESOLVE, callbacks.make(callbacks.RESOLVE, case.id))]])
            turn.toast(texts.BTN_ACCEPT)
        elif cb.action == callbacks.RESOLVE:
            case = await owned_case(turn, cb.case_id, worker)
            turn.state.reset()
            turn.state.step, turn.state.case_id = Step.WORKER_RESOLVE_NOTE, case.id
            turn.say(texts.ASK_RESOLVE_NOTE.format(number=case.number), [[cancel_row()]])
        elif cb.action == callbacks.RETURN:
            case = await owned_case(turn, cb.case_id, worker)
            turn.state.reset()
            turn.state.step, turn.state.case_id = Step.WORKER_RETURN_REASON, case.id
            turn.say(texts.ASK_RETURN_REASON, [[cancel_row()]])
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        turn.toast(str(exc)[:60])


#: A worker's typed word → the button it names, and the states of his case where that button is shown.
_TYPED_BUTTONS = {texts.BTN_ACCEPT: (callbacks.ACCEPT, ("assigned",)),
                  texts.BTN_RESOLVE: (callbacks.RESOLVE, ("assigned", "accepted")),
                  texts.BTN_RETURN: (callbacks.RETURN, ("assigned", "accepted")),
                  texts.BTN_PROGRESS: (callbacks.PROGRESS, ("assigned", "accepted")),
                  texts.BTN_ASK: (callbacks.ASK, ("assigned", "accepted"))}


async def typed_button(turn: Turn, worker: WorkerView, typed: str) -> None:
    """A worker typed a button's word (接单, 办结…) instead of pressing it: with exactly one case of his where that
    button is shown, it does what pressing it does (QA: "接单" typed on the only case got "press the buttons");
    with several, those cases are shown, each with that button; with none, he is told there is none."""
    action, states = _TYPED_BUTTONS.get(typed, (None, ()))
    if action is not None:
        mine = [c for c in await turn.services.cases.worker_tasks(worker) if c.assignee_id == worker.id and c.state in states]
        if len(mine) == 1:
            cb = callbacks.CaseCallback(action, mine[0].id)
            if action in (callbacks.PROGRESS, callbacks.ASK):
                from bot.dialog import progress

                await progress.start(turn, cb)
            else:
                await on_case_button(turn, cb)
            return
        if not mine:  # "办结" with nothing to 办结: said so, not "press the buttons of a push" he does not have
            turn.say(texts.WORKER_NOTHING_TO.format(action=typed))
            return
        turn.say(texts.WORKER_WHICH_CASE.format(count=len(mine), action=typed), remember_buttons=False)
        for case in mine[:SHOWN_TASKS]:  # each case with the one button he meant (labels alike: not typed again)
            turn.say(card(turn, case), (((typed, callbacks.make(action, case.id)),),), remember_buttons=False)
        return
    turn.say(texts.WORKER_USE_BUTTONS)


async def owned_case(turn: Turn, case_id: int, worker: WorkerView) -> CaseView:
    case = await turn.services.cases.get_case(case_id)
    if case is None:
        raise CaseError(texts.NO_SUCH_CASE.format(number=case_id))
    if case.assignee_id != worker.id and worker.role == "grid":
        raise CaseError(texts.NOT_IN_YOUR_TASKS.format(number=case.number))
    return case


async def _still_a_worker(turn: Turn) -> WorkerView | None:
    """The worker a 办结/退单 step belongs to; someone no longer bound is told so and the step ends."""
    worker = await turn.worker()
    if worker is None:
        turn.state.reset()
        turn.say(texts.NOT_A_WORKER)
    return worker


async def take_note(turn: Turn) -> None:
    """The 办结 note (at least a couple of characters), then the optional photo."""
    if await _still_a_worker(turn) is None:
        return
    worker = await _still_a_worker(turn)
    if worker is None:
        return
    note = _readable(turn)
    if says_nothing(turn):  # "跳过", "好的": the resident would read it as the result
        turn.say(texts.RESOLVE_NOTE_NEEDED, [[cancel_row()]])
        return
    if len(plain(clean(note))) < MIN_NOTE_CHARS:  # emoji or control characters count for nothing (QA6)
        turn.say(texts.NOTE_TOO_SHORT, [[cancel_row()]])
        return
    if len(note) > MAX_NOTE_CHARS:
        turn.say(texts.NOTE_CUT.format(limit=MAX_NOTE_CHARS), remember_buttons=False)
    turn.state.note = note[:MAX_NOTE_CHARS]
    kept = turn.state.draft.photos if turn.state.draft is not None else []
    if kept:  # the photo came first: 办结 with it now
        await _resolve(turn, worker, kept[0])
        return
    turn.state.step = Step.WORKER_RESOLVE_PHOTO
    turn.say(texts.ASK_RESOLVE_PHOTO, [[(texts.BTN_SKIP_RESOLVE_PHOTO, SKIP_RESOLVE_PHOTO), cancel_row()]])


async def note_photo(turn: Turn) -> None:
    """A photo at the note step (QA6: it was dropped and the note asked again): its caption is the note and it
    is the 办结 photo; without a caption it is kept and the note is asked for."""
    worker = await _still_a_worker(turn)
    if worker is None:
        return
    photo = turn.incoming.photo_file_id
    if photo and not says_nothing(turn) and len(plain(clean(_readable(turn)))) >= MIN_NOTE_CHARS:
        turn.state.note = _readable(turn)[:MAX_NOTE_CHARS]
        await _resolve(turn, worker, photo)
        return
    if photo:
        turn.state.draft = Draft(photos=[photo])
        case = await turn.services.cases.get_case(turn.state.case_id or 0)
        number = case.number if case is not None else f"#{turn.state.case_id}"
        turn.say(texts.RESOLVE_PHOTO_KEPT.format(number=number), [[cancel_row()]])
        return
    await ask_note(turn)


async def ask_note(turn: Turn) -> None:
    """Not a note (跳过): the note comes first."""
    if await _still_a_worker(turn) is not None:
        case = await turn.services.cases.get_case(turn.state.case_id or 0)  # its number, not the database id
        number = case.number if case is not None else f"#{turn.state.case_id}"
        turn.say(texts.ASK_RESOLVE_NOTE.format(number=number), [[cancel_row()]])


def _readable(turn: Turn) -> str:
    """The typed words as typed, or "" when nothing readable is left (emoji, control characters only)."""
    return "" if not clean(turn.incoming.text or "") else (turn.incoming.text or "").strip()


async def resolve_with_photo(turn: Turn) -> None:
    """办结 with the photo."""
    worker = await _still_a_worker(turn)
    if worker is not None:
        await _resolve(turn, worker, turn.incoming.photo_file_id)


async def resolve_without_photo(turn: Turn) -> None:
    """办结 without a photo (跳过, or words instead of a photo)."""
    worker = await _still_a_worker(turn)
    if worker is not None:
        await _resolve(turn, worker, None)


async def take_reason(turn: Turn) -> None:
    """退单 with this reason (at least a couple of characters)."""
    worker = await _still_a_worker(turn)
    if worker is None:
        return
    state = turn.state
    reason = _readable(turn)
    if says_nothing(turn):  # "跳过" was taken as the reason: the dispatcher could not tell why
        turn.say(texts.RETURN_REASON_NEEDED, [[cancel_row()]])
        return
    if len(plain(clean(reason))) < MIN_NOTE_CHARS:
        turn.say(texts.NOTE_TOO_SHORT, [[cancel_row()]])
        return
    case_id = state.case_id
    assert case_id is not None
    state.reset()
    try:
        case = await turn.services.cases.return_case(case_id, worker, reason[:MAX_REASON_CHARS])
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        return
    said = {"": texts.RETURNED_NOBODY, None: texts.RETURNED}.get(case.told, texts.RETURNED_TO_STAFF)
    turn.say(said.format(number=case.number, reason=reason[:100], told=case.told))


async def ask_reason(turn: Turn) -> None:
    """Not a reason (a photo, 跳过): the reason is what we wait for."""
    if await _still_a_worker(turn) is not None:
        turn.say(texts.ASK_RETURN_REASON, [[cancel_row()]])


async def _resolve(turn: Turn, worker: WorkerView, photo: str | None) -> None:
    state = turn.state
    case_id, note = state.case_id, state.note or ""
    state.reset()
    assert case_id is not None
    try:
        case = await turn.services.cases.resolve(case_id, worker, note, photo)
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        return
    turn.say(texts.RESOLVED.format(number=case.number))


def _local(at: datetime, timezone: str) -> str:
    """A deadline in the desk's time zone, the way workers read it ("06-14 18:00")."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(timezone)).strftime("%m-%d %H:%M")

