"""Numbers computed from supplied numbers by one step the text names with a cue word.

No cue, no search: an unconstrained search over sums and ratios of 10-40 facts accepts random
numbers most of the time. Each rule below takes its operands only from numbers the text has
just cited in the same sentence or paragraph (already verified), or from one facts statement,
and accepts the result only within the precision the text displays.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import permutations
from typing import NamedTuple

from drafter.check.matching import grams, interval, is_exact, scale, shown_step
from drafter.check.mentions import Mention
from drafter.check.units import unit_class


class Operand(NamedTuple):
    """A verified number usable in a formula: its mention, base value, class and where it is from."""

    mention: Mention
    value: float
    cls: str | None
    origin: object  # the document mention or the facts Statement it came from
    context: frozenset[str] = frozenset()
    group: int = -1  # operands from one facts statement share a group


class Derivation(NamedTuple):
    """A formula that reproduces the text's number, with the operands it used."""

    formula: str
    operands: tuple[Operand, ...]


_CLAUSE_START = re.compile(r"[，,。；;！!？?\n：:]")
_SHARE = re.compile(r"(?P<cue>约占|占|相当于|为|是|达)(?P<whole>[^，,。；;！!？?\n]*?)的?(?:约|近|超过)?$")
_AVERAGE = re.compile(r"(?P<cue>人均|户均|场均|村均|平均|均)(?:每(?P<per>[^\d，,。；;]{1,3}?))?"
                      r"(?:[^，,。；;]{0,6}?)(?:约|达|为)?$")
_TOTAL = re.compile(r"(?P<cue>共计|合计|总计|累计|一共|总共|共有|共(?![产同建享治识青赢性商鸣处进融担])|总数|总量|总额)"
                    r"[^，,。；;]{0,12}$")
_CHANGE = re.compile(r"(?P<cue>增长|增加|提高|提升|上升|减少|下降|降低|缩短|延长|节约|节省|增|减)了?$")
_CHANGE_TO = re.compile(r"(?P<cue>(?:增长|增加|提高|提升|上升|减少|下降|降低)(?:到|至))$")
# 下降到上年的七成 (facts: 下降三成): a level stated relative to the base, 100% less the change.
_RELATIVE_TO = re.compile(r"(?P<cue>(?P<verb>增长|增加|提高|提升|上升|下降|降低|减少)(?:到|至|为))"
                          r"(?:上年|去年|上一年|原来|以前|改革前|整治前)的$")
# 由上年的92%提高到95% (facts: 95%, 较上年提高3个百分点): the starting level, the end less the change.
_FROM = re.compile(r"(?P<cue>由|从)(?:[^，,。；;]{0,6}的)?$")
_TO_AFTER = re.compile(r"(?P<verb>增长|增加|提高|提升|上升|下降|降低|减少)(?:到|至)")
_RISE = ("增长", "增加", "提高", "提升", "上升")
# 兼职网格员172名是专职网格员86名的2倍: a multiple of two numbers just cited, the base named after 是.
_TIMES = re.compile(r"(?P<cue>是|为|相当于|达到)(?P<base>[^，,。；;]{1,12}?)的$")
# 排查230处、已整改215处、尚有15处未整改: what is left is the difference of the two just cited.
_REMAINDER = re.compile(r"(?P<cue>尚有|还有|仍有|尚余|剩余|剩下|余下|其余|另有)[^，,。；;]{0,8}$")
_PER_CLASS = {"人均": {"人", "人次"}, "户均": {"户"}, "场均": {"场"}, "村均": {"个", "村"}}


def clause_before(text: str, start: int, limit: int = 40) -> str:
    """The clause that ends where a number starts (back to the last comma or stop)."""
    lo = max(0, start - limit)
    starts = list(_CLAUSE_START.finditer(text, lo, start))
    cut = starts[-1] if starts else None
    return text[cut.end() if cut else lo:start]


def operand(m: Mention, origin: object, context: frozenset[str] = frozenset(), group: int = -1) -> Operand | None:
    """An exact quantity as an operand (None for approximations, dates and ignored mentions)."""
    if m.ignored or not is_exact(m) or m.kind in ("date", "time", "ordinal", "code") or m.value is None:
        return None
    cls = "%" if m.kind == "fraction" else unit_class(m.unit)[0]
    return Operand(m, float(m.value) * scale(m), cls, origin, context, group)


def derive(text: str, m: Mention, sentence: Sequence[Operand], paragraph: Sequence[Operand],
           facts: Sequence[Operand]) -> Derivation | None:
    """Find the one-step formula the text's cue word names, or None."""
    clause = clause_before(text, m.start)
    cls = "%" if m.kind == "fraction" else unit_class(m.unit)[0]
    if m.kind == "percent" and cls == "%":
        found = _SHARE.search(clause)
        if found and found.group("whole"):
            return _share(m, found.group("whole"), sentence, paragraph, facts)
        if found and found.group("cue") in ("占", "约占"):
            return _share_of_cited(m, clause[:found.start()], sentence, facts)
    found = _AVERAGE.search(clause)
    if found:
        return _average(m, cls, found, paragraph, facts)
    if m.kind == "multiple":
        found = _TIMES.search(clause)
        return _times(m, found.group("base"), paragraph, facts) if found else None
    relative = _RELATIVE_TO.search(clause)
    if relative and cls == "%":
        return _relative_level(m, relative.group("verb"), clause, paragraph, facts)
    if _FROM.search(clause):
        found = _from_level(text, m, cls, paragraph, facts)
        if found is not None:
            return found
    return _by_change_or_count(m, cls, clause, sentence, paragraph, facts)


def _by_change_or_count(m, cls, clause: str, sentence, paragraph, facts) -> Derivation | None:
    """提高了/提高到, 共/合计, 尚有: the cue decides which operands and which formula."""
    if _CHANGE_TO.search(clause):
        return _change_to(m, cls, sentence, facts)
    if _CHANGE.search(clause):
        return _change(m, cls, sentence, facts)
    if _TOTAL.search(clause):
        return _total(m, cls, paragraph, facts) or _total_named(m, cls, clause, facts)
    if _REMAINDER.search(clause):
        return _remainder(m, cls, sentence, facts)
    return None


def cue_word(text: str, m: Mention) -> str | None:
    """The cue word before a number that names a computation (平均, 占, 共, 提高了), if any."""
    clause = clause_before(text, m.start)
    for pattern in (_AVERAGE, _CHANGE_TO, _CHANGE, _TOTAL, _REMAINDER):
        found = pattern.search(clause)
        if found:
            return found.group("cue")
    if m.kind == "percent":
        found = _SHARE.search(clause)
        if found and found.group("whole"):
            return found.group("cue")
    return None


def _fits(m: Mention, x: float) -> bool:
    """Does x, rounded to the precision the text shows, give the text's number?"""
    lo, hi, _, _ = interval(m)
    if is_exact(m):
        half = shown_step(m) * scale(m) / 2
        return abs(x - lo) <= half + 1e-9 * max(1.0, abs(x))
    return (lo is None or x >= lo) and (hi is None or x <= hi)


def _show(op: Operand) -> str:
    return op.mention.text


def _number(m: Mention, x: float) -> str:
    shown = x / scale(m)
    return f"{shown:.2f}".rstrip("0").rstrip(".") + (m.unit or "")


def _pairs(paragraph: Sequence[Operand], facts: Sequence[Operand]):
    """Ordered operand pairs: both cited in the paragraph, or both from one facts statement."""
    yield from permutations(paragraph, 2)
    by_group: dict[int, list[Operand]] = {}
    for op in facts:
        by_group.setdefault(op.group, []).append(op)
    for ops in by_group.values():
        yield from permutations(ops, 2)


def _share(m, whole: str, sentence, paragraph, facts) -> Derivation | None:
    words = grams(whole)
    if not words:
        return None
    parts = [op for op in reversed(sentence) if op.cls != "%"][:3]
    wholes = [op for op in list(paragraph) + list(facts) if op.cls != "%" and op.context & words]
    for part in parts:
        for total in wholes:
            if total.value and total.mention is not part.mention and total.value != part.value:
                x = part.value / total.value * 100
                if _fits(m, x):
                    return Derivation(f"{_show(part)} ÷ {_show(total)} × 100% = {x:.2f}%",
                                      (part, total))
    return None


def _total_named(m, cls, clause: str, facts) -> Derivation | None:
    """新建、改建公厕共20座: the sum of the supplied counts of the items the clause names."""
    words = grams(clause)
    named = [op for op in facts if op.cls == cls and op.context & words]
    if not 2 <= len(named) <= 6 or len({op.group for op in named}) < 2:
        return None
    x = sum(op.value for op in named)
    if _fits(m, x):
        return Derivation(" + ".join(_show(op) for op in named) + f" = {_number(m, x)}", tuple(named))
    return None


def _share_of_cited(m, subject: str, sentence, facts) -> Derivation | None:
    """评出星级文明户120户，其中五星级文明户(30户)占25%: the whole is the count just cited.

    The part is the count just before 占, or the supplied count of the subject the clause names.
    """
    cited = [op for op in sentence if op.cls != "%"]
    if not cited:
        return None
    words = grams(subject)
    named = [op for op in facts if op.cls != "%" and words and op.context & words]
    for part in list(reversed(cited))[:1] + named:
        for total in reversed(cited):
            if total.cls == part.cls and total.value > part.value > 0 and total.mention is not part.mention:
                x = part.value / total.value * 100
                if _fits(m, x):
                    return Derivation(f"{_show(part)} ÷ {_show(total)} × 100% = {x:.2f}%", (part, total))
    return None


def _average(m, cls, found: re.Match, paragraph, facts) -> Derivation | None:
    per = found.group("per")
    if per:
        divisor_classes = {unit_class(per[:k])[0] for k in range(1, len(per) + 1)}
    else:
        divisor_classes = _PER_CLASS.get(found.group("cue"))
    for a, b in _pairs(paragraph, facts):
        if a.cls != cls or not b.value or a.mention is b.mention:
            continue
        if divisor_classes is not None and b.cls not in divisor_classes:
            continue
        x = a.value / b.value
        if _fits(m, x):
            return Derivation(f"{_show(a)} ÷ {_show(b)} = {_number(m, x)}", (a, b))
    return None


def _change(m, cls, sentence, facts) -> Derivation | None:
    for a, b in _pairs(sentence, facts):
        if a.mention is b.mention:
            continue
        if a.cls == cls == b.cls and _fits(m, b.value - a.value) and b.value > a.value:
            return Derivation(f"{_show(b)} − {_show(a)} = {_number(m, b.value - a.value)}", (b, a))
        if cls == "%" and a.cls == b.cls and a.cls != "%" and a.value:
            x = abs(b.value - a.value) / a.value * 100
            if _fits(m, x):
                return Derivation(f"|{_show(b)} − {_show(a)}| ÷ {_show(a)} × 100% = {x:.2f}%", (b, a))
        if cls == "百分点" and a.cls == b.cls == "%" and _fits(m, abs(b.value - a.value)):
            return Derivation(f"{_show(b)} − {_show(a)} = {_number(m, abs(b.value - a.value))}", (b, a))
    return None


def _change_to(m, cls, sentence, facts) -> Derivation | None:
    for a, d in _pairs(sentence, facts):
        if a.mention is d.mention or a.cls != cls:
            continue
        if d.cls == cls:
            for x, sign in ((a.value + d.value, "+"), (a.value - d.value, "−")):
                if _fits(m, x):
                    return Derivation(f"{_show(a)} {sign} {_show(d)} = {_number(m, x)}", (a, d))
        if d.cls == "%":
            for x, sign in ((a.value * (1 + d.value / 100), "+"), (a.value * (1 - d.value / 100), "−")):
                if _fits(m, x):
                    return Derivation(f"{_show(a)} × (1 {sign} {_show(d)}) = {_number(m, x)}", (a, d))
    return None


def _relative_level(m, verb: str, clause: str, paragraph, facts) -> Derivation | None:
    """下降到上年的七成: 100% minus (or plus) the supplied change of the item the clause names."""
    words = grams(clause)
    sign = 1 if verb in _RISE else -1
    for d in list(paragraph) + list(facts):
        if d.cls == "%" and d.mention.change == "delta" and d.context & words:
            x = 100 + sign * d.value
            if _fits(m, x):
                return Derivation(f"100% {'+' if sign > 0 else '−'} {_show(d)} = {_number(m, x)}", (d,))
    return None


def _from_level(text: str, m, cls, paragraph, facts) -> Derivation | None:
    """由上年的92%提高到95%: the level reached less the supplied change (95% − 3个百分点 = 92%)."""
    verb = _TO_AFTER.match(text, m.end)
    if verb is None:
        return None
    reached = next((op for op in paragraph if verb.end() <= op.mention.start <= verb.end() + 2), None)
    if reached is None or reached.cls != cls:
        return None
    sign = -1 if verb.group("verb") in _RISE else 1
    change_cls = "百分点" if cls == "%" else cls
    # The change of the same item: said in the statement that supplied the level reached, or in its words.
    supplied = getattr(reached.origin, "fact_number", None)
    group = supplied.group if supplied is not None else reached.group
    for d in facts:
        if d.cls == change_cls and d.mention.change == "delta" and (d.group == group or d.context & reached.context):
            x = reached.value + sign * d.value
            if _fits(m, x):
                return Derivation(f"{_show(reached)} {'−' if sign < 0 else '+'} {_show(d)} = {_number(m, x)}",
                                  (reached, d))
    return None


def _times(m, base: str, paragraph, facts) -> Derivation | None:
    """兼职网格员人数是专职网格员的2倍: the one count over the other, the base being the one it names."""
    words = grams(base)
    for a, b in _pairs(paragraph, facts):
        if a.mention is b.mention or a.cls != b.cls or a.cls == "%" or not b.value or not b.context & words:
            continue
        if _fits(m, a.value / b.value):
            return Derivation(f"{_show(a)} ÷ {_show(b)} = {a.value / b.value:g}倍", (a, b))
    return None


def _remainder(m, cls, sentence, facts) -> Derivation | None:
    """尚有15处未整改: the whole less the part, both cited before it in the sentence or in one statement."""
    for whole, part in _pairs(sentence, facts):
        if whole.mention is part.mention or not whole.cls == part.cls == cls or whole.value <= part.value:
            continue
        if _fits(m, whole.value - part.value):
            return Derivation(f"{_show(whole)} − {_show(part)} = {_number(m, whole.value - part.value)}",
                              (whole, part))
    return None


def _total(m, cls, paragraph, facts) -> Derivation | None:
    before = [op for op in paragraph if op.mention.end <= m.start]
    after = [op for op in paragraph if op.mention.start >= m.end]
    runs: list[list[Operand]] = []
    same = [op for op in before if op.cls == cls]
    for k in range(2, len(same) + 1):
        runs.append(same[-k:])
    same_after = [op for op in after if op.cls == cls]
    for k in range(2, len(same_after) + 1):
        runs.append(same_after[:k])
    by_group: dict[int, list[Operand]] = {}
    for op in facts:
        if op.cls == cls:
            by_group.setdefault(op.group, []).append(op)
    runs.extend(ops for ops in by_group.values() if len(ops) >= 2)
    for run in runs:
        x = sum(op.value for op in run)
        if _fits(m, x):
            return Derivation(" + ".join(_show(op) for op in run) + f" = {_number(m, x)}", tuple(run))
    return None


# --- counts of the items the text itself lists ------------------------------------------------

_LIST_REACH = 1200
_LIST_UNITS = frozenset({"个", "项", "点", "条", "类", "种"})
_TO_COLON = re.compile(r"[^。；;！!？?\n]{0,16}?[：:]")
_ITEM = re.compile(r"(?:^|(?<=[：:；;。\n\s]))[ \t\u3000]*"
                   r"(?:([一二三四五六七八九十])是|[（(]([一二三四五六七八九十])[）)]"
                   r"|第([一二三四五六七八九十])[，,、]|([1-9])[、.．])")
_CN_INDEX = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}


def enumerated(text: str, m: Mention) -> Derivation | None:
    """三个方面：一是…二是…三是…: a count of the items the text lists right after it.

    The document itself proves such a count, so it needs no fact; a list of another length
    proves nothing and the number is checked as usual.
    """
    if m.kind != "count" or m.unit not in _LIST_UNITS or not isinstance(m.value, int) \
            or not 2 <= m.value <= 10:
        return None
    colon = _TO_COLON.match(text, m.end)
    if colon is None:
        return None
    reach = min(len(text), colon.end() + _LIST_REACH)  # a list is short: never scan the whole text
    end = text.find("\n", colon.end(), reach)
    while end >= 0 and (end == colon.end() or _ITEM.match(text, end + 1)):
        end = text.find("\n", end + 1, reach)  # items on the following lines (（一）…)
    seen = 0
    for item in _ITEM.finditer(text, colon.end(), end if end >= 0 else reach):
        mark = next(g for g in item.groups() if g)
        index = int(mark) if mark.isdigit() else _CN_INDEX[mark]
        if index != seen + 1:
            break
        seen = index
    if seen != m.value:
        return None
    return Derivation(f"文中随后列举了{seen}项（{_ordinal(1)}…{_ordinal(seen)}）", ())


def _ordinal(i: int) -> str:
    return "一二三四五六七八九十"[i - 1] + "是"
