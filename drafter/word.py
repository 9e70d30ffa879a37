"""Word (.docx): export a draft laid out per GB/T 9704-2012 (reading a .docx back: drafter.check.docx_text).

python-docx is imported inside functions only: `drafter check` on a .md file must start fast.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from drafter.document import Draft, parse_draft
from drafter.errors import DocumentError, InputError
from drafter.files import read_text, refuse_overwrite, write_atomic_bytes

__all__ = ["ExportResult", "WordFonts", "export_docx", "is_docx"]

# GB/T 9704-2012: A4, 156 x 225 mm text area, 22 lines of 28 characters in 3号 (16 pt).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
FOOTER_MM = 24     # puts the page number's dashes about 7 mm below the text area
BODY_PT, TITLE_PT, PAGE_NUMBER_PT = 16, 22, 14
LINE_TWIPS = 578   # 28.9 pt: 22 lines fill the 225 mm text area
# 28 characters of 16 pt are 448 pt, the text area 442 pt: condensing each by 0.5 pt fits 28 with
# room left for a line-final comma (LibreOffice 7.4 drops a comma hung past a justified line's
# end). A Word character grid (linesAndChars) would fit 28 in Word, but LibreOffice then puts each
# 16 pt glyph in two 15.8 pt cells, so the grid is lines only.
CONDENSE_TWENTIETHS = -10
CHARS_PER_LINE, LINES_PER_PAGE = 28, 22
REVIEW_STATUSES = {"needs-review": "【需人工核对】", "failed": "【起草失败，需重写】"}

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_THEME_ATTRS = tuple(f"{{{W_NS}}}{a}" for a in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"))


_CN_NUM = "[一二三四五六七八九十百千零]+"  # 一百零一、: any count of sections is numbered
_LEVELS = (  # heading patterns that open a body paragraph, most specific first
    ("h2", re.compile(rf"^[（(]{_CN_NUM}[）)]")),
    ("h1", re.compile(rf"^{_CN_NUM}、")),
    ("h3", re.compile(r"^\d{1,2}[.．](?!\d)")),
)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BULLET = re.compile(r"^[-*+]\s+")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT_CHANGE = re.compile(r"(?<=[0-9A-Za-z])(?=[\u2e80-\uffef])|(?<=[\u2e80-\uffef])(?=[0-9A-Za-z])")
# Reading a .docx: deleted text, duplicate fallbacks, field codes and properties are not text.




@dataclass(frozen=True)
class WordFonts:
    """Font per role, GB/T 9704 defaults; machines without the GB2312 fonts can name others."""

    title: str = "方正小标宋简体"
    body: str = "仿宋_GB2312"
    heading1: str = "黑体"
    heading2: str = "楷体_GB2312"
    page_number: str = "宋体"


@dataclass(frozen=True)
class ExportResult:
    """A written .docx and what went into it, for the CLI summary."""

    output: Path
    paragraphs: int
    pages_estimate: int
    sections: int
    review_marked: int
    needs_review: tuple[str, ...] = ()  # ids of needs-review / failed sections, marked or not
    missing_fonts: tuple[str, ...] = ()  # named fonts this machine does not have (empty if unknown)


@dataclass
class _Block:
    style: str                # title, body, h1, h2, h3, signature
    text: str
    section: str | None = None
    gap_before: bool = False  # a blank line preceded it in the draft
    lead: int = 0             # leading characters set in the font of lead_style
    lead_style: str | None = None
    right_chars: float = 0.0  # right indent of a 落款 line, in characters
    offset: int = 0           # where its line starts in the draft text


# style key -> (name users see, ASCII style id, font role, size pt)
_STYLES = {
    "title": ("公文标题", "GongwenTitle", "title", TITLE_PT),
    "body": ("公文正文", "GongwenBody", "body", BODY_PT),
    "h1": ("一级标题", "GongwenHeading1", "heading1", BODY_PT),
    "h2": ("二级标题", "GongwenHeading2", "heading2", BODY_PT),
    "h3": ("三级标题", "GongwenHeading3", "body", BODY_PT),
    "signature": ("落款", "GongwenSignature", "body", BODY_PT),
    "page": ("页码", "GongwenPageNumber", "page_number", PAGE_NUMBER_PT),
}
_OUTLINE = {"h1": 0, "h2": 1, "h3": 2}


def is_docx(path: str | Path) -> bool:
    """True when the path names a Word .docx file (by suffix, any case)."""
    return Path(path).suffix.lower() == ".docx"


def export_docx(draft_path: Path, output: Path, *, fonts: WordFonts | None = None,
                mark_review: bool = False, force: bool = True) -> ExportResult:
    """Lay a draft out as a GB/T 9704 .docx and write it atomically (an existing file only with force)."""
    draft_path, output = Path(draft_path), Path(output)
    refuse_overwrite(output, force=force, example="总结.docx", inputs=(draft_path,))
    if not is_docx(output):
        raise InputError("输出文件的扩展名应为 .docx", path=output, hint="例如 -o 总结.docx")
    decoded = read_text(draft_path, what="草稿")
    draft = parse_draft(decoded.text, draft_path)
    if not draft.sections:
        raise DocumentError("这不是 drafter 草稿：没有找到章节标记 <!-- section: ID -->", path=draft_path,
                            hint="请先用 drafter draft 生成草稿；如果标记被删掉了，请按原样补回")
    blocks = _draft_blocks(draft)
    marked = _review_sections(draft) if mark_review else {}
    data = _build(blocks, fonts or WordFonts(), marked, str(draft.meta.get("unit") or ""))
    write_atomic_bytes(output, data)
    return ExportResult(output, len(blocks), _pages(blocks), len(draft.sections),
                        sum(1 for sid in marked if any(b.section == sid for b in blocks)),
                        tuple(_review_sections(draft)), missing_fonts(fonts or WordFonts()))


def missing_fonts(fonts: WordFonts) -> tuple[str, ...]:
    """The fonts a draft is set in that this machine lacks (Word and WPS then substitute others,
    and 黑体 headings can look like body text); empty when the machine's fonts cannot be listed."""
    installed = installed_font_families()
    if installed is None:
        return ()
    wanted = dict.fromkeys((fonts.title, fonts.body, fonts.heading1, fonts.heading2))
    return tuple(f for f in wanted if f.replace(" ", "").lower() not in installed)


def installed_font_families() -> frozenset[str] | None:
    """Font family names on this machine (lower case, no spaces), or None when they cannot be listed."""
    import subprocess
    import sys

    names: list[str] = []
    if sys.platform == "win32":
        try:
            import winreg

            key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\Fonts")
            for i in range(winreg.QueryInfoKey(key)[1]):
                # "仿宋_GB2312 (TrueType)", "宋体 & 新宋体 (TrueType)"
                entry = re.sub(r"\s*\(.*\)$", "", winreg.EnumValue(key, i)[0])
                names += entry.split(" & ")
        except OSError:
            return None
    else:
        try:
            listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=10,
                                    encoding="utf-8", errors="replace")
        except (OSError, subprocess.TimeoutExpired):
            return None
        if listed.returncode != 0:
            return None
        names = [n for line in listed.stdout.splitlines() for n in line.split(",")]
    return frozenset(n.replace(" ", "").lower() for n in names if n.strip())


def _draft_blocks(draft: Draft) -> list[_Block]:
    """The draft's visible paragraphs in order, each with its style; markers and front matter dropped."""
    # Comments become spaces (newlines kept) so section offsets from parse_draft stay valid.
    text = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), draft.text)
    blocks: list[_Block] = []
    offset, gap, has_title = draft.body_start, False, False
    last_end = max(s.end for s in draft.sections)
    for line in text[draft.body_start:].splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        stripped = line.strip()
        if not stripped:
            gap = True
            continue
        sid = next((s.id for s in draft.sections if s.start <= start < s.end), None)
        heading = _MD_HEADING.match(stripped)
        if heading:
            level, content = len(heading.group(1)), _inline(heading.group(2))
            if level == 1 and not has_title and sid is None:
                style, has_title = "title", True
            else:
                style = ("h1", "h2", "h3")[min(max(level - 2, 0), 2)]
            blocks.append(_Block(style, content, sid, gap))
        else:
            blocks.append(_classify(_inline(_MD_BULLET.sub("", stripped)), sid, gap))
        blocks[-1].offset = start
        gap = False
    _mark_signature(blocks, last_end)
    return [b for b in blocks if b.text]


def _inline(text: str) -> str:
    # Models sometimes emit Markdown emphasis; 公文 has none, so the markers go.
    return text.replace("**", "").replace("__", "").strip()


def _classify(text: str, sid: str | None, gap: bool) -> _Block:
    for style, pattern in _LEVELS:
        if pattern.match(text):
            stop = text.find("。")
            if stop < 0 or stop == len(text) - 1:
                return _Block(style, text, sid, gap)
            # "（一）标题。正文……": only the lead-in takes the heading font, as 公文 do.
            return _Block("body", text, sid, gap, lead=stop + 1, lead_style=style)
    return _Block("body", text, sid, gap)


def _mark_signature(blocks: list[_Block], last_end: int) -> None:
    # 落款 is the last short run of lines after the final section (unit, then date).
    tail: list[_Block] = []
    for b in reversed(blocks):
        if b.section is not None or b.style != "body" or b.offset < last_end:
            break
        tail.insert(0, b)
        if b.gap_before:
            break
    if not tail or len(tail) > 2 or any(_width(b.text) > 30 for b in tail):
        return
    widest = max(_width(b.text) for b in tail)
    for b in tail:
        # GB/T 9704 7.3.5: the date sits 4 characters from the right; the unit is centred over it.
        b.style, b.lead, b.lead_style = "signature", 0, None
        b.right_chars = 4 + max(0.0, (widest - _width(b.text)) / 2)


def _width(text: str) -> float:
    """Width in body characters: half-width characters count one half."""
    # Word, WPS and LibreOffice put about a quarter character between Chinese and digits/Latin.
    gaps = len(_SCRIPT_CHANGE.findall(text))
    return sum(0.5 if ord(ch) < 0x2E80 and ch != "—" else 1.0 for ch in text) + 0.25 * gaps


def _review_sections(draft: Draft) -> dict[str, str]:
    entries = draft.meta.get("sections")
    entries = entries if isinstance(entries, dict) else {}
    return {str(sid): REVIEW_STATUSES[e.get("status")] for sid, e in entries.items()
            if isinstance(e, dict) and e.get("status") in REVIEW_STATUSES}


def _pages(blocks: list[_Block]) -> int:
    lines = 0
    for b in blocks:
        if b.style == "title":
            lines += math.ceil(_width(b.text) / (CHARS_PER_LINE * BODY_PT / TITLE_PT)) + 1
        else:
            indent = 0 if b.style == "signature" else 2
            lines += math.ceil((_width(b.text) + indent) / CHARS_PER_LINE) + (b.style == "signature")
    return max(1, math.ceil(lines / LINES_PER_PAGE))


def _build(blocks: list[_Block], fonts: WordFonts, marked: dict[str, str], author: str) -> bytes:
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX
    from docx.oxml.ns import qn

    doc = Document()
    # The template's properties say "python-docx" in Word's 文件 > 信息; say whose document it is.
    props = doc.core_properties
    props.author, props.comments, props.last_modified_by = author, "", author
    props.title = next((b.text for b in blocks if b.style == "title"), "")
    props.created = props.modified = datetime.now(UTC)
    _page_setup(doc)
    _defaults(doc, fonts)
    styles = {key: _add_style(doc, key, fonts) for key in _STYLES}
    noted: set[str] = set()
    for i, b in enumerate(blocks):
        para = doc.add_paragraph(style=styles[b.style])
        if b.right_chars:
            _indent(para._p.get_or_add_pPr(), right=b.right_chars)
        if b.style == "signature" and blocks[i - 1].style == "signature":
            para.paragraph_format.space_before = 0  # the blank line goes above the unit only
        pieces = [(b.text[:b.lead], b.lead_style), (b.text[b.lead:], b.style)] if b.lead else [(b.text, b.style)]
        note = marked.get(b.section) if b.section else None
        if note and b.section not in noted:
            pieces.insert(0, (note, b.style))
            noted.add(b.section)
        for text, style in pieces:
            run = para.add_run(text)
            _run_font(run._r.get_or_add_rPr(), _font_of(style, fonts), _STYLES[style][3])
            if note:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    _footers(doc, styles["page"], fonts)
    # python-docx issue #1601: theme attributes win over named fonts, so Word shows MS Mincho.
    section = doc.sections[0]
    for part in (doc.styles.element, doc.element, section.footer._element, section.even_page_footer._element):
        for rfonts in part.iter(qn("w:rFonts")):
            for attr in _THEME_ATTRS:
                rfonts.attrib.pop(attr, None)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _font_of(style: str, fonts: WordFonts) -> str:
    return getattr(fonts, _STYLES[style][2])


def _page_setup(doc) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Mm

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(15), Mm(FOOTER_MM)
    _attrs(section._sectPr.find(qn("w:docGrid")), type="lines", linePitch=LINE_TWIPS)
    doc.settings.odd_and_even_pages_header_footer = True


def _defaults(doc, fonts: WordFonts) -> None:
    from docx.oxml.ns import qn

    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _run_font(rpr, fonts.body, BODY_PT)
    # python-docx's template declares en-US text and ja-JP as the East-Asian language (here and in
    # settings.xml): LibreOffice and WPS then draw Han characters with Japanese glyph forms.
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    _attrs(lang, val="zh-CN", eastAsia="zh-CN")
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        _attrs(theme_lang, val="zh-CN", eastAsia="zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.attrib.clear()
    _attrs(spacing, after=0, line=LINE_TWIPS, lineRule="exact")
    normal = doc.styles["Normal"]
    _run_font(normal.element.get_or_add_rPr(), fonts.body, BODY_PT)
    # Widow control would push lines to the next page and break the 22-lines-a-page grid.
    normal.paragraph_format.widow_control = False


def _add_style(doc, key: str, fonts: WordFonts):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    name, style_id, _, size = _STYLES[key]
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.style_id = style_id
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    rpr = style.element.get_or_add_rPr()
    _run_font(rpr, _font_of(key, fonts), size)
    if size == BODY_PT:  # rPr holds only rFonts, sz and szCs yet: w:spacing goes before sz
        rpr.insert_element_before(_attrs(OxmlElement("w:spacing"), val=CONDENSE_TWENTIETHS), "w:sz")
    pf = style.paragraph_format
    pf.space_before, pf.space_after = Pt(0), Pt(0)
    if key != "page":
        pf.line_spacing, pf.line_spacing_rule = Pt(LINE_TWIPS / 20), WD_LINE_SPACING.EXACTLY
    ppr = style.element.get_or_add_pPr()
    if key == "title":
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pf.space_after = Pt(LINE_TWIPS / 20)  # one blank line between title and body
    elif key == "signature":
        pf.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        pf.space_before = Pt(LINE_TWIPS / 20)  # 正文下空一行
        _indent(ppr, right=4)
    elif key != "page":
        pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _indent(ppr, first_line=2)
    if key in _OUTLINE:  # shows the headings in Word's navigation pane
        pf.keep_with_next = True
        _attrs(ppr.get_or_add_outlineLvl(), val=_OUTLINE[key])
    if key in ("title", "page"):  # off the line grid: the title and the footer keep their own height
        ppr.insert_element_before(_attrs(OxmlElement("w:snapToGrid"), val=0),
                                  "w:spacing", "w:ind", "w:jc", "w:outlineLvl", "w:rPr")
    return style


def _attrs(element, **values):
    """Set w: attributes on an element (values turned to text) and return it."""
    from docx.oxml.ns import qn

    for name, value in values.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def _indent(ppr, *, first_line: float = 0, right: float = 0, left: float = 0) -> None:
    """Indent in characters, written both as *Chars (Word, WPS) and as twips (other readers)."""
    from docx.oxml.ns import qn

    ind = ppr.get_or_add_ind()
    for attr, chars in (("firstLine", first_line), ("right", right), ("left", left)):
        if chars:
            ind.set(qn(f"w:{attr}Chars"), str(round(chars * 100)))
            ind.set(qn(f"w:{attr}"), str(round(chars * BODY_PT * 20)))


def _run_font(rpr, font: str, size_pt: float) -> None:
    from docx.oxml.ns import qn

    rfonts = rpr.get_or_add_rFonts()
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{attr}"), font)
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(attr, None)
    sz = _attrs(rpr.get_or_add_sz(), val=round(size_pt * 2))
    if rpr.find(qn("w:szCs")) is None:
        sz.addnext(rpr.makeelement(qn("w:szCs"), {}))
    _attrs(rpr.find(qn("w:szCs")), val=round(size_pt * 2))


def _footers(doc, style, fonts: WordFonts) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    section = doc.sections[0]
    # GB/T 9704 7.5: odd pages right, even pages left, each one character in from the edge.
    for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        footer.is_linked_to_previous = False
        para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        para.style = style
        para.alignment = align
        _indent(para._p.get_or_add_pPr(), **{side: PAGE_NUMBER_PT / BODY_PT})
        _page_field(para, fonts.page_number)


def _page_field(para, font: str) -> None:
    from docx.oxml import OxmlElement

    # "— 1 —" with the number a PAGE field: begin, instruction, separate, cached result, end.
    for text, tag, value in (("— ", None, None), ("", "fldChar", "begin"), ("", "instrText", " PAGE "),
                             ("", "fldChar", "separate"), ("1", None, None), ("", "fldChar", "end"),
                             (" —", None, None)):
        run = para.add_run(text)
        _run_font(run._r.get_or_add_rPr(), font, PAGE_NUMBER_PT)
        if tag == "fldChar":
            run._r.append(_attrs(OxmlElement("w:fldChar"), fldCharType=value))
        elif tag == "instrText":
            instr = OxmlElement("w:instrText", {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
            instr.text = value
            run._r.append(instr)
