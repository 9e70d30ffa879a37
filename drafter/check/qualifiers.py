"""What the words just before a quantity add to it: a period, a change or a level, a factor.

每季度2次 is a frequency, and its period is part of the claim (每半年2次 is another one). 提高60%
states a change where 提高到60% states a level; a rate written plainly (利用率95%) is a level.
增长两倍 is a factor of 3 (是原来的3倍) and 翻两番 one of 4, so multiples compare as factors.
"""

from __future__ import annotations

import re
from dataclasses import replace

_CLAUSE_STOP = "，,。；;！!？?\n：:、"
_LOOKBACK = 16
_PERIOD = re.compile(r"每(?:个)?(?P<p>半年|季度|学期|星期|工作日|天|日|周|旬|月|季|年|晚|夜)[^，,。；;\n]{0,10}\Z")
PERIOD_NAMES = {"日": "天", "工作日": "天", "星期": "周", "季": "季度", "夜": "晚"}
# A change verb right before the number (提高了60%); with 到/至 after it the number is a level.
_CHANGE_VERB = re.compile(r"(?:增长|增加|提高|提升|上升|上涨|下降|降低|减少|回落|缩短|缩小|扩大|下滑)了?"
                          r"(?:约|近|超过|逾|达)?\Z")
_CHANGE_NOUN = re.compile(r"(?:增幅|降幅|涨幅|增速|增长率|降低率|下降率|增长幅度|下降幅度)(?:为|达|达到|是)?"
                          r"(?:约|近|超过)?\Z")
_CHANGE_AFTER = re.compile(r"的?(?:增长|增幅|降幅|涨幅|下降|减少|提升)")  # 实现7.2%的增长
_LEVEL = re.compile(r"(?:增长|增加|提高|提升|上升|下降|降低|减少|回落|缩短|缩小|扩大)(?:到|至)(?:约|近)?\Z")
# 增长两倍: the new value is three times the old one (倍 counts the growth, not the result).
_GROWTH = re.compile(r"(?:增长|增加|提高|提升|扩大|上升|增)了?(?:近|约|超过|逾)?\Z")
_DOUBLING = re.compile(r"翻了?(?P<n>[一两二三四五六七八九十]|\d{1,2})番")
_CN_SMALL = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)} | {"两": 2}
_RATES = frozenset({"percent"})


def doublings(text: str) -> list[tuple[int, int, int]]:
    """(start, end, factor) of each 翻一番 (2), 翻了两番 (4) in the text."""
    out = []
    for m in _DOUBLING.finditer(text):
        n = m.group("n")
        times = int(n) if n.isdigit() else _CN_SMALL[n]
        out.append((m.start(), m.end(), 2 ** times))
    return out


def qualify(text: str, mentions: list) -> list:
    """The mentions with their period, change-or-level and factor read from the words before them."""
    out = []
    for m in mentions:
        if m.ignored is not None or m.kind in ("date", "time", "ordinal", "code") or m.text.startswith("翻"):
            out.append(m)
            continue
        before = _clause_before(text, m.start)
        changes = {}
        period = _PERIOD.search(before)
        if period:
            changes["per"] = PERIOD_NAMES.get(period.group("p"), period.group("p"))
        if m.unit == "倍":
            if _GROWTH.search(before):
                changes["value"] = _plus_one(m.value)
                if m.anchor is not None:
                    changes["anchor"] = m.anchor + 1
        elif _CHANGE_VERB.search(before) or _CHANGE_NOUN.search(before) or _CHANGE_AFTER.match(text, m.end):
            changes["change"] = "delta"
        elif _LEVEL.search(before) or m.kind in _RATES:
            changes["change"] = "level"
        out.append(replace(m, **changes) if changes else m)
    return out


def _clause_before(text: str, start: int) -> str:
    lo = max(0, start - _LOOKBACK)
    cut = max(text.rfind(c, lo, start) for c in _CLAUSE_STOP)
    return text[max(lo, cut + 1):start]


def _plus_one(value):
    if isinstance(value, tuple):
        return tuple(None if v is None else v + 1 for v in value)
    return value + 1
