"""Excel facts files: the YAML facts format as a workbook a clerk fills in (writing: drafter.facts.conversion).

Layout (the 说明 sheet of every workbook drafter writes says the same in Chinese):
- 基本信息: columns 字段 / 内容 (/ 说明); rows 单位, 期间, 创建活动 or 主题, 标题, 落款, 日期,
  范文文件夹, and any number of 允许短语 rows (one phrase a row, or several split by 、).
- 事实: columns 章节ID, 章节标题, 类型, 事实, 数值, 单位, 约数; one fact a row; a section is its
  consecutive rows; a row with an empty 章节ID continues the section above (merged cells read so).
- 全文事实 (optional): columns 事实, 数值, 单位, 约数: facts of the whole document.
A statement's `line` is its row in its own sheet (基本信息 for the header fields, 全文事实 for
document facts, 事实 for the rest); drafter.check.report.fact_location renders that for a reader.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import re
import warnings
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from drafter.errors import FactsError, excerpt
from drafter.facts.model import (
    APPROX_WORDS,
    KIND_NAMES,
    KINDS,
    MAX_SECTION_FACTS,
    MAX_SECTIONS,
    MAX_TEXT_CHARS,
    SECTION_ID,
    SIZE_HINT,
    Facts,
    Section,
    Statement,
    ValueProblem,
    compose_statement,
    default_title,
    limit_problem,
    parse_value,
    size_problem,
)
from drafter.facts.warnings import campaign_warning, samples_warning
from drafter.suggestions import closest

INFO_SHEET, FACTS_SHEET, DOC_SHEET, HELP_SHEET = "基本信息", "事实", "全文事实", "说明"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
YAML_SUFFIXES = (".yaml", ".yml")
HEADER_KEYS = ("unit", "period", "campaign", "topic", "title", "author", "date")
REQUIRED_INFO = ("unit", "period")
MAX_WORKBOOK_BYTES = 10 * 1024 * 1024  # zipped XML: a big facts workbook is still far below this

# 基本信息 rows: key, the label drafter writes, and what the 说明 column tells the clerk.
INFO_ROWS = (
    ("unit", "单位", "必填：报告单位（乡、镇、街道），例如 芦洲乡"),
    ("period", "期间", "必填：总结的时间段，例如 2024年、2024年上半年；暂不确定可写 20××年"),
    ("campaign", "创建活动", "创建活动的总结才填：创建的目标，例如 全国文明城市、国家卫生城市；与“主题”只填一个"),
    ("topic", "主题", "其他工作的总结填：总结的主题，例如 乡村振兴、安全生产、基层党建、河长制；"
                     "创建活动和主题都不填时是全年综合工作总结"),
    ("title", "标题", "可选：不填时自动生成，如“单位+期间+创建+创建活动+工作总结”“单位+期间+主题+工作总结”"),
    ("author", "落款", "可选：落款单位，不填时使用“单位”"),
    ("date", "日期", "可选：落款日期，例如 2024年12月28日"),
    ("samples", "范文文件夹", "可选：自己的范文文件夹（相对于本文件所在的文件夹），例如 范文/乡村振兴"),
    ("allow", "允许短语", "可选：其中的数字是名称或口号、不是数量的短语，核对数字时跳过；每行一个，可加多行"),
)
_LABEL = {key: label for key, label, _ in INFO_ROWS}
_INFO_LABELS = {label: key for key, label, _ in INFO_ROWS} | {key: key for key in _LABEL} | {
    "时间": "period", "年度": "period", "创建": "campaign", "创建目标": "campaign",
    "工作主题": "topic", "总结主题": "topic", "范文": "samples",
    "落款单位": "author", "落款日期": "date", "允许": "allow"}
_INFO_COLUMNS = {"字段": "label", "项目": "label", "field": "label", "key": "label",
                 "内容": "content", "值": "content", "value": "content"}
# 事实 columns: key, name, width. 全文事实 has the last four.
FACT_COLUMNS = (("id", "章节ID", 14), ("title", "章节标题", 26), ("kind", "类型", 8),
                ("text", "事实", 64), ("value", "数值", 10), ("unit", "单位", 8), ("approx", "约数", 8))
_COLUMN_LABELS = {label.lower(): key for key, label, _ in FACT_COLUMNS} | {
    key: key for key, _, _ in FACT_COLUMNS} | {
    "章节编号": "id", "编号": "id", "标题": "title", "文字": "text", "facts": "text"}
_DOC_LABELS = {k: v for k, v in _COLUMN_LABELS.items() if v in ("text", "value", "unit", "approx")}
_SPARE_COLUMNS = ("备注", "说明", "note", "notes")  # a clerk's own notes: read past, never an error
_KIND_LABELS = {k: k for k in KINDS} | {v: k for k, v in KIND_NAMES.items()} | {
    "下一步打算": "plans", "存在问题": "problems", "存在的问题": "problems"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and any password-protected workbook
_SAVE_AS = "请用 Excel 或 WPS 打开，“另存为” Excel 工作簿（.xlsx）后再试"


@dataclasses.dataclass(frozen=True)
class WorkbookFacts(Facts):
    """Facts read from a workbook; its notice tells when numeric cells were read as Excel shows them."""

    cell_notice: str | None = None

    @property
    def notice(self) -> str | None:
        """The numeric-cell notice (a workbook has no text encoding to report)."""
        return self.cell_notice


def load_workbook_facts(path: str | Path) -> Facts:
    """Load and validate an Excel facts file; errors name the sheet, the row and the column."""
    p = Path(path)
    return parse_workbook(p, _read_bytes(p))


def _read_bytes(p: Path) -> bytes:
    from drafter.files import read_bytes

    data = read_bytes(p, what="事实文件", max_bytes=MAX_WORKBOOK_BYTES, error=FactsError,
                      hint="文件正在 Excel 或 WPS 中打开时，请先关闭再试")
    if p.suffix.lower() == ".xls":
        raise FactsError("这是旧版 Excel 文件（.xls），drafter 只能读取 .xlsx", path=p, hint=_SAVE_AS)
    if not data:
        raise FactsError("事实文件是空的", path=p, hint="可用 drafter init --xlsx 生成模板")
    if data.startswith(_OLE):
        raise FactsError("这不是 .xlsx 工作簿：可能是旧版 .xls 文件，或设置了打开密码", path=p,
                         hint="请取消打开密码；" + _SAVE_AS)
    return data


def parse_workbook(p: Path, data: bytes) -> Facts:
    """Validate a workbook's bytes as a facts file; `p` is the name errors and Facts carry."""
    import openpyxl

    try:
        with warnings.catch_warnings():
            # Extensions openpyxl does not know (WPS data validation, slicers) do not matter here.
            warnings.simplefilter("ignore")
            # data_only: a formula cell gives the value Excel last showed, as the clerk saw it.
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
            # A formula's last value is only there if Excel or WPS saved the file; files written by
            # other programs may hold the formula alone, which data_only reads as an empty cell.
            formulas = openpyxl.load_workbook(io.BytesIO(data)) if _has_formulas(data) else None
    except Exception:  # a damaged file raises zipfile, XML, KeyError or ValueError errors alike
        raise FactsError("无法读取 Excel 文件：文件已损坏，或不是 .xlsx 格式", path=p,
                         hint=_SAVE_AS) from None
    return _Reader(p, wb, formulas).facts(hashlib.sha256(data).hexdigest())


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the .xlsx holds a formula (an <f> element)."""
    import zipfile

    formula = re.compile(rb"<(?:\w+:)?f[\s>/]")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(name) as sheet:  # in pieces: a sheet may unpack to far more than the file
                tail = b""
                while chunk := sheet.read(1 << 20):
                    if formula.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


class _Reader:
    """Reads the sheets row by row with the checks the YAML parser makes, naming sheet/row/column."""

    def __init__(self, path: Path, wb, formulas=None):
        self.path, self.wb, self.formulas = path, wb, formulas
        self.numeric: list[tuple[str, int, str]] = []  # numeric cells whose trailing zeros may be lost

    def fail(self, message: str, sheet: str, row: int | None = None, field: str | None = None,
             hint: str | None = None) -> FactsError:
        return FactsError(message, path=self.path, sheet=sheet, line=row, field=field, hint=hint)

    def facts(self, sha256: str) -> Facts:
        header, allow, samples = self.info()
        values = {s.field: s.text for s in header}
        rows = {s.field: s.line for s in header}
        doc = self.doc_facts()
        sections = self.sections()
        unit, period = values["unit"], values["period"]
        campaign, topic = values.get("campaign"), values.get("topic")
        if campaign and topic:
            raise self.fail("“创建活动”和“主题”只能填一个", INFO_SHEET, rows["topic"], _LABEL["topic"],
                            hint="创建活动的总结（创建全国文明城市）填“创建活动”；其他工作的总结（乡村振兴、"
                                 "安全生产）填“主题”")
        warnings = [campaign_warning(campaign, rows["campaign"], workbook=True) if campaign else None,
                    samples_warning(self.path, samples.text, samples.line) if samples else None]
        loaded = WorkbookFacts(
            path=self.path, encoding="xlsx", unit=unit, period=period, campaign=campaign,
            title=values.get("title") or default_title(unit, period, campaign, topic),
            author=values.get("author") or unit, date=values.get("date"), facts=doc,
            allow=tuple(allow), sections=sections, header=tuple(header), sha256=sha256,
            topic=topic, samples=samples.text if samples else None,
            samples_line=samples.line if samples else None,
            warnings=tuple(dataclasses.replace(w, field=_LABEL.get(w.field, w.field), sheet=INFO_SHEET)
                           for w in warnings if w),
            cell_notice=self.notice(),
        )
        if problem := size_problem(loaded):
            raise FactsError(problem, path=self.path, hint=SIZE_HINT)
        return loaded

    def notice(self) -> str | None:
        if not self.numeric:
            return None
        sheet, row, text = self.numeric[0]
        more = f"等 {len(self.numeric)} 处" if len(self.numeric) > 1 else ""
        return (f"提示：{self.path} 工作表“{sheet}”第{row}行{more}的数字是 Excel 的数值格式，已按显示读作 {text}；"
                "如原本写的是 12.60 这样末尾带 0 的数，请把这些单元格设为“文本”格式后重新输入。")

    def uncomputed(self, c, sheet: str) -> bool:
        """Whether an empty-looking cell holds a formula whose value was never saved."""
        if self.formulas is None or sheet not in self.formulas.sheetnames or not hasattr(c, "column_letter"):
            return False
        formula = self.formulas[sheet][c.coordinate]
        return formula.data_type == "f" or (isinstance(formula.value, str) and formula.value.startswith("="))

    def sheet(self, name: str, required: bool = True):
        for ws in self.wb.worksheets:
            if ws.title.strip() == name:
                return ws
        if not required:
            return None
        names = "、".join(ws.title for ws in self.wb.worksheets)
        raise FactsError(f"找不到工作表“{name}”（现有工作表：{names}）", path=self.path,
                         hint="请按 drafter init --xlsx 生成的模板填写，工作表名不要改动")

    def cell(self, c, sheet: str, field: str | None = None) -> str:
        if c.data_type == "e":
            raise self.fail(f"单元格是 Excel 错误值 {excerpt(c.value)}", sheet, c.row, field or _letter(c),
                            hint="请检查公式，或直接填写内容")
        if c.value is None and self.uncomputed(c, sheet):
            raise self.fail("单元格是公式，但文件中没有保存公式的计算结果", sheet, c.row, field or _letter(c),
                            hint="请用 Excel 或 WPS 打开并保存一次，或直接填写内容")
        text, lossy = _cell_text(c)
        if lossy:
            self.numeric.append((sheet, c.row, text))
        return text

    def table(self, ws, labels: dict[str, str], required: tuple[str, ...], headless=None):
        """The sheet's column names (key -> field as shown) and its non-empty rows {key: (text, field)}."""
        rows = iter(ws.iter_rows())
        first = next((r for r in rows if any(c.value is not None for c in r)), None)
        if first is None:
            return {}, []
        data: list = []
        if headless and _norm(self.cell(first[0], ws.title)) in headless:
            columns = {1: ("label", "字段（A列）"), 2: ("content", "内容（B列）")}  # no header row
            data.append(first)
        else:
            columns = self.columns(ws, first, labels)
        fields = {key: field for key, field in columns.values()}
        for key in required:
            if key not in fields:
                names = "、".join(_header_name(k, labels) for k in required)
                raise self.fail(f"缺少“{_header_name(key, labels)}”列", ws.title, first[0].row,
                                hint=f"第一行是列名，至少要有：{names}")
        return fields, self.row_values(ws, columns, (*data, *rows))

    def columns(self, ws, first, labels: dict[str, str]) -> dict[int, tuple[str, str]]:
        """The header row's known columns: column number -> (key, field as shown)."""
        columns: dict[int, tuple[str, str]] = {}
        for c in first:
            label = self.cell(c, ws.title)
            key = labels.get(_norm(label)) if label else None
            if key is None and label and _norm(label) not in _SPARE_COLUMNS:
                names = (_header_name(k, labels) for k in labels.values())
                raise self.fail(f"不认识的列名 “{excerpt(label)}”", ws.title, c.row, _letter(c, excerpt(label)),
                                hint=_suggest(label, names) + "自己的说明可放在名为“备注”的列")
            if key in (k for k, _ in columns.values()):
                raise self.fail(f"列名 “{excerpt(label)}” 重复", ws.title, c.row, _letter(c, excerpt(label)))
            if key:
                columns[c.column] = (key, _letter(c, label))
        return columns

    def row_values(self, ws, columns: dict[int, tuple[str, str]], rows) -> list[tuple[int, dict]]:
        """Each non-empty row as (row number, {key: (text, field)})."""
        out = []
        for r in rows:
            vals = {}
            for c in r:
                if c.column in columns and (text := self.cell(c, ws.title, columns[c.column][1])):
                    vals[columns[c.column][0]] = (text, columns[c.column][1])
            if vals:
                out.append((r[0].row, vals))
        return out

    def info(self) -> tuple[list[Statement], list[str], Statement | None]:
        """The header statements, the allowed phrases and the 范文 folder (not a fact: no number in it counts)."""
        ws = self.sheet(INFO_SHEET)
        _, rows = self.table(ws, _INFO_COLUMNS, ("label", "content"), headless=_INFO_LABELS)
        header, allow, seen = [], [], {}
        samples = None
        for row, vals in rows:
            label = vals.get("label", ("",))[0]
            content = vals.get("content", ("",))[0]
            if not label:
                raise self.fail("这一行填写了内容，却没有填写字段名", INFO_SHEET, row,
                                hint="字段可填：" + "、".join(_LABEL.values()))
            key = _INFO_LABELS.get(_norm(label))
            if key is None:
                raise self.fail(f"不认识的字段名 “{excerpt(label)}”", INFO_SHEET, row,
                                hint=_suggest(label, _LABEL.values()).rstrip("；"))
            if key == "allow":
                allow.extend(self.short(p.strip(), INFO_SHEET, row, vals["content"][1])
                             for p in re.split(r"[、\n]", content) if p.strip())
                continue
            self.short(content, INFO_SHEET, row, vals.get("content", ("", ""))[1])
            if key in seen:
                raise self.fail(f"重复（第{seen[key]}行已出现）", INFO_SHEET, row, label,
                                hint="每个字段只写一行")
            seen[key] = row
            if content and key == "samples":
                samples = Statement(content, row, key)
            elif content:
                header.append(Statement(content, row, key))
            elif key in REQUIRED_INFO:
                raise self.fail(f"必填的“{_LABEL[key]}”没有填写内容", INFO_SHEET, row, _LABEL[key],
                                hint="请在“内容”列填写" + INFO_ROWS[HEADER_KEYS.index(key)][2][3:])
        for key in REQUIRED_INFO:
            if key not in seen:
                raise self.fail(f"缺少必填的“{_LABEL[key]}”一行", INFO_SHEET, None, _LABEL[key],
                                hint=f"请加一行：字段填“{_LABEL[key]}”，内容填"
                                     + INFO_ROWS[HEADER_KEYS.index(key)][2][3:])
        return header, allow, samples

    def doc_facts(self) -> tuple[Statement, ...]:
        ws = self.sheet(DOC_SHEET, required=False)
        if ws is None:
            return ()
        fields, rows = self.table(ws, _DOC_LABELS, ("text",))
        return tuple(self.item(row, vals, fields, f"facts[{i}]", None, DOC_SHEET)
                     for i, (row, vals) in enumerate(rows))

    def sections(self) -> tuple[Section, ...]:
        fields, rows = self.table(self.sheet(FACTS_SHEET), _COLUMN_LABELS, ("id", "title", "text"))
        out: list[dict] = []
        seen: dict[str, int] = {}
        for row, vals in rows:
            sid = vals.get("id", ("",))[0]
            if sid and (not out or sid != out[-1]["id"]):
                out.append(self.section(row, vals, fields, seen, len(out)))
            elif not out:
                raise self.fail("第一条事实没有填写章节ID", FACTS_SHEET, row, fields["id"],
                                hint="每个章节的第一行要填写章节ID和章节标题")
            else:
                self.same_section(out[-1], row, vals)
            if vals.keys() & {"text", "value", "unit", "approx"}:
                sec = out[-1]
                field = f"sections[{sec['index']}].facts[{len(sec['facts'])}]"
                sec["facts"].append(self.item(row, vals, fields, field, sec["id"], FACTS_SHEET))
        if not out:
            raise self.fail("没有任何章节：至少需要一个章节", FACTS_SHEET,
                            hint="从第2行起每行写一条事实，并填写章节ID和章节标题；可用 drafter init --xlsx 生成模板")
        self.counts(out)
        return tuple(Section(s["id"], s["title"], s["kind"], tuple(s["facts"]), s["row"], s["row"],
                             s["index"]) for s in out)

    def counts(self, sections: list[dict]) -> None:
        """Refuse more sections or facts than drafter accepts (see drafter.facts.model)."""
        if problem := limit_problem("章节", len(sections), MAX_SECTIONS):
            raise self.fail(problem, FACTS_SHEET, sections[MAX_SECTIONS]["row"], "章节ID",
                            hint="一份总结通常不超过二十节；请合并相近的章节")
        for sec in sections:
            if problem := limit_problem("本章节的事实条数", len(sec["facts"]), MAX_SECTION_FACTS):
                raise self.fail(problem, FACTS_SHEET, sec["row"], "章节ID",
                                hint="请只保留要写进本节的事实，或把本节拆成几节")

    def short(self, text: str, sheet: str, row: int, field: str) -> str:
        """The text, or an error when it is longer than a fact may be."""
        if len(text) > MAX_TEXT_CHARS:
            raise self.fail(f"文字过长（{len(text)} 字，上限 {MAX_TEXT_CHARS} 字）", sheet, row, field,
                            hint="一条事实写一件事；长段材料请拆成几条")
        return text

    def section(self, row: int, vals: dict, fields: dict, seen: dict[str, int], index: int) -> dict:
        sid, field = vals["id"]
        if not SECTION_ID.match(sid):
            raise self.fail(f"章节 ID “{excerpt(sid)}” 不合规", FACTS_SHEET, row, field,
                            hint="只能用小写英文字母、数字、下划线和连字符，且不能以下划线开头，例如 publicity")
        if sid in seen:
            raise self.fail(f"章节 ID “{sid}” 重复（第{seen[sid]}行已使用）", FACTS_SHEET, row, field,
                            hint="同一章节的各行要连续排列；不同章节请用不同的章节ID")
        seen[sid] = row
        if "title" not in vals:
            raise self.fail("章节的第一行要填写章节标题", FACTS_SHEET, row, fields["title"],
                            hint="例如 加大宣传力度；编号“一、二、”由程序自动添加")
        title = self.short(vals["title"][0], FACTS_SHEET, row, vals["title"][1])
        return {"id": sid, "title": title, "kind": self.kind(row, vals), "facts": [],
                "row": row, "index": index}

    def kind(self, row: int, vals: dict) -> str:
        if "kind" not in vals:
            return "work"
        text, field = vals["kind"]
        kind = _KIND_LABELS.get(text.lower())
        if kind is None:
            close = closest(text, KINDS)
            raise self.fail(f"类型 “{excerpt(text)}” 不认识", FACTS_SHEET, row, field,
                            hint="可用：" + "、".join(f"{KIND_NAMES[k]}（{k}）" for k in KINDS)
                            + (f"；是不是想写 {close}？" if close else ""))
        return kind

    def same_section(self, sec: dict, row: int, vals: dict) -> None:
        # A different title without a new 章节ID is most likely a forgotten ID, not one section.
        for key, shown in (("title", sec["title"]), ("kind", sec["kind"])):
            if key in vals and (vals[key][0] if key == "title" else self.kind(row, vals)) != shown:
                raise self.fail(f"与本章节第一行（第{sec['row']}行）的{'章节标题' if key == 'title' else '类型'}不同，"
                                "却没有填写新的章节ID", FACTS_SHEET, row, vals[key][1],
                                hint="新章节请填写新的章节ID；同一章节的标题和类型只需在第一行填写")

    def item(self, row: int, vals: dict, fields: dict, field: str, section: str | None,
             sheet: str) -> Statement:
        if "text" not in vals:
            raise self.fail("写了数值、单位或约数，却没有填写事实文字", sheet, row, fields["text"],
                            hint="“事实”列写文字，例如 新建宣传栏；“数值”列只写数字")
        text = self.short(vals["text"][0], sheet, row, vals["text"][1])
        value = unit = approx = None
        percent = False
        if "value" in vals:
            raw, where = vals["value"]
            try:
                value, percent = parse_value(raw)
            except ValueProblem as exc:
                raise self.fail(f"{exc}，实际是 “{excerpt(raw)}”", sheet, row, where,
                                hint="只写数字，例如 7；单位写在“单位”列") from None
        if "unit" in vals:
            unit = vals["unit"][0]
            if value is None:
                raise self.fail("写了单位却没有数值", sheet, row, vals["unit"][1],
                                hint="在“数值”列填写数字，或把单位写进事实文字")
        if percent:  # 85% typed, or a number Excel shows as a percentage (format 0.0%)
            if unit not in (None, "%", "％"):
                raise self.fail(f"数值是百分数，单位却是 “{excerpt(unit)}”", sheet, row, vals["unit"][1],
                                hint="百分数的单位就是 %：清空“单位”列，或把数值改为不带 % 的数")
            unit = "%"
        if "approx" in vals:
            approx, where = vals["approx"]
            if approx not in APPROX_WORDS:
                raise self.fail(f"约数写法 “{excerpt(approx)}” 不认识", sheet, row, where,
                                hint="可用：" + "、".join(APPROX_WORDS))
            if value is None:
                raise self.fail("写了约数却没有数值", sheet, row, where, hint="在“数值”列填写数字，或清空约数")
        return Statement(compose_statement(text, value, unit, approx), row, field, section,
                         value, unit, approx)


def _letter(c, label: str | None = None) -> str:
    from openpyxl.utils import get_column_letter

    letter = f"{get_column_letter(c.column)}列"
    return f"{label}（{letter}）" if label else letter


def _norm(label: str) -> str:
    # 列名 may carry a note such as 事实（每行一条）, spaces or a colon: compare the name only.
    return re.sub(r"[（(].*?[）)]|[\s:：]", "", label).lower()


def _header_name(key: str, labels: dict[str, str]) -> str:
    names = {"label": "字段", "content": "内容"} | {k: label for k, label, _ in FACT_COLUMNS}
    return names.get(key, next(label for label, k in labels.items() if k == key))


def _suggest(label: str, names) -> str:
    names = list(dict.fromkeys(names))
    best = closest(_norm(label), names)
    return f"是不是想写 {best}？" if best else "可用：" + "、".join(names) + "；"


def _cell_text(c) -> tuple[str, bool]:
    """The text a cell shows, and whether a clerk's trailing zeros may have been lost."""
    v = c.value
    if v is None or isinstance(v, str):
        return (v or "").strip(), False
    if isinstance(v, bool):
        return ("TRUE" if v else "FALSE"), False
    if isinstance(v, dt.datetime) and v.time() != dt.time():
        return f"{v.year}年{v.month}月{v.day}日 {v.hour}:{v.minute:02d}", False
    if isinstance(v, dt.date):  # 2024年12月28日 typed into a non-text cell becomes a date
        return f"{v.year}年{v.month}月{v.day}日", False
    if isinstance(v, int):
        return str(v), False
    if isinstance(v, float):
        return _float_text(v, c.number_format or "General")
    return str(v).strip(), False


def _float_text(value: float, fmt: str) -> tuple[str, bool]:
    section = re.sub(r'"[^"]*"', "", fmt.split(";")[0])
    percent = "%" in section
    # Excel shows at most 15 significant digits: 0.1+0.2 is 0.3 to the clerk.
    number = Decimal(f"{value * 100 if percent else value:.15g}")
    if "0" in section:  # 0.00, #,##0.0, 0.0%: the format says how many decimals the clerk sees
        dot = re.search(r"\.(0+)", section)
        try:
            number = number.quantize(Decimal(1).scaleb(-len(dot.group(1)) if dot else 0), ROUND_HALF_UP)
        except InvalidOperation:  # beyond 28 digits: keep what the 15 significant digits say
            pass
        lossy = False
    else:  # General: 12.60 typed is stored and shown as 12.6
        lossy = number != number.to_integral_value()
    return format(number, "f") + ("%" if percent else ""), lossy

