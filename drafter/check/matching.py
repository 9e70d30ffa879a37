"""Comparing one number mention with one supplied number: units, approximations, dates, context.

Approximation has a direction: a text may be vaguer than the facts (facts 12 -> text 10余) but
never more precise (facts 10余 -> text 12 invents precision).
"""

from __future__ import annotations

import re
from enum import Enum

from drafter.check.mentions import Mention
from drafter.check.units import unit_class

EPS = 1e-9

MORE = frozenset({"余", "多", "几", "有余", "以上", "超过", "超", "逾", "多于", "不少于", "不低于", "高于", "至少",
                  "之多", "开外", "上"})
LESS = frozenset({"不足", "不到", "不满", "少于", "低于", "以下", "以内", "不超过", "不高于", "不多于", "近", "将近",
                  "接近"})
# Words that state a threshold (a target or a limit), not a vague amount: the number is the claim.
BOUNDS = frozenset({"以上", "超过", "超", "逾", "多于", "不少于", "不低于", "高于", "至少", "以下", "以内", "不足",
                    "不到", "不满", "少于", "低于", "不超过", "不高于", "不多于"})
_OPEN_LOW = frozenset({"余", "多", "几", "有余", "超过", "超", "逾", "多于", "高于"})
_OPEN_HIGH = frozenset({"不足", "不到", "不满", "少于", "低于", "近", "将近", "接近", "余", "多", "几", "有余"})


class Relation(Enum):
    """How a text number stands to a supplied number of the same kind of unit."""

    SAME = "same"              # consistent: equal, or the text is vaguer
    INVENTED = "invented"      # facts give an approximation, the text an exact number inside it
    CONFLICT = "conflict"      # same number written, approximations disagree (45 vs 45多)
    DIFFERENT = "different"


def group(m: Mention) -> tuple[str, str | None] | None:
    """What a mention can be compared with: (family, unit class); None for dates and times."""
    if m.kind in ("date", "time"):
        return None
    if m.kind == "fraction":
        return "quantity", "%"
    key, _ = unit_class(m.unit)
    family = "ordinal" if m.kind == "ordinal" else "quantity"
    return family, key


def scale(m: Mention) -> float:
    """Factor from the number as written to the base unit of its class (12.5万元 -> 10000)."""
    if m.kind == "fraction":
        return 100.0
    return unit_class(m.unit)[1]


def interval(m: Mention) -> tuple[float | None, float | None, bool, bool]:
    """(low, high, low_open, high_open) of a mention in base units; None is unbounded."""
    k = scale(m)
    v = m.value
    if isinstance(v, tuple):
        lo = None if v[0] is None else v[0] * k
        hi = None if v[1] is None else v[1] * k
        word = m.approx or ""
        return lo, hi, word in _OPEN_LOW, word in _OPEN_HIGH
    x = float(v) * k
    return x, x, False, False


def is_exact(m: Mention) -> bool:
    """True when the mention states one number (not a range or approximation)."""
    return not isinstance(m.value, tuple)


def _contains(outer, inner) -> bool:
    lo1, hi1, _, _ = outer
    lo2, hi2, _, _ = inner
    low_ok = lo1 is None or (lo2 is not None and lo1 <= lo2 + EPS * max(1, abs(lo2)))
    high_ok = hi1 is None or (hi2 is not None and hi1 >= hi2 - EPS * max(1, abs(hi2)))
    return low_ok and high_ok


def _member(x: float, iv) -> bool:
    lo, hi, lo_open, hi_open = iv
    tol = EPS * max(1.0, abs(x))
    if lo is not None and (x < lo - tol or (lo_open and abs(x - lo) <= tol)):
        return False
    if hi is not None and (x > hi + tol or (hi_open and abs(x - hi) <= tol)):
        return False
    return True


def _family(word: str | None) -> str:
    if word in MORE:
        return "more"
    if word in LESS:
        return "less"
    return "about" if word else "range"


def _anchor(m: Mention) -> float | None:
    return None if m.anchor is None else float(m.anchor) * scale(m)


def relate(text: Mention, fact: Mention) -> Relation:
    """Compare a document mention with a supplied one already known to be comparable."""
    if not same_claim(text, fact):
        return Relation.DIFFERENT
    fraction = text.kind == "fraction" or fact.kind == "fraction"
    if (text.unit is None or fact.unit is None) and not (fraction and text.kind in ("fraction", "percent")
                                                         and fact.kind in ("fraction", "percent")):
        # A bare number (2017, 12345) is compared as written: 12.5 is not 12.5万元.
        if fraction:
            return Relation.DIFFERENT
        return Relation.SAME if same_written_number(text, fact) and is_exact(text) == is_exact(fact) \
            else Relation.DIFFERENT
    t_iv, f_iv = interval(text), interval(fact)
    tolerance = _rounding(text, fact)
    if is_exact(text) and is_exact(fact):
        return Relation.SAME if abs(t_iv[0] - f_iv[0]) <= tolerance else Relation.DIFFERENT
    if is_exact(fact):
        if _member(f_iv[0], t_iv):
            return Relation.SAME
        a = _anchor(text)
        return Relation.CONFLICT if a is not None and abs(a - f_iv[0]) <= tolerance else Relation.DIFFERENT
    if is_exact(text):
        x = t_iv[0]
        a = _anchor(fact)
        if _member(x, f_iv) or (a is not None and abs(a - x) <= tolerance):
            return Relation.INVENTED
        return Relation.DIFFERENT
    return _relate_approximations(text, fact, t_iv, f_iv, tolerance)


def _relate_approximations(text: Mention, fact: Mention, t_iv, f_iv, tolerance: float) -> Relation:
    ta, fa = _anchor(text), _anchor(fact)
    if ta is not None and fa is not None and abs(ta - fa) > tolerance \
            and (text.approx in BOUNDS or fact.approx in BOUNDS):
        return Relation.DIFFERENT  # 不少于12名 is another target than 不少于16名, though it holds
    if _contains(t_iv, f_iv):
        return Relation.SAME
    if ta is not None and fa is not None and abs(ta - fa) <= tolerance:
        if _family(text.approx) == _family(fact.approx):
            return Relation.SAME  # 45辆以上 written as 45多辆, 10余场 as 10多场
        return Relation.CONFLICT
    if _overlap(t_iv, f_iv):
        return Relation.CONFLICT
    return Relation.DIFFERENT


def shown_step(m: Mention) -> float:
    """Precision a rounded figure is written to: trailing zeros count up to three figures.

    "30%" for 三分之一 or "20人次" for 6800 ÷ 420 = 16.2 is wrong, not a rounding to tens; a
    large figure such as 14850元 may still be rounded to three significant digits.
    """
    if m.step <= 1 or not isinstance(m.value, (int, float)):
        return m.step
    figures = len(str(int(abs(m.value))))
    return min(m.step, 10.0 ** max(0, figures - 3))


def same_claim(text: Mention, fact: Mention) -> bool:
    """Do the words around both numbers make the same kind of claim (period, change or level)?

    每半年2次 is not 每季度2次; 提高60% (a change) is not 提高到60% (a level). A period on one side only
    (每年投入50万元 for 年投入50万元) is the same claim written more or less fully.
    """
    if text.per is not None and fact.per is not None and text.per != fact.per:
        return False
    return {text.change, fact.change} != {"delta", "level"}


def _rounding(text: Mention, fact: Mention) -> float:
    # Exact numbers must be equal; a fraction (三分之一) may be written as a rounded percent.
    if fact.kind == "fraction" and text.kind != "fraction":
        return shown_step(text) * scale(text) / 2
    if text.kind == "fraction" and fact.kind != "fraction":
        return shown_step(fact) * scale(fact) / 2
    return EPS * 100


def _overlap(a, b) -> bool:
    lo1, hi1, _, _ = a
    lo2, hi2, _, _ = b
    return (hi1 is None or lo2 is None or lo2 <= hi1) and (hi2 is None or lo1 is None or lo1 <= hi2)


def same_written_number(text: Mention, fact: Mention) -> bool:
    """Equal numbers as written, whatever the units (81户 vs 81个): evidence of a unit mix-up."""
    tv = text.anchor if text.anchor is not None else text.value
    fv = fact.anchor if fact.anchor is not None else fact.value
    if fact.kind in ("date", "time"):
        if len(fact.parts) != 1 or text.kind in ("date", "time"):
            return False  # only a lone 10月份 can be mistaken for 10份
        fv = fact.parts[0][1]
    if isinstance(tv, tuple) or isinstance(fv, tuple) or tv is None or fv is None:
        return tv == fv and tv is not None
    return abs(float(tv) - float(fv)) <= EPS * max(1.0, abs(float(tv)))


# --- dates and times ------------------------------------------------------------------------

def date_matches(text: Mention, fact: Mention, years: frozenset[int]) -> bool:
    """A text date matches when every part it states is in the fact (it may be vaguer)."""
    t_parts, f_parts = dict(text.parts), dict(fact.parts)
    if not t_parts or not f_parts:
        return False
    shared = False
    for name, value in t_parts.items():
        if name not in f_parts:
            # 2017年12月2日 against a fact "12月2日" under period 2017年: the year is the period's.
            if name == "年" and value in years and len(t_parts) > 1:
                continue
            return False
        other = f_parts[name]
        if name == "日":
            if not (value[0] <= other[0] and other[1] <= value[1]):
                return False
        elif abs(float(value) - float(other)) > EPS:
            return False
        shared = True
    return shared


# --- context --------------------------------------------------------------------------------

# 共 as a total, not inside 共产党, 共同, 共建, 共享 …
TOTAL_CUE = re.compile(r"共计|合计|总计|累计|总共|一共|其中|共(?![产同建享治识青赢性商鸣处进融担])")
_LEFT_STOP = re.compile(r"[。；;！!？?\n，,：:]")
_RIGHT_STOP = re.compile(r"[。；;！!？?\n，,：:、]")
_CJK = re.compile(r"[\u4e00-\u9fff]+")
# Words so common in this genre that sharing them says nothing about which fact is meant.
STOP_GRAMS = frozenset("""共计 合计 累计 总计 其中 达到 先后 全年 一年 共有 今年 全乡 全镇 我乡 我镇 全县 全村
全区 完成 开展 进行 工作 活动 实现 组织 参与 参加 共同 各类 各项 有关 相关 一共 目前 截止 至今 已经 积极 认真
累计 人数 以上 左右 创建""".split())


def context_window(text: str, start: int, end: int, prev_end: int, next_start: int) -> tuple[str, str]:
    """Words before (to the clause start) and after (to the next pause) a number."""
    lo = max(prev_end, start - 20, 0)
    stops = list(_LEFT_STOP.finditer(text, lo, start))
    cut = stops[-1] if stops else None
    if cut is not None:
        lo = cut.end()
    hi = min(next_start, end + 12, len(text))
    stop = _RIGHT_STOP.search(text, end, hi)
    if stop is not None:
        hi = stop.start()
    left, right = text[lo:start], text[end:hi]
    if "、" in left and _CJK.search(right):
        # 12个行政村、3个社区: the counted noun follows the number, so words before 、 belong to
        # the previous item. (In 纸片、烟头300余人次 nothing follows, and the whole clause counts.)
        left = left[left.rindex("、") + 1:]
    elif cut is None and lo == prev_end > 0 and _CJK.search(right):
        # 23家食品小作坊共159家经营主体: the noun after the previous number is its own; a total
        # or subset word (共, 其中) starts this number's words.
        cues = list(TOTAL_CUE.finditer(left))
        found = cues[-1] if cues else None
        if found is not None:
            left = left[found.start():]
    return left, right


def grams(*pieces: str) -> frozenset[str]:
    """Character bigrams of the Chinese runs in the pieces, less the genre's stop words."""
    out = set()
    for piece in pieces:
        for run in _CJK.findall(piece):
            out.update(run[i:i + 2] for i in range(len(run) - 1))
    return frozenset(out - STOP_GRAMS)
