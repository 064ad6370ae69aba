"""Every word people read, in one folder, addressed by key (Simplified; converted to the reader's script on
the way out — a Traditional chat goes through `Normalizer.to_script`).

One module per topic, so the field team reviews the tone in one place and a second language or script is
one more set of files: `names` (states, levels, scores, reasons, actions, categories), `buttons` (every
label), `dialog` (what the chat says to residents), `staff` (what it says to workers, dispatchers, admins),
`notices` (what a case change sends to people), `refusals` (why an action was not done), `channels` (the
adapters' own words: Telegram menus and notices, the console chat). Keys are unique across the folder
(tests/test_wording_home.py), so `bot.wording.KEY` names one text; modules here import nothing from the bot.
The dialog reads the whole folder as `texts` (`from bot import wording as texts`).
"""

from __future__ import annotations

from bot.wording.buttons import *  # noqa: F403
from bot.wording.channels import *  # noqa: F403
from bot.wording.dialog import *  # noqa: F403
from bot.wording.names import *  # noqa: F403
from bot.wording.notices import *  # noqa: F403
from bot.wording.refusals import *  # noqa: F403
from bot.wording.staff import *  # noqa: F403
