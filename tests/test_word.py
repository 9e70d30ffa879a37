"""Word export (GB/T 9704 layout, read back with python-docx) and .docx text extraction for checking."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, MODEL_ENV
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Pt
from typer.testing import CliRunner

from drafter.check.docx_text import extract_docx_text
from drafter.check.engine import check_text
from drafter.cli import app
from drafter.document import parse_draft
from drafter.errors import DocumentError, DrafterError, InputError
from drafter.facts import load_facts
from drafter.word import WordFonts, export_docx, installed_font_families, is_docx

FACTS = FIXTURES / "facts" / "篇一.yaml"
FACT_FILES = sorted((FIXTURES / "facts").glob("*.yaml"))


def make_draft(facts: Path, out: Path) -> Path:
    """Draft a facts file with the offline composer through the CLI, as a user would."""
    with pytest.MonkeyPatch.context() as mp:
        for name in MODEL_ENV:
            mp.delenv(name, raising=False)
        result = CliRunner().invoke(app, ["draft", str(facts), "-o", str(out), "--force"])
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The README example draft and its default export: (draft path, docx path, ExportResult)."""
    folder = tmp_path_factory.mktemp("example")
    draft = make_draft(FACTS, folder / "草稿.md")
    result = export_docx(draft, folder / "总结.docx")
    return draft, result.output, result


@pytest.fixture
def draft_copy(example, tmp_path):
    """A copy of the example draft in this test's folder, to edit by hand."""
    path = tmp_path / "草稿.md"
    path.write_text(example[0].read_text(encoding="utf-8"), encoding="utf-8")
    return path


def body_texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def style_font(style, attr: str = "eastAsia") -> str | None:
    return style.element.rPr.rFonts.get(qn(f"w:{attr}"))


def paragraph_of(doc, text: str):
    return next(p for p in doc.paragraphs if p.text == text)


def section_lines(draft_path: Path) -> dict[str, list[str]]:
    text = draft_path.read_text(encoding="utf-8")
    draft = parse_draft(text, draft_path)
    return {s.id: [ln.strip() for ln in s.body(text).splitlines() if ln.strip()] for s in draft.sections}


def test_word_page_is_a4_with_gb_margins(example):
    section = Document(example[1]).sections[0]
    measured = [section.page_width.mm, section.page_height.mm, section.top_margin.mm,
                section.bottom_margin.mm, section.left_margin.mm, section.right_margin.mm]
    assert measured == pytest.approx([210, 297, 37, 35, 28, 26], abs=0.1)


def test_word_lines_are_exact_28_9_pt_on_a_line_grid(example):
    doc = Document(example[1])
    grid = doc.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "578"
    for name in ("公文正文", "一级标题", "二级标题", "三级标题", "落款", "公文标题"):
        fmt = doc.styles[name].paragraph_format
        assert fmt.line_spacing.pt == pytest.approx(28.9, abs=0.05), name
        assert fmt.line_spacing_rule is not None and fmt.line_spacing_rule.name == "EXACTLY"


def test_word_title_is_22_pt_xiaobiaosong_centred(example):
    doc = Document(example[1])
    style = doc.styles["公文标题"]
    assert style.font.size == Pt(22)
    assert style_font(style) == "方正小标宋简体"
    assert style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    first = doc.paragraphs[0]
    assert first.style.name == "公文标题" and first.text == "芦洲乡2017年创建全国文明城市工作总结"


def test_word_body_is_16_pt_fangsong_indented_two_characters(example):
    doc = Document(example[1])
    style = doc.styles["公文正文"]
    assert style.font.size == Pt(16)
    assert {style_font(style, a) for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {"仿宋_GB2312"}
    ind = style.element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert style.paragraph_format.first_line_indent == Pt(32)
    assert style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert sum(p.style.name == "公文正文" for p in doc.paragraphs) >= 8


def test_word_draft_headings_become_heiti_paragraphs(example):
    doc = Document(example[1])
    assert style_font(doc.styles["一级标题"]) == "黑体"
    assert style_font(doc.styles["二级标题"]) == "楷体_GB2312"
    assert style_font(doc.styles["三级标题"]) == "仿宋_GB2312"
    headings = [p.text for p in doc.paragraphs if p.style.name == "一级标题"]
    assert headings == ["一、加强组织领导", "二、制定责任落实方案", "三、加大宣传力度", "四、抓好创建工作落实",
                        "五、存在问题", "六、下一步打算"]
    assert not any("#" in t for t in body_texts(doc))


def test_word_subheadings_in_a_body_get_their_fonts(draft_copy, tmp_path):
    text = draft_copy.read_text(encoding="utf-8")
    draft = parse_draft(text, draft_copy)
    body = ("（一）健全工作机构\n\n（二）压实工作责任。各村明确专人负责，按月报送进度。\n\n"
            "1.召开专题会议\n\n制定《南坝乡创建全国文明城市工作责任落实方案》。")
    start, end = draft.section("plan").start, draft.section("plan").end
    draft_copy.write_text(text[:start] + body + "\n" + text[end:], encoding="utf-8")
    doc = Document(export_docx(draft_copy, tmp_path / "out.docx").output)
    assert paragraph_of(doc, "（一）健全工作机构").style.name == "二级标题"
    assert paragraph_of(doc, "1.召开专题会议").style.name == "三级标题"
    mixed = paragraph_of(doc, "（二）压实工作责任。各村明确专人负责，按月报送进度。")
    assert mixed.style.name == "公文正文"  # only the lead-in sentence is in 楷体, as 公文 do
    lead, rest = mixed.runs
    assert lead.text == "（二）压实工作责任。" and lead.font.element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    assert rest.font.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert paragraph_of(doc, "制定《南坝乡创建全国文明城市工作责任落实方案》。").style.name == "公文正文"


def test_word_every_run_names_its_chinese_font(example):
    doc = Document(example[1])
    for p in doc.paragraphs:
        for run in p.runs:
            fonts = run.element.rPr.rFonts
            assert fonts.get(qn("w:eastAsia")) and fonts.get(qn("w:ascii")), p.text


def test_word_no_theme_fonts_left_and_chinese_language(example):
    with zipfile.ZipFile(example[1]) as z:
        parts = {n: z.read(n).decode("utf-8") for n in z.namelist()
                 if re.fullmatch(r"word/(styles|document|footer\d*)\.xml", n)}
    assert {"word/styles.xml", "word/document.xml"} <= parts.keys()
    assert len([n for n in parts if n.startswith("word/footer")]) == 2
    for name, xml in parts.items():
        assert not re.search(r"w:(ascii|hAnsi|eastAsia)Theme=|w:cstheme=", xml), name
    assert 'w:eastAsia="zh-CN"' in parts["word/styles.xml"]


def test_word_page_numbers_dashes_around_a_page_field_odd_right_even_left(example):
    doc = Document(example[1])
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for para in (odd, even):
        xml = para._p.xml
        assert "PAGE" in "".join(t.text for t in para._p.iter(qn("w:instrText")))
        assert para.text.startswith("— ") and para.text.endswith(" —")
        assert all(r.font.size == Pt(14) for r in para.runs)
        assert 'w:eastAsia="宋体"' in xml and 'fldCharType="begin"' in xml and 'fldCharType="end"' in xml
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert odd._p.pPr.find(qn("w:ind")).get(qn("w:right")) == "280"  # 右空一字
    assert even._p.pPr.find(qn("w:ind")).get(qn("w:left")) == "280"  # 左空一字


def test_word_signature_unit_and_date_right_aligned(draft_copy, tmp_path):
    text = draft_copy.read_text(encoding="utf-8").rstrip("\n") + "\n2017年12月20日\n"
    draft_copy.write_text(text, encoding="utf-8")
    doc = Document(export_docx(draft_copy, tmp_path / "out.docx").output)
    unit, date = doc.paragraphs[-2:]
    assert (unit.text, date.text) == ("芦洲乡", "2017年12月20日")
    for para in (unit, date):
        assert para.style.name == "落款"
        assert para.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    date_right = int(date._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")))
    unit_right = int(unit._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")))
    assert date_right == 400 and unit_right > date_right  # unit centred over the longer date
    assert unit.paragraph_format.space_before is None  # the style's blank line above the unit
    assert unit.style.paragraph_format.space_before.pt == pytest.approx(28.9, abs=0.05)
    assert date.paragraph_format.space_before == 0  # and none between unit and date


def test_word_no_markers_or_front_matter_and_every_body_line_present(example):
    draft, docx_path, result = example
    texts = body_texts(Document(docx_path))
    whole = "\n".join(texts)
    for leak in ("<!--", "-->", "section:", "facts_sha256", "drafter:", "---", "status:"):
        assert leak not in whole
    for sid, lines in section_lines(draft).items():
        for line in lines:
            assert line in texts, (sid, line)
    assert texts[-1] == "芦洲乡" and paragraph_of(Document(docx_path), "芦洲乡").style.name == "落款"
    assert (result.sections, result.paragraphs, result.review_marked) == (8, len(texts), 0)
    assert 2 <= result.pages_estimate <= 4
    props = Document(docx_path).core_properties
    assert (props.title, props.author) == ("芦洲乡2017年创建全国文明城市工作总结", "芦洲乡")
    assert "python-docx" not in (props.comments + props.author)


def test_word_custom_fonts_are_used(draft_copy, tmp_path):
    fonts = WordFonts(title="Noto Serif CJK SC", body="FangSong", heading1="SimHei", heading2="KaiTi",
                      page_number="SimSun")
    doc = Document(export_docx(draft_copy, tmp_path / "out.docx", fonts=fonts).output)
    expected = {"公文标题": "Noto Serif CJK SC", "公文正文": "FangSong", "一级标题": "SimHei",
                "二级标题": "KaiTi", "落款": "FangSong", "页码": "SimSun"}
    assert {name: style_font(doc.styles[name]) for name in expected} == expected
    assert paragraph_of(doc, "一、加强组织领导").runs[0].element.rPr.rFonts.get(qn("w:eastAsia")) == "SimHei"
    assert 'w:eastAsia="SimSun"' in doc.sections[0].footer.paragraphs[0]._p.xml
    assert "仿宋_GB2312" not in doc.styles.element.xml


def test_word_mark_review_highlights_only_sections_needing_review(draft_copy, tmp_path):
    text = draft_copy.read_text(encoding="utf-8")
    text = text.replace("  plan:\n    title: 制定责任落实方案\n    status: passed",
                        "  plan:\n    title: 制定责任落实方案\n    status: needs-review", 1)
    draft_copy.write_text(text, encoding="utf-8")
    plain = Document(export_docx(draft_copy, tmp_path / "plain.docx").output)
    assert not any(r.font.highlight_color for p in plain.paragraphs for r in p.runs)
    result = export_docx(draft_copy, tmp_path / "marked.docx", mark_review=True)
    assert result.review_marked == 1
    doc = Document(result.output)
    highlighted = [p.text for p in doc.paragraphs
                   if any(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in p.runs)]
    assert highlighted == ["【需人工核对】" + section_lines(draft_copy)["plan"][0]]


def test_word_output_to_a_folder_is_refused_and_nothing_written(draft_copy, tmp_path):
    folder = tmp_path / "总结.docx"
    folder.mkdir()
    with pytest.raises(InputError) as err:
        export_docx(draft_copy, folder)
    assert "文件夹" in err.value.render() and err.value.exit_code == 2
    assert list(folder.iterdir()) == []


def test_word_output_written_atomically(draft_copy, tmp_path):
    out = tmp_path / "总结.docx"
    out.write_bytes(b"old")
    export_docx(draft_copy, out)
    assert zipfile.is_zipfile(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["总结.docx", "草稿.md"]  # no temp files


def test_word_damaged_draft_leaves_the_old_output_untouched(draft_copy, tmp_path):
    out = tmp_path / "总结.docx"
    out.write_bytes(b"old")
    text = draft_copy.read_text(encoding="utf-8")
    draft_copy.write_text(text.replace("<!-- /section -->", "", 1), encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        export_docx(draft_copy, out)
    assert err.value.line and "结束标记" in err.value.message
    assert out.read_bytes() == b"old"


@pytest.mark.parametrize("content, expected", [
    (None, "草稿不存在"),
    ("只是一段普通文字，不是草稿。\n", "不是 drafter 草稿"),
])
def test_word_bad_draft_inputs(tmp_path, content, expected):
    draft = tmp_path / "草稿.md"
    if content is not None:
        draft.write_text(content, encoding="utf-8")
    with pytest.raises(DrafterError) as err:
        export_docx(draft, tmp_path / "out.docx")
    assert expected in err.value.render() and err.value.hint and err.value.exit_code == 2
    assert not (tmp_path / "out.docx").exists()


def test_word_output_must_end_in_docx(draft_copy, tmp_path):
    with pytest.raises(InputError, match=r"\.docx"):
        export_docx(draft_copy, draft_copy)
    assert draft_copy.read_text(encoding="utf-8").startswith("---")


def test_word_extract_keeps_every_number_of_the_draft(example):
    draft, docx_path, _ = example
    extracted = extract_docx_text(docx_path)
    assert extracted.encoding == "docx" and extracted.notice is None and len(extracted.sha256) == 64
    numbers = re.findall(r"\d+(?:\.\d+)?%?", "\n".join(sum(section_lines(draft).values(), [])))
    assert numbers and all(n in extracted.text for n in numbers)


@pytest.mark.parametrize("facts", FACT_FILES, ids=lambda p: p.stem)
def test_word_check_of_export_gives_the_markdown_verdicts(tmp_path, facts):
    draft = make_draft(facts, tmp_path / "草稿.md")
    docx_path = export_docx(draft, tmp_path / "总结.docx", mark_review=True).output
    loaded = load_facts(facts)
    on_markdown = check_text(draft.read_text(encoding="utf-8"), loaded, document=str(draft))
    on_word = check_text(extract_docx_text(docx_path).text, loaded, document=str(docx_path))
    assert on_markdown.mentions  # the comparison must have something to compare
    assert [(m.text, m.verdict) for m in on_word.mentions] == [(m.text, m.verdict) for m in on_markdown.mentions]
    assert [u.text for u in on_word.unused_facts] == [u.text for u in on_markdown.unused_facts]


def test_word_extract_reads_table_cells_in_order(tmp_path):
    doc = Document()
    doc.add_paragraph("志愿服务情况如下：")
    table = doc.add_table(rows=3, cols=3)
    for r, row in enumerate([["项目", "人数", "占比"], ["志愿者", "65", "1.4%"], ["合计", "", ""]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(2, 1).merge(table.cell(2, 2)).text = "90人次"
    doc.add_paragraph("以上数字已核对。")
    path = tmp_path / "表格.docx"
    doc.save(path)
    assert extract_docx_text(path).text.split("\n") == [
        "志愿服务情况如下：", "项目\t人数\t占比", "志愿者\t65\t1.4%", "合计\t90人次", "以上数字已核对。"]


def test_word_extract_skips_tracked_deletions(tmp_path):
    doc = Document()
    para = doc.add_paragraph("新建宣传栏")
    deleted = para._p.makeelement(qn("w:del"), {qn("w:id"): "1", qn("w:author"): "a"})
    run = deleted.makeelement(qn("w:r"), {})
    text = run.makeelement(qn("w:delText"), {})
    text.text = "5"
    run.append(text)
    deleted.append(run)
    para._p.append(deleted)
    para.add_run("7个。")
    path = tmp_path / "修订.docx"
    doc.save(path)
    assert extract_docx_text(path).text == "新建宣传栏7个。"


@pytest.mark.parametrize("data, expected", [
    ("这其实是一个文本文件。".encode(), "不是有效的 Word .docx 文件"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "旧版 Word（.doc）"),
    (b"PK\x03\x04broken", "不是有效的 Word .docx 文件"),
])
def test_word_extract_rejects_files_that_are_not_docx(tmp_path, data, expected):
    path = tmp_path / "报告.docx"
    path.write_bytes(data)
    with pytest.raises(DocumentError) as err:
        extract_docx_text(path)
    assert expected in err.value.message and "另存为" in err.value.hint
    assert err.value.path == str(path) and err.value.exit_code == 2


def test_word_extract_missing_file(tmp_path):
    with pytest.raises(InputError, match="文档不存在"):
        extract_docx_text(tmp_path / "没有.docx")


def test_word_is_docx_by_suffix():
    assert is_docx(Path("总结.docx")) and is_docx("REPORT.DOCX")
    assert not is_docx("总结.doc") and not is_docx("草稿.md") and not is_docx("docx")


def test_word_check_path_does_not_import_python_docx():
    code = "import sys, drafter.word, drafter.check.engine, drafter.cli; print('docx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_word_declares_chinese_not_japanese(example):
    # python-docx's template says ja-JP: LibreOffice and WPS would draw Japanese glyph forms.
    with zipfile.ZipFile(example[1]) as z:
        styles, settings = z.read("word/styles.xml").decode(), z.read("word/settings.xml").decode()
    assert "ja-JP" not in styles and "ja-JP" not in settings
    assert 'w:eastAsia="zh-CN"' in styles and 'w:eastAsia="zh-CN"' in settings


@pytest.mark.skipif(installed_font_families() is None, reason="this machine cannot list its fonts (no fc-list)")
def test_word_export_names_fonts_the_machine_lacks(run, draft_copy, tmp_path):
    draft, out = draft_copy, tmp_path / "总结.docx"
    present = sorted(installed_font_families())[0]
    result = run("export", draft, "-o", out, "--font-title", "没有这种字体", "--font-body", present,
                 "--font-heading", present, "--font-subheading", present)
    assert result.exit_code == 0, result.stderr
    notice = [line for line in result.stderr.splitlines() if "本机没有这些字体" in line]
    assert len(notice) == 1 and "没有这种字体" in notice[0] and "--font-body" in notice[0]
    again = run("export", draft, "-o", out, "--force", "--font-title", present, "--font-body", present,
                "--font-heading", present, "--font-subheading", present)
    assert again.exit_code == 0 and "本机没有这些字体" not in again.stderr
