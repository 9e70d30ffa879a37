"""The result of `drafter check`: verdicts per mention, unused facts, placeholders, JSON contract."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from drafter.check.mentions import Mention

FLAGGED = ("unsupported", "mismatch", "misattributed")
VERDICTS = ("ok", "derived", "ignored") + FLAGGED
VERDICT_NAMES = {"ok": "一致", "derived": "可推算", "ignored": "非数量", "unsupported": "无依据",
                 "mismatch": "不符", "misattributed": "张冠李戴"}


def json_value(value: Any) -> Any:
    """A mention value as JSON: a number, [low, high] (null = unbounded), or null."""
    if isinstance(value, tuple):
        return [json_value(v) for v in value[:2]]
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 10)
    if value is None or isinstance(value, int):
        return value
    return float(value)  # Decimal from a facts mapping item


@dataclass(frozen=True)
class CheckedMention:
    """One mention of the document with its verdict, the fact it was compared with, and why."""

    mention: Mention
    line: int
    verdict: str
    reason: str
    fact: str | None = None        # the facts statement compared with (or None: none exists)
    fact_line: int | None = None
    context: str = ""              # a short snippet of the document around the mention
    fact_number: Any = None        # the matched FactNumber (Python only)
    fact_location: str | None = None  # where the fact is, for a reader: facts.yaml:12, or a sheet and row

    @property
    def text(self) -> str:
        return self.mention.text

    @property
    def start(self) -> int:
        return self.mention.start

    @property
    def end(self) -> int:
        return self.mention.end

    @property
    def flagged(self) -> bool:
        """True for unsupported, mismatch and misattributed."""
        return self.verdict in FLAGGED

    def to_json_dict(self) -> dict:
        """The mention as in the JSON contract (plus kind, approx and context)."""
        m = self.mention
        return {"text": m.text, "start": m.start, "end": m.end, "line": self.line,
                "value": json_value(m.value), "unit": m.unit, "verdict": self.verdict,
                "fact": self.fact, "fact_line": self.fact_line, "reason": self.reason,
                "kind": m.kind, "approx": m.approx, "context": self.context,
                "fact_location": self.fact_location}


class UnusedFact(NamedTuple):
    """A supplied number the document never mentions (coverage for the reviewer)."""

    text: str           # the facts statement
    value: Any
    unit: str | None
    section: str | None
    line: int
    mention: str = ""   # the number as written in the statement, e.g. 81户
    location: str = ""  # facts.yaml:12, or facts.xlsx 工作表“事实”第7行

    def to_json_dict(self) -> dict:
        return {"text": self.text, "value": json_value(self.value), "unit": self.unit,
                "section": self.section, "line": self.line, "mention": self.mention,
                "location": self.location}


class PlaceholderAt(NamedTuple):
    """An unfilled template mark in the document, with its line."""

    text: str
    start: int
    end: int
    line: int

    def to_json_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end, "line": self.line}


@dataclass(frozen=True)
class Report:
    """Everything `drafter check` found in one document."""

    document: str
    facts: str
    mentions: list[CheckedMention]
    unused_facts: list[UnusedFact]
    placeholders: list[PlaceholderAt]
    section: str | None = None
    notices: tuple[str, ...] = ()   # e.g. which encoding a non-UTF-8 file was read with
    names: tuple = ()               # NameFinding: places, self-references, titles, events (names.py)
    copies: tuple = ()              # CopyFinding: copied 范文 passages, echoed prompt text (copies.py)

    @property
    def flagged(self) -> list[CheckedMention]:
        """Mentions with verdict unsupported, mismatch or misattributed."""
        return [m for m in self.mentions if m.flagged]

    @property
    def flagged_names(self) -> list:
        """Names that are not ok: another place, a wrong self-reference, an unsupported title."""
        return [n for n in self.names if n.flagged]

    @property
    def ok(self) -> bool:
        """True when nothing is flagged: no number, no name, no copy (exit code 0)."""
        return not self.flagged and not self.flagged_names and not self.copies

    @property
    def counts(self) -> dict[str, int]:
        """Number of mentions per verdict, all six keys present."""
        out = dict.fromkeys(VERDICTS, 0)
        for m in self.mentions:
            out[m.verdict] += 1
        return out

    def to_json_dict(self) -> dict:
        """The report as the JSON contract of issues 3 and 12 (names and copies beside the mentions)."""
        counts = self.counts | {"names": len(self.flagged_names), "copies": len(self.copies)}
        return {"document": self.document, "facts": self.facts, "ok": self.ok,
                "mentions": [m.to_json_dict() for m in self.mentions],
                "names": [n.to_json_dict() for n in self.names],
                "copies": [c.to_json_dict() for c in self.copies],
                "unused_facts": [u.to_json_dict() for u in self.unused_facts],
                "placeholders": [p.to_json_dict() for p in self.placeholders],
                "counts": counts}


# Workbook facts keep each statement's row in its own sheet; which sheet follows from its field.
_SHEET_OF_HEADER = ("unit", "period", "campaign", "topic", "title", "author", "date", "samples")


def fact_location(path, statement) -> str:
    """Where a facts statement is, for a reader: `facts.yaml:12` or `facts.xlsx 工作表“事实”第7行`."""
    from pathlib import Path

    name = Path(path).name
    if Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        return f"{name}:{statement.line}"
    return f"{name} 工作表“{sheet_of(statement)}”第{statement.line}行"


def sheet_of(statement) -> str:
    """The sheet of a workbook a statement was read from (its line is a row of that sheet)."""
    field = statement.field or ""
    return ("基本信息" if field in _SHEET_OF_HEADER or field.startswith("allow")
            else "全文事实" if field.startswith("facts[") else "事实")
