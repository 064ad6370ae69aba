"""Every button label people press, spelt once (the chat's buttons and the case notices' buttons alike).

Rating buttons are the score names (`names.SCORE_NAMES`), reason buttons the reason names; a label here
is matched again when typed (e.g. "跳过，不传照片"), so change it here and nowhere else.
"""

from __future__ import annotations

BTN_NONE_OF_THESE = "都不是"
BTN_SKIP_PHOTO = "跳过，不传照片"
BTN_CANCEL = "取消"
BTN_FILE_IT = "我要反映这个问题"
BTN_NO_THANKS = "不用了"
BTN_FILE_ANYWAY = "仍按一般诉求提交"
BTN_PICK_CATEGORY = "选择问题类别"
BTN_JOIN = "附议（加入这件）"
BTN_FILE_NEW = "另立新案"
#: Files the second problem a message named, after the first one was filed (`ALSO_NOT_FILED`).
BTN_FILE_ALSO = "接着反映这件"
BTN_ACCEPT = "接单"
BTN_RESOLVE = "办结"
BTN_RETURN = "退单"
BTN_SKIP_RESOLVE_PHOTO = "跳过，直接办结"
BTN_YES_THIS = "对，是{category}"
BTN_OTHER_CATEGORY = "不是，选别的类别"
BTN_SKIP_QUESTION = "跳过这个问题"
BTN_NOT_WITHDRAW = "不撤销了"
BTN_CONFIRM_WITHDRAW = "确认撤销"
BTN_FORGET_PHONE = "撤回电话授权并删除"
BTN_SHARE_PHONE = "📱 同意把手机号给处理我案件的网格员"
BTN_PROGRESS = "进展"
BTN_ASK = "需要补充"
BTN_ASSIGN = "派给"
BTN_REASSIGN = "改派"
#: Under a case offered as a similar one (附议) outside the chat's own offer.
BTN_SUPPORT_CASE = "附议此案件"
#: A dispatcher's choice of worker: verb (派给 / 改派), the worker's name, their open cases.
BTN_ASSIGN_TO = "{verb} {name}（{load}）"
#: The resident's self-service on a case: anyone following it, and the filer's own three.
BTN_TIMELINE = "进度"
BTN_SUPPLEMENT = "补充"
BTN_URGE = "催办"
BTN_WITHDRAW = "撤销"
BTN_FILE_WITHOUT_PLACE = "先提交，由工作人员核实地点"
