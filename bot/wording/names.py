"""The names people read for states, levels, scores, reasons, actions and categories — each spelt once.

The case service, the dialog, the console and the Open311 API all read these; a chat adds the next step
to a state (`state_in_chat`), never a second spelling of the state.
"""

from __future__ import annotations

STATE_NAMES = {
    "filed": "已受理",
    "assigned": "已派单",
    "accepted": "处置中",
    "resolved": "已办结",
    "rated": "已评价",
    "returned": "已退单",
    "cancelled": "已撤销",
}
#: What happens next, added after the state's name where a resident or worker reads a case in chat.
STATE_NEXT = {"resolved": "待评价", "returned": "待重新派单"}
LEVEL_NAMES = {"grid": "网格", "community": "社区", "street": "街道"}
SCORE_NAMES = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
#: Why a resident was not satisfied: the choices on the buttons after 不满意 (kept on the rating, counted in the figures).
UNSATISFIED_REASONS = {"unsolved": "问题没解决", "slow": "处理太慢", "attitude": "态度不好", "mismatch": "结果与实际不符",
                       "other": "其他原因"}
#: Why a resident withdraws (撤销) a case: the choices on the buttons; the words go on the 撤销 event.
WITHDRAW_REASONS = {"solved": "问题已经解决了", "duplicate": "重复反映了", "mistake": "反映错了", "other": "其他原因"}
#: Names used when no intent set is loaded (CLI, tests); the intent files' names win otherwise.
CATEGORY_FALLBACK = {
    "noise": "噪声扰民", "illegal_construction": "违章建筑", "parking": "停车秩序", "sanitation": "环境卫生",
    "greening": "绿化管理", "group_rental": "群租房", "falling_objects": "高空抛物", "pets": "宠物饲养",
    "street_vending": "占道经营", "fumes_odor": "油烟异味", "water_leak": "漏水渗水", "elevator": "电梯问题",
    "public_facilities": "市政设施", "utilities": "水电气暖", "property_service": "物业服务", "fire_hazard": "消防隐患",
    "neighbor_dispute": "邻里纠纷", "public_order": "治安问题", "other": "其他诉求",
}
OTHER_NAME = CATEGORY_FALLBACK["other"]
EMERGENCY_NUMBERS = {"fire": "119（火警）", "medical": "120（急救）", "police": "110（报警）"}
#: A building as the desk writes it back ("梨园小区" + 3 → "梨园小区3栋").
BUILDING = "{area}{number}栋"
#: Building numbers listed after an area ("1-3,5" → "1-3,5栋").
BUILDINGS = "{numbers}栋"
#: Where a case with no grid is counted.
NO_GRID = "未定网格"
#: What the field calls each action of the case lifecycle (`bot.cases.lifecycle.TABLE`, by action).
ACTION_NAMES = {
    "file": "受理", "assign": "派单", "reassign": "改派", "accept": "接单", "resolve": "办结", "return": "退单",
    "rate": "评价", "reopen": "重办", "cancel": "撤销", "escalate": "超时升级", "remind": "即将超时提醒",
    "chase": "紧急催接单", "progress": "进展", "ask": "需要补充", "answer": "补充", "support": "附议",
    "supplement": "补充", "locate": "补充地点", "urge": "催办", "explain": "不满意原因", "rate_remind": "评价提醒",
    "supervise": "督办", "recategorize": "改类", "merge": "合并", "note": "内部备注",
}


def state_in_chat(state: str) -> str:
    """已办结 → "已办结，待评价": the state's one name, and the next step where there is one."""
    name = STATE_NAMES.get(state, state)
    return f"{name}，{STATE_NEXT[state]}" if state in STATE_NEXT else name
