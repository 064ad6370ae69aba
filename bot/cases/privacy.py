"""Masking of personal details in residents' free text, for everyone who is not the case's assignee.

Residents write phone numbers, ID numbers, car plates and flat numbers into their reports ("楼上1502
天天半夜剁东西，我电话13812345678"). The assignee needs them to do the work; supporters, dispatchers
looking at a queue, exports and figures do not. `mask` is the one function every such place calls, so
the rule is the same wherever text leaves the assignee's chat.

Kept: the building (3栋, 2单元) — it is where the problem is and routing needs it; masked: the digits
that point at a person or a household. Digits are matched in any width ("１３８…" as typed on some phones).
"""

from __future__ import annotations

import re

STAR = "*"

# An ID card number: 18 characters (17 digits and a digit or X), or the old 15 digits; not inside a longer number.
_ID = re.compile(r"(?<!\d)([1-9]\d{5})(\d{8}|\d{6})(\d{3}[\dXxＸｘ]|\d{3})(?!\d)")
# A mobile number, spaces or dashes allowed between its groups (138 1234 5678, 138-1234-5678, +86 138…).
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[\s-]?)?[1１][3-9３-９]\d)[\s-]?(\d{4})[\s-]?(\d{4})"
                     r"(?!\d)")
# A landline with its area code (0571-88886666, 021 6666 8888) or a bare 7–8 digit local number after 电话/座机.
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[\s-]?(\d{3,4})[\s-]?(\d{4})(?!\d)")
_CALL_WORD = re.compile(r"((?:电话|電話|座机|座機|手机|手機|联系|聯繫|聯系|tel|Tel|TEL)[:：\s是为為]*)(\d[0-9０-９\s-]{5,14}\d)")
# A car plate: a province's character, a letter, then 5 (6 for new-energy cars) letters or digits.
_PLATE = re.compile(r"([京津沪滬渝冀豫云雲辽遼黑湘皖鲁魯新苏蘇浙赣贛鄂桂甘晋晉蒙陕陝吉闽閩贵貴粤粵青藏川宁寧琼瓊])"
                    r"([A-Za-zＡ-Ｚａ-ｚ])[\s·•.-]?([A-Za-z0-9Ａ-Ｚａ-ｚ０-９]{5,6})(?![A-Za-z0-9])")
# A flat: 1502室 / 502房 / 302号房 / 1201户; 3-2-501 / 3栋2单元501 / 楼上1502 / 住在601.
_ROOM_WORD = re.compile(r"(?<!\d)(\d{3,4})(\s*(?:室|房|号房|號房|户|戶))")
_TRIPLE = re.compile(r"(?<!\d)(\d{1,3}\s*[-－—]\s*\d{1,2}\s*[-－—]\s*)(\d{3,4})(?!\d)")
#: What follows a number that is a distance, a price or a count, not a flat ("楼下200米", "住3栋").
_NOT_A_FLAT = r"(?!\d|\s*(?:栋|棟|幢|号楼|號樓|米|多米|公里|元|块|塊|人|年|天(?!天)))"
_AFTER_UNIT = re.compile(r"((?:单元|單元|栋|棟|幢|号楼|號樓|楼|樓)\s*)(\d{3,4})" + _NOT_A_FLAT)
_NEIGHBOUR = re.compile(r"((?:楼上|樓上|楼下|樓下|隔壁|对门|對門|对面|對面|邻居|鄰居|住在|住|家住)\s*)(\d{3,4})"
                        + _NOT_A_FLAT)


def _stars(text: str) -> str:
    return STAR * len(text)


def mask(text: str | None) -> str:
    """`text` with phone and ID numbers, car plates and flat numbers masked; everything else as written.

    138 1234 5678 → 138****5678; 330102199001011234 → 330102********1234; 浙A12345 → 浙A*****;
    3栋2单元1502 → 3栋2单元****; 楼上602 → 楼上***. Empty or None gives "".
    """
    if not text:
        return ""
    out = _ID.sub(_id_masked, text)
    out = _MOBILE.sub(lambda m: f"{m.group(1)}{_stars(m.group(2))}{m.group(3)}", out)
    out = _LANDLINE.sub(lambda m: f"{m.group(1)}-{_stars(m.group(2))}{m.group(3)}", out)
    out = _CALL_WORD.sub(lambda m: m.group(1) + _keep_tail(m.group(2)), out)
    out = _PLATE.sub(lambda m: m.group(1) + m.group(2) + _stars(m.group(3)), out)
    out = _TRIPLE.sub(lambda m: m.group(1) + _stars(m.group(2)), out)
    out = _ROOM_WORD.sub(lambda m: _stars(m.group(1)) + m.group(2), out)
    out = _AFTER_UNIT.sub(lambda m: m.group(1) + _stars(m.group(2)), out)
    return _NEIGHBOUR.sub(lambda m: m.group(1) + _stars(m.group(2)), out)


def _id_masked(m: re.Match[str]) -> str:
    """An 18-digit number keeps its region and last four; a 15-digit one (old cards) only its region."""
    head, middle, tail = m.groups()
    if len(middle) == 8 and len(tail) == 4:
        return head + _stars(middle) + tail
    if len(middle) == 6 and len(tail) == 3 and tail.isdigit():
        return head + _stars(middle + tail)
    return m.group(0)


def _keep_tail(number: str) -> str:
    """A number after 电话/联系: every digit but the last two masked (already-masked parts stay)."""
    digits = [i for i, ch in enumerate(number) if ch.isdigit()]
    keep = set(digits[-2:])
    return "".join(STAR if (ch.isdigit() and i not in keep) else ch for i, ch in enumerate(number))
