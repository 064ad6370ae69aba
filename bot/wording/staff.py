"""What the dialog says to grid workers, dispatchers and admins in chat (binding, tasks, placing and
handling cases, /reload, /console, /stats)."""

from __future__ import annotations

# -- worker -------------------------------------------------------------------------------------------

BIND_USAGE = "请发送 /bind 邀请码（邀请码由社区管理员生成）。"
BOUND = "绑定成功：{name}，负责{where}。新案件会推送给您；发送 /tasks 查看待办。"
BIND_FAILED = "绑定失败：{reason}"
NOT_A_WORKER = "这个功能只对已绑定的网格员开放。网格员请先发送 /bind 邀请码。"
TASKS_NONE = "目前没有待办案件 👍"
TASKS_HEADER = "待办案件 {count} 件："
TASKS_MORE = "（另有 {more} 件未显示，请先处理以上案件，或在网页工作台查看全部。）"
QUEUE_HEADER = "待派单案件 {count} 件（点“派给”安排网格员，括号里是其在办件数）："
QUEUE_NO_WORKERS = "（该社区暂无可派的网格员：griddesk worker invite --grid 网格ID --name 姓名）"
TASK_CARD = "{urgent}编号 {number}【{category}】{state}\n地址：{address}\n居民原话：“{text}”\n时限：{deadline}{supporters}"
TASK_ANSWER = "\n{question}：{answer}"
#: A worker typed an action instead of pressing its button (接单, 办结…): where the buttons are.
#: A worker's words that name no problem, while he holds cases: where a note for a case goes.
WORKER_NOTE_ONE_CASE = ("这条消息没有发给任何人。如果是案件 {number} 的进展，请点下方“进展”再发一次，会转告居民；"
                        "要反映新问题，请说具体些（哪里、发生了什么）。")
WORKER_NOTE_SEVERAL = ("这条消息没有发给任何人。如果是案件进展，请在对应派单消息下方点“进展”再发"
                       "（发送 /tasks 查看您的 {count} 件待办）；要反映新问题，请说具体些（哪里、发生了什么）。")
#: "接单" typed by a worker with no case where it applies, or with several (each shown with that button).
WORKER_NOTHING_TO = "您目前没有可以“{action}”的案件。发送 /tasks 可查看您的待办案件。"
WORKER_WHICH_CASE = "您有 {count} 件案件可以“{action}”，请在要处理的那件下面点按钮："
WORKER_USE_BUTTONS = "请在派单消息下方点按钮操作（接单 / 进展 / 需要补充 / 办结 / 退单）；发送 /tasks 可查看您的待办案件。"
HELP_WORKER = "\n网格员：/tasks 查看待办；推送的案件上可直接点 接单 / 进展 / 需要补充 / 办结 / 退单。"
HELP_DISPATCHER = "\n派单员：/tasks 上点 派给 / 改派（括号里是在办件数）；/case 案件编号 查看一件。"
HELP_ADMIN = "\n管理员：/stats 统计  /reload 重新加载意图和知识库  /case 案件编号 派单、改派。"
ASK_PROGRESS = "请写下要告诉居民的案件 {number} 进展（也可以直接发一张现场照片，配上说明）："
PROGRESS_SENT = "已把进展发给案件 {number} 的居民（共 {told} 人）。"
ASK_QUESTION = "请写下要问反映人的问题（案件 {number}），例如“具体是几单元几楼？”："
QUESTION_SENT = "已把问题发给案件 {number} 的反映人，对方回复后会转给您。"
ANSWER_SENT = "已把您的补充转给处理案件 {number} 的工作人员，谢谢！"
HELD_BY = "处理人：{name}（点“改派”交给其他网格员，括号里是其在办件数）"
ASSIGNED = "已派单：{number} → {name}"
REASSIGNED = "已改派：{number} → {name}。已通知原处理人 {previous} 和居民。"
CASE_USAGE = ("用法：/case 案件编号，例如 /case 20261201-0001（网格员看自己的案件；派单员、管理员可在案件上派单、改派，"
              "也可以写 /case 编号 督办 [意见]、/case 编号 改类 类别名、/case 编号 派给 姓名）")
#: What a dispatcher's words after /case NUMBER did (QA6: "/case N 改派 李网格" was "no such case").
SUPERVISED_DONE = "已督办：{number}，已提醒处理人员。"
RECATEGORIZED_DONE = "已改类：{number}【{old}】→【{new}】。"
NO_CATEGORY_NAMED = "没有“{name}”这个类别。可选：{names}"
NO_WORKER_NAMED = "没有找到可派的网格员“{name}”，请点下方按钮选择。"
CASE_WORDS_UNKNOWN = "“{words}”我没看懂，先把案件列在下面。可以写：督办 [意见]、改类 类别名、派给 姓名。"
ACCEPTED = "已接单：{number}。处理完后点“办结”。"
ASK_RESOLVE_NOTE = "请用一句话说明案件 {number} 的处理结果（例如“已联系物业清理完毕”）："
ASK_RESOLVE_PHOTO = "可以发一张处理后的照片；没有的话点“跳过”。"
RESOLVED = "已办结：{number}。已通知居民评价。"
ASK_RETURN_REASON = "请说明退单原因（例如“不属于本网格”“类别不对”），社区调度员会重新分派："
RETURNED = "已退单：{number}，原因：{reason}。社区调度员会重新分派。"
#: 退单 when no dispatcher covers the queue: who re-assigns it instead, or honestly nobody yet.
RETURNED_TO_STAFF = "已退单：{number}，原因：{reason}。已转{told}重新分派。"
RETURNED_NOBODY = "已退单：{number}，原因：{reason}。目前没有能重新派单的工作人员，案件在工单队列中等候。"
#: "跳过" or "好的" typed as the 办结 note / the 退单 reason: words are needed (who reads them, and why).
RESOLVE_NOTE_NEEDED = "办结说明不能跳过：居民会看到这句处理结果。请写一句，例如“已联系物业清理完毕”。"
RETURN_REASON_NEEDED = "退单原因不能跳过：社区调度员要据此重新分派。请写一句，例如“不属于本网格”“类别不对”。"
NOTE_TOO_SHORT = "说明太短了，请多写几个字。"
#: A photo sent at the 办结 note step without a caption: kept for the 办结, the note still wanted.
RESOLVE_PHOTO_KEPT = "照片收到了，办结时会一起给居民看。请再用一句话说明案件 {number} 的处理结果："
NOTE_CUT = "（说明较长，只保留了前 {limit} 字。）"
ACTION_REFUSED = "操作未完成：{reason}"
CHOOSE_WORKER = "请选择网格员。"

# -- admin --------------------------------------------------------------------------------------------

NOT_ADMIN = "这个命令只对管理员开放。"
RELOADED = "已重新加载：{intents} 个意图，{knowledge} 条知识。"
RELOAD_SKIPPED = "以下知识条目有问题，已跳过（其余条目照常回答），修好后再发 /reload：\n{problems}"
RELOAD_STALE_WEIGHTS = "以下拟合权重已过期，这些词暂用意图文件里的权重（重新运行 griddesk intents fit 即可）：\n{problems}"
RELOAD_MORE = "…（另有 {more} 个问题，运行 griddesk intents check / griddesk kb check 查看全部）"
RELOAD_FAILED = "重新加载失败，继续使用原来的配置。问题：\n{problems}"
CONSOLE_LINK = ("控制台登录链接（{minutes} 分钟内有效，只能使用一次，请勿转发）：\n{link}\n"
                "链接失效后再发送 /console 即可获取新的。")
CONSOLE_NOT_STAFF = "控制台只对派单员、网格员和管理员开放。网格员请先用邀请码绑定：/bind 邀请码"
CONSOLE_PRIVATE_ONLY = "为了安全，登录链接只在私聊中发送：请直接私聊机器人发送 /console。"
CONSOLE_UNAVAILABLE = "控制台网页暂未开放，请联系管理员。"
STATS_HEADER = "统计（全部案件）："
STATS_EMPTY = "还没有案件。"
STATS_SELF_SERVICE = "居民催办 {urged} 次；不满意原因：{reasons}"
STATS_LINE = ("• {name}：工作量 {total}，响应率 {responded}，办结率 {resolved}，按时办结率 {on_time}，平均处置 {hours}，"
              "满意率 {satisfied}")

# -- pieces of the lines above ------------------------------------------------------------------------------

STATS_HOURS = "{hours:.1f} 小时"
STATS_REASON = "{reason} {count}"
STATS_REASON_SEP = "，"
STATS_REASON_UNSAID = "未说明"
#: After a row's name in /stats: a grid's row, a worker's row.
STATS_SUFFIX = {"grid": "（网格）", "worker": "（人员）"}
TASK_URGENT = "🚨紧急 "
TASK_SUPPORTERS = "\n附议：{count} 人"
TASK_NO_ADDRESS = "（见位置）"
NOT_IN_YOUR_TASKS = "案件 {number} 不在您的待办里"

# -- the command line: what an admin reads and passes on (bot/cases/commands.py) ------------------------------

CLI_NO_WORKERS = "（未绑定网格员）"
CLI_INVITE_EXPIRES = "，{at:%Y-%m-%d %H:%M} UTC 前有效"
CLI_INVITE = ("已为 {name}（{where}）生成一次性邀请码{expires}。\n"
              "请其在机器人对话中发送：/bind {code}\n或打开链接：https://t.me/<机器人用户名>?start=bind_{code}")
#: A worker's state in `griddesk worker list`.
CLI_WORKER_STATES = {"inactive": "停用", "unbound": "未绑定", "unreachable": "无法接收消息", "active": "在岗"}
CLI_WORKER_LINE = "{id:>5}  {name:<10} {role:<9} {where:<14} {state:<6} 在办 {open_cases}"
#: The figures table of `/stats` and `griddesk stats` (bot/cases/stats.py).
STATS_ALL = "全部"
STATS_QUEUE_NAMES = {"community": "社区待派单", "street": "街道待派单"}
STATS_SECTIONS = {"total": "合计", "grid": "按网格", "category": "按类别", "worker": "按人员"}
STATS_TABLE_HEADER = "【{title}】  工作量  在办  超时  响应率  办结率  按时办结率  平均处置时长  满意率"
STATS_REASON_UNKNOWN = "未说明"
STATS_URGED = "催办 {urged} 次；不满意原因：{why}"
