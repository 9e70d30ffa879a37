"""`drafter check --format html`: one self-contained page with every number highlighted by verdict.

The page has no external assets (inline CSS and JS, no fonts, no URLs), so it can be mailed or
archived next to the draft. Its Content-Security-Policy allows only the page's own script, by
hash: even if escaping ever failed, markup injected from a document could not run.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from drafter.check.report import FLAGGED, VERDICTS

if TYPE_CHECKING:
    from jinja2 import Environment

    from drafter.check.report import Report

TEMPLATE = "report.html.j2"
PLACEHOLDER = "placeholder"

# A marker per class, so the legend and the highlights never rely on colour alone.
MARKS = {"ok": "✓", "derived": "≈", "ignored": "–", "unsupported": "✗", "mismatch": "≠",
         "misattributed": "⇄", PLACEHOLDER: "○"}
EXPLAINED = {
    "ok": "与事实文件中的数字相同",
    "derived": "可由事实文件中的数字计算得出",
    "ignored": "序号、固定提法、名称等，不是数量，无需对照",
    "unsupported": "事实文件中找不到这个数",
    "mismatch": "与事实中同一事项的数字、约数或单位不一致",
    "misattributed": "事实中有这个数，但它属于另一件事",
    PLACEHOLDER: "模板中尚未填写的记号（如 20××、**），定稿前须填写",
}
PLACEHOLDER_NAME = "占位符"


class Item(NamedTuple):
    """One highlighted span: a number mention or a placeholder, with what its detail box shows."""

    id: str             # the element id, also the deep link: report.html#m-3
    start: int
    end: int
    verdict: str        # one of VERDICTS, or "placeholder"
    label: str          # the verdict in Chinese
    mark: str
    text: str
    line: int
    fact: str | None
    fact_ref: str | None  # 篇一.yaml:12
    reason: str
    flagged: bool


def render_html(report: Report, text: str | None = None, *, document_name: str | None = None,
                facts_name: str | None = None) -> str:
    """Render a check report as one self-contained HTML page (text is the document as checked)."""
    from drafter.check.report import VERDICT_NAMES

    if text is None:
        from drafter.files import read_text

        text = read_text(report.document, what="文档").text
    document_name = document_name if document_name is not None else _basename(report.document)
    facts_name = facts_name if facts_name is not None else _basename(report.facts)
    items = _items(report, text, facts_name, VERDICT_NAMES)
    segments, unplaced = build_segments(text, items)
    flagged = len(report.flagged)
    counts = report.counts
    classes = [{"key": v, "label": VERDICT_NAMES[v], "mark": MARKS[v], "count": counts[v],
                "explained": EXPLAINED[v], "flagged": v in FLAGGED} for v in VERDICTS]
    classes.append({"key": PLACEHOLDER, "label": PLACEHOLDER_NAME, "mark": MARKS[PLACEHOLDER],
                    "count": len(report.placeholders), "explained": EXPLAINED[PLACEHOLDER],
                    "flagged": False})
    context = {
        "document_name": document_name,
        "facts_name": facts_name,
        "section": report.section,
        "notices": list(report.notices),
        "ok": report.ok,
        "flagged": flagged,
        "result": "通过" if report.ok else f"有 {flagged} 处需要核对",
        "classes": classes,
        "total": len(report.mentions),
        "segments": segments,
        "items": items,
        # The reviewer's worklist, as in the text report: flagged numbers and computed ones.
        "review": [i for i in items if i.flagged or i.verdict == "derived"],
        "unused": [_unused(u, facts_name) for u in report.unused_facts],
        "placeholders": [i for i in items if i.verdict == PLACEHOLDER],
        "unplaced": unplaced,
    }
    return _environment().get_template(TEMPLATE).render(context)


def build_segments(text: str, items: list[Item]) -> tuple[list[tuple[str, Item | None]], list[Item]]:
    """Split text into (piece, item or None) in order; items overlapping an earlier one are returned apart."""
    # Earliest start first, then the longer span, then mentions before placeholders: a fixed
    # order, so overlapping spans always resolve the same way and the markup never nests.
    order = sorted(items, key=lambda i: (i.start, -(i.end - i.start), i.verdict == PLACEHOLDER, i.id))
    segments: list[tuple[str, Item | None]] = []
    unplaced: list[Item] = []
    pos = 0
    for item in order:
        if item.start < pos or item.end > len(text) or item.end <= item.start \
                or text[item.start:item.end] != item.text:
            unplaced.append(item)
            continue
        if item.start > pos:
            segments.append((text[pos:item.start], None))
        segments.append((text[item.start:item.end], item))
        pos = item.end
    if pos < len(text):
        segments.append((text[pos:], None))
    return segments, unplaced


def _items(report: Report, text: str, facts_name: str, names: dict[str, str]) -> list[Item]:
    items = [Item(f"m-{n}", m.start, m.end, m.verdict, names[m.verdict], MARKS[m.verdict], m.text,
                  m.line, m.fact, (m.fact_location or f"{facts_name}:{m.fact_line}")
                  if m.fact_line is not None else None,
                  m.reason or "", m.flagged)
             for n, m in enumerate(report.mentions, 1)]
    items += [Item(f"p-{n}", p.start, p.end, PLACEHOLDER, PLACEHOLDER_NAME, MARKS[PLACEHOLDER], p.text,
                   p.line, None, None, "未填写的占位符，定稿前请填写实际内容", False)
              for n, p in enumerate(report.placeholders, 1)]
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
