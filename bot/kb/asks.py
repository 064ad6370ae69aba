"""Questions the knowledge base leaves alone whatever words they share with an entry.

Where to buy a thing, what goods or services cost, when a shop opens, what events are on, where to
take lessons, which of two options is better, idle chat, the weather, jobs, how to pay, names, the nearest
shop, free health checks, snacks: "灭火器哪里有卖" names
the fire-equipment entry's subject but asks nothing it answers, so an answer about who maintains
extinguishers would be a wrong answer, not a near one. A price asked next to a fine or compensation
("罚多少钱", "赔多少钱"), a fee or a licence ("物业费多少钱", "办狗证多少钱") is a question about a rule
and is not caught here.
"""

from __future__ import annotations

import re

#: Asks about the market, not about a rule (matched on the normalised, Simplified text).
_ELSEWHERE = re.compile(
    "|".join(
        (
            # where to buy / which brand / a shop or product to recommend
            r"(哪里|哪儿|哪|去哪|在哪)(里|儿)?(有|可以|能)?(卖|买)",
            r"买(什么|啥|哪|多大|几)",
            r"(什么|哪个|哪家|啥)牌子|牌子好",
            r"推荐(一|几)?(家|个|款|下)",
            r"团购",
            # prices of goods and services
            r"多少钱|什么价|啥价|价格|价钱|油价|房价|升值|便宜|贵不贵|优惠|打折|(收|花)多少",
            # opening hours of shops and offices
            r"几点(钟)?(开门|关门|开放|营业|打烊|下班|上班)|营业时间|上不上班|开不开门",
            # events and outings
            r"(有什么|有啥|什么|有没有)[^\s,?!。]{0,6}活动|看电影|演出|展览|好玩",
            # lessons and classes ("哪里可以学跳广场舞" is not about square-dance noise)
            r"(哪里|哪儿|哪|去哪|在哪)(里|儿)?(有|可以|能)?(学|报名|报班|培训)",
            # which of two options is better: advice, not a rule
            r"好还是[^\s,?!。]{1,8}好|(吃|喝|穿)(什么|啥)好",
            # chat: keeping someone company
            r"陪我(聊|玩|说)|聊(会|一会|会儿)?天|好无聊",
            # weather
            r"天气|气温|(会|要)下(雨|雪)|下不下(雨|雪)",
            # jobs
            r"招不招|招人|应聘|找工作|兼职",
        )
    )
)
#: Asks no rule answers whatever fee or fine they name: how to pay (微信/支付宝), someone's name, the nearest shop or
#: station, free health checks, snacks ("物业费可以用微信交吗" asks the payment channel, not the fee rule).
_NEVER_RULE = re.compile(
    "|".join(
        (
            r"(用|拿|在)(微信|支付宝|网上|线上|手机上?|银行卡|现金)(交|缴|付|支付|扫码)",
            r"叫(什么|啥)名|名字叫|姓什么",
            r"离[^\s,?!。]{0,10}(最近|多远)|最近的[^\s,?!。]{0,8}(在哪|是哪)",
            r"体检|义诊",
            r"零食|零嘴|饮料",
        )
    )
)
#: Words that make a price question one about a rule: a fine, damages, a refund, a fee or a licence the rules
#: set ("办狗证多少钱", "物业费多少钱"), who pays a shared cost ("加装电梯分摊多少钱").
_RULE_PRICE = re.compile(r"罚|赔|补偿|退|违法|处罚|拘留|违规|费|证|登记|手续|办理|出资|分摊")


def asks_elsewhere(text: str) -> str | None:
    """The cue of an ask no entry answers (where to buy, a price, a shop's hours, an event), else None."""
    never = _NEVER_RULE.search(text)
    if never is not None:
        return never.group()
    found = _ELSEWHERE.search(text)
    if found is None:
        return None
    if _RULE_PRICE.search(text):
        return None
    return found.group()
