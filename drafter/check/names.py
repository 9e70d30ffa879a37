"""Names in a summary: places, the unit's own level, titles of documents and named events.

A summary copied from another place keeps that place's name (构建和谐南坝 in 芦洲乡's summary), a
model copies the names of its 范文 and writes 我镇 for a 乡, and either may invent a plan or a
meeting. Every name found gets a verdict:

    ok           the unit, a place or title the facts name, the unit's own county or city, a
                 national law, document or programme, an ordinary word
    foreign      another place (南坝 in 芦洲乡's summary), or a title naming one
    mismatch     the unit's own self-reference at the wrong level (我镇 for a 乡)
    unsupported  a document or named event of the unit's own that the facts do not contain

Places come from the national gazetteer (gazetteer.py): a full name (南坝乡, 江油市) anywhere, and
a bare name (南坝) only where a summary names its own unit (构建和谐X, 建设美丽X, X人民, 全X), since
bare names are often ordinary words. National names any summary may cite are a data file
(lexicon/national_names.txt) users extend like the set-phrase lexicon.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from drafter.check.not_quantities import read_phrases

NATIONAL_PATH = Path(__file__).resolve().parent / "lexicon" / "national_names.txt"
VERDICTS = ("ok", "foreign", "mismatch", "unsupported")
FLAGGED = frozenset({"foreign", "mismatch", "unsupported"})
KINDS = ("place", "self", "title", "event")

_LEVELS = ("街道", "乡", "镇")
# 我镇, 全乡, 本街道, 镇党委, 乡人民政府: the unit speaking of itself. Not 乡镇党委 or 城乡 (any level),
# 全乡镇 (all townships), 本乡本土 (an idiom), 镇村两级 (the town and its villages, in a 镇).
_SELF = re.compile(
    r"(?:(?P<pre>[我全本])(?P<a>街道|乡(?![镇村土])|镇(?![村乡区]))"
    r"|(?:(?<![\u4e00-\u9fff])|(?<=[经由在向对从和与及将把被为请]))(?P<b>乡|镇)(?=党委|人民政府|政府|人大|纪委|党政)"
    r"|(?:(?<![\u4e00-\u9fff])|(?<=[经由在向对从和与及将把被为请]))(?P<c>街道)(?=党工委))")
# The words around a bare name with which a summary names its own unit: 构建和谐南坝, 建设美丽东湖,
# 和谐新芦洲, 南坝人民, 全南坝.
_OWN_BEFORE = re.compile(r"(?:构建和谐|建设和谐|和谐|和谐新|建设美丽|打造美丽|美丽|美丽新|幸福|魅力|全|新)\Z")
# With these a bare name is the unit's name even when it is also a word (建设美丽西塘).
_OWN_STRONG = re.compile(r"(?:构建和谐|建设和谐|和谐新|建设美丽|打造美丽|美丽新)\Z")
_OWN_AFTER = re.compile(r"人民(?!政府|代表|法院|检察院|银行|日报|医院|警察|调解)")
# A village or community the facts do not name: 小岗村, 百步亭社区. Only as a proper name in a list or
# after a place word: not 行政村, 示范村, 各村, 美丽乡村.
_VILLAGE = re.compile(r"(?<=[、在和与及])(?P<name>[\u4e00-\u9fff]{2,3}?)(?P<level>村|社区|居委会)"
                      r"(?![民委组级务干部里内外庄落容貌规居])")
# A name starting with a verb is an action on villages (三、加快社区文化阵地建设; 深入社区走访), not a name.
_GENERIC_VILLAGE = re.compile(r"^[各全本该每个一二三两四五六七八九十新旧农城乡山渔牧边周邻其多少他余爱]|[乡农山渔城]$"
                              r"|^(?:加快|加强|推进|推动|建设|完善|健全|打造|创建|深化|提升|规范|落实|强化|做好|抓好|开展"
                              r"|服务|管理|整治|改造|深入|走进|进入|联系|包保|帮扶|结对|覆盖|延伸|下沉|走访|入驻|扎根)"
                              r"|(?:行政|自然|示范|重点|贫困|脱贫|试点|中心|美丽|文明|和谐|生态|幸福|宜居|特色|传统|历史|移民|搬迁|集中|安置|城中"
                              r"|城郊|边远|偏远|软弱|涣散|先进|后进|典型|星级|达标|一般|相邻|周边|所在|其他|其余|部分|少数"
                              r"|个别|老旧|困难|薄弱|空心|合并|撤并|新型|智慧|数字|绿色|平安|法治|和美)$")
# Areas a direction or a kind of land makes with 区 (北山区 in 惠北山区): not a district's name.
_COMMON_AREAS = frozenset({"山区", "城区", "市区", "园区", "景区", "林区", "牧区", "湖区", "库区", "矿区", "灾区",
                           "老区", "新区", "片区", "辖区", "校区", "街区", "厂区", "社区", "湾区"})
_TITLE = re.compile(r"《(?P<t>[^《》\n]{2,60})》")
_EVENT = re.compile(r"[“\"](?P<e>[^“”\"\n]{2,40}?(?:推进会|动员会|座谈会|现场会|观摩会|培训会|调度会|联席会议|大会|会议"
                    r"|专项行动|行动|活动|竞赛|评选|攻坚战|攻坚行动|工程|计划))[”\"]")
# The unit's own documents: a title ending so is a plan or rule of the unit unless the facts give it.
_OWN_DOCUMENT = re.compile(r"(?:方案|意见|细则|要点|办法|通知|规划|计划|制度|规定|预案|措施|决定|公约|章程|清单)$")
_NATIONAL_LAW = re.compile(r"^(?:中华人民共和国|中国共产党|中共中央|国务院)|(?<!办)法$|条例$")


class _Spans:
    """Spans of a text, asked about in logarithmic time: a one-line 5 MB text has thousands of them."""

    def __init__(self, spans) -> None:
        spans = sorted(spans)
        self.starts = [s for s, _ in spans]
        self.reach = list(accumulate((e for _, e in spans), max))  # furthest end of the spans so far

    def overlap(self, start: int, end: int) -> bool:
        """Whether any span shares a character with start..end."""
        i = bisect_left(self.starts, end)
        return i > 0 and self.reach[i - 1] > start

    def contain(self, start: int, end: int) -> bool:
        """Whether any span holds all of start..end."""
        i = bisect_right(self.starts, start)
        return i > 0 and self.reach[i - 1] >= end


@dataclass(frozen=True)
class NameFinding:
    """A name in the document and what it was found to be."""

    text: str
    start: int
    end: int
    line: int
    kind: str      # place, self, title or event
    verdict: str   # ok, foreign, mismatch or unsupported
    reason: str
    fact: str | None = None
    fact_line: int | None = None

    @property
    def flagged(self) -> bool:
        """True when a reviewer must look at this name."""
        return self.verdict in FLAGGED

    def to_json_dict(self) -> dict:
        """The name as in the JSON contract (issue 12)."""
        return {"text": self.text, "start": self.start, "end": self.end, "line": self.line,
                "kind": self.kind, "verdict": self.verdict, "reason": self.reason, "fact": self.fact,
                "fact_line": self.fact_line}


@lru_cache(maxsize=1)
def national_names() -> frozenset[str]:
    """The shipped list of national laws, documents and programmes any summary may cite."""
    lines = NATIONAL_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(phrase for phrase, _ in read_phrases(lines, ""))


class Unit:
    """What the facts say about the unit: its name and level, the places and titles they contain."""

    def __init__(self, facts, sample_units: Callable[[], tuple[str, ...]] = tuple):
        from drafter.check.gazetteer import bare_name

        self.name = facts.unit
        self.bare = bare_name(facts.unit)
        self.level = next((lv for lv in _LEVELS if facts.unit.endswith(lv) or facts.unit.endswith(lv + "办事处")),
                          None)
        self.statements = [st for st in facts.statements() if st.text]
        # A place the facts name outside a title: 南坝 in a copied plan title 《南坝乡…方案》 is no
        # place of this unit's (drafter facts validate warns about such a title).
        self.places = [(_TITLE.sub("", st.text), st) for st in self.statements]
        self.parents = _parents_of(facts.unit)
        self._sample_units = sample_units
        self._sample_bares: frozenset[str] | None = None

    def stated(self, words: str):
        """The first statement containing `words` (a place, a title), or None."""
        return next((st for st in self.statements if words in st.text), None)

    def in_samples(self, bare: str) -> bool:
        """Is this place one the 范文 in use name (their own units)? Read from the samples on first need."""
        if self._sample_bares is None:
            from drafter.check.gazetteer import bare_name

            self._sample_bares = frozenset(bare_name(u) for u in self._sample_units() if u) - {self.bare}
        return bare in self._sample_bares

    def named_place(self, words: str):
        """The first statement naming this place outside a title, or None."""
        return next((st for text, st in self.places if words in text), None)

    def own(self, bare: str) -> bool:
        """Is this bare name the unit's own (or the unit's name contains it: 芦洲 in 芦洲乡)?"""
        return bare == self.bare or bare in self.name


def check_names(doc, facts, sample_units: Callable[[], tuple[str, ...]] = tuple,
                allow: tuple[str, ...] = ()) -> list[NameFinding]:
    """Every place, self-reference, title and named event in the document, each with a verdict."""
    unit = Unit(facts, sample_units)
    work = doc.work
    found = _self_references(doc, unit, work) + _places(doc, unit, work, allow)
    found += _titles(doc, unit, work, allow) + _events(doc, unit, work, allow)
    return _without_nested(found)


def _finding(doc, m_start: int, m_end: int, kind: str, verdict: str, reason: str, st=None) -> NameFinding:
    return NameFinding(doc.text[m_start:m_end], m_start, m_end, doc.line(m_start), kind, verdict, reason,
                       st.text if st is not None else None, st.line if st is not None else None)


def _self_references(doc, unit: Unit, work: str) -> list[NameFinding]:
    if unit.level is None:
        return []
    out = []
    for m in _SELF.finditer(work):
        level = m.group("a") or m.group("b") or m.group("c")
        if level == unit.level:
            out.append(_finding(doc, m.start(), m.end(), "self", "ok", f"本单位{unit.name}的自称"))
            continue
        right = m.group().replace(level, unit.level, 1)
        out.append(_finding(doc, m.start(), m.end(), "self", "mismatch",
                            f"本单位是{unit.level}（{unit.name}），应写“{right}”，文中却写“{m.group()}”"))
    return out


def _places(doc, unit: Unit, work: str, allow: tuple[str, ...]) -> list[NameFinding]:
    from drafter.check.gazetteer import find_places

    selves = _Spans((m.start(), m.end()) for m in _SELF.finditer(work))
    out = []
    matches = find_places(work)
    for k, p in enumerate(matches):
        following = matches[k + 1] if k + 1 < len(matches) else None
        if not p.suffix and following is not None and following.start < p.end and not following.suffix:
            continue  # 和谐新东湖: of two bare names overlapping, the later one ends the phrase
        before = work[max(0, p.start - 4):p.start]
        in_pattern = not p.suffix and bool(_OWN_BEFORE.search(before) or _OWN_AFTER.match(work, p.end))
        strong = in_pattern and bool(_OWN_STRONG.search(before) or _OWN_AFTER.match(work, p.end))
        if (not p.suffix and not in_pattern) or (p.common and not strong):
            continue  # a bare name elsewhere is too often a word (东风, 和平, 城关)
        if selves.overlap(p.start, p.end):
            continue  # 扩大全镇: 全镇 is the unit speaking, not a place 大全镇
        if (p.bare[-1] + p.suffix in _COMMON_AREAS or p.bare.endswith("园")) and not p.exact:
            continue  # 惠北山区 is a mountain area, 农业科技园 a park: no 北山区, no 科技园镇
        out.append(_judge_place(doc, unit, p, in_pattern, allow))
    return out + _villages(doc, unit, work, out)


def titles_naming_other_units(facts) -> list[tuple[object, str, str]]:
    """(statement, title, township) for each title in the facts that names another township as its
    own (《南坝乡…方案》 in 芦洲乡's facts): the clerk copied another place's material."""
    from drafter.check.gazetteer import find_places

    unit = Unit(facts)
    out = []
    for st in unit.statements:
        for m in _TITLE.finditer(st.text):
            other = next((p.text for p in find_places(m.group("t")) if p.suffix in _LEVELS and not p.common
                          and not unit.own(p.bare)), None)
            if other:
                out.append((st, m.group(), other))
    return out


def place_spans(text: str) -> list[tuple[int, int]]:
    """Where a text names places as this checker reads them: full names, and bare names where a unit
    names itself (构建和谐南坝); for masking the 范文's own places in style references."""
    from drafter.check.gazetteer import find_places

    selves = [(m.start(), m.end()) for m in _SELF.finditer(text)]
    out = []
    for p in find_places(text):
        before = text[max(0, p.start - 4):p.start]
        strong = _OWN_STRONG.search(before) or _OWN_AFTER.match(text, p.end)
        if (p.suffix and not p.common) or (not p.suffix and strong):
            if not any(s < p.end and p.start < e for s, e in selves):
                out.append((p.start, p.end))
    return out


def _villages(doc, unit: Unit, work: str, places: list[NameFinding]) -> list[NameFinding]:
    """Villages and communities by name: those the facts do not name (小岗村 for 柳溪镇) are unsupported."""
    taken = _Spans((f.start, f.end) for f in places)
    out = []
    for m in _VILLAGE.finditer(work):
        name, full = m.group("name"), m.group()
        if _GENERIC_VILLAGE.search(name) or taken.overlap(m.start(), m.end()):
            continue
        st = unit.named_place(full) or unit.named_place(name + "村" if m.group("level") == "村" else full)
        if st is not None or unit.own(name):
            out.append(_finding(doc, m.start(), m.end(), "place", "ok", "事实中写明的村（社区）", st))
            continue
        out.append(_finding(doc, m.start(), m.end(), "place", "unsupported",
                            f"事实中没有“{full}”：不是本单位事实里列出的村（社区），疑似其他地方的名称"))
    return out


def _judge_place(doc, unit: Unit, p, in_pattern: bool, allow: tuple[str, ...]) -> NameFinding:
    text = p.text
    if unit.own(p.bare) or text in unit.name:
        return _finding(doc, p.start, p.end, "place", "ok", f"本单位{unit.name}")
    st = unit.named_place(text) or (unit.named_place(p.bare) if not p.common else None)
    if st is not None or any(text in a for a in allow):
        return _finding(doc, p.start, p.end, "place", "ok", "事实中写明的地名", st)
    if text in unit.parents:
        return _finding(doc, p.start, p.end, "place", "ok", f"本单位{unit.name}所在的县（市、区）")
    if p.places and all(pl.level == "province" for pl in p.places) and p.suffix:
        return _finding(doc, p.start, p.end, "place", "ok", "省级地名")
    where = "、".join(dict.fromkeys(pl.where() for pl in p.places[:3]))
    sample = "；范文中出现过这个单位，疑似照抄范文" if unit.in_samples(p.bare) else ""
    how = "以本单位自称的说法写了" if in_pattern else "写了"
    return _finding(doc, p.start, p.end, "place", "foreign",
                    f"本单位是{unit.name}，文中却{how}另一个地方“{text}”（{where or '地名'}），"
                    f"事实中没有这个地名{sample}")


def _titles(doc, unit: Unit, work: str, allow: tuple[str, ...]) -> list[NameFinding]:
    out = []
    for m in _TITLE.finditer(work):
        title = m.group("t")
        verdict, reason, st = _judge_title(unit, title, allow, "文件")
        out.append(_finding(doc, m.start(), m.end(), "title", verdict, reason, st))
    return out


def _events(doc, unit: Unit, work: str, allow: tuple[str, ...]) -> list[NameFinding]:
    out = []
    for m in _EVENT.finditer(work):
        event = m.group("e")
        verdict, reason, st = _judge_title(unit, event, allow, "会议或活动", own_documents=False)
        out.append(_finding(doc, m.start(), m.end(), "event", verdict, reason, st))
    return out


def _judge_title(unit: Unit, title: str, allow: tuple[str, ...], what: str, own_documents: bool = True):
    from drafter.check.gazetteer import find_places

    st = unit.stated(title)
    if st is not None or any(title in a for a in allow):
        return "ok", f"事实中写明的{what}", st
    if title in national_names() or _NATIONAL_LAW.search(title):
        return "ok", "国家层面的法律、文件或工作，任何总结都可引用", None
    others = [p for p in find_places(title) if p.suffix and not p.common and not unit.own(p.bare)
              and not unit.named_place(p.text) and p.text not in unit.parents]
    if others:
        return "foreign", (f"“{title}”写的是另一个地方“{others[0].text}”，本单位是{unit.name}，"
                           f"事实中也没有这个{what}"), None
    if unit.bare in title or unit.name in title:
        return "unsupported", f"本单位的{what}“{title}”，事实中没有；请核实或在事实中补上", None
    if any(n in title for n in national_names() if len(n) >= 4):
        return "ok", "国家层面的文件或工作，任何总结都可引用", None
    if own_documents and _OWN_DOCUMENT.search(title):
        return "unsupported", f"“{title}”像是本单位的文件，事实中没有；请核实或在事实中补上", None
    return "ok", f"不是本单位的{what}", None


def _parents_of(unit: str) -> frozenset[str]:
    """Counties, cities and provinces of every place named like the unit (its own are among them)."""
    from drafter.check.gazetteer import lookup

    out = set()
    for place in lookup(unit):
        out.update(n for n in (place.county, place.city, place.province) if n)
    return frozenset(out)


def _without_nested(found: list[NameFinding]) -> list[NameFinding]:
    # A place inside a title (南坝乡 in 《南坝乡…方案》) is reported with the title, not twice.
    titles = _Spans((f.start, f.end) for f in found if f.kind in ("title", "event"))
    kept = [f for f in found if f.kind in ("title", "event") or not titles.contain(f.start, f.end)]
    return sorted(kept, key=lambda f: (f.start, f.end))
