"""The words around a number: what it counts, for attribution (RotoWire-style relation check).

A window runs from the start of the clause (or the previous quantity) to the number, and on to
the next pause; dates inside it are kept as tokens (2021年的76.0分 vs 2022年的85.5分).
"""

from __future__ import annotations

import bisect
import re

from drafter.check.matching import context_window, grams
from drafter.check.mentions import Mention

_BORROWS = re.compile(r"[，,\s]*(?:同比|环比|[比较](?:上年|去年|上年同期|上一年)|(?:是|为|相当于)(?:上年|去年|原来)的)?"
                      r"(?:增长|增加|提高|提升|下降|降低|减少|上升|增幅|降幅)?了?(?:约|近)?\Z")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE_STOP = re.compile(r"[。；;！!？?\n]")
YEAR_TOKEN = "年#"  # a year named before a number (比2020年翻一番), whatever else the date says


class Neighbors:
    """Sorted quantity and date mentions of one text, for finding what stands next to a number."""

    def __init__(self, claims: list[Mention]):
        # Other quantities bound a number's window; dates do not, they are its context (2021年的76分).
        self.bounds = sorted((c for c in claims if c.kind not in ("date", "time")), key=lambda c: c.start)
        self.starts = [c.start for c in self.bounds]
        self.dates = sorted((c for c in claims if c.kind in ("date", "time")), key=lambda c: c.start)
        self.date_starts = [c.start for c in self.dates]

    def window(self, text: str, m: Mention, borrow: bool = True) -> tuple[str, str]:
        """The clause words before a number and the words after it, up to neighbouring quantities."""
        i = bisect.bisect_left(self.starts, m.start)
        prev_end = self.bounds[i - 1].end if i > 0 and self.bounds[i - 1].end <= m.start else 0
        j = bisect.bisect_left(self.starts, m.end)
        next_start = self.starts[j] if j < len(self.starts) else len(text)
        left, right = context_window(text, m.start, m.end, prev_end, next_start)
        if m.kind in ("date", "time"):
            if not right and text[m.end:m.end + 1] in "，,":
                # 4月20日，全镇召开动员大会: a date opening the sentence is told by the clause after it.
                _, right = context_window(text, m.end, m.end + 1, m.end, len(text))
            return left, right
        if borrow and prev_end and self._chained_after(text, prev_end, m, left, right):
            # 乡级抢险队伍1支60人; 地区生产总值48.6亿元，同比增长6.2%: a number chained to the one
            # before it (or with only a change word of its own) counts that number's subject.
            left = self.window(text, self.bounds[i - 1], borrow=False)[0] + left
        if borrow and j < len(self.bounds) and next_start == m.end and not right:
            # 将36户112人纳入监测: the words after the second number are the first one's too.
            right = self.window(text, self.bounds[j], borrow=False)[1]
        return left, right

    @staticmethod
    def _chained_after(text: str, prev_end: int, m: Mention, left: str, right: str) -> bool:
        return bool(_BORROWS.match(left)) and not _CJK_RUN.search(right) and m.start - prev_end <= 12 \
            and not _SENTENCE_STOP.search(text, prev_end, m.start)

    def context(self, text: str, m: Mention) -> frozenset[str]:
        """Bigrams of the window plus tokens for dates in it (前#…/后#… by side)."""
        left, right = self.window(text, m)
        tokens = set(grams(left, right))
        lo, hi = m.start - len(left), m.end + len(right)
        k = bisect.bisect_left(self.date_starts, lo)
        while k < len(self.dates) and self.dates[k].start < hi:
            c = self.dates[k]
            if c is not m:
                if c.end <= m.start:
                    tokens.add(f"前#{c.parts}")
                    if len(c.parts) == 1 and c.parts[0][0] == "年":
                        tokens.add(f"{YEAR_TOKEN}{c.parts[0][1]}")
                elif c.start >= m.end and c.end <= hi:
                    tokens.add(f"后#{c.parts}")
            k += 1
        return frozenset(tokens)


_NOUN = re.compile(r"[\u4e00-\u9fff]{1,3}")
_COUNTING = frozenset({"count", "measure", "money"})


def counted_noun(text: str, m: Mention) -> str:
    """The noun right after a count's measure word (行政村 in 8个行政村), or ""."""
    if m.kind not in _COUNTING or not m.unit:
        return ""
    noun = _NOUN.match(text, m.end)
    return noun.group() if noun else ""


def counts(noun: str, statement: str, m: Mention, context: frozenset[str]) -> bool:
    """Does a supplied number count this noun (its words, or the noun right after it: 13个村 ~ 13个行政村)?"""
    return bool(grams(noun) & context) or noun[0] in statement[m.end:m.end + 3]


def words_before(text: str, m: Mention, near: Neighbors) -> str:
    """The words just before (or else after) a number, for messages (市级媒体刊登我镇信息)."""
    left, right = near.window(text, m)
    return (left.strip("、 ") or right.strip("、 "))[-12:]


def quoted(text: str, m: Mention, near: Neighbors) -> str:
    """The number with the words that tell what it is, in reading order (4月20日，全镇召开…)."""
    left, right = near.window(text, m)
    left = left.strip("、 ")[-12:]
    return f"{left}{m.text}" if left else f"{m.text}{text[m.end:m.end + 1].strip()}{right.strip('、 ')[:12]}"
