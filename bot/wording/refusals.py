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
