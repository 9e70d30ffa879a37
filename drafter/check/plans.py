"""Plans and results: whether a number states what was done or what is planned.

A summary ends with next year's plans, and their targets often repeat the words of this year's
results (新建高标准农田3500亩 done, 4000亩 planned). A planned number is supported by a planned
fact, a result by a result: the same value taken from the other side is a wrong number.
"""

from __future__ import annotations

import bisect
import re

# Words that make a sentence a plan, and words that pin a clause to the year being reported.
_PLAN_WORDS = re.compile(r"力争|(?<!按)计划(?!生育)|明年|下一步|下一年|来年|预计|打算|争取")
_RESULT_WORDS = re.compile(r"今年|当年|本年|已经|已|累计|基础上")
_YEAR = re.compile(r"(20\d\d)年")
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[、.．])(?P<title>[^\n]{0,30})",
                      re.MULTILINE)
_PLAN_HEADING = re.compile(r"下一步|打算|工作计划|工作思路|工作安排|展望|明年")
_SENTENCE = re.compile(r"[。！？!?\n]")
_CLAUSE = re.compile(r"[，,；;。！？!?\n]")


def planned_statement(text: str, kind: str | None, years: frozenset[int]) -> bool:
    """Is a facts statement a plan: in a plans section, or with a plan word or a later year?"""
    if kind == "plans":
        return True
    return bool(_PLAN_WORDS.search(text)) or _later_year(text, years)


class PlanRegions:
    """Where a document speaks of plans: sections of kind plans, under a plans heading, in plan sentences."""

    def __init__(self, text: str, years: frozenset[int], section_kinds: dict[str, str],
                 sections: list[tuple[str, int, int]], whole: str | None = None):
        self.text = text
        self.years = years
        self.spans = [(s, e) for sid, s, e in sections if section_kinds.get(sid) == "plans"]
        if whole == "plans":  # one plans section checked on its own, as drafting does
            self.spans.append((0, len(text)))
        headings = [(m.start(), bool(_PLAN_HEADING.search(m.group("title")))) for m in _HEADING.finditer(text)]
        self.heading_starts = [h[0] for h in headings]
        self.heading_plans = [h[1] for h in headings]

    def planned(self, start: int) -> bool:
        """Does the number at `start` state a plan?"""
        clause = self._around(_CLAUSE, start)
        if _RESULT_WORDS.search(clause):
            return False
        if any(s <= start < e for s, e in self.spans):
            return True
        i = bisect.bisect_right(self.heading_starts, start) - 1
        if i >= 0 and self.heading_plans[i]:
            return True
        sentence = self._around(_SENTENCE, start)
        return bool(_PLAN_WORDS.search(sentence)) or _later_year(sentence, self.years)

    def _around(self, stop: re.Pattern[str], at: int) -> str:
        lo = max(0, at - 120)
        before = [m.end() for m in stop.finditer(self.text, lo, at)]
        after = stop.search(self.text, at, at + 120)
        return self.text[before[-1] if before else lo:after.start() if after else min(len(self.text), at + 120)]


def _later_year(text: str, years: frozenset[int]) -> bool:
    # A year after the one reported on (2025年 in a 2024 summary) is a plan's year.
    return bool(years) and any(int(y) > max(years) for y in _YEAR.findall(text))
