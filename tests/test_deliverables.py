"""The deliverables through the CLI, as users run them: Word export, checking a .docx, Excel facts."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES

from drafter.document import parse_draft
from drafter.drafting import frame_sections
from drafter.facts import load_facts
from drafter.prompts import build_prompts
from drafter.samples import load_corpus

FACT_FILES = sorted((FIXTURES / "facts").glob("*.yaml"))


def verdicts(result) -> list[tuple[str, str, str | None]]:
    data = json.loads(result.stdout)
    return [(m["text"], m["verdict"], m.get("fact")) for m in data["mentions"]]


@pytest.fixture
def draft(run, tmp_path):
    """The README's example draft: the offline composer on 篇一."""
    out = tmp_path / "草稿 一.md"
    assert run("draft", FIXTURES / "facts" / "篇一.yaml", "-o", out).exit_code == 0
    return out


def test_deliverables_export_writes_a_gbt9704_docx_and_refuses_to_overwrite(run, draft, tmp_path):
    from docx import Document
    from docx.shared import Mm

    out = tmp_path / "总结 定稿.docx"
    result = run("export", draft, "-o", out, "--font-body", "仿宋", "--font-subheading", "楷体")
    assert result.exit_code == 0, result.stderr
    assert "已导出" in result.stdout
    doc = Document(str(out))
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.top_margin - Mm(37)) < Mm(0.1)
    body_fonts = {r.element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        for p in doc.paragraphs if p.style.name == "公文正文" for r in p.runs}
    assert body_fonts == {"仿宋"}  # --font-body reached every body run
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "<!--" not in text and "facts_sha256" not in text
    before = out.read_bytes()
    again = run("export", draft, "-o", out)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert out.read_bytes() == before
    assert run("export", draft, "-o", out, "--force").exit_code == 0


@pytest.mark.parametrize("facts", FACT_FILES, ids=lambda p: p.stem)
def test_deliverables_check_on_exported_docx_matches_the_markdown(run, tmp_path, facts):
    md = tmp_path / f"{facts.stem}.md"
    assert run("draft", facts, "-o", md).exit_code == 0
    docx = tmp_path / f"{facts.stem}.docx"
    assert run("export", md, "-o", docx, "--mark-review").exit_code == 0
    on_md = run("check", md, "--format", "json")
    on_docx = run("check", docx, "--facts", facts, "--format", "json")
    assert on_docx.exit_code == on_md.exit_code == 0, on_docx.stdout
    assert verdicts(on_docx) == verdicts(on_md)
    assert len(verdicts(on_md)) > 5


def test_deliverables_docx_text_report_points_at_paragraphs(run, draft, tmp_path):
    docx = tmp_path / "d.docx"
    assert run("export", draft, "-o", docx).exit_code == 0
    from docx import Document

    doc = Document(str(docx))
    edited = [r for p in doc.paragraphs for r in p.runs if "宣传栏7个" in r.text]
    assert edited
    edited[0].text = edited[0].text.replace("宣传栏7个", "宣传栏8个")  # a reviewer's change in Word
    doc.save(str(docx))
    result = run("check", docx, "--facts", FIXTURES / "facts" / "篇一.yaml")
    assert result.exit_code == 1
    assert "8个" in result.stdout  # the context shown is the Word paragraph's own text
    assert "┃ 段 ┃" in result.stdout.replace(" ", " ")  # numbered by paragraph, as Word users count


@pytest.mark.parametrize("facts", FACT_FILES, ids=lambda p: p.stem)
def test_deliverables_xlsx_facts_draft_and_check_like_the_yaml(run, tmp_path, facts):
    xlsx = tmp_path / f"{facts.stem}.xlsx"
    converted = run("facts", "convert", facts, "-o", xlsx)
    assert converted.exit_code == 0, converted.stderr
    drafts = {}
    for source in (facts, xlsx):
        out = tmp_path / f"{source.suffix[1:]}.md"
        assert run("draft", source, "-o", out).exit_code == 0
        text = out.read_text(encoding="utf-8")
        parsed = parse_draft(text)
        drafts[source.suffix] = [(s.id, s.body(text)) for s in parsed.sections]
        assert run("check", out).exit_code == 0
    assert drafts[".yaml"] == drafts[".xlsx"]
    # The model path sees the same prompts too.
    corpus = load_corpus()
    prompts = [[p.messages for p in build_prompts(frame_sections(load_facts(f)), corpus=corpus)]
               for f in (facts, xlsx)]
    assert prompts[0] == prompts[1]
    sample = FIXTURES / "samples" / f"{facts.stem}.txt"
    assert verdicts(run("check", sample, "--facts", xlsx, "--format", "json")) == \
        verdicts(run("check", sample, "--facts", facts, "--format", "json"))


def test_deliverables_init_xlsx_and_convert_back(run, tmp_path):
    xlsx = tmp_path / "事实 模板.xlsx"
    result = run("init", xlsx, "--xlsx")
    assert result.exit_code == 0, result.stderr
    assert run("facts", "validate", xlsx).exit_code == 0
    again = run("init", xlsx, "--xlsx")
    assert again.exit_code == 2
    back = tmp_path / "back.yaml"
    assert run("facts", "convert", xlsx, "-o", back).exit_code == 0
    def meaning(path):
        return [(s.id, s.title, s.kind, [st.text for st in s.facts]) for s in load_facts(path).sections]

    assert meaning(back) == meaning(xlsx) and len(meaning(back)) >= 2
    refused = run("facts", "convert", xlsx, "-o", back)
    assert refused.exit_code == 2 and "--force" in refused.stderr


def test_deliverables_xlsx_error_names_sheet_and_row(run, tmp_path):
    from openpyxl import load_workbook

    xlsx = tmp_path / "facts.xlsx"
    assert run("facts", "convert", FIXTURES / "facts" / "篇一.yaml", "-o", xlsx).exit_code == 0
    book = load_workbook(xlsx)
    sheet = book["事实"]
    sheet.cell(row=3, column=3).value = "工做"
    book.save(xlsx)
    before = xlsx.read_bytes()
    result = run("draft", xlsx, "-o", tmp_path / "d.md")
    assert result.exit_code == 2
    assert "工作表“事实”第3行" in result.stderr and "类型" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "d.md").exists()
    assert xlsx.read_bytes() == before


def test_deliverables_export_tells_which_sections_still_need_review(run, draft, tmp_path):
    text = draft.read_text(encoding="utf-8")
    draft.write_text(text.replace("publicity:\n    title: 加大宣传力度\n    status: passed",
                                  "publicity:\n    title: 加大宣传力度\n    status: needs-review", 1),
                     encoding="utf-8")
    plain = run("export", draft, "-o", tmp_path / "a.docx")
    assert plain.exit_code == 0
    assert "publicity" in plain.stderr and "--mark-review" in plain.stderr
    marked = run("export", draft, "-o", tmp_path / "b.docx", "--mark-review")
    assert "已在文档中标黄" in marked.stderr


def test_deliverables_check_report_cites_xlsx_facts_by_sheet_and_row(run, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    xlsx = tmp_path / "facts.xlsx"
    assert run("facts", "convert", FIXTURES / "facts" / "篇一.yaml", "-o", xlsx).exit_code == 0
    doc = tmp_path / "总结.txt"
    sample = (FIXTURES / "samples" / "篇一.txt").read_text(encoding="utf-8")
    doc.write_text(sample.replace("宣传栏有7个", "宣传栏有8个"), encoding="utf-8")
    text = run("check", doc, "--facts", xlsx)
    assert text.exit_code == 1
    assert "facts.xlsx 工作表“事实”第" in text.stdout
    data = json.loads(run("check", doc, "--facts", xlsx, "--format", "json").stdout)
    cited = [m["fact_location"] for m in data["mentions"] if m["fact"]]
    assert cited and all(c.startswith("facts.xlsx 工作表“") and c.endswith("行") for c in cited)
    yaml_data = json.loads(run("check", doc, "--facts", FIXTURES / "facts" / "篇一.yaml", "--format", "json").stdout)
    assert all(m["fact_location"] == f"篇一.yaml:{m['fact_line']}" for m in yaml_data["mentions"] if m["fact"])
