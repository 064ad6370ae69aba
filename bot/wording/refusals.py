"""Why an action was not done, as the person who tried reads it (the text of every `CaseError`).

Formatted with the keys named in braces; `state` is always the state's name (`names.STATE_NAMES`).
"""

from __future__ import annotations

# -- the lifecycle: an action the case's state does not allow (bot/cases/lifecycle.py, by action) -----------

NOT_NOW = "案件 {number} 当前{state}，不能{name}。"
#: Per action: refusal per current state, `*` for any other state (else `NOT_NOW`).
NOT_NOW_BY_ACTION = {
    "assign": {"*": "案件 {number} 当前{state}，不能派单。"},
    "reassign": {"*": "案件 {number} 当前{state}，不能改派。"},
    "accept": {"accepted": "案件 {number} 已接单，处理完成后请点「办结」。"},
    "rate": {"rated": "案件 {number} 已评价过，谢谢您的反馈。", "*": "案件 {number} 当前{state}，办结后才能评价。"},
    "progress": {"*": "案件 {number} 当前{state}，不能再发进展。"},
    "ask": {"*": "案件 {number} 当前{state}，不能再请居民补充。"},
    "answer": {"*": "案件 {number} 已{state}，补充的内容没有转给网格员。如问题仍在，请重新反映。"},
    "support": {"*": "案件 {number} 已{state}，不能再附议。如问题仍在，请重新反映。"},
    "supplement": {"*": "案件 {number} 当前{state}，不能再补充。如问题仍在，请重新反映。"},
    "urge": {"*": "案件 {number} 当前{state}，不需要催办了。"},
    "supervise": {"*": "案件 {number} 当前{state}，没有正在处理的人可督办。"},
    "merge": {"*": "案件 {number} 当前{state}，不能再合并。"},
}

# -- not found, not yours, bad input (bot/errors.py: NotFound, NotYours, BadInput, NotNow) ----------------------

NO_CASE_ID = "找不到案件 #{case_id}。"
NOT_ASSIGNED_TO_YOU = "案件 {number} 不是派给您的，不能操作。"
ASSIGN_ONLY_ACTIVE = "只能派给已绑定的在岗网格员。"
ASSIGN_ONLY_OWN_AREA = "只能派给本{level}的网格员。"
ALREADY_HELD_BY = "案件 {number} 已由 {name} 处理，无需改派。"
WORKER_UNREACHABLE = "网格员 {name} 目前无法接收消息（可能已屏蔽机器人），请派给其他网格员。"
RETURN_NEEDS_REASON = "退单需要说明原因（例如：不属于本网格、分类有误）。"
ONLY_DISPATCHERS_ASSIGN = "只有社区或街道的派单员可以派单。"
EMPTY_REPORT = "诉求内容不能为空，请描述一下问题。"
SUPPORT_OWN_CASE = "案件 {number} 是您本人反映的，无需附议。"
SUPPORT_ONLY_OFFERED = "只能附议系统向您推荐的相似案件。如有问题，请直接描述情况反映。"
ALREADY_SUPPORTED = "您已附议过案件 {number}，处理进展会通知您。"
ONLY_FILER_RATES = "只有反映人可以评价案件 {number}。"
ONLY_FILER_WITHDRAWS = "只有反映人可以撤销案件 {number}。"
ONLY_FILER_ANSWERS = "只有反映人可以补充案件 {number}。"
PROGRESS_EMPTY = "请写几句进展，或发一张现场照片。"
QUESTION_EMPTY = "请写下要问居民的问题（例如“具体是几单元？”）。"
BAD_PHONE = "电话号码格式不对，请重新发送。"
BAD_INVITE = "邀请码格式不对，请检查后重新发送：/bind 邀请码"
UNKNOWN_INVITE = "邀请码无效，请向社区管理员索取新的邀请码。"
USED_INVITE = "该邀请码已被使用，每个邀请码只能绑定一次。"
EXPIRED_INVITE = "邀请码已过期，请向社区管理员索取新的邀请码。"
NO_ASSIGNEE_YET = "案件 {number} 还没有处理人，请先派单。"
SUPERVISE_OWN_CASE = "案件 {number} 由您本人处理，无需督办。"
NO_SUCH_CATEGORY = "没有这个类别：{intent}"
SAME_CATEGORY = "案件 {number} 已经是这个类别。"
NO_CASE_NUMBER = "找不到案件 {number}。"
NOT_FILLED = "（未填写）"
MERGE_INTO_ITSELF = "不能把案件合并到它自己。"
MERGE_ONLY_OPEN = "案件 {number} 当前{state}，只能合并到未办结的案件。"
ESCALATE_NEEDS_REASON = "升级需要说明原因。"
ALREADY_TOP_LEVEL = "案件 {number} 已在街道层级，无法再升级。"
NOTE_EMPTY = "备注不能为空。"
ONLY_OWN_OR_SUPPORTED = "只能查看您反映或附议的案件（{number} 不是）。"
NOTHING_TO_SUPPLEMENT = "补充内容是空的：请写几句话，或发一张照片。"
ALREADY_URGED = "案件 {number} 已经催办过了，办结时限是 {deadline}，到时还没办结会自动升级督办。"
REASON_EMPTY = "请从按钮里选一个原因，或直接写几句话。"
NOT_UNSATISFIED = "案件 {number} 没有“不满意”的评价，不需要说明原因。"
ALREADY_EXPLAINED = "已经收到您对案件 {number} 不满意原因的说明，谢谢。想补充可以直接写几句。"
ONLY_FILER = "只有反映人本人可以{what}案件 {number}。"
#: What the filer was trying to do, in `ONLY_FILER`, where it is not the action's name (`names.ACTION_NAMES`).
ONLY_FILER_WHAT = {"explain": "说明不满意的原因"}
#: The staff console (bot/web/console/desk.py): who may act on a case there.
CONSOLE_VIEW_ONLY = "网格员在控制台只能查看；请在机器人中处理案件。"
CONSOLE_NOT_BOUND = "您的账号还没有绑定机器人，不能操作案件。"
