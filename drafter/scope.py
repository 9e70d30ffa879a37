"""The part of a document that is prose: front matter, HTML comments and other sections blanked.

Offsets never move: blanked characters become spaces (newlines stay), so a mention's start and
end are code points into the document exactly as decoded.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from drafter.numbers import Mention

_FRONT_MATTER = r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)"
_COMMENT = r"<!--.*?-->"
_SECTION = r"<!--\s*section:\s*([^\s>]+)\s*-->(.*?)<!--\s*/section\s*-->"


class Doc:
    """The document text, a copy with non-prose blanked out, its sections and line starts."""

    __slots__ = ("text", "work", "sections", "line_starts")

    def __init__(self, text: str, work: str, sections: list[tuple[str, int, int]],
                 line_starts: list[int]):
        self.text, self.work, self.sections, self.line_starts = text, work, sections, line_starts

    def line(self, offset: int) -> int:
        """1-based line number of a code-point offset."""
        return bisect.bisect_right(self.line_starts, offset)

    def section_at(self, offset: int) -> str | None:
        """Id of the drafter section an offset is in, or None."""
        for sid, s, e in self.sections:
            if s <= offset < e:
                return sid
        return None

    def snippet(self, m: Mention) -> str:
        """The mention with up to 12 characters of its line on each side, for the report."""
        lo = max(self.text.rfind("\n", 0, m.start) + 1, m.start - 12)
        hi = self.text.find("\n", m.end)
        hi = min(hi if hi >= 0 else len(self.text), m.end + 12)
        return self.text[lo:hi]


def prepare(text: str, section: str | None, document: str = "") -> Doc:
    """Blank out what is not prose (front matter, HTML comments, other sections), keeping offsets."""
    spans = []
    # Markup regexes compile only for documents that have markup (plain .txt is the common case).
    front = re.match(_FRONT_MATTER, text, re.S) if text.startswith("---") else None
    if front:
        spans.append((0, front.end()))
    has_comments = "<!--" in text
    sections = [(m.group(1), m.start(2), m.end(2))
                for m in re.finditer(_SECTION, text, re.S)] if has_comments else []
    if section is not None:
        chosen = [s for s in sections if s[0] == section]
        if not chosen:
            from drafter.errors import DocumentError
            found = "、".join(s[0] for s in sections) or "（文档中没有章节标记）"
            raise DocumentError(f"文档中没有 ID 为 “{section}” 的章节", path=document or None,
                                hint=f"可用的章节：{found}")
        last = 0
        for _, s, e in sorted(chosen, key=lambda t: t[1]):
            spans.append((last, s))
            last = e
        spans.append((last, len(text)))
    if has_comments:
        spans.extend((m.start(), m.end()) for m in re.finditer(_COMMENT, text, re.S))
    work = list(text)
    for s, e in spans:
        for i in range(s, e):
            if work[i] != "\n":
                work[i] = " "
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return Doc(text, "".join(work), sections, starts)


_FACTS_KEY = r"^facts:\s*(?P<q>[\"']?)(?P<path>.+?)(?P=q)\s*$"


def facts_from_front_matter(text: str, document: Path) -> Path | None:
    """The facts file a drafter draft names in its front matter, relative to the draft's folder."""
    front = re.match(_FRONT_MATTER, text, re.S)
    if not front or not front.group(1):
        return None
    value = None
    try:
        import yaml

        meta = yaml.safe_load(front.group(1))
        if isinstance(meta, dict) and isinstance(meta.get("facts"), str):
            value = meta["facts"]
    except Exception:  # a damaged front matter still may name its facts file plainly
        found = re.search(_FACTS_KEY, front.group(1), re.M)
        value = found.group("path") if found else None
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else (Path(document).resolve().parent / path).resolve()
