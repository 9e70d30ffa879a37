"""The facts data model: a facts file as typed objects that remember each value's source line.

Both readers (YAML: yaml_reader, Excel: workbook) build these; the converter writes them back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from drafter.errors import FactsError
from drafter.files import encoding_notice

KINDS = ("intro", "work", "problems", "plans", "closing")
KIND_NAMES = {"intro": "开头", "work": "工作", "problems": "问题", "plans": "打算", "closing": "结尾"}
APPROX_WORDS = ("余", "多", "约", "近", "以上", "不足", "左右")
SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")  # a leading _ is kept for drafter's own parts

# Limits of a facts file, each several times what a real summary needs (the largest of the
# fixtures and case sets: 12 sections, 14 facts in a section, a 69-character fact).
# Every section is checked against every number of the file: drafting time grows with sections
# times characters and with the square of the numbers.
MAX_SECTIONS = 150
MAX_SECTION_FACTS = 60
MAX_FACTS = 600           # statements in the whole file, document-wide ones included (largest seen: 65)
MAX_FACTS_CHARS = 20_000  # characters of every statement and title together (largest seen: 1,166)
MAX_NUMBERS = 1_000       # runs of numerals in them (largest seen: 128)
MAX_TEXT_CHARS = 300      # one statement, title or phrase
MAX_VALUE_DIGITS = 20     # a 数值 written out in plain digits (a 亿 is 9)
_NUMERAL_RUN = re.compile(r"[0-9０-９]+|[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+")

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


class ValueProblem(ValueError):
    """Why a 数值 cannot be read, in Chinese for the error message."""


def parse_value(raw: str) -> tuple[Decimal, bool]:
    """A 数值 as written (7, 12.60, 1,200, 85%) -> (the number, whether it was a percentage)."""
    text = raw.strip().replace(",", "")
    percent = text.endswith(("%", "％"))
    text = text[:-1].strip() if percent else text
    # Bounded before Decimal sees it: 1e999999999 parses at once but never finishes printing.
    if len(text) > MAX_VALUE_DIGITS + 10:
        raise ValueProblem(f"数值太长（最多 {MAX_VALUE_DIGITS} 位数字）")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueProblem("数值应为数字") from None
    if not value.is_finite():
        raise ValueProblem("数值应为数字")
    exponent = value.as_tuple().exponent
    if value and value.adjusted() >= MAX_VALUE_DIGITS:
        raise ValueProblem(f"数值过大（最多 {MAX_VALUE_DIGITS} 位整数）")
    if isinstance(exponent, int) and -exponent > MAX_VALUE_DIGITS:
        raise ValueProblem(f"数值的小数位数过多（最多 {MAX_VALUE_DIGITS} 位）")
    if not value and isinstance(exponent, int) and exponent > MAX_VALUE_DIGITS:
        raise ValueProblem(f"数值过大（最多 {MAX_VALUE_DIGITS} 位整数）")
    return value, percent


def size_problem(facts: Facts) -> str | None:
    """Why a facts file is too big to draft from in reasonable time, or None."""
    statements = facts.statements()
    return (limit_problem("事实条数", len(facts.facts) + sum(len(s.facts) for s in facts.sections), MAX_FACTS)
            or limit_problem("事实的总字数", sum(len(s.text) for s in statements), MAX_FACTS_CHARS)
            or limit_problem("事实中的数字", sum(len(_NUMERAL_RUN.findall(s.text)) for s in statements),
                             MAX_NUMBERS))


SIZE_HINT = "请只保留要写进总结的事实，或把材料分成几份总结"


def limit_problem(what: str, count: int, limit: int) -> str | None:
    """The message when a facts file has more of something than drafter accepts, else None."""
    if count <= limit:
        return None
    return f"{what}过多（{count}，上限 {limit}）"
