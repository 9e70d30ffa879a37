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
from drafter.prompts import first_person, render

# Trailing punctuation of a fact that the templates replace with their own.
_TRAILING = "。；;，,、：:. \t"
_KEEP_END = "！？!?…"
# A list longer than this (characters or items) is written one item per paragraph, like the samples.
APART_CHARS = 150
APART_ITEMS = 6
_TIME_START = re.compile(r"^(?:[0-9０-９]{2,4}|20[×xX]{2}|[一二三四五六七八九十〇○零]+)年"
                         r"|^(?:今年|明年|来年|新的一年|下半年|上半年|今后|下一步)")
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
    raw = (statement.text if isinstance(statement, Statement) else statement).strip()
    text = raw.rstrip(_TRAILING)
    end = "" if text.endswith(tuple(_KEEP_END)) else "。"
    we = first_person(facts.unit)
    short = facts.unit.rstrip("乡镇")  # 芦洲 of 芦洲乡
    names_subject = text.startswith(tuple(p for p in ("我", facts.unit, short) if p))
    needs_subject = not names_subject and we not in text
    return {"text": text or raw, "end": end, "names_subject": names_subject,
            "needs_subject": needs_subject, "subject_placed": names_subject or needs_subject,
            "starts_with_period": bool(facts.period) and text.startswith(facts.period),
            "starts_with_time": bool(_TIME_START.match(text)), "starts_with_will": text.startswith("将")}


def _title_shape(title: str) -> str:
    if "，" in title or "," in title:
        return "clauses"
    return "verb" if title.startswith(_VERBS) else "noun"


def _context(facts: Facts) -> dict[str, Any]:
    return {"we": first_person(facts.unit), "unit": facts.unit, "period": facts.period,
            "campaign": facts.campaign}


def _paragraphs(rendered: str) -> str:
    # Templates may wrap a sentence over several lines; a blank line separates paragraphs.
    paras = ("".join(line.strip() for line in block.splitlines())
             for block in re.split(r"\n[ \t]*\n", rendered))
    return "\n\n".join(p for p in paras if p)


def _variant(facts: Facts, section: Section) -> int:
    same = [s.id for s in facts.sections if s.kind == section.kind]
    return same.index(section.id) if section.id in same else 0


def _apart(items: list[dict[str, Any]]) -> bool:
    return sum(len(f["text"]) for f in items) > APART_CHARS or len(items) > APART_ITEMS


def compose_section(facts: Facts, section_id: str) -> str:
    """Write the body of one section from its facts alone, in the register of the samples."""
    section = facts.section(section_id)
    items = [_fact(s, facts) for s in section.facts]
    ctx = _context(facts)
    if section.kind == "intro":
        first_intro = next(s.id for s in facts.sections if s.kind == "intro")
        doc = [_fact(s, facts) for s in facts.facts] if section.id == first_intro else []
        text = render("offline/intro.j2", **ctx, facts=items, doc_facts=doc)
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
                      apart=_apart(items))
    return _paragraphs(text)


def compose_opening(facts: Facts) -> str:
    """The opening paragraph for a facts file without an intro section (header and doc facts)."""
    doc = [_fact(s, facts) for s in facts.facts]
    return _paragraphs(render("offline/intro.j2", **_context(facts), facts=[], doc_facts=doc))


def compose_closing(facts: Facts) -> str:
    """The closing paragraph for a facts file without a closing section (header fields only)."""
    return _paragraphs(render("offline/closing.j2", **_context(facts), facts=[]))
