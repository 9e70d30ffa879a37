"""The offline composer: a readable draft from the facts alone, with no model.

Every sentence comes from the Jinja templates in prompts/offline/; this module only decides which
facts go where and what shape each has (does it name its own subject, open with the period…).
Facts are used verbatim, so every number in the output is one the clerk supplied; the templates
themselves contain no numerals except the list markers 一是、二是.
"""

from __future__ import annotations

import re
from typing import Any

from drafter.facts import Facts, Section, Statement
from drafter.facts.model import topic_phrase
from drafter.outlines import outline_for
from drafter.prompts import first_person, half_width, render

# Trailing punctuation of a fact that the templates replace with their own.
_TRAILING = "。；;，,、：:. \t"
_KEEP_END = "！？!?…"
# A list longer than this (characters or items) is written one item per paragraph, like the samples.
APART_CHARS = 150
APART_ITEMS = 6
_TIME_START = re.compile(r"^(?:[0-9０-９]{2,4}|20[×xX]{2}|[一二三四五六七八九十〇○零]+)年"
                         r"|^(?:今年|明年|来年|新的一年|下半年|上半年|今后|下一步|全年|本年|年内|一年来)")
# A fact describing the unit itself (辖11个行政村, 总人口3.6万人) opens the summary, before the year.
_PROFILE = re.compile(r"辖|人口|面积|位于|地处|总户数|境内|下设")
# Titles this long or with punctuation do not read well in the opening's list of the work done.
OVERVIEW_TITLE_CHARS = 10
OVERVIEW_MAX_SECTIONS = 8
DOC_SENTENCE_CHARS = 80
# Titles opening with a verb read "为加大宣传力度，…"; noun titles read "高度重视环境卫生整治工作".
_VERBS = ("加强", "加大", "加快", "抓好", "抓实", "狠抓", "制定", "健全", "突出", "改善", "改进",
          "开展", "创新", "提高", "提升", "学习", "完善", "强化", "推进", "推动", "深化", "落实",
          "建立", "坚持", "注重", "做好", "搞好", "美化", "维护", "严格", "规范", "营造", "丰富",
          "打造", "实施", "优化", "培育", "弘扬", "组织", "巩固", "夯实", "拓展", "构建", "整治",
          "治理", "促进", "发挥", "调整", "成立", "召开", "举办", "建设", "创建", "倡导", "树立",
          "保障", "确保", "着力", "大力", "深入", "全面", "扎实", "积极", "认真", "以人为本")
# In a problems section, a fact without a shortcoming word but with an achievement word is the
# 成绩 that the paragraph opens with ("经过一年的努力，…排位提升").
_PROBLEM_CUE = re.compile(r"不足|困难|不够|不到位|差距|距离|薄弱|缺乏|欠缺|滞后|有待|较差|时有发生|无|没有"
                          r"|不健全|不完善|问题|突出|不高|不强|短板|隐患|不平衡|不稳定|难以|不力")
_ACHIEVEMENT_CUE = re.compile(r"提升|提高|取得|进展|成效|成绩|完成|改善|好转|努力|增强|明显")


def _fact(statement: Statement | str, facts: Facts) -> dict[str, Any]:
    """A fact as the templates see it: text without end punctuation, and its shape."""
    raw = half_width((statement.text if isinstance(statement, Statement) else statement).strip())
    text = raw.rstrip(_TRAILING)
    end = "" if text.endswith(tuple(_KEEP_END)) else "。"
    we = first_person(facts.unit)
    short = re.sub(r"(?:街道|乡|镇)$", "", facts.unit)  # 芦洲 of 芦洲乡, 龙泉 of 龙泉街道
    # 全镇 names the unit as well as 我镇 does; so does 街道 opening a street office's fact.
    own = ("全" + we[1:], *(("街道", "本街道") if we == "我街道" else ())) if we != "我们" else ()
    # 镇党委、乡政府 name it too; 乡村、镇村 do not.
    names_subject = text.startswith(tuple(p for p in ("我", facts.unit, short, *own) if p)) or bool(
        we != "我们" and re.match(rf"{we[1:]}(?![村镇乡])", text))
    needs_subject = not names_subject and we not in text
    return {"text": text or raw, "end": end, "names_subject": names_subject,
            "needs_subject": needs_subject, "subject_placed": names_subject or needs_subject,
            "starts_with_period": bool(facts.period) and text.startswith(facts.period),
            "starts_with_time": bool(_TIME_START.match(text)), "starts_with_will": text.startswith("将"),
            "profile": bool(_PROFILE.search(text[:12]))}


def _title_shape(title: str) -> str:
    if "，" in title or "," in title:
        return "clauses"
    return "verb" if title.startswith(_VERBS) else "noun"


def _context(facts: Facts) -> dict[str, Any]:
    # What the summary is about decides every framing word: 创建 only for a campaign.
    kind = outline_for(facts.campaign, facts.topic)
    return {"we": first_person(facts.unit), "unit": facts.unit, "period": half_width(facts.period),
            "campaign": facts.campaign, "topic": topic_phrase(facts.topic),
            "goal": kind.goal if kind is not None else None,
            "under": (kind.under if kind is not None else None) or "在上级党委、政府的正确领导下"}


def _paragraphs(rendered: str) -> str:
    # Templates may wrap a sentence over several lines; a blank line separates paragraphs.
    paras = ("".join(line.strip() for line in block.splitlines())
             for block in re.split(r"\n[ \t]*\n", rendered))
    return "\n\n".join(p for p in paras if p)


def _variant(facts: Facts, section: Section) -> int:
    same = [s.id for s in facts.sections if s.kind == section.kind]
    return same.index(section.id) if section.id in same else 0


def _apart(items: list[dict[str, Any]] | tuple[Statement, ...]) -> bool:
    texts = [f["text"] if isinstance(f, dict) else f.text for f in items]
    return sum(len(t) for t in texts) > APART_CHARS or len(texts) > APART_ITEMS


def _apart_work(facts: Facts) -> bool:
    """One layout for every work section: an item a paragraph if any of them is long."""
    return any(_apart(s.facts) for s in facts.sections if s.kind == "work")


def _lead(facts: Facts, section: Section) -> str | None:
    """The outline's lead sentence for this section of this kind of summary, if it has one."""
    kind = outline_for(facts.campaign, facts.topic)
    return kind.lead(section.title) if kind is not None else None


def _overview(facts: Facts) -> list[str]:
    """The work sections' titles, for the opening to name what was done, when they read as a list."""
    titles = [s.title for s in facts.sections if s.kind == "work"]
    if not 2 <= len(titles) <= OVERVIEW_MAX_SECTIONS or any(
            len(t) > OVERVIEW_TITLE_CHARS or re.search(r"[，,、；;：:。]", t) for t in titles):
        return []
    # A document fact that already names them (统筹推进产业、人才、文化…振兴) says it better.
    for fact in facts.facts:
        if sum(t[:2] in fact.text for t in titles) * 2 >= len(titles):
            return []
    return titles


def _opening(facts: Facts, items: list[dict[str, Any]]) -> str:
    doc = [_fact(s, facts) for s in facts.facts]
    rest = [f for f in doc if not f["profile"]]
    # A few short document facts read as one sentence; more, or long ones, one sentence each.
    joined = 1 < len(rest) <= 3 and sum(len(f["text"]) for f in rest) <= DOC_SENTENCE_CHARS \
        and all(f["end"] for f in rest)
    return render("offline/intro.j2", **_context(facts), facts=items, profile=[f for f in doc if f["profile"]],
                  doc_facts=rest, joined=joined, overview=_overview(facts))


def compose_section(facts: Facts, section_id: str) -> str:
    """Write the body of one section from its facts alone, in the register of the samples."""
    section = facts.section(section_id)
    items = [_fact(s, facts) for s in section.facts]
    ctx = _context(facts)
    if section.kind == "intro":
        first_intro = next(s.id for s in facts.sections if s.kind == "intro")
        if section.id == first_intro:
            text = _opening(facts, items)
        else:
            text = render("offline/intro.j2", **ctx, facts=items, profile=[], doc_facts=[], joined=False,
                          overview=[])
    elif section.kind == "problems":
        achievements = [f for f in items if not _PROBLEM_CUE.search(f["text"])
                        and _ACHIEVEMENT_CUE.search(f["text"])]
        problems = [f for f in items if f not in achievements]
        separator = "。" if any(re.search(r"[；;。]", f["text"]) for f in problems) else "；"
        text = render("offline/problems.j2", **ctx, achievements=achievements, problems=problems,
                      separator=separator, apart=_apart(problems))
    elif section.kind == "plans":
        text = render("offline/plans.j2", **ctx, facts=items, apart=_apart(items))
    elif section.kind == "closing":
        text = render("offline/closing.j2", **ctx, facts=items)
    else:
        text = render("offline/work.j2", **ctx, facts=items, title=section.title,
                      title_shape=_title_shape(section.title), variant=_variant(facts, section),
                      lead=_lead(facts, section), apart=_apart_work(facts))
    return _paragraphs(text)


def compose_opening(facts: Facts) -> str:
    """The opening paragraph for a facts file without an intro section (header and doc facts)."""
    return _paragraphs(_opening(facts, []))


def compose_closing(facts: Facts) -> str:
    """The closing paragraph for a facts file without a closing section (header fields only)."""
    return _paragraphs(render("offline/closing.j2", **_context(facts), facts=[]))
