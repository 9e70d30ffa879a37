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
    "unit": "单位", "period": "时间", "campaign": "创建目标", "topic": "主题", "title": "标题",
    "author": "落款单位", "date": "落款日期", "samples": "范文文件夹", "facts": "事实", "allow": "允许短语",
    "sections": "章节", "id": "章节ID", "kind": "类型", "text": "文字", "value": "数值", "approx": "约数",
}
# What one 创建s ends with a place or an organisation (全国文明城市, 国家卫生县城, 文明单位, 平安乡镇);
# anything else (乡村振兴, 安全生产, 河长制) is a kind of work, written as `topic`.
_CREATED_THING = re.compile(r"(?:城市|城|县城|县|区|市|乡|镇|乡镇|村镇|村|社区|街道|单位|校园|家庭|机关|企业"
                            r"|医院|学校|园区|景区|示范点|基地|窗口|模范城)$")


@dataclass(frozen=True)
class FactsWarning:
    """Something in a facts file that works but is probably not what the clerk meant."""

    message: str
    line: int | None
    field: str
    hint: str | None = None
    sheet: str | None = None  # a workbook's sheet: `line` is then its row

    def render(self, path: Path) -> str:
        """One yellow line for the clerk: where, which field, what, and what to do."""
        sheet = self.sheet
        where = (f"{path} 工作表“{sheet}”" + (f"第{self.line}行" if self.line else "") if sheet
                 else f"{path}:{self.line}" if self.line else str(path))
        return f"提示：{where}：字段 {self.field}：{self.message}" + (f"（{self.hint}）" if self.hint else "")


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
    campaign: str | None  # what is being created (创建全国文明城市): the summary of a campaign
    title: str
    author: str
    date: str | None
    facts: tuple[Statement, ...]
    allow: tuple[str, ...]
    sections: tuple[Section, ...]
    header: tuple[Statement, ...] = field(default=())
    sha256: str = ""
    topic: str | None = None    # what a summary that is not a campaign's is about (乡村振兴)
    samples: str | None = None  # the clerk's own 范文 folder, as written (relative to the file)
    samples_line: int | None = None
    warnings: tuple[FactsWarning, ...] = ()

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

    @property
    def samples_dir(self) -> Path | None:
        """The 范文 folder the file names, resolved against the file's own folder."""
        return self.path.parent / self.samples if self.samples else None

    def warning_lines(self) -> list[str]:
        """Each warning as the line a clerk reads."""
        return [w.render(self.path) for w in self.warnings]

    def section(self, section_id: str) -> Section:
        """Return the section with this id, or raise FactsError listing the ids."""
        for sec in self.sections:
            if sec.id == section_id:
                return sec
        ids = "、".join(s.id for s in self.sections)
        raise FactsError(f"没有 ID 为 “{section_id}” 的章节", path=self.path,
                         hint=f"可用的章节 ID：{ids}")


def topic_phrase(topic: str | None) -> str | None:
    """The topic as it reads before 工作: 乡村振兴工作总结 → 乡村振兴, 年度工作 → 年度."""
    if not topic:
        return None
    phrase = re.sub(r"(?:工作)?总结$", "", topic)
    phrase = re.sub(r"工作$", "", phrase)
    return phrase or topic


def default_title(unit: str, period: str, campaign: str | None, topic: str | None) -> str:
    """The title when the file sets none: a campaign's, a topic's, or a general summary's."""
    if campaign:
        return f"{unit}{period}创建{campaign}工作总结"  # as written: old files keep their titles
    phrase = topic_phrase(topic) or ""
    if phrase.startswith("年度") and period.endswith("年"):
        return f"{unit}{period}{phrase[1:]}工作总结"  # 2024年 + 年度 → 2024年度
    return f"{unit}{period}{phrase}工作总结"


def is_campaign_target(text: str) -> bool:
    """Whether `text` names something one 创建s (全国文明城市), not a kind of work (乡村振兴)."""
    return bool(_CREATED_THING.search(text))


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
