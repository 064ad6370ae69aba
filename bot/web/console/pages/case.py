"""A case: the resident's words, category, place, photos, supporters, the dated timeline — and, for those who
dispatch, the actions (`case_actions.py`). A case outside the viewer's scope is answered like a missing one."""

from __future__ import annotations

from aiohttp import web

from bot.cases.lifecycle import TRANSITIONS
from bot.web.console.case_query import CaseDetail, case_detail
from bot.web.console.guard import STAFF
from bot.web.console.layout import csrf_field, h, local_time, message_page, page
from bot.web.console.staff import Staff
from bot.web.console.state import console_of
from bot.web.console.words import action_name, categories, category_name, level_name, state_name
from bot.wording.names import STATE_NAMES

routes = web.RouteTableDef()
DONE = {"assign": "已派单，处理人已收到推送。", "supervise": "已督办，处理人已收到推送。", "category": "类别已更改。",
        "merge": "已合并。", "escalate": "已升级。", "note": "备注已保存。"}


def _facts(request: web.Request, d: CaseDetail) -> str:
    c, console = d.case, console_of(request)
    where = h(c.address or "未提供")
    if c.latitude is not None and c.longitude is not None:
        where += f'<br>坐标 {c.latitude:.5f}, {c.longitude:.5f}'
    where += "".join(f"<br>{h(line)}" for line in d.place)
    contact = "（仅处理人可见）"
    if d.contact is not None:
        name, phone = d.contact
        contact = h(name or "未留姓名") + "，" + (h(phone) if phone else "未授权提供电话")
    urgent = ' <span class="tag urgent">紧急</span>' if c.urgent else ""
    rows = [("状态", h(state_name(c.state)) + urgent), ("类别", h(category_name(console.cases, c.intent))),
            ("层级", h(level_name(c.level))), ("网格", h(console.cases.router.grid_name(c.grid_id) or "未确定")),
            ("处理人", h(d.assignee or "未派单")), ("受理时间", h(local_time(request, c.created_at))),
            ("办结时限", h(local_time(request, c.deadline_at))), ("地点", where), ("反映人", contact),
            ("附议", f"{c.supporter_count} 人"), ("督办", f"{d.supervised} 次"), ("重办", f"{c.reopen_count} 次")]
    if c.route_note:
        rows.append(("分派说明", h(c.route_note)))
    if c.resolution_note:
        rows.append(("处理结果", h(c.resolution_note)))
    return '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _photos(request: web.Request, d: CaseDetail) -> str:
    photos = d.case.photos or []
    if not photos:
        return ""
    if console_of(request).photos is None:
        return f'<h2>照片</h2><p class="notice">{len(photos)} 张照片（控制台聊天模式下无法取回照片）。</p>'
    imgs = "".join(f'<a href="/console/photo/{h(d.case.number)}/{i}"><img src="/console/photo/{h(d.case.number)}/{i}" '
                   f'alt="现场照片 {i + 1}" loading="lazy"></a>' for i in range(len(photos)))
    return f'<h2>照片</h2><div class="photos">{imgs}</div>'


def _supporters(request: web.Request, d: CaseDetail) -> str:
    if not d.supporters:
        return ""
    items = "".join(f"<li>{h(local_time(request, at))} {h(text or '（附议，未补充说明）')}</li>" for at, text in d.supporters)
    return f"<h2>附议（{len(d.supporters)}）</h2><ul>{items}</ul>"


def _timeline(request: web.Request, d: CaseDetail) -> str:
    items = []
    for e in d.timeline:
        move = "" if e.from_state == e.to_state else (
            state_name(e.to_state) if e.from_state is None else f"{state_name(e.from_state)} → {state_name(e.to_state)}")
        level = f"（至{level_name(e.to_level)}）" if e.to_level and e.from_state is not None else ""
        note = f"：{h(e.note)}" if e.note else ""
        items.append(f'<li><time>{h(local_time(request, e.at))}</time> <b>{h(action_name(e.action))}</b> '
                     f'{h(e.who)} {h(move)}{h(level)}{note}</li>')
    return f'<h2>经过</h2><ol class="timeline">{"".join(items)}</ol>'


def _form(request: web.Request, d: CaseDetail, action: str, legend: str, inner: str, button: str) -> str:
    return (f'<form method="post" action="/console/case/{h(d.case.number)}/{action}"><fieldset><legend>{h(legend)}</legend>'
            f'{csrf_field(request)}{inner}<p><button type="submit">{h(button)}</button></p></fieldset></form>')


def _actions(request: web.Request, d: CaseDetail, staff: Staff) -> str:
    if not staff.can_act:
        return '<p class="notice">网格员在控制台只能查看；接单、办结、退单请在机器人中操作。</p>'
    c, console, forms = d.case, console_of(request), []
    if c.state in TRANSITIONS["assign"].sources:
        if d.choices:
            grid = console.cases.router.grid_name
            options = "".join(f'<option value="{w.id}"{" selected" if w.id == c.assignee_id else ""}>'
                              f'{h(w.name)}（{h(grid(w.grid_id) or w.grid_id)}，在办 {w.open_cases} 件）</option>'
                              for w in d.choices)
            verb = "改派" if c.assignee_id else "派单"
            forms.append(_form(request, d, "assign", f"{verb}给网格员",
                               f'<label>网格员<select name="worker_id">{options}</select></label>', verb))
        else:
            forms.append('<fieldset><legend>派单</legend><p>本社区暂无可派的已绑定网格员。</p></fieldset>')
    if c.state in TRANSITIONS["supervise"].sources and c.assignee_id:
        forms.append(_form(request, d, "supervise", "督办（推送给处理人）",
                           '<label>督办意见<textarea name="note" maxlength="300" '
                           'placeholder="例如：请今天内到现场处理"></textarea></label>', "督办"))
    if c.state in TRANSITIONS["recategorize"].sources:
        options = "".join(f'<option value="{h(i)}"{" selected" if i == c.intent else ""}>{h(n)}</option>'
                          for i, n in categories(console.cases))
        forms.append(_form(request, d, "category", "更改类别（记为纠正，供理解模型学习）",
                           f'<label>类别<select name="intent">{options}</select></label>', "更改类别"))
    if c.state in TRANSITIONS["merge"].sources:
        forms.append(_form(request, d, "merge", "合并为重复件",
                           '<label>合并到案件编号<input name="into" required pattern="[0-9]{8}-[0-9]{1,4}" '
                           'placeholder="20260101-0001" maxlength="20"></label>', "合并"))
    if c.state in TRANSITIONS["escalate"].sources and c.level != "street":
        forms.append(_form(request, d, "escalate", "升级到上一级",
                           '<label>原因<input name="reason" required maxlength="300"></label>', "升级"))
    forms.append(_form(request, d, "note", "内部备注（居民看不到）",
                       '<label>备注<textarea name="text" required maxlength="1000"></textarea></label>', "保存备注"))
    return '<h2>操作</h2><div class="actions">' + "".join(forms) + "</div>"


async def render_case(request: web.Request, number: str, *, error: str | None = None, status: int = 200) -> web.Response:
    staff = request[STAFF]
    console = console_of(request)
    async with console.cases.db.session() as s:
        detail = await case_detail(s, staff, number[:20], console.cases.router)
    if detail is None:  # not there, or not this person's to see: the same answer
        return message_page(request, "找不到案件", f"没有编号为 {number[:20]} 的案件，或您无权查看。", status=404)
    done = DONE.get(request.query.get("done", ""))
    banner = (f'<p class="error" role="alert">{h(error)}</p>' if error else "") + (
        f'<p class="ok" role="status">{h(done)}</p>' if done and not error else "")
    body = (banner + f'<section class="case"><h2>居民反映</h2><p class="words">{h(detail.case.text)}</p></section>'
            + _facts(request, detail) + _photos(request, detail) + _supporters(request, detail)
            + _actions(request, detail, staff) + _timeline(request, detail))
    title = f"案件 {detail.case.number} · {STATE_NAMES.get(detail.case.state, detail.case.state)}"
    return page(request, title, body, status=status)


@routes.get("/case/{number}")
async def case_page(request: web.Request) -> web.Response:
    return await render_case(request, request.match_info["number"])
