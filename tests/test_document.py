"""Draft files: rendering, parsing back, and damaged markers reported with their line."""

from __future__ import annotations

import pytest

from drafter.document import RenderedSection, chinese_ordinal, parse_draft, render_draft, replace_section
from drafter.errors import DocumentError


def _draft() -> str:
    sections = [
        RenderedSection("_opening", "开头", "intro", "2017年，我乡扎实推进创建工作。现将有关情况总结如下："),
        RenderedSection("publicity", "加大宣传力度", "work", "一是建立队伍。\n\n二是新建宣传栏7个。"),
        RenderedSection("problems", "存在问题", "problems", "经费不足。", "needs-review", 3),
        RenderedSection("_closing", "结尾", "closing", "我乡将继续努力。"),
    ]
    return render_draft(meta={"drafter": 1, "facts": "facts.yaml"}, title="芦洲乡2017年工作总结",
                        sections=sections, author="芦洲乡", date="2017年12月28日")


def test_document_render_layout():
    text = _draft()
    assert text.startswith("---\n")
    assert "# 芦洲乡2017年工作总结\n" in text
    assert "## 一、加大宣传力度\n" in text and "## 二、存在问题\n" in text
    assert text.count("\n## ") == 2  # opening and closing carry no heading
    assert text.rstrip().endswith("芦洲乡\n2017年12月28日")
    draft = parse_draft(text)
    assert [s.id for s in draft.sections] == ["_opening", "publicity", "problems", "_closing"]
    assert draft.meta["sections"]["problems"] == {"title": "存在问题", "status": "needs-review", "attempts": 3}
    assert draft.section("publicity").body(text) == "一是建立队伍。\n\n二是新建宣传栏7个。"


@pytest.mark.parametrize("n, expected", [
    (1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一"), (99, "九十九"),
    (100, "一百"), (101, "一百零一"), (110, "一百一十"), (115, "一百一十五"), (120, "一百二十"), (999, "九百九十九"),
    (1000, "一千"), (1001, "一千零一"), (1010, "一千零一十"), (1100, "一千一百"), (10000, "一万"),
    (10001, "一万零一"), (10010, "一万零一十"), (11000, "一万一千"), (100000, "十万"), (100001, "十万零一"),
    (123456789, "一亿二千三百四十五万六千七百八十九")])
def test_document_chinese_ordinal(n, expected):
    assert chinese_ordinal(n) == expected


def test_document_render_numbers_any_count_of_sections():
    # 100 or more numbered sections once crashed at write time, after every section was drafted.
    sections = [RenderedSection("_opening", "开头", "intro", "开头。")] + [
        RenderedSection(f"s{i}", f"第{i}项工作", "work", f"正文{i}。") for i in range(1, 121)]
    text = render_draft(meta={"drafter": 1}, title="总结", sections=sections, author="芦洲乡", date=None)
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert len(headings) == 120
    assert headings[98:101] == ["## 九十九、第99项工作", "## 一百、第100项工作", "## 一百零一、第101项工作"]
    assert headings[-1] == "## 一百二十、第120项工作"
    assert len(parse_draft(text).sections) == 121


BOMB = "".join(f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9) if i else 'lol'}]\n" for i in range(10))


@pytest.mark.parametrize("front, line, words", [
    (BOMB + "facts: *a9\n", 11, ["别名", "10000"]),
    ("facts: &a [x, *a]\n", 2, ["别名"]),
    ("facts: !!python/object/apply:os.system [ls]\n", 2, ["标签"]),
    ("title: &t x\n? *t\n: y\nfacts: !!binary aGk=\n", 5, ["标签"]),
])
def test_document_front_matter_aliases_and_tags_refused(front, line, words):
    with pytest.raises(DocumentError) as caught:
        parse_draft(f"---\n{front}---\n# 总结\n")
    message = str(caught.value)
    assert caught.value.line == line and len(message) < 300
    for word in words:
        assert word in message


@pytest.mark.parametrize("value, words", [
    ('"a\\0b.yaml"', ["空字符", "\\0"]), ("[a, b]", ["facts", "不是一段文字"]), ("{x: 1}", ["facts"])])
def test_document_front_matter_facts_path_must_be_a_path(value, words):
    draft = parse_draft(f"---\ntitle: x\nfacts: {value}\n---\n# 总结\n")
    with pytest.raises(DocumentError) as caught:
        draft.facts_path()
    assert caught.value.line == 3 and caught.value.field == "facts"
    for word in words:
        assert word in str(caught.value)


def test_document_replace_section_keeps_every_other_byte():
    text = _draft().replace("经费不足。", "经费不足，编辑手改过。")
    draft = parse_draft(text)
    sec = draft.section("publicity")
    new = replace_section(text, sec, "新的正文。")
    assert new[:sec.start] == text[:sec.start]
    assert new[sec.start:].split("<!-- /section -->", 1)[1] == text[sec.end:].split("<!-- /section -->", 1)[1]
    assert parse_draft(new).section("publicity").body(new) == "新的正文。"


def test_document_replace_section_keeps_crlf():
    text = _draft().replace("\n", "\r\n")
    draft = parse_draft(text)
    new = replace_section(text, draft.section("problems"), "第一段。\n\n第二段。")
    assert "\n" not in new.replace("\r\n", "")
    assert parse_draft(new).section("problems").body(new) == "第一段。\r\n\r\n第二段。"


@pytest.mark.parametrize("damage, line_of, words", [
    (lambda t: t.replace("<!-- /section -->", "", 1), "<!-- section: publicity -->", ["_opening", "结束标记"]),
    (lambda t: t.replace("<!-- section: publicity -->\n", "", 1), "<!-- /section -->", ["开始标记"]),
    (lambda t: t.replace("<!-- section: problems -->", "<!-- section: publicity -->"),
     "<!-- section: publicity -->\n经费", ["重复"]),
    (lambda t: t.replace("<!-- section: problems -->", "<!-- section problems -->"),
     "<!-- section problems -->", ["无法识别"]),
    (lambda t: t.rsplit("<!-- /section -->", 1)[0] + "我乡将继续努力。",
     "<!-- section: _closing -->", ["_closing", "没有结束标记"]),
])
def test_document_damaged_markers_name_the_line(damage, line_of, words):
    text = damage(_draft())
    with pytest.raises(DocumentError) as err:
        parse_draft(text)
    # The second occurrence for the duplicate case, else the first.
    lines = text.splitlines()
    expected = [i + 1 for i, line in enumerate(lines) if line == line_of.split("\n")[0]]
    if "\n" in line_of:
        expected = [i + 1 for i, line in enumerate(lines) if line == line_of.split("\n")[0]
                    and lines[i + 1].startswith(line_of.split("\n")[1])]
    assert err.value.line in expected, (err.value.render(), expected)
    for word in words:
        assert word in err.value.render()


def test_document_without_front_matter_or_markers():
    draft = parse_draft("一份手写的总结，没有标记。\n")
    assert draft.meta == {} and draft.sections == ()
    with pytest.raises(DocumentError, match="没有章节"):
        draft.section("publicity")


def test_document_front_matter_unclosed():
    with pytest.raises(DocumentError, match="---"):
        parse_draft("---\ntitle: x\n正文\n")


@pytest.mark.parametrize("sections", ["sections: {a: {title: 甲, status: passed}}", "sections: {}", "sections:"])
def test_document_front_matter_update_rewrites_flow_or_empty_sections_as_a_block(sections):
    from drafter.document import update_front_matter

    text = f"---\ntitle: 总结  # 编辑注\n{sections}\nfacts_sha256: abc\n---\n# 总结\n"
    entry = {"title": "乙", "status": "needs-review", "attempts": 2}
    new = update_front_matter(text, sections={"b": entry})
    meta = parse_draft(new).meta
    assert meta["sections"]["b"] == entry
    assert ("a" in meta["sections"]) == sections.startswith("sections: {a")
    assert new.startswith("---\ntitle: 总结  # 编辑注\n") and "facts_sha256: abc\n---\n# 总结\n" in new
