"""Find every number mention in a text: the same code reads documents and facts statements.

Pipeline: mask what is not a quantity (placeholders, allow phrases, names from the facts, list
markers, set phrases), then find numerals and read the measure word, approximation, ordinal,
range, date or time around each. Candidates are found with a one-character anchor regex so the
engine skips plain text at C speed; Python only runs where a numeral is.

Mention kinds:
  count     a number with a counting measure word (65人, 7个, 两次) or a bare Arabic number
  money     元 and its multiples (12.5万元)
  measure   physical units, scores and ages (184米, 9.5分, 30岁)
  percent   85%, 百分之八十五, 3个百分点, 九成
  fraction  三分之一
  multiple  倍
  duration  5个月, 184小时, 三年
  date      2017年, 12月2日, 8月中下旬, 2017-12-02 (parts holds year/month/day)
  time      上午9时, 下午14时 (hour on a 24-hour clock), 9:30
  ordinal   第五届, 第3批
  marker / phrase / code / numeral   ignored spans (see `ignored` for the reason)
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from drafter.check import not_quantities
from drafter.check.kinds import TIME_OF_DAY, approx_interval, date_parts, kind_of, merge_dates
from drafter.check.not_quantities import NotQuantity, Placeholder, find_placeholders
from drafter.check.numerals import CN_NUMERAL_CHARS, arabic_step, arabic_value, chinese_step, chinese_value
from drafter.check.qualifiers import PERIOD_NAMES, doublings, qualify
from drafter.check.units import match_unit

__all__ = ["Mention", "Placeholder", "approx_interval", "extract_mentions", "find_placeholders"]


Value = int | float | tuple | None


@dataclass(frozen=True)
class Mention:
    """One number mention: span (code points), value, unit, kind, approximation, ignore reason."""

    text: str
    start: int
    end: int
    value: Value  # number, or (low, high) for ranges and approximations (None = unbounded)
    unit: str | None  # measure word as written, with 万/亿 folded in (万元, 人次, %, 年, 时)
    kind: str
    approx: str | None = None  # 余, 多, 约, 近, 以上, 不足, 左右, 至 … as written
    ignored: str | None = None  # None for a quantity claim, else a short Chinese reason
    anchor: int | float | None = None  # the number written before an approximation word (10 of 10余)
    step: float = 1.0  # place value of the last written digit, in the unit as written
    parts: tuple = ()  # dates and times: (("年", 2017), ("月", 12), ("日", (2, 2)), ("时", 14.0))
    per: str | None = None  # the period of a frequency: 2次 in 每季度2次 has per "季度"
    change: str | None = None  # "delta" for 提高60%, "level" for 提高到60% and a rate as such (利用率60%)


_CN = CN_NUMERAL_CHARS
MAX_DIGITS = 30  # the longest numeral read as a number
_NUMERAL = re.compile(
    r"\d++(?:,\d{3}(?!\d))*(?:[.．]\d+)?(?:万亿|亿|万|千(?![米克瓦]))?"
    rf"|[{_CN}]++(?:点[零〇○一二三四五六七八九]+(?![十百千])(?:万亿|亿|万)?)?")
_ANCHOR = re.compile(rf"[\d{_CN}数几]")
_CN_SET = frozenset(_CN)
_FINANCIAL_DIGITS = "壹贰叁肆伍陆柒捌玖"
_ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"
_SCAN_ANCHOR = re.compile(rf"[\d{_CN}数几半{_FINANCIAL_DIGITS}{_ROMAN}IVX]")
# 壹贰叁 are also plain characters (队伍, 陆续, 收拾): a run counts only as an amount (several
# characters with a place word 拾佰仟万亿, or a measure word right after).
_FINANCIAL = re.compile(rf"[零{_FINANCIAL_DIGITS}拾佰仟万亿]{{2,}}")
# Grades and classes: Ⅲ类水质, Ⅱ级响应, IV类; a Chinese numeral names a grade before these words.
_GRADE_UNITS = ("类", "级")
_ASCII_ROMAN = re.compile(r"(?P<r>IV|IX|V?I{1,3}|V|X)(?=类|级)")
_ASCII_ROMAN_VALUE = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
_GRADE_AFTER = re.compile(r"(?:[^，,。；;\n]{0,4}?)(?:响应|预警|应急|火险|风险)|标准|水质?|以上水|断面")
_GRADE_BEFORE = re.compile(r"(?:水质|启动|达到|保持|提升为|提升至|提升到|改善为|改善至|由|为|劣)\Z")
_PHASE_OF = re.compile(r"工程|项目|建设|扩建|续建|厂房|园区")
_GRADE_WORD = re.compile(r"^[一二两三四五六七八九十]{1,2}[类级]$")
_BARE_PERIOD = re.compile(r"每(?:个)?(?P<p>半年|季度|学期|星期|工作日|天|日|周|旬|月|季|年|晚|夜)")
_CLAUSE_END = re.compile(r"[，,。；;！!？?\n：:]")
_ROMAN_VALUE = {c: i for i, c in enumerate(_ROMAN, start=1)}
# Fractions written with a slash (3/4) and ratios (1:5, 1∶5): one quantity each.
_SLASH = re.compile(r"/(\d{1,4})(?![\d/.．])")
_RATIO = re.compile(r"[∶:：](\d{1,4})(?![\d:：∶.．])")
_RATIO_BEFORE = re.compile(r"(?:比例|比值|比为|之比|按|比)[^，,。；;\n]{0,6}\Z")
# 翻一番 doubles, 翻两番 quadruples: a factor, compared with 增长一倍 (2) and 是…的4倍.
_DOUBLING = re.compile(r"翻了?(?P<n>[一两二三四五六七八九十]|\d{1,2})番")
# 约 and 近 inside a word (村规民约, 约谈, 节约, 附近, 最近) are no approximation of the number after.
_WORD_BEFORE = {"约": frozenset("公民规契制条合预节签违履婚邀相特隐"), "近": frozenset("附最邻靠亲就贴远")}
# 半 is a number only as a length of time (为期半年, 半个月); 上半年 and 下半年 are dates.
_HALF_UNITS = frozenset({"年", "个月", "月", "天", "小时", "个小时", "个星期", "周"})
_NOT_HALF_AFTER = frozenset("上下前后多大过一二两三四五六七八九十")
_HALF_AFTER = ("时间", "内", "之内", "多", "以上", "左右")
_PREFIX = re.compile(
    r"(?P<pre>大约|大概|约合|约为|约|将近|接近|近|逾|超过|不足|不到|不满|不少于|至少|少于|多于|不超过"
    r"|不低于|不高于|不多于|高于|低于|超"
    r"|多达|高达|上午|下午|中午|晚上|早上|早晨|凌晨|傍晚|夜间|晚|上)?(?P<ord>第)?\Z")
_DATE_LIKE = re.compile(
    r"(?P<iso>(?:19|20)[0-9]{2})[-/.．](?P<isom>1[0-2]|0?[1-9])(?:[-/.．](?P<isod>3[01]|[12][0-9]|0?[1-9]))?"
    r"(?![0-9万亿%％.．])"
    r"|(?P<hh>[01]?[0-9]|2[0-3])[:：](?P<mm>[0-5][0-9])(?![0-9])")
_VAGUE = ("十万", "百万", "千万", "十", "百", "千", "万")
_RANGE_SEP = "至到~～-－—–"
_SUFFIX = "余多来几许"
_POST = ("及以上", "及以下", "以上", "以下", "左右", "上下", "之多", "有余", "开外", "以内", "许")
# 95%及以上 bounds the number the same way as 95%以上; 300人上下 means about 300.
_POST_AS = {"及以上": "以上", "及以下": "以下", "上下": "左右"}

_NOT_APPROX = {"多达", "高达"}
_DURATION_UNITS = {"年", "个月", "天", "周", "小时", "个小时", "分钟", "个星期", "星期", "个多月", "个半月",
                   "个多小时", "个半小时"}
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
# 为期一年 states a length of time; elsewhere 一年/一天 is mostly an article (经过一年的努力).
_DURATION_FRAME = frozenset({"为期", "历时", "持续", "用时", "耗时", "长达", "连续", "时长"})
_HALF_FRAME = _DURATION_FRAME | {"用了", "花了"}


def extract_mentions(text: str, allow: Iterable[str] = (), *, names: Iterable[str] = ()) -> list[Mention]:
    """Every number mention in `text`, in order; non-claims carry an `ignored` reason."""
    work, ignored = _mask(text, allow, names)
    found = merge_dates(_scan(text, work))
    if "每" in text:
        found += _bare_periods(text, work, ignored + found)
    if "番" in text:
        # 翻一番 is one factor; the lexicon's 一番 (一番努力) and a bare 两 inside it are not.
        doubled = doublings(text)
        ignored, found = ([m for m in ms if not any(a <= m.start < b for a, b, _ in doubled)]
                          for ms in (ignored, found))
        found += [Mention(text[a:b], a, b, factor, "倍", "multiple") for a, b, factor in doubled]
    return sorted(ignored + qualify(text, found), key=lambda m: (m.start, m.end))


# --- masking --------------------------------------------------------------------------------

def _mask(text: str, allow: Iterable[str], names: Iterable[str]) -> tuple[str, list[Mention]]:
    work, spans = not_quantities.mask(text, allow, names)
    ignored: list[Mention] = []
    for s in spans:
        piece = text[s.start:s.end]
        if _GRADE_WORD.match(piece):
            # The word 一级 is a grade in 启动一级响应 (a changed grade is a changed fact) and a tier
            # in 一级巡防, checked against the facts' own tier.
            grade = _grade(text, s.start, s.end, piece[-1])
            ignored.append(Mention(piece, s.start, s.end, chinese_value(piece[:-1]), piece[-1],
                                   "grade" if grade else "numeral", ignored=None if grade else NotQuantity.TIER))
            continue
        kind = "marker" if s.reason == NotQuantity.MARKER else "phrase"
        if kind == "marker" or _ANCHOR.search(piece):
            ignored.append(Mention(piece, s.start, s.end, _marker_value(piece, kind), None, kind,
                                   ignored=s.reason))
    return work, ignored


def _marker_value(piece: str, kind: str) -> Value:
    if kind != "marker":
        return None
    digits = "".join(c for c in piece if c in "0123456789０１２３４５６７８９" or c in _CN)
    if not digits:
        return None
    value = _parse_number(digits)
    return value[0] if value and not isinstance(value[0], tuple) else None


# --- scanning -------------------------------------------------------------------------------

def _scan(text: str, work: str) -> list[Mention]:
    out: list[Mention] = []
    pos, n = 0, len(work)
    while True:
        hit = _SCAN_ANCHOR.search(work, pos)
        if hit is None:
            return out
        p = hit.start()
        if work[p] in "数几" and not (p + 1 < n and work[p + 1] in "十百千万"):
            pos = p + 1
            continue
        if work[p] == "半":
            out.extend(_half(text, work, p))
            pos = p + 1
            continue
        made, end = _read(text, work, p)
        out.extend(made)
        pos = max(end, p + 1)


def _half(text: str, work: str, p: int) -> list[Mention]:
    # Only a framed length of time (为期半年, 半个月内, 历时半年多): 半年工作会议 and 半年考核 name
    # a mid-year event, 上半年 a date.
    unit = match_unit(work, p + 1)
    if unit not in _HALF_UNITS or (p > 0 and work[p - 1] in _NOT_HALF_AFTER):
        return []
    after = p + 1 + len(unit)
    if work[max(0, p - 2):p] not in _HALF_FRAME and not work.startswith(_HALF_AFTER, after):
        return []
    prefix = _PREFIX.search(work, max(0, p - 4), p)
    head = _Head(prefix.group("pre"), False, p)
    return [_make(text, p, p + 1 + len(unit), 0.5, 0.5, unit, "半", head)]


def _read(text: str, work: str, p: int) -> tuple[list[Mention], int]:
    head = _head(work, p)
    if work[p] in _ROMAN_VALUE:
        return _roman(text, work, p, _ROMAN_VALUE[work[p]], 1)
    if work[p] in "IVX":
        roman = _ASCII_ROMAN.match(work, p)
        if roman is None or (p > 0 and work[p - 1].isascii() and work[p - 1].isalpha()):
            return [], p + 1
        return _roman(text, work, p, _ASCII_ROMAN_VALUE[roman.group("r")], len(roman.group("r")))
    if work[p] in _FINANCIAL_DIGITS:
        return _financial(text, work, p, head)
    dated = _DATE_LIKE.match(work, p)
    if dated and not head.ordinal and not (dated.group("hh") and _RATIO_BEFORE.search(work, max(0, p - 10), p)):
        return [_date_like(text, dated, head.pre)], dated.end()
    if work.startswith(("百分之", "千分之"), p):
        return _per_hundred(text, work, p, head)
    if work[p] in "数几":
        mag = next(v for v in _VAGUE if work.startswith(v, p + 1))
        base = chinese_value(mag)
        return _quantity(text, work, p, p + 1 + len(mag), work[p:p + 1 + len(mag)],
                         ((2 * base, 10 * base), float(base), ""), head, approx=work[p])
    number = _NUMERAL.match(work, p)
    if number is None:
        return [], p + 1
    return _numeral(text, work, number, head)


def _head(work: str, p: int) -> _Head:
    """The approximation or time-of-day word and 第 before the numeral at p."""
    prefix = _PREFIX.search(work, max(0, p - 4), p)
    head = _Head(prefix.group("pre"), bool(prefix.group("ord")), p)
    if head.pre == "上" and work[p] not in "百千万":
        head.pre = None
    if head.pre in _WORD_BEFORE and prefix.start() > 0 and work[prefix.start() - 1] in _WORD_BEFORE[head.pre]:
        head.pre = None  # 村规民约8部, 附近2个村: the word ends before the number
    return head


def _numeral(text: str, work: str, number: re.Match, head: _Head) -> tuple[list[Mention], int]:
    """A numeral span as a fraction, slash fraction or ratio, range, or quantity."""
    p, end = number.start(), number.end()
    if end - p > MAX_DIGITS:
        # No summary states a number of 30 digits: an ID or garbage, skipped whole (reading it as a
        # number would be slow, and Python refuses ints of over 4,300 digits).
        return [Mention(text[p:end], p, end, None, None, "code", ignored=NotQuantity.CODE)], end
    if work.startswith("分之", end):
        return _fraction(text, work, number)
    if end < len(work) and work[end] in "/:：∶":
        made = _slash_or_ratio(text, work, number)
        if made is not None:
            return made
    if end < len(work) and work[end] in _RANGE_SEP:
        second = _NUMERAL.match(work, end + 1)
        if second is not None:
            made = _range(text, work, number, second, head)
            if made is not None:
                return made
    parsed = _parse_number(number.group())
    if parsed is None:
        return [], p + 1
    return _quantity(text, work, p, end, number.group(), parsed, head)


def _per_hundred(text: str, work: str, p: int, head: _Head) -> tuple[list[Mention], int]:
    # 百分之八十五, 千分之三 (p is at 百 or 千).
    number = _NUMERAL.match(work, p + 3)
    parsed = _parse_number(number.group()) if number else None
    if not parsed or isinstance(parsed[0], tuple):
        return [], p + 1
    unit = "%" if work[p] == "百" else "‰"
    end = number.end()
    post = _post(work, end) if head.pre is None else None
    approx = anchor = None
    if post:
        anchor, approx = parsed[0], _POST_AS.get(post, post)
        end += len(post)
    return [_make(text, p, end, parsed[0], parsed[1], unit, number.group(), head, approx, anchor)], end


def _bare_periods(text: str, work: str, mentions: list[Mention]) -> list[Mention]:
    """每周上门看望: a frequency with no count, kept to be compared with the facts' own 每周."""
    starts = sorted(m.start for m in mentions)
    out = []
    for found in _BARE_PERIOD.finditer(work):
        stop = _CLAUSE_END.search(work, found.end(), found.end() + 60)
        end = stop.start() if stop else min(len(work), found.end() + 60)
        i = bisect.bisect_left(starts, found.end())
        if i < len(starts) and starts[i] < end:
            continue  # 每季度检查2次: the period belongs to the count (qualifiers.py)
        per = PERIOD_NAMES.get(found.group("p"), found.group("p"))
        out.append(Mention(found.group(), found.start(), found.end(), 1, "次", "count", per=per,
                           ignored=NotQuantity.PERIOD))
    return out


def _financial(text: str, work: str, p: int, head: _Head) -> tuple[list[Mention], int]:
    # 叁万伍仟元: financial capitals, as written on receipts and in donation lists.
    run = _FINANCIAL.match(work, p)
    if run is None:
        return [], p + 1
    numeral = run.group()
    placed = any(c in "拾佰仟万亿" for c in numeral)
    if not placed and not match_unit(work, run.end()):
        return [], p + 1
    parsed = _parse_number(numeral)
    if parsed is None or isinstance(parsed[0], tuple):
        return [], p + 1
    return _quantity(text, work, p, run.end(), numeral, parsed, head)


def _roman(text: str, work: str, p: int, value: int, length: int) -> tuple[list[Mention], int]:
    # Ⅲ类, Ⅱ级: a grade; a Roman numeral elsewhere (Ⅰ、 a list marker) is no quantity.
    unit = work[p + length:p + length + 1]
    if unit not in _GRADE_UNITS:
        return [], p + length
    end = p + length + 1
    return [Mention(text[p:end], p, end, value, unit, "grade")], end


def _grade(work: str, start: int, end: int, unit: str | None) -> bool:
    """Is a Chinese numeral with 类 or 级 a grade (三类水质, 二级响应) rather than a tier or a count?"""
    if unit not in _GRADE_UNITS:
        return False
    return bool(_GRADE_AFTER.match(work, end) or _GRADE_BEFORE.search(work, max(0, start - 4), start))


def _slash_or_ratio(text: str, work: str, number: re.Match) -> tuple[list[Mention], int] | None:
    # 3/4 is a share like 75%; 1:5 a ratio (a colon is a clock time only without a ratio cue).
    start, end = number.start(), number.end()
    if not number.group().isdigit():
        return None
    if work[end] == "/":
        den = _SLASH.match(work, end)
        if den is None or not 0 < int(number.group()) < int(den.group(1)):
            return None
        value = int(number.group()) / int(den.group(1))
        return [Mention(text[start:den.end()], start, den.end(), value, None, "fraction", step=0.0)], den.end()
    second = _RATIO.match(work, end)
    if second is None or not int(second.group(1)):
        return None
    if work[end] != "∶" and not _RATIO_BEFORE.search(work, max(0, start - 10), start):
        return None
    value = int(number.group()) / int(second.group(1))
    return [Mention(text[start:second.end()], start, second.end(), value, "比", "ratio", step=0.0)], second.end()


class _Head:
    """What stands before a numeral: an approximation or time-of-day word, and 第."""

    __slots__ = ("pre", "ordinal", "at")

    def __init__(self, pre: str | None, ordinal: bool, at: int):
        self.pre, self.ordinal, self.at = pre, ordinal, at

    def start(self) -> int:
        begin = self.at - 1 if self.ordinal else self.at
        return begin - len(self.pre) if self.pre else begin


def _date_like(text: str, m: re.Match, pre: str | None = None) -> Mention:
    if m.group("iso"):
        parts = [("年", int(m.group("iso"))), ("月", int(m.group("isom")))]
        if m.group("isod"):
            day = int(m.group("isod"))
            parts.append(("日", (day, day)))
        finest = parts[-1][1]
        value = finest[0] if isinstance(finest, tuple) else finest
        return Mention(m.group(), m.start(), m.end(), value, parts[-1][0], "date", parts=tuple(parts))
    hour = int(m.group("hh")) + int(m.group("mm")) / 60
    start = m.start()
    if pre in TIME_OF_DAY:
        # 下午3:30 is 15:30, the same clock time as 下午15时30分.
        start -= len(pre)
        if hour < 12 and (pre != "中午" or hour < 4):
            hour += TIME_OF_DAY[pre]
    return Mention(text[start:m.end()], start, m.end(), hour, "时", "time", step=1 / 60, parts=(("时", hour),))


def _parse_number(s: str) -> tuple[Value, float, str] | None:
    """(value, step, magnitude) of a numeral span; magnitude is 万/亿 moved into the unit."""
    if s[0] in "0123456789０１２３４５６７８９":
        digits = s.rstrip("万亿千")
        return arabic_value(digits), arabic_step(digits), s[len(digits):]
    body, mag = s, ""
    if len(s) > 1 and s[-1] in "万亿" and chinese_value(s[:-1]) is not None:
        body, mag = s[:-1], s[-1]
    value = chinese_value(body)
    if value is None:
        return None
    return value, chinese_step(body), mag


def _fraction(text: str, work: str, number: re.Match) -> tuple[list[Mention], int]:
    second = _NUMERAL.match(work, number.end() + 2)
    den = _parse_number(number.group())
    num = _parse_number(second.group()) if second else None
    if not den or not num or isinstance(den[0], tuple) or isinstance(num[0], tuple) or not den[0]:
        return [], number.start() + 1
    start, end = number.start(), second.end()
    return [Mention(text[start:end], start, end, num[0] / den[0], None, "fraction", step=0.0)], end


def _range(text: str, work: str, first: re.Match, second: re.Match,
           head: _Head) -> tuple[list[Mention], int] | None:
    a, b = _parse_number(first.group()), _parse_number(second.group())
    if not a or not b or isinstance(a[0], tuple) or isinstance(b[0], tuple) or a[2] != b[2]:
        return None
    if not a[0] < b[0] or (first.group().startswith("0") and len(first.group()) > 1):
        return None
    end = second.end()
    unit = match_unit(work, end)
    if unit:
        end += len(unit)
    full_unit = (a[2] + (unit or "")) or None
    kind = kind_of(full_unit, a[0], None, None, False, first.group())
    if kind in ("date", "time"):
        # 2017-2018年, 8至10月: two dates, the first borrowing the unit of the second.
        one = _make(text, first.start(), first.end(), a[0], a[1], full_unit, first.group(), head)
        two = _make(text, second.start(), end, b[0], b[1], full_unit, second.group(),
                    _Head(None, False, second.start()))
        return [one, two], end
    if unit is None and not a[2] and first.group()[0] in _CN:
        return None
    start = head.start() if head.ordinal else first.start()
    return [Mention(text[start:end], start, end, (a[0], b[0]), full_unit,
                    kind_of(full_unit, a[0], None, None, False), step=a[1])], end


def _quantity(text: str, work: str, start: int, end: int, numeral: str, parsed, head: _Head,
              approx: str | None = None) -> tuple[list[Mention], int]:
    value, step, mag = parsed
    anchor = None
    numeral_end = end
    n = len(work)
    suffix = work[end] if end < n and work[end] in _SUFFIX else ""
    late_mag = ""
    if suffix and not mag and end + 1 < n and work[end + 1] in "万亿" and work[end + 2:end + 3] not in _CN_SET:
        late_mag = work[end + 1]  # 10余万元, 百余万人次: the magnitude follows the approximation word
    unit = match_unit(work, end + len(suffix) + len(late_mag))
    if suffix and (unit or suffix in "余多几") and not isinstance(value, tuple) and approx is None:
        anchor, approx = value, suffix
        end += 1
        if late_mag:
            mag = late_mag
            end += 1
    if unit:
        end += len(unit)
    value, approx, anchor, end = _more_or_half(work, end, unit, value, approx, anchor)
    if approx is None and not isinstance(value, tuple):
        post = _post(work, end)
        if post:
            anchor, approx = value, _POST_AS.get(post, post)
            end += len(post)
    if _grade(work, start, end, unit) and not mag and approx is None and not head.ordinal \
            and not isinstance(value, tuple):
        return [Mention(text[start:end], start, end, value, unit, "grade")], end
    if unit == "期" and not mag and approx is None and numeral[0] in _CN and _PHASE_OF.match(work, end):
        # 二期工程: the phase names the project, it counts nothing.
        return [Mention(text[start:end], start, end, value, unit, "numeral", ignored=NotQuantity.PHASE)], end
    if unit == "级" and not mag and approx is None and numeral[0] in _CN and not head.ordinal \
            and _CJK_CHAR.match(work, end) and not work.startswith(("以上", "以下", "及"), end):
        # 二级网格, 三级调解网络: a tier names the kind of thing (like 一级), it counts nothing.
        return [Mention(text[start:end], start, end, value, unit, "numeral", ignored=NotQuantity.TIER)], end
    if unit is None and not mag and numeral[0] in _CN + "数几" and not head.ordinal:
        # A Chinese numeral with no measure word (四抓四带, 村三职) is not a quantity claim.
        return [Mention(numeral, start, numeral_end, value if approx is None else None, None,
                        "numeral", ignored=NotQuantity.BARE)], numeral_end
    full_unit = (mag + (unit or "")) or None
    return [_make(text, start, end, value, step, full_unit, numeral, head, approx, anchor)], end


def _more_or_half(work: str, end: int, unit: str | None, value, approx: str | None, anchor):
    # 多 and 半 next to the measure word: 多 approximates the value, 半 adds to it.
    if unit and len(unit) > 2 and unit[1] in "多半" and not isinstance(value, tuple):
        # 三个多月, 两个半小时: the word sits inside the measure word.
        if unit[1] == "半":
            value = value + 0.5
        elif approx is None:
            anchor, approx = value, "多"
    if unit in _DURATION_UNITS and end < len(work) and work[end] in "多余半" and not isinstance(value, tuple):
        if work[end] == "半":
            value = value + 0.5
        elif approx is None:
            anchor, approx = value, work[end]
        end += 1
    return value, approx, anchor, end


def _post(work: str, end: int) -> str | None:
    """An approximation word written after the number (以上, 左右, 及以上 …), if any."""
    return next((w for w in _POST if work.startswith(w, end)), None)


def _make(text: str, start: int, end: int, value, step: float, unit: str | None, numeral: str,
          head: _Head, approx: str | None = None, anchor=None) -> Mention:
    ordinal = head.ordinal
    kind = kind_of(unit, value, approx, head.pre, ordinal, numeral)
    pre = _kept_pre(head.pre, kind, value, approx)
    if pre and pre not in TIME_OF_DAY:
        anchor, approx = value, pre
        kind = kind_of(unit, value, approx, None, ordinal, numeral)
    if pre or ordinal:
        start = _Head(pre, ordinal, start).start()
    parts: tuple = ()
    ignored = None
    if kind == "date":
        parts = date_parts(unit, value)
    elif kind == "time":
        hour = float(value) + (0.5 if unit == "点半" else 0)
        if pre in TIME_OF_DAY and hour < 12 and (pre != "中午" or hour < 4):
            hour += TIME_OF_DAY[pre]
        value = int(hour) if hour == int(hour) else hour
        parts = (("时", value),)
        if unit == "时许":
            approx, anchor = "许", value
    if approx is not None and anchor is not None:
        value = approx_interval(anchor, step, approx)
    if (kind not in ("date", "time", "percent", "multiple") and not ordinal and approx is None and unit
            and numeral in ("一", "壹") and value == 1
            and not (kind == "duration" and text[max(0, start - 2):start] in _DURATION_FRAME)):
        ignored = NotQuantity.ARTICLE
    if _is_code(text, start, end, unit):
        ignored, kind = NotQuantity.CODE, "code"
    return Mention(text[start:end], start, end, value, unit, kind, approx, ignored, anchor, step, parts)


def _kept_pre(pre: str | None, kind: str, value, approx: str | None) -> str | None:
    # The word before the numeral, unless the kind shows it is no approximation or time of day here.
    if pre in TIME_OF_DAY and kind != "time":
        return None
    if pre in ("近", "将近", "接近") and kind in ("duration", "date"):
        return None  # 近三年 means the last three years, not nearly three
    if pre in _NOT_APPROX or (pre and approx is not None) or (pre and isinstance(value, tuple)):
        return None
    return pre


def _is_code(text: str, start: int, end: int, unit: str | None) -> bool:
    # 5G, G20, PM2.5, 4A级: digits glued to Latin letters name a thing, they do not count it.
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return bool(_ASCII_LETTER.match(before) or (unit is None and _ASCII_LETTER.match(after)))
