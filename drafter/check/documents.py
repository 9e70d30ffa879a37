"""The part of a document that is prose: front matter, HTML comments and other sections blanked.

Offsets never move: blanked characters become spaces (newlines stay), so a mention's start and
end are code points into the document exactly as decoded.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from drafter.check.mentions import Mention
from drafter.document import parse_draft

_COMMENT = r"<!--.*?-->"


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
        lo = max(self.text.rfind("\n", max(0, m.start - 12), m.start) + 1, m.start - 12, 0)
        hi = self.text.find("\n", m.end, m.end + 12)
        hi = hi if hi >= 0 else min(len(self.text), m.end + 12)
        return self.text[lo:hi]


def prepare(text: str, section: str | None, document: str = "") -> Doc:
    """Blank out what is not prose (front matter, HTML comments, other sections), keeping offsets."""
    # The draft format (front matter, section markers) is read by the one parser drafts have:
    # damaged markers are reported with their line rather than guessed around.
    draft = parse_draft(text, Path(document) if document else None)
    spans = [(0, draft.body_start)] if draft.body_start else []
    sections = [(s.id, s.start, s.end) for s in draft.sections]
    if section is not None:
        chosen = draft.section(section)
        spans += [(0, chosen.start), (chosen.end, len(text))]
    has_comments = "<!--" in text
    if has_comments:
        spans.extend((m.start(), m.end()) for m in re.finditer(_COMMENT, text, re.S))
    work = list(text)
    for s, e in spans:
        for i in range(s, e):
            if work[i] != "\n":
                work[i] = " "
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return Doc(text, "".join(work), sections, starts)


def facts_from_front_matter(text: str, document: Path) -> Path | None:
    """The facts file a drafter draft names in its front matter, relative to the draft's folder."""
    found = parse_draft(text, Path(document)).facts_path()
    return found.resolve() if found is not None else None


def read_document(path: Path):
    """A document's text: a Word .docx (paragraphs and table cells in order) or a text file."""
    from drafter.files import read_text

    if Path(path).suffix.lower() == ".docx":
        from drafter.check.docx_text import extract_docx_text

        return extract_docx_text(Path(path))
    return read_text(path, what="文档")
