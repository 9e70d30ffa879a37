"""Writing facts: the Excel template (drafter init --xlsx), and conversion YAML <-> .xlsx.

Both directions read the written result back and compare it with the source before anything
touches the disk, so a converted file always says what the original said.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from drafter.errors import DrafterError, FactsError
from drafter.facts.loading import load_facts
from drafter.facts.model import APPROX_WORDS, KIND_NAMES, Facts, Statement, compose_statement
from drafter.facts.workbook import (
    DOC_SHEET,
    FACT_COLUMNS,
    FACTS_SHEET,
    HEADER_KEYS,
    HELP_SHEET,
    INFO_ROWS,
    INFO_SHEET,
    WORKBOOK_SUFFIXES,
    YAML_SUFFIXES,
    parse_workbook,
)
from drafter.facts.yaml_reader import parse_facts
from drafter.files import DecodedText, refuse_overwrite


def _item_parts(st: Statement) -> tuple[str, str, str, str]:
    """A statement as written: text, and for a mapping item its number, unit and approx apart."""
    if st.value is None:
        return st.text, "", "", ""
    suffix = compose_statement("", st.value, st.unit, st.approx)
    text = st.text[: len(st.text) - len(suffix)] if st.text.endswith(suffix) else st.text
    return text, format(st.value, "f"), st.unit or "", st.approx or ""


_HELP = (
    "drafter 事实文件（Excel 版）填写说明",
    "drafter 只会使用这个工作簿里写下的事实和数字："
        "其中每一个数字都被视为您提供的事实，草稿中的每个数字都会与它们核对。",
    "所有单元格已设为“文本”格式，请保持：这样 12.60 不会变成 12.6，0.50 不会变成 0.5；"
        "从别处粘贴时请选“只粘贴值/文本”。",
    "",
    "工作表“基本信息”：每行一个字段，“字段”列写名称，“内容”列写内容。单位、期间必填；标题、落款、日期、范文文件夹可不填。",
    "“创建活动”和“主题”只填一个：创建活动的总结（如创建全国文明城市）填“创建活动”，标题为“单位+期间+创建+创建活动+工作总结”；"
        "其他工作的总结（如乡村振兴、安全生产、基层党建）填“主题”，标题为“单位+期间+主题+工作总结”；"
        "都不填时是全年综合工作总结。",
    "“范文文件夹”：自己保存的同类范文（.txt 或 .md，每篇一个文件），路径相对于本工作簿所在的文件夹；"
        "可用 drafter samples import 生成。",
    "“允许短语”：其中的数字是名称或口号、不是数量（如 四办五中心），核对数字时跳过；"
        "每行一个，可加多行，也可在一格内用顿号“、”分隔。",
    "",
    "工作表“事实”：每行一条事实，照实写数字。",
    "章节ID：章节的英文标识，只能用小写字母、数字、下划线、连字符，例如 publicity；不同章节不能重复。",
    "同一章节的各行连续排列；章节标题和类型只需在章节第一行填写；章节ID留空的行属于上面的章节（合并单元格也可以）。",
    "章节标题：编号“一、二、”由程序自动添加。"
        "类型：开头、工作（默认）、问题、打算、结尾，也可写英文 intro、work、problems、plans、closing。",
    "也可以把数字单独写出来：“事实”写文字，“数值”只写数字，“单位”写单位，"
        "“约数”写 余、多、约、近、以上、不足、左右 之一。",
    "例如 事实“联乡部门领导赴基层宣讲”、数值 10、约数 余、单位 场，即“联乡部门领导赴基层宣讲10余场”。",
    "",
    "工作表“全文事实”（可选）：不属于任何章节、但全文都可能用到的事实，填写方式同“事实”的后四列。",
    "",
    "工作表名和第一行的列名不要改动；可以另加一列“备注”写自己的说明，drafter 不读取。",
    "核对报告中“facts.xlsx:7”指事实所在工作表的第7行：单位、期间等在“基本信息”，全文事实在“全文事实”，其余在“事实”。",
    "检查是否填写正确：drafter facts validate 本文件；转换为 YAML：drafter facts convert 本文件 -o facts.yaml",
)


def workbook_bytes(facts: Facts) -> bytes:
    """An .xlsx holding `facts` in the layout load_facts reads, with every cell formatted as text."""
    from openpyxl import Workbook

    wb = Workbook()
    header = {s.field: s.text for s in facts.header} | {"samples": facts.samples or ""}
    info = [(label, header.get(key, ""), note) for key, label, note in INFO_ROWS if key != "allow"]
    _, allow_label, allow_note = INFO_ROWS[-1]
    info += [(allow_label, a, allow_note) for a in facts.allow] or [(allow_label, "", allow_note)]
    _fill(wb.active, INFO_SHEET, (("字段", 12), ("内容", 44), ("说明", 80)), info)
    rows = []
    for sec in facts.sections:
        for i, parts in enumerate([_item_parts(st) for st in sec.facts] or [("", "", "", "")]):
            rows.append((sec.id, *((sec.title, KIND_NAMES[sec.kind]) if i == 0 else ("", "")), *parts))
    ws = _fill(wb.create_sheet(), FACTS_SHEET, [(label, width) for _, label, width in FACT_COLUMNS], rows)
    _choices(ws, "C", KIND_NAMES.values())
    _choices(ws, "G", APPROX_WORDS)
    ws = _fill(wb.create_sheet(), DOC_SHEET, [(label, width) for _, label, width in FACT_COLUMNS[3:]],
               [_item_parts(st) for st in facts.facts])
    _choices(ws, "D", APPROX_WORDS)
    ws = _fill(wb.create_sheet(), HELP_SHEET, ((_HELP[0], 120),), [(line,) for line in _HELP[1:]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _fill(ws, title: str, columns, rows):
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.title = title
    ws.freeze_panes = "A2"
    for col, (label, width) in enumerate(columns, start=1):
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = width
        ws.column_dimensions[letter].number_format = "@"  # rows the clerk adds are text too
        cell = ws.cell(row=1, column=col, value=label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.number_format = "@"
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value or None)
            cell.number_format = "@"
            if columns[col - 1][1] >= 40:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    return ws


def _choices(ws, letter: str, options) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    # A drop-down to pick from, not a lock: English kinds (work) are valid too.
    dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True,
                        showErrorMessage=False)
    dv.add(f"{letter}2:{letter}1000")
    ws.add_data_validation(dv)


def facts_yaml(facts: Facts, source: str = "") -> str:
    """The facts as a YAML facts file in the template's style: block lists, one fact a line."""
    out = [f"# drafter 事实文件{f'（由 {source} 转换生成）' if source else ''}，格式同 drafter init 生成的模板。",
           "# 检查是否填写正确：drafter facts validate 本文件", ""]
    header = {s.field: s.text for s in facts.header}
    out += [f"{key}: {_scalar(header[key])}" for key in HEADER_KEYS if key in header]
    if facts.samples:
        out += [f"samples: {_scalar(facts.samples)}"]
    if facts.facts:
        out += ["", "# 不属于任何章节、但全文都可能用到的事实", "facts:"]
        out += [f"  - {_yaml_item(st)}" for st in facts.facts]
    if facts.allow:
        out += ["", "# 其中的数字是名称或口号、不是数量的短语，核对数字时跳过", "allow:"]
        out += [f"  - {_scalar(a, '- {}')}" for a in facts.allow]
    out += ["", "# 章节按顺序排列；kind：intro（开头）、work（工作）、problems（问题）、plans（打算）、closing（结尾）",
            "sections:"]
    for i, sec in enumerate(facts.sections):
        out += [""] * bool(i) + [f"  - id: {_scalar(sec.id)}", f"    title: {_scalar(sec.title)}",
                                 f"    kind: {sec.kind}"]
        if sec.facts:
            out += ["    facts:"] + [f"      - {_yaml_item(st)}" for st in sec.facts]
    return "\n".join(out) + "\n"


def _yaml_item(st: Statement) -> str:
    text, value, unit, approx = _item_parts(st)
    if not value:
        return _scalar(text, "- {}")
    parts = [f"text: {_scalar(text, '{{k: {}}}')}", f"value: {value}"]
    parts += [f"approx: {_scalar(approx, '{{k: {}}}')}"] * bool(approx)
    parts += [f"unit: {_scalar(unit, '{{k: {}}}')}"] * bool(unit)
    return "{" + ", ".join(parts) + "}"


def _scalar(text: str, context: str = "k: {}") -> str:
    """`text` plain when YAML reads it back unchanged in `context`, else quoted."""
    import yaml

    if text and "\n" not in text:
        expected = [text] if context.startswith("-") else {"k": text}
        try:
            if yaml.load(context.format(text), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) == expected:
                return text
        except yaml.YAMLError:
            pass
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def write_xlsx_template(path: str | Path, *, force: bool = False, topic: str | None = None) -> Path:
    """Write the Excel facts template (the YAML template's, or an outline's); refuse to overwrite unless force."""
    from drafter.facts.loading import template_text

    target = Path(path)
    if target.is_dir():
        target = target / "facts.xlsx"
    if target.suffix.lower() != ".xlsx":
        raise FactsError("Excel 模板的文件名应以 .xlsx 结尾", path=target,
                         hint="例如 drafter init --xlsx facts.xlsx")
    refuse_overwrite(target, force=force, example="facts.xlsx", error=FactsError)
    template = parse_facts(DecodedText(target.with_suffix(".yaml"), template_text(topic), "utf-8"))
    _write(target, workbook_bytes(template))
    return target


def convert_facts(source: str | Path, output: str | Path, *, force: bool = False) -> Path:
    """Convert a facts file YAML -> .xlsx or .xlsx -> YAML (by suffix); checked, written atomically."""

    source, output = Path(source), Path(output)
    src, dst = source.suffix.lower(), output.suffix.lower()
    to_xlsx = src in YAML_SUFFIXES and dst == ".xlsx"
    if not to_xlsx and not (src in WORKBOOK_SUFFIXES + (".xls",) and dst in YAML_SUFFIXES):
        raise FactsError(f"不支持从 “{src or '无扩展名'}” 转换为 “{dst or '无扩展名'}”", path=output,
                         hint="支持 .yaml → .xlsx 和 .xlsx → .yaml，"
                              "例如 drafter facts convert facts.xlsx -o facts.yaml")
    refuse_overwrite(output, force=force, example=output.name, error=FactsError, inputs=(source,))
    facts = load_facts(source)
    if to_xlsx:
        data = workbook_bytes(facts)
        again = parse_workbook(output, data)
    else:
        text = facts_yaml(facts, source.name)
        again = parse_facts(DecodedText(output, text, "utf-8"))
        data = text.encode("utf-8")
    if _meaning(again) != _meaning(facts):  # never hand a clerk a file that says something else
        raise DrafterError("转换结果与原文件的含义不一致，没有写入", path=output,
                           hint="这是 drafter 的缺陷，请把原文件发给维护者")
    _write(output, data)
    return output


def _meaning(facts: Facts) -> tuple:
    def st(s: Statement) -> tuple:
        return s.text, s.field, s.section, s.value, s.unit, s.approx

    # An empty optional field (`date:` left blank) and a missing one mean the same.
    return (facts.unit, facts.period, facts.campaign, facts.topic, facts.samples, facts.title, facts.author,
            facts.date or None,
            sorted(st(s) for s in facts.header if s.text), tuple(map(st, facts.facts)), facts.allow,
            tuple((s.id, s.title, s.kind, s.index, tuple(map(st, s.facts))) for s in facts.sections))


def _write(target: Path, data: bytes) -> None:
    from drafter.files import write_atomic_bytes

    write_atomic_bytes(target, data)  # a failed write is a StorageError naming the file
