"""The facts data model: a facts file as typed objects that remember each value's source line.

Both readers (YAML: yaml_reader, Excel: workbook) build these; the converter writes them back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from drafter.errors import FactsError
from drafter.files import encoding_notice

KINDS = ("intro", "work", "problems", "plans", "closing")
KIND_NAMES = {"intro": "开头", "work": "工作", "problems": "问题", "plans": "打算", "closing": "结尾"}
APPROX_WORDS = ("余", "多", "约", "近", "以上", "不足", "左右")
SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")  # a leading _ is kept for drafter's own parts

FIELD_NAMES = {
    "unit": "单位", "period": "时间", "campaign": "创建目标", "title": "标题", "author": "落款单位",
    "date": "落款日期", "facts": "事实", "allow": "允许短语", "sections": "章节", "id": "章节ID",
    "kind": "类型", "text": "文字", "value": "数值", "approx": "约数",
}


@dataclass(frozen=True)
class Statement:
    """One supplied fact: text as the user wrote it (composed for mapping items), with its line."""

    text: str
    line: int
    field: str
    section: str | None = None
    value: Decimal | None = None
    unit: str | None = None
    approx: str | None = None


@dataclass(frozen=True)
class Section:
    """A section of the summary to be drafted, with its facts."""

    id: str
    title: str
    kind: str
    facts: tuple[Statement, ...]
    line: int
    title_line: int
    index: int = 0


@dataclass(frozen=True)
class Facts:
    """A whole facts file, typed, with the source line of every value."""

    path: Path
    encoding: str
    unit: str
    period: str
    campaign: str
    title: str
    author: str
    date: str | None
    facts: tuple[Statement, ...]
    allow: tuple[str, ...]
    sections: tuple[Section, ...]
    header: tuple[Statement, ...] = field(default=())
    sha256: str = ""

    def statements(self) -> list[Statement]:
        """Every statement that may carry a number, in file order (header, facts, sections)."""
        out = list(self.header) + list(self.facts)
        for sec in self.sections:
            out.append(Statement(sec.title, sec.title_line, f"sections[{sec.index}].title", sec.id))
            out.extend(sec.facts)
        return sorted(out, key=lambda s: s.line)

    @property
    def notice(self) -> str | None:
        """The encoding notice for this file (None when it was UTF-8)."""
        return encoding_notice(self.path, self.encoding)

    def section(self, section_id: str) -> Section:
        """Return the section with this id, or raise FactsError listing the ids."""
        for sec in self.sections:
            if sec.id == section_id:
                return sec
        ids = "、".join(s.id for s in self.sections)
        raise FactsError(f"没有 ID 为 “{section_id}” 的章节", path=self.path,
                         hint=f"可用的章节 ID：{ids}")


def compose_statement(text: str, value: Decimal | None, unit: str | None, approx: str | None) -> str:
    """Write a mapping item as one statement, e.g. 宣讲 + 10 + 余 + 场 -> 宣讲10余场."""
    if value is None:
        return text
    number = format(value, "f")
    unit = unit or ""
    if approx in ("约", "近", "不足"):
        quantity = f"{approx}{number}{unit}"
    elif approx in ("以上", "左右"):
        quantity = f"{number}{unit}{approx}"
    else:
        quantity = f"{number}{approx or ''}{unit}"
    return f"{text}{quantity}"


@dataclass(frozen=True)
class SectionNumbers:
    """What `drafter facts validate` shows for one part of a facts file."""

    id: str
    title: str
    kind: str
    statements: int
    numbers: tuple[str, ...]


def summarize_numbers(facts: Facts) -> list[SectionNumbers]:
    """Count statements and list the number mentions found, per section (document level first)."""
    from drafter.check.mentions import extract_mentions

    def found(statements) -> tuple[str, ...]:
        return tuple(m.text for s in statements
                     for m in extract_mentions(s.text, allow=facts.allow) if m.ignored is None)

    doc_level = list(facts.header) + list(facts.facts)
    rows = [SectionNumbers("（全文）", facts.title, "", len(facts.facts), found(doc_level))]
    for sec in facts.sections:
        rows.append(SectionNumbers(sec.id, sec.title, sec.kind, len(sec.facts),
                                   found((Statement(sec.title, sec.title_line, ""),) + sec.facts)))
    return rows
