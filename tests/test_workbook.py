"""Excel facts files: same meaning as YAML, errors naming sheet and row, template, conversion."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from decimal import Decimal

import pytest
from conftest import FIXTURES, REPO

from drafter.check.engine import check_text
from drafter.check.report import fact_location
from drafter.errors import FactsError
from drafter.facts import load_facts
from drafter.facts.conversion import convert_facts, write_xlsx_template
from drafter.resources import template_path

FACT_FILES = sorted((FIXTURES / "facts").glob("*.yaml"))
ALL_YAML = FACT_FILES + [template_path("facts.yaml")]
INFO_HEADER = ["字段", "内容"]
FACTS_HEADER = ["章节ID", "章节标题", "类型", "事实", "数值", "单位", "约数"]
INFO = [["单位", "芦洲乡"], ["期间", "2017年"], ["创建活动", "全国文明城市"]]


def _statement(st):
    return st.text, st.field, st.section, st.value, st.unit, st.approx


def _assert_same_facts(a, b):
    """Equal in meaning: everything but path, sha256, encoding and line numbers."""
    for name in ("unit", "period", "campaign", "title", "author", "date", "allow"):
        assert getattr(a, name) == getattr(b, name), name
    assert sorted(map(_statement, a.header)) == sorted(map(_statement, b.header))
    assert [_statement(s) for s in a.facts] == [_statement(s) for s in b.facts]
    assert [(s.id, s.title, s.kind, s.index) for s in a.sections] == [
        (s.id, s.title, s.kind, s.index) for s in b.sections]
    for sa, sb in zip(a.sections, b.sections, strict=True):
        assert [_statement(s) for s in sa.facts] == [_statement(s) for s in sb.facts], sa.id


def _workbook(path, sheets: dict[str, list[list]], number_formats: dict | None = None):
    """Write a workbook as a clerk might have made it: plain cells, any types."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    for (sheet, coordinate), fmt in (number_formats or {}).items():
        wb[sheet][coordinate].number_format = fmt
    wb.save(path)
    return path


def _facts_rows(*rows):
    return [FACTS_HEADER] + [list(r) for r in rows]


def _simple(tmp_path, facts_rows=None, info=None, name="facts.xlsx", **extra):
    sheets = {"基本信息": [INFO_HEADER] + (INFO if info is None else info),
              "事实": facts_rows or _facts_rows(["publicity", "加大宣传力度", "工作", "新建宣传栏7个"])}
    sheets.update(extra)
    return _workbook(tmp_path / name, sheets)


# -- same meaning as YAML --------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_YAML, ids=lambda p: p.name)
def test_workbook_converted_fixture_loads_equal(tmp_path, path):
    xlsx = convert_facts(path, tmp_path / f"{path.stem}.xlsx")
    from_yaml, from_xlsx = load_facts(path), load_facts(xlsx)
    _assert_same_facts(from_yaml, from_xlsx)
    assert from_xlsx.path == xlsx
    assert from_xlsx.sha256 == hashlib.sha256(xlsx.read_bytes()).hexdigest()
    assert from_xlsx.notice is None


@pytest.mark.parametrize("path", FACT_FILES, ids=lambda p: p.name)
def test_workbook_checker_gives_same_verdicts(tmp_path, path):
    text = (FIXTURES / "samples" / f"{path.stem}.txt").read_text(encoding="utf-8")
    xlsx = convert_facts(path, tmp_path / f"{path.stem}.xlsx")
    by_yaml, by_xlsx = check_text(text, load_facts(path)), check_text(text, load_facts(xlsx))
    assert by_yaml.mentions
    assert [(m.text, m.start, m.verdict, m.fact) for m in by_yaml.mentions] == [
        (m.text, m.start, m.verdict, m.fact) for m in by_xlsx.mentions]
    assert sorted(u.text for u in by_yaml.unused_facts) == sorted(u.text for u in by_xlsx.unused_facts)


@pytest.mark.parametrize("path", ALL_YAML, ids=lambda p: p.name)
def test_workbook_yaml_xlsx_yaml_round_trip(tmp_path, path):
    xlsx = convert_facts(path, tmp_path / "facts.xlsx")
    back = convert_facts(xlsx, tmp_path / "back.yaml")
    _assert_same_facts(load_facts(path), load_facts(back))
    text = back.read_text(encoding="utf-8")
    assert "\\u" not in text and "sections:\n  - id: " in text  # readable: Chinese, block style
    assert load_facts(path).unit in text


def test_workbook_check_cli_same_exit_code(run, tmp_path):
    path = FACT_FILES[0]
    sample = FIXTURES / "samples" / f"{path.stem}.txt"
    xlsx = convert_facts(path, tmp_path / "facts.xlsx")
    by_yaml, by_xlsx = run("check", sample, "--facts", path), run("check", sample, "--facts", xlsx)
    assert by_xlsx.exit_code == by_yaml.exit_code, by_xlsx.stderr
    counts = [r.stdout.split("未用到")[0] for r in (by_yaml, by_xlsx)]
    assert counts[0] == counts[1] and "统计：" in counts[0]


def test_workbook_section_check_lists_only_that_sections_facts(tmp_path):
    xlsx = convert_facts(template_path("facts.yaml"), tmp_path / "facts.xlsx")
    text = "一、加大宣传力度\n<!-- section: publicity -->\n新建宣传栏7个。\n<!-- /section -->\n"
    report = check_text(text, load_facts(xlsx), section="publicity")
    assert report.unused_facts
    assert {u.section for u in report.unused_facts} == {"publicity"}


def test_workbook_empty_optional_fields_convert(tmp_path):
    source = tmp_path / "f.yaml"
    source.write_text("unit: 芦洲乡\nperiod: 2017年\ncampaign: 全国文明城市\nauthor: ''\ndate:\n"
                      "sections:\n  - id: a\n    title: 宣传\n", encoding="utf-8")
    facts = load_facts(convert_facts(source, tmp_path / "f.xlsx"))
    assert facts.author == "芦洲乡" and facts.date is None
    assert [(s.id, s.facts) for s in facts.sections] == [("a", ())]


def test_workbook_statement_rows_point_at_the_fact(tmp_path):
    import openpyxl

    xlsx = convert_facts(template_path("facts.yaml"), tmp_path / "facts.xlsx")
    facts = load_facts(xlsx)
    sheet = openpyxl.load_workbook(xlsx)["事实"]
    for sec in facts.sections:
        for st in sec.facts:
            assert st.text.startswith(sheet.cell(row=st.line, column=4).value)
    first = facts.sections[0].facts[0]
    assert fact_location(facts.path, first) == "facts.xlsx 工作表“事实”第2行"
    period = next(s for s in facts.header if s.field == "period")
    assert fact_location(facts.path, period) == "facts.xlsx 工作表“基本信息”第3行"
    assert fact_location(facts.path, facts.facts[0]) == "facts.xlsx 工作表“全文事实”第2行"
    assert fact_location(load_facts(template_path("facts.yaml")).path, first).startswith("facts.yaml:")


def test_workbook_mapping_items_keep_trailing_zeros(tmp_path):
    import openpyxl

    source = tmp_path / "f.yaml"
    source.write_text(
        "unit: 芦洲乡\nperiod: 2017年\ncampaign: 全国文明城市\nsections:\n"
        "  - id: a\n    title: 宣传\n    facts:\n"
        "      - {text: 投入资金, value: 12.60, unit: 万元}\n"
        "      - {text: 人均, value: 0.50, approx: 约, unit: 小时}\n"
        "      - 增长0.50个百分点\n",
        encoding="utf-8",
    )
    xlsx = convert_facts(source, tmp_path / "f.xlsx")
    cell = openpyxl.load_workbook(xlsx)["事实"]["E2"]
    assert (cell.value, cell.number_format) == ("12.60", "@")
    facts = load_facts(xlsx)
    assert [s.text for s in facts.sections[0].facts] == ["投入资金12.60万元", "人均约0.50小时", "增长0.50个百分点"]
    assert facts.sections[0].facts[0].value == Decimal("12.60")
    back = convert_facts(xlsx, tmp_path / "back.yaml").read_text(encoding="utf-8")
    assert "{text: 投入资金, value: 12.60, unit: 万元}" in back


def test_workbook_numeric_cells_read_as_excel_shows_them(run, tmp_path):
    import datetime

    path = _workbook(tmp_path / "numbers.xlsx", {
        "基本信息": [INFO_HEADER, ["单位", "芦洲乡"], ["期间", 2017], ["创建活动", "全国文明城市"],
                     ["日期", datetime.datetime(2024, 12, 28)]],
        "事实": _facts_rows(["a", "宣传", "", "新建宣传栏", 7.0, "个"],
                           ["a", "", "", "投入资金", 12.6, "万元"],
                           ["a", "", "", "资金", 12.6, "万元"],
                           ["a", "", "", "占比", 1.4, "%"],
                           ["a", "", "", 0.014]),
    }, {("事实", "E4"): "0.00", ("事实", "D6"): "0.0%"})
    facts = load_facts(path)
    assert facts.period == "2017"  # an int cell: no ".0"
    assert facts.date == "2024年12月28日"
    assert [s.text for s in facts.sections[0].facts] == [
        "新建宣传栏7个", "投入资金12.6万元", "资金12.60万元", "占比1.4%", "1.4%"]
    # 12.6 in a General cell may have been typed 12.60: the user is told to use text cells.
    assert "工作表“事实”第3行等 2 处" in facts.notice and "文本" in facts.notice
    result = run("facts", "validate", path)
    assert result.exit_code == 0 and facts.notice in result.stderr.replace("\n", "")


def test_workbook_percent_formatted_value_cell_reads_as_shown(run, tmp_path):
    # A 数值 cell holding 0.125 formatted 0.0% shows 12.5%: that is the fact, a percentage.
    path = _workbook(tmp_path / "percent.xlsx", {
        "基本信息": [INFO_HEADER, *INFO],
        "事实": _facts_rows(["a", "宣传", "", "志愿者注册率", 0.125], ["a", "", "", "覆盖率", "85%", "%"]),
    }, {("事实", "E2"): "0.0%"})
    facts = load_facts(path)
    first, second = facts.sections[0].facts
    assert (first.text, first.value, first.unit) == ("志愿者注册率12.5%", Decimal("12.5"), "%")
    assert (second.text, second.value, second.unit) == ("覆盖率85%", Decimal("85"), "%")
    result = run("facts", "validate", path)
    assert result.exit_code == 0 and "12.5%" in result.stdout
    back = convert_facts(path, tmp_path / "percent.yaml")
    assert load_facts(back).sections[0].facts[0].text == "志愿者注册率12.5%"


def test_workbook_forgiving_layout(tmp_path):
    import openpyxl

    path = tmp_path / "merged.xlsx"
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "基本信息"
    for row in [["unit", "芦洲乡"], ["时间", "2017年"], ["创建", "全国文明城市"],
                ["允许短语", "四办五中心、三个代表"], ["允许短语", "一把手"]]:
        info.append(row)  # no header row, English and alternative labels
    ws = wb.create_sheet("事实")
    for row in [["章节ID", "章节标题", "类型（可选）", "事实", "备注"],
                ["intro", "总体情况", "intro", "总体情况良好", "我的说明"],
                [None, None, None, "各项工作推进有序"],
                [],
                ["plans", "下一步打算", "打算", "继续做好宣传"],
                [None, None, None, "完善宣传栏"]]:
        ws.append(row)
    ws.merge_cells("A5:A6")
    wb.save(path)
    facts = load_facts(path)
    assert facts.allow == ("四办五中心", "三个代表", "一把手")
    assert [(s.id, s.kind, [f.text for f in s.facts]) for s in facts.sections] == [
        ("intro", "intro", ["总体情况良好", "各项工作推进有序"]),
        ("plans", "plans", ["继续做好宣传", "完善宣传栏"])]


# -- bad workbooks ----------------------------------------------------------------------------

# name -> (sheets, words the one error line must contain)
BAD = {
    "bad_kind": (dict(facts_rows=_facts_rows(["a", "宣传", "工作", "x"], ["b", "问题", "problem", "y"])),
                 ["工作表“事实”第3行", "类型（C列）", "problem", "problems"]),
    "duplicate_id": (dict(facts_rows=_facts_rows(["a", "宣传", "", "x"], ["b", "其他", "", "y"],
                                                 ["a", "宣传", "", "z"])),
                     ["工作表“事实”第4行", "章节ID（A列）", "“a” 重复", "第2行"]),
    "missing_unit": (dict(info=INFO[1:]), ["工作表“基本信息”", "缺少", "单位"]),
    "empty_unit": (dict(info=[["单位", None], *INFO[1:]]), ["工作表“基本信息”第2行", "单位", "没有填写"]),
    "unknown_label": (dict(info=INFO + [["落款单位名", "x"]]), ["工作表“基本信息”第5行", "落款单位名"]),
    "bad_section_id": (dict(facts_rows=_facts_rows(["宣传", "宣传", "", "x"])), ["第2行", "宣传", "小写"]),
    "missing_title": (dict(facts_rows=_facts_rows(["a", None, "", "x"])), ["第2行", "章节标题（B列）"]),
    "bad_value": (dict(facts_rows=_facts_rows(["a", "宣传", "", "宣传栏", "七", "个"])),
                  ["第2行", "数值（E列）", "七", "数字"]),
    "unit_without_value": (dict(facts_rows=_facts_rows(["a", "宣传", "", "宣传栏", None, "个"])),
                           ["第2行", "单位（F列）", "没有数值"]),
    "bad_approx": (dict(facts_rows=_facts_rows(["a", "宣传", "", "宣讲", "10", "场", "好几"])),
                   ["第2行", "约数（G列）", "好几", "余"]),
    "no_text": (dict(facts_rows=_facts_rows(["a", "宣传", "", None, "7", "个"])), ["第2行", "事实（D列）"]),
    "no_sections": (dict(facts_rows=[FACTS_HEADER]), ["工作表“事实”", "章节"]),
    "first_row_without_id": (dict(facts_rows=_facts_rows([None, "宣传", "", "x"])), ["第2行", "章节ID"]),
    "title_changes_without_id": (dict(facts_rows=_facts_rows(["a", "宣传", "", "x"], [None, "整治", "", "y"])),
                                 ["第3行", "章节标题", "第2行", "新的章节ID"]),
    "unknown_column": (dict(facts_rows=[FACTS_HEADER[:4] + ["数植"]]), ["第1行", "数植", "数值"]),
    "missing_column": (dict(facts_rows=[["章节ID", "章节标题", "类型"]]), ["第1行", "缺少", "事实"]),
    "doc_fact_bad_value": (dict(全文事实=[["事实", "数值"], ["全乡人口", "四千"]]),
                           ["工作表“全文事实”第2行", "数值（B列）"]),
    # A formula saved without its value (any program but Excel or WPS): the formula's own cell is named.
    "formula_without_value": (dict(facts_rows=_facts_rows(["a", "宣传", "", "宣传栏", "=3+4", "个"])),
                              ["第2行", "数值（E列）", "公式", "保存"]),
    "formula_text_without_value": (dict(facts_rows=_facts_rows(["a", "宣传", "", '="宣传"&"栏"', "7", "个"])),
                                   ["第2行", "事实（D列）", "公式"]),
    "value_4301_digits": (dict(facts_rows=_facts_rows(["a", "宣传", "", "宣传栏", "1" * 4301, "个"])),
                          ["第2行", "数值（E列）", "数值太长", "…"]),
    "value_exponent_huge": (dict(facts_rows=_facts_rows(["a", "宣传", "", "宣传栏", "1e999999999", "个"])),
                            ["第2行", "数值（E列）", "数值过大"]),
    "percent_value_other_unit": (dict(facts_rows=_facts_rows(["a", "宣传", "", "覆盖率", "85%", "个"])),
                                 ["第2行", "单位（F列）", "百分数"]),
    "too_long_fact": (dict(facts_rows=_facts_rows(["a", "宣传", "", "宣" * 301])),
                      ["第2行", "事实（D列）", "文字过长"]),
    "too_many_sections": (dict(facts_rows=_facts_rows(*([f"s{i}", "宣传", "", "x"] for i in range(151)))),
                          ["第152行", "章节过多", "151"]),
    "too_many_facts_in_section": (dict(facts_rows=_facts_rows(*(["a", "宣传", "", f"第{i}"] for i in range(61)))),
                                  ["第2行", "事实条数过多", "61"]),
}


@pytest.mark.parametrize("name", BAD)
def test_workbook_bad_input(tmp_path, name):
    kwargs, words = BAD[name]
    path = _simple(tmp_path, **kwargs)
    with pytest.raises(FactsError) as caught:
        load_facts(path)
    message = str(caught.value)
    assert caught.value.exit_code == 2
    assert message.startswith(f"{path} 工作表“")
    for word in words:
        assert word in message, (word, message)


def test_workbook_bad_input_cli_one_line(run, tmp_path):
    path = _simple(tmp_path, facts_rows=_facts_rows(["a", "宣传", "工作", "x"], ["b", "问题", "problem", "y"]))
    result = run("facts", "validate", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"错误：{path} 工作表“事实”第3行：字段 类型（C列）：类型 “problem” 不认识"
        "（可用：开头（intro）、工作（work）、问题（problems）、打算（plans）、结尾（closing）；"
        "是不是想写 problems？）"]


FILE_CASES = {
    "corrupt": ("facts.xlsx", b"PK\x03\x04 this is not really a zip", ["已损坏", "另存为"]),
    "not_a_zip": ("facts.xlsx", "unit: 芦洲乡\n".encode(), ["已损坏", ".xlsx"]),
    "legacy_xls": ("facts.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), ["旧版", ".xls", "另存为"]),
    "xls_renamed": ("facts.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), [".xls", "密码", "另存为"]),
    "empty": ("facts.xlsx", b"", ["空"]),
}


@pytest.mark.parametrize("name", FILE_CASES)
def test_workbook_bad_file(run, tmp_path, name):
    filename, data, words = FILE_CASES[name]
    path = tmp_path / filename
    path.write_bytes(data)
    with pytest.raises(FactsError) as caught:
        load_facts(path)
    assert caught.value.exit_code == 2
    for word in words:
        assert word in str(caught.value), (word, str(caught.value))
    result = run("facts", "validate", path)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"错误：{path}：")


def test_workbook_missing_sheet(tmp_path):
    path = _workbook(tmp_path / "facts.xlsx", {"基本信息": [INFO_HEADER] + INFO, "Sheet1": [["x"]]})
    with pytest.raises(FactsError) as caught:
        load_facts(path)
    assert caught.value.exit_code == 2
    assert "找不到工作表“事实”（现有工作表：基本信息、Sheet1）" in str(caught.value)
    assert "drafter init --xlsx" in str(caught.value)


# -- template and conversion ------------------------------------------------------------------


def test_workbook_template_written_and_valid(run, tmp_path):
    import openpyxl

    target = write_xlsx_template(tmp_path / "my facts" / "事实.xlsx")
    assert target.is_file()
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["基本信息", "事实", "全文事实", "说明"]
    ws = wb["事实"]
    assert [c.value for c in ws[1]] == FACTS_HEADER
    assert all(c.font.bold for c in ws[1])
    assert ws.column_dimensions["D"].width > ws.column_dimensions["C"].width
    assert {c.number_format for row in ws.iter_rows(min_row=2) for c in row} == {"@"}
    assert "12.60" in "".join(str(c.value) for c in wb["说明"]["A"])
    _assert_same_facts(load_facts(target), load_facts(template_path("facts.yaml")))
    result = run("facts", "validate", target)
    assert result.exit_code == 0, result.stderr
    assert "校验通过：2 个章节" in result.stdout and "65人" in result.stdout


def test_workbook_template_refuses_to_overwrite(tmp_path):
    target = tmp_path / "facts.xlsx"
    target.write_bytes(b"mine")
    with pytest.raises(FactsError) as caught:
        write_xlsx_template(target)
    assert caught.value.exit_code == 2 and "--force" in str(caught.value)
    assert target.read_bytes() == b"mine"
    write_xlsx_template(target, force=True)
    assert load_facts(target).unit == "芦洲乡"
    assert write_xlsx_template(tmp_path, force=True) == target
    with pytest.raises(FactsError, match=r"\.xlsx"):
        write_xlsx_template(tmp_path / "facts.yaml")


def test_workbook_convert_refuses_to_overwrite(tmp_path):
    source = FACT_FILES[0]
    output = tmp_path / "out.xlsx"
    output.write_bytes(b"mine")
    with pytest.raises(FactsError) as caught:
        convert_facts(source, output)
    assert caught.value.exit_code == 2 and "已存在" in str(caught.value)
    assert output.read_bytes() == b"mine"
    assert load_facts(convert_facts(source, output, force=True)).unit == load_facts(source).unit


@pytest.mark.parametrize("source, output", [("f.yaml", "g.yaml"), ("f.xlsx", "g.xlsx"), ("f.txt", "g.xlsx"),
                                            ("f.yaml", "g")])
def test_workbook_convert_needs_one_yaml_one_xlsx(tmp_path, source, output):
    (tmp_path / source).write_text("x", encoding="utf-8")
    with pytest.raises(FactsError, match="不支持") as caught:
        convert_facts(tmp_path / source, tmp_path / output)
    assert caught.value.exit_code == 2
    assert not (tmp_path / output).exists()


def test_workbook_convert_bad_source_writes_nothing(tmp_path):
    source = _simple(tmp_path, facts_rows=_facts_rows(["a", "宣传", "problem", "x"]))
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(FactsError, match="第2行"):
        convert_facts(source, tmp_path / "facts.yaml")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_workbook_convert_quotes_what_yaml_would_misread(tmp_path):
    source = _simple(tmp_path, info=INFO + [["标题", "null"], ["落款", "中共芦洲乡委员会: 芦洲乡人民政府"],
                                            ["允许短语", "#1"]],
                     facts_rows=_facts_rows(["a", "2017", "", "新建宣传栏, 共 {7} 个", 7, "个"],
                                            [None, None, None, "- 开头是减号"]))
    back = convert_facts(source, tmp_path / "facts.yaml")
    _assert_same_facts(load_facts(source), load_facts(back))
    assert load_facts(back).title == "null"


def test_workbook_import_stays_lazy():
    code = ("import sys, drafter.facts.conversion, drafter.cli, drafter.facts, drafter.facts.workbook; "
            "print('openpyxl' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
