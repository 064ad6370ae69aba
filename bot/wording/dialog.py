"""What the dialog says to residents: greetings, help, odd input, reporting, emergencies, questions, their
cases, self-service and /privacy (Simplified; converted to the reader's script on the way out)."""

from __future__ import annotations

# -- general ------------------------------------------------------------------------------------------

WELCOME = (
    "您好，这里是社区网格服务台 👋\n"
    "直接用一句话告诉我遇到的问题就行，比如“3栋楼下烧烤油烟很大”，我会登记并派给负责您楼栋的网格员。\n"
    "也可以问政策问题，比如“电动车能在楼道充电吗”。\n"
    "命令：/report 反映问题  /my 我的诉求  /cancel 取消  /help 帮助\n"
    "遇到火灾、有人受伤或正在发生的违法犯罪，请先拨打 119 / 120 / 110。"
)
HELP = (
    "怎么用：\n"
    "• 反映问题：直接描述，例如“小区门口电动车堵住消防通道”，然后告诉我地址或发送位置，可附照片。\n"
    "• 问政策：直接提问，例如“群租房怎么认定？”\n"
    "• /my 查看我的诉求：进度、补充、催办、撤销；处理完后可以评价 满意 / 基本满意 / 不满意。\n"
    "• /privacy 查看我们保存了您哪些信息，撤回电话授权。\n"
    "• 任何时候发送“取消”或 /cancel 都能重新开始。\n"
    "紧急情况请先拨打 119（火警）/ 120（急救）/ 110（报警）。"
)
CHAT_REPLY = "您好！有需要社区处理的问题，直接告诉我就行；也可以发送 /help 看看怎么用。"
THANKS_REPLY = "不客气，有事随时找我。"
CANCELLED = "好的，已取消，刚才的内容不会提交。有需要随时再找我。"
#: 取消 / 不撤销了 in a step about a filed case: what goes on (the case), not "nothing will be submitted".
WITHDRAW_KEPT = "好的，不撤销了，案件会继续处理。有进展会通知您。"
SUPPLEMENT_LEFT = "好的，补充结束，案件照常处理。"
RATE_REASON_LEFT = "好的，不用写原因了，您的评价已记下。"
NOTHING_TO_CANCEL = "现在没有进行中的操作。有问题直接告诉我就行。"
EMPTY_INPUT = "没看到文字内容哦。请用文字描述一下遇到的问题，比如“楼道里堆满杂物”。"
#: The same mid-report: what the step needs is asked right after.
EMPTY_MIDWAY = "没看到文字内容哦。"
BINARY_INPUT = "这条消息我读不懂（可能是乱码或文件内容）。请用文字描述一下遇到的问题。"
TRUNCATED_NOTE = "（您的消息较长，我只读取了前 {limit} 个字。）"
UNKNOWN_COMMAND = "没有这个命令：/{command}。可以发送 /help 查看能做什么。"
UNSUPPORTED_EVENT = "这类消息我暂时处理不了，请用文字描述，或发送位置、照片。"
EDITED_NOTICE = "修改后的消息不会重新处理。如需补充或更正，请直接再发一条消息。"
FOREIGN_CONTACT_NOTICE = "为保护隐私，只能登记您本人的电话。请用输入框旁的📎→联系人发送您自己的号码，或直接打字告诉我。"
VOICE_HELP = ("语音我听不了，请用文字说一下遇到的问题，例如“梨园小区3栋楼下天天晚上有人烧烤，油烟很大”。"
              "手机输入法一般有“按住说话转文字”，用它说完再发送就行。")
FILE_HELP = ("文件我打不开。请用文字描述遇到的问题；现场照片请用“照片”方式发送（不要选“文件”）。"
             "正在反映问题时发来的文件，会作为材料附在案件里。")
STICKER_HELP = "表情我看不懂哦 🙂 请用文字告诉我遇到的问题，或发送现场照片、位置。"
FORWARDED_HELP = ("收到一条转发的消息。转发的内容不会当作您的回答；如果要反映其中的问题，"
                  "请用自己的话简单说一下（哪里、发生了什么）。")
VOICE_ATTACHED = "语音收到了，会作为材料附在这件反映里。不过我听不了语音，要紧的内容请再打字说一下。"
FILE_ATTACHED = "文件收到了，会作为材料附在这件反映里。"
STALE_BUTTON = "这个按钮已经过期了，请重新发起。"
#: The reply keyboard's location button, and the hint that carries it when the message has inline buttons
#: (`Reply.extra` keys `location_button` / `location_hint`, converted with the rest of the reply).
LOCATION_BUTTON = "📍 发送我的位置"
LOCATION_HINT = "也可以点下方按钮直接发送位置。"
WORDED_EXTRAS = frozenset({"location_button", "location_hint"})
ERROR_REPLY = "抱歉，系统刚才出了点问题，请稍后再试一次。"
# A storage failure (disk I/O error…) during a turn: say only what is true — nothing was saved or filed now.
STORAGE_FAILED = "抱歉，系统暂时无法保存数据，刚才这一步没有完成。请过几分钟再试一次。"
STORAGE_FAILED_DRAFT = ("抱歉，系统暂时无法保存数据，刚才这一步没有完成，案件还没有登记。您已填写的内容先记着，"
                        "请过几分钟再发一条消息或再点一次按钮继续。")
CONTACT_THANKS = "已收到您的联系电话，仅给处理您案件的网格员看，用于联系您处理诉求。发送 /privacy 可随时撤回。"

# -- resident: reporting ------------------------------------------------------------------------------

ASK_DESCRIPTION = "请用一两句话描述您要反映的问题，例如“翠竹苑5栋楼道堆满杂物”。也可以附上照片。"
CONFIRM_CATEGORY = "我理解您反映的是下面哪类问题？请选一个："
PICK_CATEGORY = "请选择问题类别："
ASK_ADDRESS = "好的，记下了【{category}】。请告诉我具体地址（小区、楼栋，比如“梨园小区3栋”），或点下方按钮发送位置。"
ASK_ADDRESS_AGAIN = "还需要问题发生的具体地址：请写上小区和楼栋（比如“梨园小区3栋”），或点下方按钮发送位置。"
ADDRESS_REQUIRED = "地址不能跳过：网格员需要知道在哪里。请写上小区和楼栋，或点下方按钮发送位置。"
ADDRESS_TOO_SHORT = "地址太短了，请写上小区和楼栋，例如“梨园小区3栋2单元”，或发送位置。"
ADDRESS_UNCLEAR = (
    "没能在本街道的小区里找到“{address}”。请写上小区名和楼栋，例如“梨园小区3栋”，或点下方按钮发送位置。"
    "如果地址没错，再发一次同样的地址即可。"
)
#: The estate was found but spans several grids, and no building was given: ask for it (not "not found").
ADDRESS_NEEDS_BUILDING = ("{estate}分属几个网格，请再写上楼栋（例如“{estate}3栋”），或点下方按钮发送位置。"
                          "不清楚楼栋的话，再发一次同样的地址即可。")
#: Routing finds the place only loosely (a typo): offered, and "是" takes it.
ADDRESS_DID_YOU_MEAN = ("没找到“{address}”。您说的是“{place}”吗？是的话回复“是”；不是的话请重新写小区和楼栋，"
                        "或点下方按钮发送位置。")
#: The estate is known, the building is not one it lists.
ADDRESS_BUILDING_UNKNOWN = ("“{address}”：找到了{estate}，但没找到这个楼栋。请核对楼栋号再发一次（例如“{estate}3栋”），"
                            "或点下方按钮发送位置；楼栋没错的话，再发一次同样的地址即可。")
ADDRESS_NOTED_DETAIL = "已把这句补充到问题描述里。还需要具体地址：请写上小区和楼栋，或点下方按钮发送位置。"
ADDRESS_CORRECTED = "地址已改为：{address}。"
ADDRESS_NOTED = "地址记下了：{address}。还需要您确认一下问题的类别："
NOT_AN_ADDRESS = "“{text}”不像是地址。请告诉我问题发生的小区和楼栋，例如“梨园小区3栋”，或点下方按钮发送位置。"
#: After `midway.ADDRESS_TRIES` answers with no place: what cannot happen without one, and the two honest ways on.
ADDRESS_GIVE_UP = ("还是没能确定问题发生在哪里，没有地点就没法派给负责那里的网格员。在现场的话可以点下方按钮发送位置；"
                   "也可以先提交，由工作人员核实地点后再派单；不报了就点“取消”。")
ADDRESS_DONT_KNOW = ("不知道门牌也没关系：在现场的话点下方按钮发送位置就行；也可以说个附近的标志，"
                     "例如“梨园小区南门”“翠竹苑5栋楼下”。")
WHY_ADDRESS = ("网格员按楼栋分工，机器人这边看不到您的住址：需要您说一下问题发生在哪个小区、哪栋楼，"
               "才能派给负责那里的网格员。地址只用于处理这件事。")
QUESTION_MIDWAY = "这个问题我暂时答不上来，可以拨打 12345 政务服务便民热线咨询。这件反映先接着登记："
CATEGORY_CORRECTED = "好的，已把类别从【{old}】改为【{new}】。"
CORRECTION_PREFIX = "更正："
#: A correction that names the new category but not the problem: the old words described the old one.
ASK_NEW_PROBLEM = "请简单说说【{category}】的具体情况（比如在哪里、什么时候、有多严重）："
CONFIRM_ONE = "我理解您反映的是【{category}】，对吗？"
CATEGORY_TEXT_HINT = "请点一个类别按钮；也可以用一句话再说说是什么问题。"
TOO_LONG_MIDWAY = "这条消息太长了（超过 {limit} 字），没有加进正在填写的反映。请简短说明，或分几条发送。"
ANOTHER_PROBLEM_LATER = "您刚才说的另一个问题（“{text}”）还没登记：等这件处理完，请再发一次。"
DRAFT_SET_ASIDE = "（刚才未提交的反映“{text}”已放下，需要的话稍后再发一次。）"
ASK_PHOTO = "如果方便，请发一张现场照片，能帮助网格员更快处理；没有的话点“跳过”。"
#: Words at the photo step, read for what they are (they used to file the case at once).
PHOTO_STEP_DETAIL_NOTED = "已把这句补充到问题描述里，还没有提交。"
PHOTO_OR_SKIP = "还差一步：请发一张现场照片；没有照片的话点“跳过，不传照片”，就会提交。"
ADDRESS_TO_CORRECT = "好的，地址重新填：请告诉我正确的小区和楼栋（比如“梨园小区3栋”），或点下方按钮发送位置。"
HOW_LONG_ANSWER = "【{category}】的办结时限是 {deadline}，从提交时算起；处理进展会通知您。"
PHOTO_HOW = "发照片：点输入框旁的📎（回形针）→ 选“照片”或“相机”，选好后发送即可。"
PHOTO_RECEIVED = "照片收到了。"
ANSWER_CUT = "（回答较长，只记下了前 {limit} 个字。）"
LOCATION_RECEIVED = "位置收到了。"
FILED = (
    "已受理 ✅\n案件编号：{number}\n类别：{category}\n地址：{address}\n{routing}\n"
    "办结时限：{deadline}。处理进展会通知您，也可以随时发送 /my 查看。"
)
FILED_ROUTED = "已派给：{grid}{worker}"
FILED_DISPATCHER = "已转社区调度员分派"
#: Who was told when no grid worker took it (the case desk's answer: "社区派单员 李四", "社区管理员"…); the status
#: card says the same words (`STATUS_WHO_QUEUE`).
FILED_TOLD = "已转{told}分派"
#: Filed without a place (the resident chose 先提交 after `ADDRESS_GIVE_UP`): nobody can be sent until it is checked.
FILED_NO_PLACE = "地点待核实：案件已进入工单队列，工作人员核实地点后再派单；您也可以发送 /my 点“补充”写上地址"
#: Filed, but no worker, dispatcher, admin or on-call chat could be told yet: true words only.
FILED_QUEUED = "已进入社区工单队列，待安排处理人员"
URGENT_FILED = "已按紧急案件受理 🚨\n案件编号：{number}\n地址：{address}\n已通知{routing}尽快到场。请注意自身安全。"
#: Nobody could be told (no bound worker, dispatcher, admin or on-call chat): say so, never pretend.
URGENT_FILED_NOBODY = ("已按紧急案件受理 🚨\n案件编号：{number}\n地址：{address}\n"
                       "⚠️ 目前没能联系上社区值班人员，请务必直接拨打 110 / 119 / 120 求助。请注意自身安全。")
#: Short words that name no problem while a similar case is offered: the choice is explained, the draft kept.
DUPLICATE_CHOOSE = "请选一下：是同一件事就点“附议（加入这件）”一起跟进；不是同一件就点“另立新案”单独登记；不报了点“取消”。"
DETAIL_NOTED = "已把这句补充到问题描述里。"
DUPLICATE_FOUND = (
    "附近已经有人反映过类似问题：\n编号 {number}【{category}】{state}\n{place}，{filed} 反映\n"
    "{supporters}您可以加入这件（附议），进展会同步通知您；也可以另立新案。"
)
#: The supporters so far, in DUPLICATE_FOUND (left out while nobody has joined: "已有 0 位" reads as nobody cares).
DUPLICATE_SUPPORTERS = "已有 {count} 位居民附议。"
DUPLICATE_OWN = (
    "您已经反映过类似问题：\n编号 {number}【{category}】{state}\n“{text}”\n"
    "进展会通知您，也可以发送 /my 查看。如果这是另一件事，请点“另立新案”。"
)
#: 附议 pressed on an offer whose case has closed since: the resident's words are filed as a report of their own.
JOIN_CLOSED = "案件 {number} 已经办结，不能再附议了。您反映的情况按新问题登记："
JOINED = "已加入案件 {number}（附议），目前共 {supporters} 位居民关注。有进展会通知您。"
ALREADY_JOINED = "您已经关注案件 {number} 了，有进展会通知您。"
OUTSIDE_DESK = (
    "这件事不属于社区网格服务台受理的范围（例如学校、社保、就业、医院、营业执照等）。\n"
    "建议拨打 12345 政务服务便民热线，由对应部门办理。\n如果您仍希望社区登记转达，可以按一般诉求提交。"
)
REPORT_NEEDS_DETAIL = "能再具体说说是什么问题吗？比如“哪里、发生了什么”。也可以直接选择类别："
FILE_FAILED = "抱歉，登记时出了问题，案件还没有提交。请稍后再发一次，内容不会丢。"

# -- resident: emergency ------------------------------------------------------------------------------

EMERGENCY_CALL = "⚠️ 情况紧急，请立即拨打 {numbers}！\n先确保自身安全，再回来告诉我地址，我同时登记紧急案件通知网格员。"
EMERGENCY_ASK_ADDRESS = "请告诉我出事地点（小区、楼栋），或点下方按钮发送位置。"

# -- resident: questions ------------------------------------------------------------------------------

KB_ANSWER = "{answer}\n\n（来源：{source}）"
KB_NO_ANSWER = "这个问题我暂时没有找到确切的答案。可以拨打 12345 政务服务便民热线咨询，或直接告诉我需要社区处理的问题。"
KB_NOT_READY = "政策问答功能还在准备中，暂时不能回答。可以拨打 12345 政务服务便民热线咨询；需要社区处理的问题可以直接告诉我。"
OFFER_FILE = "如果这件事需要社区处理，我可以帮您登记【{category}】："

# -- resident: my cases, rating -----------------------------------------------------------------------

MY_NONE = "您还没有反映过问题。直接告诉我遇到的问题就可以登记。"
MY_HEADER = "您的诉求（最近 {count} 件）："
MY_LINE = "• {number}【{category}】{state}{extra}\n  {text}"
MY_SUPPORTED = "（附议）"
STATUS_NONE = "您目前没有在办的诉求。以前的记录可以发送 /my 查看；有新问题直接告诉我就行。"
#: A rating typed while several cases wait for one (QA6: the newest was rated without saying which).
RATE_WHICH = "您有 {count} 件已办结、等您评价的案件，请在要评价的那件下面点按钮："
STATUS_PICK = "您有 {count} 件在办的诉求，想问哪一件？"
STATUS_PICK_ONE = "您在办的诉求是这一件，点一下看进度："
STATUS_NO_SUCH_KIND = "没有找到您反映的【{category}】的在办诉求。"
STATUS_ONE = ("案件 {number}【{category}】\n状态：{state}\n经办：{who}\n办结时限：{deadline} 前\n"
              "有进展会通知您，也可以随时发送 /my 查看。")
STATUS_WHO_WORKER = "{grid} 网格员 {worker}"
#: A dispatcher holds it (no grid worker took it): as the receipt said it.
STATUS_WHO_DISPATCHER = "{level}派单员 {name}"
#: Nobody holds it; `told` is who the desk tells to name someone (the same answer the queue's push went by).
STATUS_WHO_QUEUE = "已转{told}，正在安排处理人员"
#: Nobody holds it and nobody can name someone yet (no dispatcher, admin or on-call): the receipt's words.
STATUS_WHO_WAITING = "在社区工单队列中等候，待安排处理人员；有人接手会通知您"
#: Filed without a place: nobody is sent before it is checked (the receipt's `FILED_NO_PLACE`).
STATUS_WHO_NO_PLACE = "地点待核实，核实后再派单；可以发送 /my 点“补充”写上地址"
#: Closed, and nobody holds it any more (the worker left).
STATUS_WHO_NOBODY = "—"
RATE_ASK = "案件 {number} 已办结，请评价："
RATED = "感谢评价：{score}。"
RATED_WITH_WORDS = "感谢评价：{score}。您说的话也记下了。"
#: "还是没解决" typed while the case waits for its rating: how to say so (不满意 sends it back to work).
RATE_STILL_THERE = "案件 {number} 已标记办结。如果问题还没解决，请点“不满意”，案件会重新派单处理："
RATED_REOPENED = "很抱歉没让您满意。案件 {number} 已重新派单处理（重办），有进展会通知您。"
RATE_NOT_YOURS = "只能评价您自己反映的案件。"
NO_SUCH_CASE = "没有找到案件 {number}。"
MY_MORE = "更早的 {count} 件：\n{lines}"

# -- resident: self-service on a case (进度 / 补充 / 催办 / 撤销 / 不满意原因) ------------------------------------

TIMELINE_HEADER = "案件 {number}【{category}】现在：{state}{who}\n办结时限：{deadline}\n进度："
TIMELINE_WHO = "，{who}处理中"
TIMELINE_LINE = "• {at} {name}{note}"
ASK_SUPPLEMENT = "请直接发要补充的内容（文字或照片），会转给处理案件 {number} 的工作人员。不补充了就点“取消”。"
SUPPLEMENT_EMPTY = "没看到要补充的内容。请写几句话或发一张照片；不补充了就点“取消”。"
SUPPLEMENTED = "照片已补充到案件 {number}，已转告处理人员。还有照片可以继续发，发完点“取消”结束。"
SUPPLEMENTED_DONE = "已补充到案件 {number}，已转告处理人员。还要补充可以再点“补充”。"
#: The 补充 gave the place of a case filed without one: it was routed at once (`told`: who has it now).
SUPPLEMENTED_ROUTED = "已补充到案件 {number}。按您补充的地点，案件已转{told}处理。还要补充可以再点“补充”。"
#: Nobody holds the case and nobody covers its queue yet: kept, and seen by whoever takes it.
SUPPLEMENTED_KEPT = "已补充到案件 {number}。案件还在社区工单队列中等候，有人接手时会看到您补充的内容。"
#: Right after filing, "地址说错了 是梨园小区5栋": the correction is added to the case just filed (a 补充), not a new report.
PLACE_CORRECTED_AFTER_FILING = ("明白，是刚提交的案件 {number} 的地址要更正。已把新地址（{address}）作为补充记到这件案件里，"
                                "不用重新反映。")
ASK_PLACE_AFTER_FILING = ("好的，请告诉我案件 {number} 正确的地址（小区和楼栋，比如“梨园小区5栋”），"
                          "我补充到这件案件里，转告处理人员：")
PLACE_CORRECTION_TOLD = "已转告处理人员按新地址核实。"
PLACE_CORRECTION_ROUTED = "按新地址，案件已转{told}处理。"
PLACE_CORRECTION_KEPT = "案件还在社区工单队列中等候，有人接手时会看到这条更正。"
#: After the receipt: the same message named a second problem, which this case does not cover (it is offered next).
ALSO_NOT_FILED = ("您还提到了“{text}”，这件没有一起登记在上面的案件里。要另外反映的话请点“接着反映这件”；"
                  "不需要就不用管。")
SUPPLEMENT_CUT = "（内容较长，只保存了前 {limit} 个字。）"
URGED = "已催办案件 {number}，已提醒处理人员尽快处理。办结时限：{deadline}，到时没办结会自动升级督办。"
#: Nobody holds the case and nobody covers its queue yet: the 催办 is kept, and nobody is said to be reminded.
URGED_KEPT = ("已催办案件 {number}。案件还在社区工单队列中等候，有人接手时会看到催办。办结时限：{deadline}，"
              "到时没办结会自动升级督办。")
ASK_WITHDRAW = "确定要撤销案件 {number} 吗？请选一个原因，或直接写一句："
WITHDRAWN = "案件 {number} 已撤销（原因：{reason}），处理人员已收到通知。以后有问题随时再反映。"
WITHDRAW_WHICH_REASON = "好的。撤销前请选一个原因，或直接写一句："
WITHDRAW_LEFT_FOR = "好的，不撤销了。"
WITHDRAW_TYPE_REASON = "请写一句撤销的原因（例如“已经和邻居沟通好了”）："
WITHDRAW_CONFIRM = "撤销原因：{reason}\n确定撤销吗？撤销后网格员不再处理。"
ASK_UNSATISFIED_WHY = "能说说哪里不满意吗？选一个原因，也可以直接写几句，会转给处理的工作人员："
UNSATISFIED_TYPE = "请写几句具体哪里不满意，会转给处理的工作人员："
UNSATISFIED_NOTED = "收到，原因（{reason}）已转告处理人员。还想补充可以直接写，或点“取消”结束。"
UNSATISFIED_WORDS_NOTED = "收到，已把您的话转告处理人员。"
CASE_WORDS_EMPTY = "没看到文字内容。请写几句话，或点“取消”结束。"
#: A voice note, a file or a sticker in a step about a case (a 办结 note, a 撤销 reason…; QA6: the worker got the
#: residents' "describe your problem" help): the step wants words, and stays.
CASE_MEDIA_NOT_HERE = "语音、文件和表情我看不了，这一步需要文字。请写几句话，或点“取消”结束。"
RESOLVE_PHOTO_MEDIA = "语音、文件和表情我看不了。可以用“照片”方式发一张处理后的照片；没有的话点“跳过”。"
CASE_PHOTO_NOT_HERE = "这一步需要文字。请写几句话，或点“取消”结束。"

# -- resident: /privacy --------------------------------------------------------------------------------

PRIVACY_SHOW = (
    "我们保存的您的信息：\n• 称呼：{name}\n• 电话：{phone}\n• 反映的案件 {cases} 件，附议 {supported} 件\n"
    "电话只在您同意后保存，只给处理您案件的网格员看；其他居民、调度名单和统计里，电话、身份证号、车牌和门牌号都会打码。"
)
PRIVACY_PHONE = "{phone}（{at} 同意提供给处理人员）"
PRIVACY_NO_PHONE = "未提供（愿意的话，点下方按钮把手机号给处理您案件的网格员，随时可以在这里撤回）"
PRIVACY_NOTHING = ("我们还没有保存您的任何信息。反映问题时才会记录您的称呼和反映内容；电话只在您同意后保存"
                   "（点下方按钮即同意，随时可以撤回）。")
PHONE_FORGOTTEN = "已撤回授权并删除您的电话，今后处理人员看不到您的电话。"
PHONE_NOT_STORED = "我们没有保存您的电话，不需要撤回。"

# -- deadlines ----------------------------------------------------------------------------------------


def deadline_text(hours: float) -> str:
    """48 → "48 小时内", 168 → "7 天内": what residents read on a phone."""
    if hours >= 48 and hours % 24 == 0:
        return f"{int(hours // 24)} 天内"
    return f"{hours:g} 小时内"

# -- pieces of the sentences above ----------------------------------------------------------------------------

DUPLICATE_NEARBY = "附近"
NO_DESCRIPTION = "（未填写描述）"
RECEIPT_PIN = "位置 {latitude:.5f}, {longitude:.5f}"
RECEIPT_WORKER = "（网格员 {name}）"
RECEIPT_SEP = "，"
MY_HELD_BY = "（{grid} {name}）"
TIMELINE_NOTE = "：{note}"
STATUS_BUTTON = "{number}【{category}】"
#: A deadline as a resident reads it in a status answer (strftime).
STATUS_DEADLINE_FORMAT = "%m月%d日 %H:%M"
