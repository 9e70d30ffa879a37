"""`drafter check --format html`: one self-contained page with every number highlighted by verdict.

The page has no external assets (inline CSS and JS, no fonts, no URLs), so it can be mailed or
archived next to the draft. Its Content-Security-Policy allows only the page's own script, by
hash: even if escaping ever failed, markup injected from a document could not run.

The document is shown as its reader sees it: a drafter draft (or any .md) without its front
matter, section markers and `#` signs, as title, headings and paragraphs; a plain or Word
document line by line, as written. Every shown line keeps its line number, the one the text
report gives. Highlights are `Item`s, spans of the document text with a class and a detail box:
another kind of finding is another list of items with its own class key (MARKS, EXPLAINED, CSS).
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import re
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from drafter.check.report import FLAGGED, VERDICTS

if TYPE_CHECKING:
    from jinja2 import Environment

    from drafter.check.report import Report

TEMPLATE = "report.html.j2"
PLACEHOLDER = "placeholder"
NAME = "name"     # a flagged name: another place, a wrong self-reference, an unsupported title
COPY = "copy"     # a copied 范文 passage or echoed prompt text (listed apart: it spans numbers)

# A marker per class, so the legend and the highlights never rely on colour alone.
MARKS = {"ok": "✓", "derived": "≈", "ignored": "–", "unsupported": "✗", "mismatch": "≠",
         "misattributed": "⇄", PLACEHOLDER: "○", NAME: "⌂", COPY: "⧉"}
EXPLAINED = {
    "ok": "与事实文件中的数字相同",
    "derived": "可由事实文件中的数字计算得出",
    "ignored": "序号、固定提法、名称等，不是数量，无需对照",
    "unsupported": "事实文件中找不到这个数",
    "mismatch": "与事实中同一事项的数字、约数或单位不一致",
    "misattributed": "事实中有这个数，但它属于另一件事",
    PLACEHOLDER: "模板中尚未填写的记号（如 20××、**），定稿前须填写",
    NAME: "别处的地名、本单位称呼用错（我镇/我乡）、事实中没有的本单位文件或会议",
    COPY: "照抄范文的句子，或模型抄进文中的提示词",
}
NAME_LABEL, COPY_LABEL = "名称", "照抄"
PLACEHOLDER_NAME = "占位符"

MARKDOWN_SUFFIXES = (".md", ".markdown")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
SIGNATURE_CHARS = 30  # longer lines after the last section are prose, not a 落款
_HEADING = re.compile(r"[ \t]{0,3}(#{1,6})(?:[ \t]+|$)")


class Item(NamedTuple):
    """One highlighted span: a number mention or a placeholder, with what its detail box shows."""

    id: str             # the element id, also the deep link: report.html#m-3
    start: int
    end: int
    verdict: str        # the class key: one of VERDICTS, or "placeholder"
    label: str          # the verdict in Chinese
    mark: str
    text: str
    line: int
    fact: str | None
    fact_ref: str | None  # 篇一.yaml:12
    reason: str
    flagged: bool


class Line(NamedTuple):
    """One line of the document as the page shows it: its number, its role, the text shown of it."""

    number: int          # 1-based, counted as the text report counts (every "\n" starts a line)
    kind: str            # text (a plain document's line as written), title, h1, h2, h3, p, signature
    ranges: tuple[tuple[int, int], ...]  # the shown characters, as offsets into the document


def render_html(report: Report, text: str | None = None, *, document_name: str | None = None,
                facts_name: str | None = None) -> str:
    """Render a check report as one self-contained HTML page (text is the document as checked)."""
    from drafter.check.report import VERDICT_NAMES

    if text is None:
        from drafter.check.documents import read_document

        text = read_document(report.document).text
    document_name = document_name if document_name is not None else _basename(report.document)
    facts_name = facts_name if facts_name is not None else _basename(report.facts)
    items = _items(report, facts_name, VERDICT_NAMES)
    lines, unplaced = place(text, layout(text, report.document), items)
    flagged = len(report.flagged) + len(report.flagged_names) + len(report.copies)
    counts = report.counts
    classes = [{"key": v, "label": VERDICT_NAMES[v], "mark": MARKS[v], "count": counts[v],
                "explained": EXPLAINED[v], "flagged": v in FLAGGED} for v in VERDICTS]
    classes.append({"key": PLACEHOLDER, "label": PLACEHOLDER_NAME, "mark": MARKS[PLACEHOLDER],
                    "count": len(report.placeholders), "explained": EXPLAINED[PLACEHOLDER],
                    "flagged": False})
    classes += [{"key": NAME, "label": NAME_LABEL, "mark": MARKS[NAME], "count": len(report.flagged_names),
                 "explained": EXPLAINED[NAME], "flagged": True},
                {"key": COPY, "label": COPY_LABEL, "mark": MARKS[COPY], "count": len(report.copies),
                 "explained": EXPLAINED[COPY], "flagged": True}]
    context = {
        "document_name": document_name,
        "facts_name": facts_name,
        "section": report.section,
        "notices": list(report.notices),
        "ok": report.ok,
        "flagged": flagged,
        # Findings other than numbers (names, copies) fail a report too: never "0 处" on a failed one.
        "result": "通过" if report.ok else f"有 {flagged} 处需要核对" if flagged else "需要核对",
        "classes": classes,
        "total": len(report.mentions),
        "lines": lines,
        # A Word document is read a paragraph a line: the text report says 段, so does the page.
        "line_word": "段" if report.document.lower().endswith(".docx") else "行",
        "items": items,
        # The reviewer's worklist, as in the text report: flagged numbers and computed ones.
        "review": [i for i in items if i.flagged or i.verdict == "derived"],
        "unused": [_unused(u, facts_name) for u in report.unused_facts],
        "placeholders": [i for i in items if i.verdict == PLACEHOLDER],
        "unplaced": unplaced,
        "copies": [{"id": f"c-{n}", "text": c.text, "line": c.line, "source": c.source, "reason": c.reason,
                    "mark": MARKS[COPY], "label": COPY_LABEL} for n, c in enumerate(report.copies, 1)],
    }
    return _environment().get_template(TEMPLATE).render(context)


def layout(text: str, document: str = "") -> list[Line]:
    """The lines the page shows: a draft or .md as rendered Markdown, anything else as written."""
    from drafter.document import parse_draft

    draft = parse_draft(text)
    if not (document.lower().endswith(MARKDOWN_SUFFIXES) or draft.body_start or draft.sections):
        return [Line(n, "text", ((s, e),)) for n, (s, e) in enumerate(_line_spans(text), 1)]
    # Front matter and comments (the section markers among them) are not part of what a reader sees.
    hidden = [(0, draft.body_start)] + [m.span() for m in _COMMENT.finditer(text, draft.body_start)]
    ends = [e for _, e in hidden]  # in order and not overlapping: a line's first one is found by bisection
    after_sections = draft.sections[-1].end if draft.sections else len(text) + 1
    lines: list[Line] = []
    has_title = False
    for number, (start, end) in enumerate(_line_spans(text), 1):
        ranges = _visible(text, start, end, hidden, bisect.bisect_right(ends, start))
        if ranges:
            kind, ranges = _markdown_kind(text, ranges)
        if not ranges:  # blank, a marker, or a bare "#"
            continue
        if kind == "title":
            in_section = any(s.start <= start < s.end for s in draft.sections)
            kind = "h1" if has_title or in_section else "title"
            has_title = True
        lines.append(Line(number, kind, ranges))
    return _signature(lines, after_sections)


def place(text: str, lines: list[Line], items: list[Item]
          ) -> tuple[list[tuple[Line, list[tuple[str, Item | None]]]], list[Item]]:
    """Each line with its pieces (text, item or None) in order; items that cannot be shown whole apart."""
    # Earliest start first, then the longer span, then mentions before placeholders: a fixed
    # order, so overlapping spans always resolve the same way and the markup never nests.
    order = sorted(items, key=lambda i: (i.start, -(i.end - i.start), i.verdict == PLACEHOLDER, i.id))
    placed: list[tuple[Line, list[tuple[str, Item | None]]]] = []
    unplaced: list[Item] = []
    k = 0
    for line in lines:
        pieces: list[tuple[str, Item | None]] = []
        for start, end in line.ranges:
            pos = start
            while k < len(order) and order[k].start < end:
                item = order[k]
                k += 1
                # Overlapping an earlier item, crossing out of the shown text, or not the text it names.
                if item.start < pos or item.end > end or item.end <= item.start \
                        or text[item.start:item.end] != item.text:
                    unplaced.append(item)
                    continue
                if item.start > pos:
                    pieces.append((text[pos:item.start], None))
                pieces.append((text[item.start:item.end], item))
                pos = item.end
            if pos < end:
                pieces.append((text[pos:end], None))
        placed.append((line, pieces))
    unplaced += order[k:]
    return placed, unplaced


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line without its line break; a CRLF's CR is not shown."""
    spans, start = [], 0
    for part in text.split("\n"):
        end = start + len(part)
        spans.append((start, end - 1 if part.endswith("\r") else end))
        start = end + 1
    return spans


def _visible(text: str, start: int, end: int, hidden: list[tuple[int, int]],
             first: int) -> tuple[tuple[int, int], ...]:
    """The parts of text[start:end] outside the hidden spans (from index first on); none if only blanks."""
    ranges, pos = [], start
    for i in range(first, len(hidden)):
        s, e = hidden[i]
        if s >= end:
            break
        if s > pos:
            ranges.append((pos, s))
        pos = max(pos, e)
    if pos < end:
        ranges.append((pos, end))
    if not any(text[s:e].strip() for s, e in ranges):
        return ()
    return tuple(ranges)


def _signature(lines: list[Line], after_sections: int) -> list[Line]:
    """The 落款 (unit, date): up to two short lines after the last section, right-aligned as printed."""
    tail = 0
    while tail < len(lines) and lines[-1 - tail].kind == "p" and lines[-1 - tail].ranges[0][0] >= after_sections:
        tail += 1
    if not 0 < tail <= 2 or any(sum(e - s for s, e in line.ranges) > SIGNATURE_CHARS for line in lines[-tail:]):
        return lines
    return lines[:-tail] + [line._replace(kind="signature") for line in lines[-tail:]]


def _markdown_kind(text: str, ranges: tuple[tuple[int, int], ...]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A line's role and its shown ranges without the `#` signs and the leading blanks."""
    (start, end), rest = ranges[0], ranges[1:]
    heading = _HEADING.match(text, start, end)
    kind = "p"
    if heading:
        kind = ("title", "h1", "h2", "h3", "h3", "h3")[len(heading.group(1)) - 1]
        start = heading.end()
    while start < end and text[start].isspace():
        start += 1  # a reader sees no indentation: paragraphs are indented by the page
    first = ((start, end),) if start < end else ()
    return kind, first + rest


def _items(report: Report, facts_name: str, names: dict[str, str]) -> list[Item]:
    items = [Item(f"m-{n}", m.start, m.end, m.verdict, names[m.verdict], MARKS[m.verdict], m.text,
                  m.line, m.fact, (m.fact_location or f"{facts_name}:{m.fact_line}")
                  if m.fact_line is not None else None,
                  m.reason or "", m.flagged)
             for n, m in enumerate(report.mentions, 1)]
    items += [Item(f"p-{n}", p.start, p.end, PLACEHOLDER, PLACEHOLDER_NAME, MARKS[PLACEHOLDER], p.text,
                   p.line, None, None, "未填写的占位符，定稿前请填写实际内容", False)
              for n, p in enumerate(report.placeholders, 1)]
    items += [Item(f"n-{k}", n.start, n.end, NAME, NAME_LABEL, MARKS[NAME], n.text, n.line, n.fact,
                   f"{facts_name}:{n.fact_line}" if n.fact_line is not None else None, n.reason, True)
              for k, n in enumerate(report.flagged_names, 1)]
    return items


def _unused(u, facts_name: str) -> dict:
    # The number is shown in place in its statement, so the reviewer sees which one is missing.
    at = u.text.find(u.mention) if u.mention else -1
    before, number, after = (u.text[:at], u.mention, u.text[at + len(u.mention):]) if at >= 0 else (
        u.text, "", "")
    return {"ref": u.location or f"{facts_name}:{u.line}", "before": before, "number": number, "after": after,
            "section": u.section}


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _csp_hash(script: str) -> str:
    """The CSP source expression allowing exactly this inline script."""
    digest = hashlib.sha256(str(script).encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


@cache
def _environment() -> Environment:
    # Imported here: `drafter check` in text or JSON format must not pay for jinja2.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from drafter.resources import template_path

    env = Environment(loader=FileSystemLoader(template_path(TEMPLATE).parent),
                      undefined=StrictUndefined, autoescape=True, keep_trailing_newline=True)
    env.filters["csp_hash"] = _csp_hash
    return env
