"""The adapters' own words: Telegram's command menus and delivery notes, the console chat's lines, the
login-link note of the command line. What the dialog says goes through `dialog` / `staff` instead.
"""

from __future__ import annotations

# -- Telegram: the command menu (bot/telegram/menus.py), by command -----------------------------------------

MENU = {
    "report": "反映问题", "my": "我的诉求和进度", "privacy": "我的信息与电话授权", "cancel": "取消当前操作",
    "help": "使用说明", "start": "开始", "tasks": "我的待办案件", "case": "按编号查看案件（派单员可改派）",
    "console": "登录控制台网页", "stats": "办理情况统计", "reload": "重新加载意图和知识库",
}
#: An admin's /case does more than a worker's.
MENU_ADMIN_CASE = "按编号查看案件、派单、改派"
#: A message whose photo Telegram refused, sent as text with this note (bot/telegram/sender.py).
PHOTO_DROPPED = "（附带的照片无法发送）"

# -- the console chat (bot/console.py) ----------------------------------------------------------------------

CONSOLE_HELP = (
    "控制台命令：/as resident [名字]  /as worker 名字 [网格ID]  /as admin  /who  "
    "/loc 纬度 经度  /photo [说明]  /contact 电话  /quit；输入按钮编号或文字即可点按钮。"
)
CONSOLE_WEB = "（控制台网页：{url}/console/ ；管理员 {admin} 的一次性登录链接（{minutes:g} 分钟内有效）：{link} ）"
CONSOLE_ROLES = {"resident": "居民", "worker": "网格员", "admin": "管理员"}
CONSOLE_WHO = "（当前身份：{name}，{role}，id {user_id}）"
CONSOLE_LOC_USAGE = "（用法：/loc 纬度 经度，例如 /loc 31.2304 121.4737）"
CONSOLE_AS_USAGE = "（用法：/as resident [名字] | /as worker 名字 [网格ID] | /as admin）"
CONSOLE_SWITCHED = "（切换为：{name}，{role}）"
CONSOLE_NO_GRIDS = "（没有网格数据，无法绑定网格员）"
CONSOLE_INVITED = "（控制台：为 {name} 生成邀请码 {code}，网格 {grid}）"
CONSOLE_HANDED = "（控制台：网格 {grid} 中待派单的 {taken} 件案件已派给 {name}）"
CONSOLE_BOT = "机器人"
CONSOLE_PUSH_TO = "推送 → {name}"
CONSOLE_PUSH_TO_CHAT = "推送 → chat {chat_id}"
CONSOLE_LOC_HINT = "    （可发送 /loc 纬度 经度 分享位置）"
CONSOLE_PHOTO = "    （附照片 {photo}）"

# -- the command line (bot/web/commands.py) -----------------------------------------------------------------

LINK_NOTE = "一次性登录链接，{minutes:g} 分钟内有效，只能使用一次。"
