"""What a case change sends to people who did not ask for it: pushes to workers and dispatchers, notices to
residents and supporters, the weekly digest, and what an outside system (Open311) is told.

`bot.cases.notify` builds the messages from these; residents' notices go out in their script.
"""

from __future__ import annotations

# -- the case as a worker reads it ------------------------------------------------------------------------

CASE_NUMBER = "案件编号：{number}"
CASE_URGENT_MARK = "  【紧急】"
CASE_CATEGORY = "类别：{label}"
CASE_PIN = "位置 {latitude:.5f}, {longitude:.5f}（见地图）"
CASE_WHERE_AND_PIN = "{where}；{pin}"
CASE_ADDRESS = "地址：{where}"
CASE_NO_ADDRESS = "未提供"
CASE_TEXT = "居民反映：{text}"
CASE_ANSWER = "{question}：{answer}"
CASE_PHONE = "居民电话：{phone}（居民同意提供，仅用于联系处理）"
CASE_SUPPORTERS = "附议：{count} 人"
EVIDENCE_VOICES = "语音 {count} 条"
EVIDENCE_FILES = "文件 {count} 个"
EVIDENCE_JOIN = "、"
EVIDENCE = "附件：{parts}（居民随反映发来）"
DEADLINE_LINE = "办结时限：{deadline} 前"
NOTE_LINE = "说明：{note}"

# -- pushes to workers and dispatchers --------------------------------------------------------------------

PUSH_HEADS = {
    "new": "【新派单】请及时接单处理", "reopen": "【重办】居民对处理结果不满意，请重新处理",
    "escalate": "【超时升级】案件已超过办结时限，升级督办",
    "chase": "【紧急·请立即接单】紧急案件尚无人接单",
    "urge": "【居民催办】请尽快处理并回复居民",
    "reassign": "【改派】此案件改由您处理，请及时接单",
}
PUSH_HEAD_OTHER = "【派单】"
QUEUE_HEAD = "【待派单】{level}需要安排处理人员"
#: Why the case waits in the queue; each why names itself ("退单原因：…", "居民补充：…", "未能确定所属网格").
QUEUE_WHY = "（{why}）"
DISPATCH_NO_WORKERS = "本社区暂无已绑定的网格员，请先用 griddesk worker invite 邀请。"
#: A case with no place known (no community): no 派给 can be offered until the place is checked.
DISPATCH_NO_PLACE = "地点不明，还不知道归哪个社区：请先向居民核实地点，再派单。"
REMINDER_HEAD = "【即将超时】请在 {deadline} 前办结"
REASSIGNED_FROM = "由派单员从 {name} 处改派"
REASSIGNED_AWAY = "案件 {number} 已由派单员改派给 {to_name}，您无需继续处理。"
ESCALATED_AWAY = "案件 {number} 已超过办结时限，已升级至{level}督办。"
SUPERVISED_HEAD = "【督办】请加快处理（第 {times} 次督办）"
SUPERVISED_NOTE = "督办意见：{note}"
RECATEGORIZED = "案件 {number} 的类别已由「{old}」改为「{new}」。"
MERGED_AWAY = "案件 {number} 与案件 {into} 是同一问题，已合并到 {into} 办理，本案无需继续处理。"
CANCELLED_FOR_WORKER = "案件 {number} 已由居民撤销，无需继续处理。"
RATED_FOR_WORKER = "案件 {number} 居民评价：{score}。辛苦了！"
SUPPORTER_JOINED = "案件 {number} 又有居民附议，目前共 {count} 人附议。"
ANSWER_LINE = "居民补充：{text}"
ANSWER_PHOTO_LINE = "居民补充了一张照片"
ANSWER_HEAD = "【居民补充】案件 {number}"
SEE_PHOTO = "（见照片）"
SUPPLEMENT_TEXT = "补充内容：{text}"
SUPPLEMENT_PHOTO = "（居民补充了一张照片）"
#: A 补充 that corrected the case's place: the worker reads the new address before the resident's words.
PLACE_CORRECTED_FOR_WORKER = "地址已更正为：{new}（原为：{old}）"
PLACE_IN_OTHER_GRID = "新地址属于{grid}。如不归您处理，请点“退单”说明，由社区改派。"
UNSATISFIED_FOR_WORKER = "案件 {number} 居民不满意的原因：{reason}"
RESIDENT_WORDS = "\n居民原话：{comment}"

# -- notices to residents and supporters ------------------------------------------------------------------

RESIDENT_NOTICES = {
    "assign": "您反映的问题（案件 {number}）已派给{assignee}处理，我们会跟进进展。",
    "reassign": "您反映的问题（案件 {number}）已改由另一位{assignee}处理，我们会继续跟进。",
    "accept": "您反映的问题（案件 {number}）{assignee}已接单，正在处置。",
    "return": "您反映的问题（案件 {number}）需要重新派单，社区正在安排合适的人员处理。",
    "escalate": "您反映的问题（案件 {number}）未在时限内办结，已升级至{level}督办。",
    "reopen": "案件 {number} 因反映人不满意已重新交办，会继续处理。",
    "cancel": "案件 {number} 已由反映人撤销。",
}
#: 退单 when the queue reached someone other than a dispatcher (admins, the on-call chat), or nobody at all.
RESIDENT_RETURNED_STAFF = "您反映的问题（案件 {number}）需要重新派单，已转{told}安排。"
RESIDENT_RETURNED_NOBODY = ("您反映的问题（案件 {number}）需要重新派单，但目前没有能安排派单的工作人员，"
                            "案件在社区工单队列中等候；有人接手会通知您。")
RESIDENT_NOTICE_OTHER = "案件 {number} 状态更新：{state}。"
ASSIGNEE_GRID = "网格员"
ASSIGNEE_LEVEL = "{level}工作人员"
MERGED_FOR_RESIDENT = ("您反映的问题（案件 {number}）与案件 {into} 是同一件事，已合并到 {into} 一并办理，"
                       "后续进展会继续通知您。")
PROGRESS_FOR_RESIDENT = "您反映的问题（案件 {number}）有新进展："
PROGRESS_NOTE = "\n{note}"
QUESTION_FOR_RESIDENT = ("处理案件 {number} 的网格员需要您补充情况：\n“{question}”\n"
                         "请直接回复文字或照片，您发来的下一条消息会转给网格员。")
RESOLVED_FOR_RESIDENT = "您反映的问题（案件 {number}）已办结。"
RESOLUTION_NOTE = "\n处理结果：{note}"
RATE_PLEASE = "\n请对处理结果进行评价："
RATE_REMINDER = "您反映的问题（案件 {number}）已办结，还没有收到您的评价。处理得怎么样？点一下就行："

# -- 每周热点 (bot/cases/digest.py) --------------------------------------------------------------------------

DIGEST_HEAD = "【每周热点】{area} 上周（{first_day} 至 {last_day}）共受理 {total} 件"
DIGEST_BUILDINGS = "案件最多的楼栋："
DIGEST_BUILDING = "{name} {cases} 件"
DIGEST_CATEGORIES = "最多的问题："
DIGEST_CATEGORY = "{name} {cases} 件"
DIGEST_ADDRESSES = "反复反映的地址："
DIGEST_ADDRESS = "{name} {cases} 次"
DIGEST_SEP = "；"
DIGEST_OVERDUE = "已超时未办结 {count} 件："
DIGEST_REOPENED = "居民不满意重办 {count} 件："
DIGEST_NUMBER_SEP = "、"
DIGEST_FOOT = "详情可在控制台“主动治理”页查看（发送 /console 登录）。"

# -- what an outside system (Open311) is told ---------------------------------------------------------------

#: How a case filed by an outside system carries its picture link in the text workers read (its answers to
#: the category's questions go on the case like the chat's: `Case.answers`).
API_MEDIA_LINE = "图片链接：{url}"
#: Open311 service_notice, status_notes.
API_NOTICE = "已受理，已通知{told}，办结时限 {deadline}"
API_NOTICE_QUEUED = "已受理，等待派单，办结时限 {deadline}"
API_STATUS_NOTE = "{state}：{note}"

# -- who a case went to (the resident's receipt says it) -------------------------------------------------------

ROUTED_WORKER = "网格员 {name}"
ROUTED_DISPATCHER = "{level}派单员 {name}"
TOLD_DISPATCHER = "{level}派单员"
TOLD_ADMIN = "社区管理员"
TOLD_ONCALL = "社区值班人员"

# -- notes written on a case's events (timelines, the console, the figures) ------------------------------------

NOTE_UNREACHABLE = "{name} 无法接收消息（可能已屏蔽机器人），案件退回重新派单"
NOTE_RETURN_REASON = "退单原因：{reason}"
NOTE_NO_GRID_WORKER = "；本网格暂无绑定网格员，转社区派单"
NOTE_NO_GRID = "未能确定所属网格"
NOTE_AUTO_ACCEPT = "办结时自动接单"
NOTE_REOPENED = "居民不满意，重办"
NOTE_REOPENED_WHY = "居民不满意，重办：{comment}"
NOTE_PHOTO = "（照片）"
NOTE_DEACTIVATED = "网格员 {name} 已停用"
NOTE_DEACTIVATED_WHY = "网格员 {name} 已停用：{reason}"
NOTE_HANDED_BACK = "{note}，案件退回重新派单"
NOTE_MOVED = "网格员 {name} 调至 {grid}，案件退回重新派单"
NOTE_ESCALATED = "超过办结时限，升级至{level}督办"
NOTE_CHASED = "紧急案件 {waited} 分钟内无人接单，请立即安排"
NOTE_MERGED_INTO = "合并到 {number}"
NOTE_MERGED_HERE = "案件 {number} 合并至此（新增 {joined} 人附议）"
NOTE_ESCALATED_BY = "升级至{level}：{reason}"
NOTE_SUPPLEMENT_STAMP = "\n【{at} 补充】{words}"
NOTE_SUPPLEMENT_WHY = "居民补充：{note}"
NOTE_URGED = "居民催办"
NOTE_REASON_WORDS = "{reason}：{words}"

# -- how a case was routed (`Route.note`: the 原因 line dispatchers read, bot/cases/routing.py) ------------------

ROUTE_GIVEN = "指定网格"
ROUTE_UNKNOWN_GRID = "未知网格 {grid}"
ROUTE_NOTHING = "未提供可识别的地址或位置"
ROUTE_EMPTY_ADDRESS = "地址为空"
ROUTE_NO_MATCH = "地址未匹配到网格：{address}"
ROUTE_BUILDING_NOT_LISTED = "楼栋 {building} 不在「{area}」的网格清单中"
ROUTE_BY_ADDRESS = "按地址「{which}」匹配"
ROUTE_AMBIGUOUS = "地址对应多个网格，请补充楼栋号"
ROUTE_BAD_PIN = "位置坐标无效"
ROUTE_INSIDE = "位置在网格范围内"
ROUTE_NO_COORDINATES = "网格没有坐标，无法按位置匹配"
ROUTE_TOO_FAR = "位置距最近网格 {km:.1f} 公里，超出辖区"
ROUTE_NO_PIN_MATCH = "位置无法匹配网格"
ROUTE_NEAREST = "按位置匹配最近网格（{metres:.0f} 米）"
