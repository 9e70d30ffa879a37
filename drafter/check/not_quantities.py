"""Spans that carry numerals but are not quantity claims: placeholders, list markers, set phrases.

They are found before numbers and masked, so 进一步 never becomes 进1步 and 十八届五中全会 never
becomes two counts. The set-phrase lexicon is a data file (drafter/check/lexicon/set_phrases.txt),
extended by users with `allow:` in the facts file or `--allow-file`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from drafter.check.numerals import CN_NUMERAL_CHARS
from drafter.check.units import match_unit

LEXICON_PATH = Path(__file__).resolve().parent / "lexicon" / "set_phrases.txt"



class NotQuantity(StrEnum):
    """Why a numeral is not a quantity claim: the `ignored` of a mention, as reports show it."""

    MARKER = "列表序号"
    WORD = "含数字的词语"
    SET_PHRASE = "固定提法"
    ALLOWED = "allow 列表"
    NAME = "事实中的名称"
    QUOTED = "引号中的提法"
    ARTICLE = "数词作冠词"
    CODE = "编号或代号"
    BARE = "无量词的数词"
    TIER = "层级名称"
    PERIOD = "频次用语"
    PHASE = "分期名称"


# Checked only against a supplied number of the same kind (一个 against a count of the same noun,
# 二级巡防 against the facts' 二级巡防, 每周上门 against the facts' 每周, 二期工程 against 二期工程):
# ignored otherwise.
CONDITIONAL = frozenset({NotQuantity.ARTICLE, NotQuantity.TIER, NotQuantity.PERIOD, NotQuantity.PHASE})


_NUMERAL_CHARS = frozenset(CN_NUMERAL_CHARS + "0123456789０１２３４５６７８９")
_CN = "一二三四五六七八九十"


@dataclass(frozen=True)
class Placeholder:
    """An unfilled template mark (xx, ××, **, 某某, □, 20xx年)."""

    text: str
    start: int
    end: int


class Span(NamedTuple):
    """A masked span and the reason it is not a quantity claim."""

    start: int
    end: int
    reason: str


def anchored(pattern: re.Pattern[str], anchor: re.Pattern[str], text: str):
    """Like pattern.finditer, but only tried where `anchor` (one character class) matches.

    The regex engine skips text at C speed only when a pattern starts with a plain character
    class; patterns that open with lookbehinds or optional groups are tried at every position.
    """
    pos, n = 0, len(text)
    while pos < n:
        hit = anchor.search(text, pos)
        if hit is None:
            return
        m = pattern.match(text, hit.start())
        if m is None or m.end() == m.start():
            pos = hit.start() + 1
            continue
        yield m
        pos = m.end()


# --- masking --------------------------------------------------------------------------------

MASK = "\ue000"


def mask(text: str, allow: Iterable[str] = (), names: Iterable[str] = ()) -> tuple[str, list[Span]]:
    """Blank out what is not a quantity, in order of authority; return the text and the spans.

    Placeholders, then `allow:` phrases, names from the facts, list markers, set phrases and
    quoted slogans; a later step never overrides an earlier one. Offsets never move.
    """
    names = tuple(names)
    work = _blank(text, [Span(p.start, p.end, "") for p in find_placeholders(text)])
    steps = (
        lambda w: find_literals(w, allow, NotQuantity.ALLOWED),
        lambda w: find_literals(w, names, NotQuantity.NAME),
        find_list_markers,
        find_set_phrases,
        lambda w: find_quoted_slogans(w, names),
    )
    found: list[Span] = []
    for find in steps:
        spans = _non_overlapping(find(work))
        found.extend(spans)
        work = _blank(work, spans)
    return work, found


def _non_overlapping(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if not out or s.start >= out[-1].end:
            out.append(s)
    return out


def _blank(work: str, spans: list[Span]) -> str:
    if not spans:
        return work
    pieces, at = [], 0
    for s in spans:
        pieces.append(work[at:s.start])
        pieces.append(MASK * (s.end - s.start))
        at = s.end
    pieces.append(work[at:])
    return "".join(pieces)


# --- placeholders ---------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"(?:19|20)[0-9]?[xX×Ｘｘ]{1,3}(?=年)"            # 20xx年, 201X年
    r"|(?<![A-Za-z])[xXＸｘ]{2,}(?![A-Za-z])"          # xx, XX
    r"|[×✕╳]{2,}"                                      # ××
    r"|(?<![A-Za-z0-9])[xX×Ｘ](?=[年月日号时个人名位户次场])"  # X月X日
    r"|某某+|某(?=[乡镇村县区市街省年月日]|单位|公司|同志)"
    r"|[□■☐]+|△{2,}|＿{2,}|_{3,}"
    r"|(?<![一二三四五六七八九〇○零])[○〇]{2,}(?![一二三四五六七八九〇○零])"
    r"|\*{2,}|＊{2,}"
)
_PLACEHOLDER_ANCHOR = re.compile(r"[12xXＸｘ×✕╳某□■☐△＿_○〇*＊]")
# After ** these start a place or unit name (**县, **乡): the stars stand for a name.
_NAME_AFTER_STARS = set("县乡镇村区市省街社组州盟旗局厅委办部单公学同")


def find_placeholders(text: str) -> list[Placeholder]:
    """Find unfilled template marks: xx, XX, ××, **, 某某, □, 20xx年 …"""
    out = []
    for m in anchored(_PLACEHOLDER, _PLACEHOLDER_ANCHOR, text):
        s = m.group()
        if s[0] in "*＊" and not _stars_are_placeholder(text, m.start(), m.end()):
            continue
        out.append(Placeholder(s, m.start(), m.end()))
    return out


def _stars_are_placeholder(text: str, start: int, end: int) -> bool:
    # Markdown bold (**标题**) pairs up on a line; a name mark is followed by 县/乡 or is unpaired.
    if end < len(text) and text[end] in _NAME_AFTER_STARS:
        return True
    line_start = text.rfind("\n", max(0, start - 400), start) + 1 or max(0, start - 400)
    line_end = text.find("\n", end, end + 400)
    line = text[line_start: line_end if line_end >= 0 else min(len(text), end + 400)]
    return line.count("**") % 2 == 1


# --- list markers ---------------------------------------------------------------------------

_LINE_HEAD = re.compile(r"[ \t\u3000]*(?:#{1,6}[ \t]*|>[ \t]*|[-+][ \t]+)?\Z")
_LINE_MARKER = re.compile(
    rf"[{_CN}]{{1,3}}[、．.]|\d{{1,2}}[、．.](?!\d)"
    rf"|第[{_CN}]{{1,3}}(?:部分|章|节|篇|条|款)?(?=[、，,：:\s])")
_INLINE_MARKER = re.compile(
    rf"[（(][{_CN}]{{1,3}}[）)]|[（(]\d{{1,2}}[）)]"
    r"|[①-⑳⑴-⒇⒈-⒛㈠-㈩]"
    rf"|(?:(?<=[：:；;。！？!?，,、\n\s（(“\"])|^)[{_CN}]{{1,3}}是(?=[\u4e00-\u9fff])"
    rf"|其[{_CN}]{{1,2}}(?=[，,、：:是])"
    rf"|(?:(?<=[：:；;。！？!?，,\n\s])|^)第[{_CN}]{{1,3}}(?=[，,、：:])"
    rf"|(?<=[：:；;。])(?:[0-9]{{1,2}}|[{_CN}]{{1,3}})、")
_MARKER_ANCHOR = re.compile(rf"[{_CN}0-9０-９（(①-⑳⑴-⒇⒈-⒛㈠-㈩第其]")


def find_list_markers(text: str) -> list[Span]:
    """Find list markers: 一、 （一） 1、 (1) ① 一是 第一， 其一."""
    out = []
    pos, n = 0, len(text)
    while pos < n:
        hit = _MARKER_ANCHOR.search(text, pos)
        if hit is None:
            break
        p = hit.start()
        m = None
        # Only a few characters (spaces, #, >, -) may stand before a line's marker: never scan further.
        line_start = text.rfind("\n", max(0, p - 12), p) + 1
        if (line_start or p <= 12) and _LINE_HEAD.match(text, line_start, p):
            m = _LINE_MARKER.match(text, p)
        if m is None:
            m = _INLINE_MARKER.match(text, p)
        if m is None:
            pos = p + 1
            continue
        out.append(Span(p, m.end(), NotQuantity.MARKER))
        pos = m.end()
    return out


# --- structural set phrases (patterns rather than words) ------------------------------------

# Repeats are bounded ({1,5}, not +): at each digit of a long run an unbounded one would scan the
# rest of the run again, and checking would turn quadratic.
_STRUCTURAL = re.compile(
    # congresses and party committees: 县十七届人大三次会议, 第五届党代会, 第十九届中央委员会第六次全体会议
    rf"第?[{_CN}]{{1,3}}届(?:全国|省|市|县|区|镇|乡)?(?:人大|人民代表大会|党代会|党代表大会|政协|纪委|中央委员会"
    rf"|委员会)(?:常委会)?(?:第?[{_CN}]{{1,2}}次(?:全体)?会议)?|"
    # party congresses and plenums: 十八大, 十八届五中全会, 五中全会, 十四届全国人大
    rf"(?:十[一二三四五六七八九]|二十[一二三四五六七八九]?)大(?![小量批型项])"
    # 届 names a congress only with its body or session after it: 连续举办十五届 is a count.
    rf"|(?:十[一二三四五六七八九]|二十[一二三四五六七八九]?)届"
    rf"(?:(?:全国人大|人大|全国政协|政协|中央纪委|中纪委|中央)"
    rf"(?:[一二三四五六七八九]中全会|[一二三四五六七八九]次(?:全体)?会议|全会)?"
    rf"|[一二三四五六七八九]中全会|[一二三四五六七八九]次(?:全体)?会议|全会)"
    rf"|[一二三四五六七八九]中全会"
    # five-year plans: 十三五规划, 第十四个五年规划
    rf"|十[一二三四五]五(?=规划|时期|期间|末|开局|以来|[”\"」’』])"
    rf"|第[{_CN}]{{1,3}}个五年(?:规划|计划)|[{_CN}]{{1,3}}五(?:规划|计划)纲要"
    # anniversaries and slogans with numbers: 建党100周年, 八字方针, 20字公民基本道德规范
    rf"|(?:建党|建国|新中国成立|改革开放|建军|香港回归|澳门回归|抗战胜利|长征胜利)"
    rf"[0-9{_CN}百]{{1,5}}(?:周年|年)"
    rf"|(?:(?<=党成立)|(?<=国成立)|(?<=团成立)|(?<=诞辰)|(?<=胜利)|(?<=回归)|(?<=建党)|(?<=建国)|(?<=建军))"
    rf"[0-9{_CN}百]{{1,5}}周年"
    # programme names: 农村人居环境整治提升五年行动, 三年攻坚行动, 百日攻坚
    rf"|[两三四五六七八九十]年(?=(?:专项|集中|攻坚|提升|整治|振兴)?(?:行动|攻坚战|会战))"
    rf"|百日(?=攻坚|行动|会战|大会战|竞赛|冲刺|整治|专项)"
    rf"|[0-9{_CN}]{{1,4}}字(?:方针|要求|诀|标准|工作法|公民基本道德规范|规范|经验|总要求|真经)"
    # levels of administration: 县乡村三级, 乡村两级, 省市县乡村五级
    rf"|[省市县区乡镇村组街社]{{2,5}}[两二三四五六]级"
    # national censuses: 第七次全国人口普查, 第三次全国国土调查
    rf"|第[{_CN}]{{1,3}}次全国[\u4e00-\u9fff]{{0,6}}?(?:普查|调查)"
    # round-the-clock service: 7×24小时, 24小时值班, 365天不打烊
    r"|7\s*[×xX*＊]\s*24\s*小时|24小时(?=值班|值守|在线|不间断|全天候|无休|不打烊|服务热线)"
    r"|365天(?=不打烊|无休|全天候|不间断)"
    # generations: 80后, 90后, 00后
    r"|(?<![0-9])[0-9]0后(?![0-9])"
    # event names written with a middle dot: 3·15, 5·12
    r"|\d{1,2}[·•・]\d{1,2}"
    # service hotlines: 12345热线, 拨打110
    r"|(?<![0-9])(?:110|119|120|122|12345|12315|12348|12388|12369|12320|12355|12338|12310"
    r"|12333|12358|12380|12366)(?![0-9])(?=热线|平台|报警|急救|举报|服务|便民|政务|[”\"」])"
    r"|(?<=拨打)(?:110|119|120|122|12345|12315|12348|12388|12369|12320)(?![0-9])"
)

_STRUCTURAL_ANCHOR = re.compile(r"[十二一两三四五六七八九百第建改新香澳抗长0-9０-９省市县区乡镇村组街社1拨]")


# --- the set-phrase lexicon -----------------------------------------------------------------

@lru_cache(maxsize=1)
def lexicon() -> dict[str, str]:
    """The shipped set-phrase lexicon: phrase -> reason (含数字的词语 or 固定提法)."""
    return dict(read_phrases(LEXICON_PATH.read_text(encoding="utf-8").splitlines(), NotQuantity.SET_PHRASE))


def read_phrases(lines: Iterable[str], reason: str) -> list[tuple[str, str]]:
    """Parse phrase lines: one phrase a line, '#' comments, '#: 理由' switches the reason."""
    out = []
    for raw in lines:
        line = raw.strip()
        if line.startswith("#:"):
            reason = line[2:].strip() or reason
            continue
        if not line or line.startswith("#"):
            continue
        out.append((line, reason))
    return out


class _PhraseIndex:
    """Phrases bucketed by their first two characters, behind a one-class anchor regex.

    Cheaper to build than a trie regex (the regex compiler is pure Python) and as fast to run:
    the anchor skips text at C speed, then a dict lookup and a few startswith calls decide.
    """

    def __init__(self, phrases: Iterable[str]):
        self.buckets: dict[str, list[str]] = {}
        for p in phrases:
            if len(p) >= 2:
                self.buckets.setdefault(p[:2], []).append(p)
        for bucket in self.buckets.values():
            bucket.sort(key=len, reverse=True)
        firsts = sorted({k[0] for k in self.buckets})
        self.anchor = re.compile("[" + "".join(re.escape(c) for c in firsts) + "]") if firsts else None

    def finditer(self, text: str):
        """(start, end, phrase) of leftmost-longest, non-overlapping occurrences."""
        if self.anchor is None:
            return
        pos, n, buckets = 0, len(text), self.buckets
        search = self.anchor.search
        while pos < n:
            hit = search(text, pos)
            if hit is None:
                return
            p = hit.start()
            for phrase in buckets.get(text[p:p + 2], ()):
                if text.startswith(phrase, p):
                    yield p, p + len(phrase), phrase
                    pos = p + len(phrase)
                    break
            else:
                pos = p + 1


@lru_cache(maxsize=1)
def _lexicon_index() -> _PhraseIndex:
    return _PhraseIndex(p for p in lexicon() if any(c in _NUMERAL_CHARS for c in p))


def find_set_phrases(text: str) -> list[Span]:
    """Find lexicon phrases and structural set phrases (十八届五中全会, 县乡村三级 …)."""
    out = [Span(m.start(), m.end(), NotQuantity.SET_PHRASE) for m in anchored(_STRUCTURAL, _STRUCTURAL_ANCHOR, text)]
    reasons = lexicon()
    for s, e, phrase in _lexicon_index().finditer(text):
        if _fits(text, s, e):
            out.append(Span(s, e, reasons[phrase]))
    return out


def _fits(text: str, start: int, end: int) -> bool:
    # A phrase must not cut a larger numeral: 二十分钟 is not 二 + 十分 + 钟.
    if start > 0 and text[start] in _NUMERAL_CHARS and text[start - 1] in _NUMERAL_CHARS:
        return False
    if end < len(text) and text[end - 1] in _NUMERAL_CHARS and (
            text[end] in _NUMERAL_CHARS or match_unit(text, end)):
        return False  # 千万元 is a sum of money, not the word 千万
    if end < len(text) and text[end - 1] == "点" and text[end] in _NUMERAL_CHARS:
        return False  # 一点四 is a decimal
    run = start
    while run < end and text[run] in _NUMERAL_CHARS:
        run += 1
    unit = match_unit(text, run) if start < run < end else None
    if unit and run + len(unit) > end:
        return False  # 十分钟 is ten minutes: the measure word runs past the phrase 十分
    return True


def find_literals(text: str, phrases: Iterable[str], reason: str) -> list[Span]:
    """Find every occurrence of user phrases (allow list, names from the facts)."""
    out = []
    for phrase in sorted(set(p for p in phrases if p), key=len, reverse=True):
        at = text.find(phrase)
        while at >= 0:
            out.append(Span(at, at + len(phrase), reason))
            at = text.find(phrase, at + len(phrase))
    return out


# --- quoted slogans and names ----------------------------------------------------------------

_SLOGAN = re.compile(r"[“‘「『]([^“”‘’「」『』\n]{1,12})[”’」』]")
_SLOGAN_ANCHOR = re.compile(r"[“‘「『]")
_NUMERAL_RUN = re.compile(r"[0-9０-９零〇一二两三四五六七八九十百千万亿]+")
_YEAR = re.compile(r"\d{4}|年")
# “五包”责任制, “八字”方针: a quoted count followed by one of these words names the rule.
_NAMED_BY = re.compile(r"责任制|方针|要求|原则|理念|工作法|机制|模式|制度|精神|战略|举措|工程|方略|口诀")
_QUANTITY_HEAD = re.compile(r"[约近]?[0-9０-９.．%％零〇一二两三四五六七八九十百千万亿]+[余多]?")


def find_quoted_slogans(text: str, names: Iterable[str] = ()) -> list[Span]:
    """Short quoted phrases with numerals: “三个务必”, “四个一”, “15分钟便民生活圈”, “五包”责任制.

    Government writing quotes its slogans and programme names; a numeral inside them names the
    thing, it does not count it. Not masked: a quoted bare quantity (“65人”, “531”), a year, and
    a facts name written with other numerals (“20分钟生活圈” against “15分钟生活圈”).
    """
    skeletons = {_NUMERAL_RUN.sub("#", n) for n in names}
    out = []
    for m in anchored(_SLOGAN, _SLOGAN_ANCHOR, text):
        body = m.group(1)
        if not any(c in _NUMERAL_CHARS for c in body) or _YEAR.search(body) \
                or (_is_quantity(body) and not _NAMED_BY.match(text, m.end())) \
                or _NUMERAL_RUN.sub("#", body) in skeletons:
            continue
        out.append(Span(m.start(), m.end(), NotQuantity.QUOTED))
    return out


def _is_quantity(body: str) -> bool:
    # “65人”, “十余场”, “100%”: a number and at most its measure word is a claim, not a name.
    head = _QUANTITY_HEAD.match(body)
    if head is None:
        return False
    rest = body[head.end():]
    return rest == "" or match_unit(rest, 0) == rest


_QUOTED = re.compile(r"[“\"「『‘《〈]([^“”\"「」『』‘’《》〈〉\n]{1,40})[”\"」』’》〉]")


def quoted_names(text: str) -> list[str]:
    """Quoted or titled names in a facts statement that contain numerals (“四办五中心”)."""
    return [m.group(1) for m in _QUOTED.finditer(text) if any(c in _NUMERAL_CHARS for c in m.group(1))]
