"""The HTML check report, read as a reviewer's browser would parse it (no browser here).

Plain and Word documents are shown line by line as written; a drafter draft as its reader sees it
(title, headings, paragraphs; no front matter, no markers), every shown line with the line number
the text report uses.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from conftest import FIXTURES

from drafter.check.engine import check_text, run_check
from drafter.check.report import PlaceholderAt
from drafter.check.review_page import Item, Line, layout, place, render_html
from drafter.facts import load_facts

# Every verdict, a placeholder, and an unused fact; the numbers are those of the dev case p7.
SAMPLE_FACTS = """\
unit: 河西街道
period: 2022年
campaign: 省级文明城市
sections:
  - id: publicity
    title: 宣传发动
    facts:
      - 辖区常住人口8000人
      - 发放宣传册2400份
      - 组织文明实践活动40场，参与群众合计1200人次
      - 市级媒体刊登信息36篇，省级媒体刊登信息11篇
      - 开展理论宣讲10余场
      - 新建宣传栏7个
  - id: environment
    title: 环境整治
    facts:
      - 投入资金12.5万元
      - 拆除违章搭建37处
  - id: results
    title: 创建成效
    facts:
      - 测评得分由2021年的76.0分提高到2022年的85.5分
"""
SAMPLE_TEXT = """\
河西街道20××年创建省级文明城市工作总结

2022年，河西街道扎实推进省级文明城市创建工作，现将有关情况总结如下。

一、宣传发动

全年发放宣传册2400份，相当于辖区常住人口的30%；组织文明实践活动40场，参与群众合计1200人次，\
平均每场25人次。市级媒体刊登信息11篇，省级媒体刊登信息36篇。开展理论宣讲12场。

二、环境整治

投入资金21.5万元，拆除违章搭建37处，**社区背街小巷环境明显改善。

三、创建成效

测评得分由2021年的76.0分提高到2022年的85.5分，提高了9.5分。
"""
# What a hostile or careless document could carry: it must stay text, in the page and in the DOM.
INJECTION = ("\n  缩进的一行\t制表符<script>document.title='PWNED'</script>"
             "\"><img src=x onerror=\"document.documentElement.className='pwned'\"> &amp; &lt;b&gt;\n\n")


# The same summary as a drafter draft: front matter, `#` headings, section markers, 落款.
SAMPLE_DRAFT = """\
---
drafter: 1
title: 河西街道20××年创建省级文明城市工作总结
unit: 河西街道
period: 2022年
facts: facts.yaml
facts_sha256: 5d41402abc4b2a76b9719d911017c592aaf0e0c8e7e5ea1b4b0d5e0f2c7c1f3a
backend: offline
model: offline
sections:
  intro: {title: 总体情况, status: passed, attempts: 1}
  publicity: {title: 宣传发动, status: needs-review, attempts: 3}
  environment: {title: 环境整治, status: needs-review, attempts: 3}
  results: {title: 创建成效, status: passed, attempts: 1}
---

# 河西街道20××年创建省级文明城市工作总结

<!-- section: intro -->
2022年，河西街道扎实推进省级文明城市创建工作，现将有关情况总结如下。
<!-- /section -->

## 一、宣传发动

<!-- section: publicity -->
全年发放宣传册2400份，相当于辖区常住人口的30%；组织文明实践活动40场，参与群众合计1200人次，\
平均每场25人次。市级媒体刊登信息11篇，省级媒体刊登信息36篇。开展理论宣讲12场。
<!-- /section -->

## 二、环境整治

<!-- section: environment -->
投入资金21.5万元，拆除违章搭建37处，**社区背街小巷环境明显改善。
<!-- /section -->

## 三、创建成效

<!-- section: results -->
测评得分由2021年的76.0分提高到2022年的85.5分，提高了9.5分。
<!-- /section -->

河西街道
"""
# What must never reach the page of a draft: its front matter and its markers.
DRAFT_ONLY = ("drafter:", "facts_sha256", "5d41402abc4b", "backend", "attempts", "needs-review", "---",
              "<!--", "-->", "section:", "/section", "#")


def write_sample(folder: Path, text: str = SAMPLE_TEXT) -> tuple[Path, Path]:
    """Write the sample document and facts file into folder; return (document, facts)."""
    facts = folder / "facts.yaml"
    facts.write_text(SAMPLE_FACTS, encoding="utf-8")
    document = folder / "总结.txt"
    document.write_text(text, encoding="utf-8")
    return document, facts


def sample_report(tmp_path: Path, text: str = SAMPLE_TEXT, name: str = "总结.txt"):
    """Check the sample text (saved as name) and return (report, text)."""
    document, facts = write_sample(tmp_path, text)
    if name != document.name:
        document = document.rename(document.with_name(name))
    return check_text(text, load_facts(facts), document=str(document)), text


class Page(HTMLParser):
    """The parts of the page the tests read: the document text, highlights, tags, detail boxes."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "area", "base", "col", "embed", "source", "wbr"}

    def __init__(self, html: str):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.tags: list[tuple[str, dict]] = []
        self.doc_text: list[str] = []
        self.highlights: list[dict] = []   # spans inside the document, with their text
        self.text_in: dict[str, list[str]] = {}  # element id -> text inside it
        self.lines: list[dict] = []        # each shown line of the document: tag, kind, number, text
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag in self.VOID:
            return
        classes = attrs.get("class", "").split()
        if self.in_doc() and "ln" in classes:
            kind = next(c.removeprefix("k-") for c in classes if c.startswith("k-"))
            self.lines.append({"tag": tag, "kind": kind, "number": attrs.get("data-line"), "text": ""})
        if self.in_doc() and "m" in classes:
            self.highlights.append({**attrs, "text": "", "line": self.lines[-1]["number"]})
        self.stack.append((tag, attrs))
        if "id" in attrs:
            self.text_in.setdefault(attrs["id"], [])

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.in_doc():
            self.doc_text.append(data)
            if any("ln" in attrs.get("class", "").split() for _, attrs in self.stack):
                self.lines[-1]["text"] += data
            if self.stack[-1][1].get("id", "").startswith(("m-", "p-")):
                self.highlights[-1]["text"] += data
        for _, attrs in self.stack:
            if "id" in attrs:
                self.text_in[attrs["id"]].append(data)

    def in_doc(self) -> bool:
        return any(attrs.get("id") == "doc" for _, attrs in self.stack)

    def text(self, element_id: str) -> str:
        return re.sub(r"\s+", " ", "".join(self.text_in[element_id])).strip()

    def shown(self) -> list[str]:
        """The text of every line the document panel shows, in order."""
        return [line["text"] for line in self.lines]

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def assert_shown_as_written(page: Page, text: str) -> None:
    """A plain document is shown line by line as written, each line with its number."""
    assert page.shown() == text.split("\n")
    assert all(line["kind"] == "text" for line in page.lines)
    assert [line["number"] for line in page.lines] == [
        str(n) if line else None for n, line in enumerate(text.split("\n"), 1)]


def test_render_html_highlights_every_mention_with_its_verdict(tmp_path):
    report, text = sample_report(tmp_path)
    page = Page(render_html(report, text, document_name="总结.txt", facts_name="facts.yaml"))
    expected = [(f"m-{n}", f"m v-{m.verdict}", m.text) for n, m in enumerate(report.mentions, 1)]
    expected += [(f"p-{n}", "m v-placeholder", p.text) for n, p in enumerate(report.placeholders, 1)]
    found = [(h["id"], h["class"], h["text"]) for h in page.highlights]
    assert sorted(found) == sorted(expected)
    # The sample exercises every class of highlight.
    assert {h["data-verdict"] for h in page.highlights} == {
        "ok", "derived", "ignored", "unsupported", "mismatch", "misattributed", "placeholder"}
    # Each one can be reached with the keyboard and says which box it opens.
    assert all(h["tabindex"] == "0" and h["role"] == "button" and h["aria-controls"] == "d-" + h["id"]
               for h in page.highlights)


def test_render_html_counts_equal_report_counts(tmp_path):
    report, text = sample_report(tmp_path)
    html = render_html(report, text, document_name="总结.txt", facts_name="facts.yaml")
    page = Page(html)
    counts = {k: int(page.text(f"count-{k}")) for k in [*report.counts, "placeholder", "name", "copy"]}
    chips = [a["data-verdict"] for a in page.find("li") if "chip" in a.get("class", "")]
    assert chips == [*report.counts, "placeholder", "name", "copy"]
    assert counts == {**report.counts, "placeholder": len(report.placeholders), "name": len(report.flagged_names),
                      "copy": len(report.copies)}
    assert report.counts["misattributed"] == 2 and report.counts["mismatch"] == 2
    assert page.text("result") == f"有 {len(report.flagged)} 处需要核对"


def test_render_html_passing_document_says_pass():
    report = run_check(FIXTURES / "samples" / "篇二.txt", FIXTURES / "facts" / "篇二.yaml")
    page = Page(render_html(report))
    assert page.text("result") == "通过"
    text = (FIXTURES / "samples" / "篇二.txt").read_text(encoding="utf-8")
    assert_shown_as_written(page, text)


def test_render_html_keeps_every_character_in_order(tmp_path):
    report, text = sample_report(tmp_path, SAMPLE_TEXT + INJECTION)
    page = Page(render_html(report, text, document_name="总结.txt", facts_name="facts.yaml"))
    assert_shown_as_written(page, text)


def test_render_html_injected_markup_stays_text(tmp_path):
    report, text = sample_report(tmp_path, SAMPLE_TEXT + INJECTION)
    html = render_html(report, text, document_name="<script>x</script>.txt", facts_name='"><img src=y>')
    page = Page(html)
    scripts = page.find("script")
    assert len(scripts) == 1 and "src" not in scripts[0]  # the page's own script only
    assert page.find("img") == []
    assert "document.title='PWNED'" in "".join(page.doc_text)
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" in html
    assert "onerror" not in "".join(f"{k}{v}" for _, attrs in page.tags for k, v in attrs.items())
    # An entity written in the document is shown as written, not decoded.
    assert "&amp; &lt;b&gt;" in "".join(page.doc_text)


def test_render_html_escapes_facts_text(tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text(SAMPLE_FACTS.replace("新建宣传栏7个", "新建宣传栏7个</li><script>alert(2)</script>")
                     .replace("投入资金12.5万元", "投入资金12.5万元<img src=z onerror=alert(1)>"), encoding="utf-8")
    report = check_text(SAMPLE_TEXT, load_facts(facts), document="总结.txt")
    page = Page(render_html(report, SAMPLE_TEXT, document_name="总结.txt", facts_name="facts.yaml"))
    assert page.find("img") == [] and len(page.find("script")) == 1
    n = next(n for n, m in enumerate(report.mentions, 1) if m.text == "21.5万元")
    assert "投入资金12.5万元<img src=z onerror=alert(1)>" in page.text(f"d-m-{n}")
    assert "新建宣传栏7个</li><script>alert(2)</script>" in page.text("unused-list")


def test_render_html_detail_box_names_fact_line_verdict_and_reason(tmp_path):
    report, text = sample_report(tmp_path)
    page = Page(render_html(report, text, document_name="总结.txt", facts_name="facts.yaml"))
    n, m = next((n, m) for n, m in enumerate(report.mentions, 1) if m.verdict == "misattributed")
    box = page.find("div", id=f"d-m-{n}")[0]
    assert "hidden" in box  # opened by the script on hover, click, Enter or #m-N
    shown = page.text(f"d-m-{n}")
    assert "张冠李戴" in shown and f"facts.yaml:{m.fact_line}" in shown and m.fact in shown
    assert m.reason in shown
    assert m.fact == "市级媒体刊登信息36篇，省级媒体刊登信息11篇" and m.fact_line == 11


def test_render_html_lists_unused_facts_with_lines(tmp_path):
    report, text = sample_report(tmp_path)
    html = render_html(report, text, document_name="总结.txt", facts_name="facts.yaml")
    page = Page(html)
    unused = page.text("unused-title")
    assert unused == f"未用到的事实数字（{len(report.unused_facts)}）"
    items = re.findall(r'<li><span class="ref">(facts\.yaml:\d+)</span>　(.*?)</li>', html)
    assert [(ref, unescape(re.sub("<[^>]+>", "", body))) for ref, body in items] == [
        (f"facts.yaml:{u.line}", u.text) for u in report.unused_facts]
    assert ("facts.yaml:13", "新建宣传栏7个") in [(f"facts.yaml:{u.line}", u.text) for u in report.unused_facts]


def test_render_html_lists_flagged_and_derived_numbers(tmp_path):
    report, text = sample_report(tmp_path)
    html = render_html(report, text, document_name="总结.txt", facts_name="facts.yaml")
    links = re.findall(r'<a class="jump" href="#(m-\d+)">', html)
    expected = [f"m-{n}" for n, m in enumerate(report.mentions, 1) if m.flagged or m.verdict == "derived"]
    assert links == expected


def test_render_html_has_no_external_resources(tmp_path):
    report, text = sample_report(tmp_path, SAMPLE_TEXT + INJECTION)
    html = render_html(report, text, document_name="总结.txt", facts_name="facts.yaml")
    page = Page(html)
    assert not re.search(r"https?:", html, re.I)
    assert not re.search(r"@import|url\(", html, re.I)
    assert all(not a.get("src") for _, a in page.tags)
    assert all(a["href"].startswith("#") for _, a in page.tags if "href" in a)


def test_render_html_policy_allows_exactly_the_page_script(tmp_path):
    report, text = sample_report(tmp_path)
    html = render_html(report, text, document_name="总结.txt", facts_name="facts.yaml")
    script = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    policy = Page(html).find("meta", **{"http-equiv": "Content-Security-Policy"})[0]["content"]
    assert f"script-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy


def test_render_html_reads_the_document_when_text_is_omitted(tmp_path):
    document, facts = write_sample(tmp_path)
    report = run_check(document, facts)
    page = Page(render_html(report))
    assert_shown_as_written(page, SAMPLE_TEXT)
    assert "总结.txt" in page.text("top-meta") and "facts.yaml" in page.text("top-meta")


def test_render_html_overlapping_placeholder_is_listed_apart(tmp_path):
    report, text = sample_report(tmp_path)
    m = next(m for m in report.mentions if m.text == "21.5万元")
    # A placeholder over part of a mention: the markup must not nest or cross.
    report = dataclasses.replace(report, placeholders=report.placeholders + [
        PlaceholderAt(text[m.start + 1:m.end + 2], m.start + 1, m.end + 2, m.line)])
    html = render_html(report, text, document_name="总结.txt", facts_name="facts.yaml")
    page = Page(html)
    assert_shown_as_written(page, text)
    assert len(page.highlights) == len(report.mentions) + len(report.placeholders) - 1
    assert "未能在正文中标出的数字" in html


def item(ident: str, start: int, end: int, text: str) -> Item:
    return Item(ident, start, end, "ok", "一致", "✓", text, 1, None, None, "", False)


def test_place_adjacent_overlapping_and_out_of_range_spans():
    text = "共12个村3个社区"
    items = [item("m-2", 3, 5, "个村"), item("m-1", 1, 4, "12个"), item("m-3", 5, 8, "3个社"),
             item("m-4", 5, 7, "3个"), item("m-5", 20, 22, "越界")]
    [(line, pieces)], unplaced = place(text, layout(text), items)
    assert line == Line(1, "text", ((0, len(text)),))
    assert "".join(piece for piece, _ in pieces) == text
    assert [(piece, i.id) for piece, i in pieces if i] == [("12个", "m-1"), ("3个社", "m-3")]
    assert sorted(i.id for i in unplaced) == ["m-2", "m-4", "m-5"]


def test_place_span_across_a_line_or_into_hidden_text_is_listed_apart():
    text = "# 标题\n共12个<!-- x -->3个社区\n下一行"
    lines = layout(text, "总结.md")
    assert [(line.number, line.kind) for line in lines] == [(1, "title"), (2, "p"), (3, "p")]
    at = text.index("12个")
    items = [item("m-1", at, at + 3, "12个"), item("m-2", at + 2, text.index("3个"), text[at + 2:text.index("3个")]),
             item("m-3", text.index("社区"), text.index("下"), text[text.index("社区"):text.index("下")])]
    placed, unplaced = place(text, lines, items)
    assert [(n.number, "".join(p for p, _ in pieces)) for n, pieces in placed] == [
        (1, "标题"), (2, "共12个3个社区"), (3, "下一行")]
    assert [i.id for _, pieces in placed for _, i in pieces if i] == ["m-1"]
    assert sorted(i.id for i in unplaced) == ["m-2", "m-3"]


def draft_page(tmp_path: Path, text: str = SAMPLE_DRAFT) -> tuple[Page, str, object]:
    """The review page of the sample draft saved as 总结.md: (page, html, report)."""
    report, text = sample_report(tmp_path, text, "总结.md")
    html = render_html(report, text)
    return Page(html), html, report


def test_render_html_draft_shows_no_front_matter_or_marker_text(tmp_path):
    page, html, report = draft_page(tmp_path)
    shown = "\n".join(page.shown())
    assert [marker for marker in DRAFT_ONLY if marker in shown] == []
    # Nowhere on the page, not only in the document panel.
    assert [marker for marker in ("facts_sha256", "5d41402abc4b", "backend", "&lt;!--", "section:")
            if marker in html] == []
    assert [(line["tag"], line["kind"], line["text"]) for line in page.lines] == [
        ("h3", "title", "河西街道20××年创建省级文明城市工作总结"),
        ("p", "p", "2022年，河西街道扎实推进省级文明城市创建工作，现将有关情况总结如下。"),
        ("h4", "h1", "一、宣传发动"),
        ("p", "p", SAMPLE_DRAFT.split("\n")[25]),
        ("h4", "h1", "二、环境整治"),
        ("p", "p", "投入资金21.5万元，拆除违章搭建37处，**社区背街小巷环境明显改善。"),
        ("h4", "h1", "三、创建成效"),
        ("p", "p", "测评得分由2021年的76.0分提高到2022年的85.5分，提高了9.5分。"),
        ("p", "signature", "河西街道")]
    assert page.text("doc-title").startswith("正文")


def test_render_html_draft_line_numbers_match_the_text_report(tmp_path):
    page, _, report = draft_page(tmp_path)
    file_lines = SAMPLE_DRAFT.split("\n")
    for line in page.lines:  # the number is the file's line that holds the shown text
        assert file_lines[int(line["number"]) - 1].endswith(line["text"]), line
    assert [line["number"] for line in page.lines] == ["17", "20", "23", "26", "29", "32", "35", "38", "41"]
    # Every number and placeholder is highlighted on the line the text report names.
    expected = sorted([(f"m-{n}", str(m.line), m.text) for n, m in enumerate(report.mentions, 1)]
                      + [(f"p-{n}", str(p.line), p.text) for n, p in enumerate(report.placeholders, 1)])
    assert sorted((h["id"], h["line"], h["text"]) for h in page.highlights) == expected
    n = next(n for n, m in enumerate(report.mentions, 1) if m.text == "21.5万元")
    assert report.mentions[n - 1].line == 32 and "第 32 行" in page.text(f"d-m-{n}")


def test_render_html_markdown_without_front_matter_and_crlf(tmp_path):
    # An editor's own .md: no front matter, Windows line ends, an ordinary comment, a second `#`.
    text = ("# 工作总结\r\n\r\n<!-- 编辑注：待定 -->\r\n　　开展理论宣讲12场。<!-- 核实 -->\r\n"
            "# 附：说明\r\n### （一）小结\r\n")
    page, html, report = draft_page(tmp_path, text)
    assert [(line["kind"], line["number"], line["text"]) for line in page.lines] == [
        ("title", "1", "工作总结"), ("p", "4", "开展理论宣讲12场。"), ("h1", "5", "附：说明"),
        ("h2", "6", "（一）小结")]
    assert "编辑注" not in html and "核实" not in html and "\r" not in "".join(page.doc_text)
    assert [(h["text"], h["line"]) for h in page.highlights] == [("12场", "4"), ("（一）", "6")]


def test_render_html_word_document_names_paragraphs(tmp_path):
    report, text = sample_report(tmp_path, SAMPLE_TEXT, "总结.docx")
    page = Page(render_html(report, text, facts_name="facts.yaml"))
    assert_shown_as_written(page, text)
    n = next(n for n, m in enumerate(report.mentions, 1) if m.text == "21.5万元")
    assert "第 11 段" in page.text(f"d-m-{n}")  # as the text report's 段 column


def test_htmlreport_import_does_not_load_jinja():
    code = "import sys, drafter.check.review_page; print('jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_render_html_names_and_copies_are_shown(tmp_path):
    # 篇一 names 南坝 as its own (构建和谐南坝); a sentence copied from 篇二 is listed with its source.
    copied = "明晰创建职责，强化督查督办，确保了创建全国文明城市的各项工作有条不紊地开展"
    sample = (FIXTURES / "samples" / "篇一.txt").read_text(encoding="utf-8")
    doc = tmp_path / "总结.txt"
    doc.write_text(sample + "\n" + copied + "。\n", encoding="utf-8")
    report = run_check(doc, FIXTURES / "facts" / "篇一.yaml")
    page = Page(render_html(report))
    names = [h for h in page.highlights if h["data-verdict"] == "name"]
    assert [h["id"] for h in names] == ["n-1"]
    assert "芦洲乡" in page.text("d-n-1") and "南坝" in page.text("d-n-1")
    assert page.text("count-name") == "1" and page.text("count-copy") == "1"
    assert page.text("result") == "有 2 处需要核对"
    cards = [li for li in page.find("li") if li.get("data-verdict") == "copy" and "chip" not in li.get("class", "")]
    assert len(cards) == 1
    listed = page.text("copies-list")
    assert "来源：篇二" in listed and "明晰创建职责，强化督查督办" in listed
