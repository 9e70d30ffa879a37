"""The YAML facts reader: validate a clerk's YAML and build the facts model, naming line and field."""

from __future__ import annotations

import re

import yaml

from drafter.errors import FactsError, excerpt
from drafter.facts.model import (
    APPROX_WORDS,
    FIELD_NAMES,
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
from drafter.files import DecodedText
from drafter.suggestions import closest
from drafter.yaml_nodes import NodeError
from drafter.yaml_nodes import compose as compose_nodes

TOP_KEYS = ("unit", "period", "campaign", "topic", "title", "author", "date", "samples", "facts", "allow",
            "sections")
REQUIRED_TOP = ("unit", "period", "sections")
SECTION_KEYS = ("id", "title", "kind", "facts")
REQUIRED_SECTION = ("id", "title")
ITEM_KEYS = ("text", "value", "unit", "approx")

# Keys clerks are likely to write in Chinese, mapped to the key we expect.
_CHINESE_KEYS = {
    "单位": "unit", "时间": "period", "期间": "period", "年度": "period", "创建": "campaign", "主题": "topic",
    "范文": "samples", "范文文件夹": "samples",
    "标题": "title", "落款": "author", "日期": "date", "事实": "facts", "章节": "sections",
    "类型": "kind", "编号": "id", "标识": "id", "数值": "value", "单位名称": "unit", "约数": "approx",
}


def parse_facts(decoded: DecodedText) -> Facts:
    """Validate decoded YAML text as a facts file."""
    return _Parser(decoded).parse()


class _Parser:
    """Walks the YAML node tree (not the loaded data) so every error knows its line."""

    def __init__(self, decoded: DecodedText):
        self.path = decoded.path
        self.decoded = decoded

    def fail(self, message: str, node: yaml.Node | None = None, field: str | None = None,
             hint: str | None = None, line: int | None = None) -> FactsError:
        if line is None and node is not None:
            line = node.start_mark.line + 1
        return FactsError(message, path=self.path, line=line, field=field, hint=hint)

    def parse(self) -> Facts:
        root = self.compose()
        if isinstance(root, yaml.ScalarNode) and "：" in str(root.value):
            raise self.fail("文件不是“键: 值”的格式", root,
                            hint="请使用半角冒号“:”，冒号后加一个空格，例如 unit: 芦洲乡")
        top = self.mapping(root, "文件顶层", TOP_KEYS, REQUIRED_TOP, field=None)
        header = []
        values: dict[str, str] = {}
        for key in ("unit", "period", "campaign", "topic", "title", "author", "date"):
            if key in top and not (key in ("campaign", "topic") and _is_null(top[key][1])):
                k_node, v_node = top[key]
                values[key] = self.text(v_node, key, required=key in REQUIRED_TOP)
                header.append(Statement(values[key], v_node.start_mark.line + 1, key))
        unit, period = values["unit"], values["period"]
        campaign, topic = values.get("campaign") or None, values.get("topic") or None
        if campaign and topic:
            raise self.fail("campaign（创建目标）和 topic（主题）只能填一个", top["topic"][0], "topic",
                            hint="创建活动的总结（创建全国文明城市）填 campaign；其他工作的总结（乡村振兴、"
                                 "安全生产）填 topic")
        warnings = []
        if campaign and (warning := campaign_warning(campaign, top["campaign"][1].start_mark.line + 1)):
            warnings.append(warning)
        samples = samples_line = None
        if "samples" in top and not _is_null(top["samples"][1]):
            samples = self.text(top["samples"][1], "samples") or None
            samples_line = top["samples"][1].start_mark.line + 1
        if samples and (warning := samples_warning(self.path, samples, samples_line)):
            warnings.append(warning)
        facts = self.statements(top["facts"][1], "facts", None) if "facts" in top else ()
        allow = self.allow(top["allow"][1]) if "allow" in top else ()
        sections = self.sections(top["sections"][1])
        loaded = Facts(
            path=self.path, encoding=self.decoded.encoding, unit=unit, period=period,
            campaign=campaign, title=values.get("title") or default_title(unit, period, campaign, topic),
            author=values.get("author") or unit, date=values.get("date") or None,
            facts=facts, allow=allow, sections=sections, header=tuple(header),
            sha256=self.decoded.sha256, topic=topic, samples=samples, samples_line=samples_line,
            warnings=tuple(warnings),
        )
        if problem := size_problem(loaded):
            raise self.fail(problem, hint=SIZE_HINT)
        return loaded

    def compose(self) -> yaml.Node:
        try:
            root = compose_nodes(self.decoded.text)
        except NodeError as exc:
            raise self.fail(exc.message, line=exc.line, hint=exc.hint) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            if exc.context_mark is not None and "quoted scalar" in (exc.context or ""):
                mark = exc.context_mark  # where the unclosed quote opened, not the end of file
            line = mark.line + 1 if mark else None
            # YAML notices a "key：value" typo only on a later line; point at the typo itself.
            line = _fullwidth_key_line(self.decoded.text, line) or line
            raise self.fail(f"YAML 格式错误：{_yaml_problem(exc, self.decoded.text, line)}", line=line,
                            hint=_yaml_hint(exc, self.decoded.text, line)) from None
        except yaml.YAMLError as exc:
            raise self.fail(f"YAML 格式错误：{excerpt(exc, 120)}") from None
        if root is None:
            raise self.fail("事实文件是空的（只有注释）", hint="可用 drafter init 生成模板")
        return root

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...],
                required: tuple[str, ...], field: str | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(f"{what}应为“键: 值”的映射，实际是{_node_kind(node)}", node, field)
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for k_node, v_node in node.value:
            if not isinstance(k_node, yaml.ScalarNode):
                raise self.fail(f"键应为一个词，实际是{_node_kind(k_node)}", k_node, field,
                                hint="键写在冒号前，例如 unit: 芦洲乡；不能用列表或映射作键")
            key = str(k_node.value)
            where = f"{field}.{key}" if field else excerpt(key)
            if key in out:
                first = out[key][0].start_mark.line + 1
                raise self.fail(f"键 {excerpt(key)} 重复（第 {first} 行已出现）", k_node, where)
            if key not in allowed:
                raise self.fail(f"未知的键 “{excerpt(key)}”", k_node, where, hint=_suggest(key[:50], allowed))
            out[key] = (k_node, v_node)
        for key in required:
            if key not in out:
                raise self.fail(f"缺少必填的键 {key}（{FIELD_NAMES.get(key, key)}）", node,
                                f"{field}.{key}" if field else key,
                                hint=f"请在第 {node.start_mark.line + 1} 行所在的块中加上 {key}: …")
            if _is_null(out[key][1]):
                raise self.fail(f"必填的键 {key}（{FIELD_NAMES.get(key, key)}）没有填写内容",
                                out[key][0], f"{field}.{key}" if field else key)
        return out

    def text(self, node: yaml.Node, field: str, *, required: bool = False) -> str:
        """A scalar's text, stripped; "" for a blank or ~ value, which a required field refuses."""
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(f"应为一段文字，实际是{_node_kind(node)}", node, field,
                            hint="文字中含冒号、井号等符号时请给整段加引号")
        value = "" if _is_null(node) else str(node.value).strip()
        if not value and required:
            raise self.fail("内容不能为空", node, field, hint="请填写内容")
        if len(value) > MAX_TEXT_CHARS:
            raise self.fail(f"文字过长（{len(value)} 字，上限 {MAX_TEXT_CHARS} 字）", node, field,
                            hint="一条事实写一件事；长段材料请拆成几条")
        return value

    def statements(self, node: yaml.Node, field: str, section: str | None) -> tuple[Statement, ...]:
        if _is_null(node):
            return ()
        if isinstance(node, yaml.ScalarNode):
            raise self.fail("应为列表（每条事实一行，以“- ”开头）", node, field,
                            hint="例如 “  - 志愿服务队伍共计65人”")
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(f"应为列表，实际是{_node_kind(node)}", node, field)
        if section is not None and (problem := limit_problem("本章节的事实条数", len(node.value),
                                                               MAX_SECTION_FACTS)):
            raise self.fail(problem, node, field, hint="请只保留要写进本节的事实，或把本节拆成几节")
        out = []
        for i, item in enumerate(node.value):
            where = f"{field}[{i}]"
            line = item.start_mark.line + 1
            if isinstance(item, yaml.MappingNode):
                out.append(self.item(item, where, section))
            elif isinstance(item, yaml.ScalarNode) and not self.text(item, where):
                raise self.fail("这一条事实是空的", item, where, hint="请在“- ”后写上事实，或删掉这一行")
            else:
                out.append(Statement(self.text(item, where), line, where, section))
        return tuple(out)

    def item(self, node: yaml.MappingNode, field: str, section: str | None) -> Statement:
        m = self.mapping(node, "事实条目", ITEM_KEYS, ("text",), field)
        text = self.text(m["text"][1], f"{field}.text", required=True)
        value = unit = approx = None
        percent = False
        if "unit" in m:
            unit = self.text(m["unit"][1], f"{field}.unit") or None
        if "value" in m and not _is_null(m["value"][1]):
            v_node = m["value"][1]
            if not isinstance(v_node, yaml.ScalarNode):
                raise self.fail(f"数值应为数字，实际是{_node_kind(v_node)}", v_node, f"{field}.value")
            try:
                value, percent = parse_value(str(v_node.value))
            except ValueProblem as exc:
                raise self.fail(f"{exc}，实际是 “{excerpt(v_node.value)}”", v_node, f"{field}.value",
                                hint="只写数字，例如 value: 7；单位写在 unit 里") from None
        if percent:
            if unit not in (None, "%", "％"):
                raise self.fail(f"数值写成了百分数，单位却是 “{excerpt(unit)}”", m["unit"][1], f"{field}.unit",
                                hint="百分数的单位就是 %：删掉 unit，或把 % 从数值中去掉")
            unit = "%"
        if "approx" in m and not _is_null(m["approx"][1]):
            a_node = m["approx"][1]
            approx = self.text(a_node, f"{field}.approx")
            if approx not in APPROX_WORDS:
                raise self.fail(f"约数写法 “{excerpt(approx)}” 不认识", a_node, f"{field}.approx",
                                hint="可用：" + "、".join(APPROX_WORDS))
            if value is None:
                raise self.fail("写了约数 approx 却没有数值 value", a_node, f"{field}.approx")
        if unit is not None and value is None:
            raise self.fail("写了单位 unit 却没有数值 value", m["unit"][1], f"{field}.unit")
        return Statement(compose_statement(text, value, unit, approx), node.start_mark.line + 1,
                         field, section, value, unit, approx)

    def allow(self, node: yaml.Node) -> tuple[str, ...]:
        if _is_null(node):
            return ()
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail("应为短语列表，例如 allow: [四办五中心]", node, "allow")
        return tuple(self.text(item, f"allow[{i}]", required=True) for i, item in enumerate(node.value))

    def sections(self, node: yaml.Node) -> tuple[Section, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(f"sections 应为章节列表，实际是{_node_kind(node)}", node, "sections",
                            hint="每个章节以“- id: …”开头")
        if not node.value:
            raise self.fail("章节列表是空的：至少需要一个章节", node, "sections",
                            hint="可用 drafter init 生成带示例章节的模板")
        if problem := limit_problem("章节", len(node.value), MAX_SECTIONS):
            raise self.fail(problem, node.value[MAX_SECTIONS], f"sections[{MAX_SECTIONS}]",
                            hint="一份总结通常不超过二十节；请合并相近的章节")
        seen: dict[str, int] = {}
        out = []
        for i, s_node in enumerate(node.value):
            where = f"sections[{i}]"
            m = self.mapping(s_node, "章节", SECTION_KEYS, REQUIRED_SECTION, where)
            id_node = m["id"][1]
            sid = self.text(id_node, f"{where}.id", required=True)
            if not SECTION_ID.match(sid):
                raise self.fail(f"章节 ID “{excerpt(sid)}” 不合规", id_node, f"{where}.id",
                                hint="只能用小写英文字母、数字、下划线和连字符，且不能以下划线开头，例如 publicity")
            if sid in seen:
                raise self.fail(f"章节 ID “{sid}” 重复（第 {seen[sid]} 行已使用）", id_node,
                                f"{where}.id", hint="每个章节的 id 必须不同")
            seen[sid] = id_node.start_mark.line + 1
            kind = "work"
            if "kind" in m:
                kind_node = m["kind"][1]
                kind = self.text(kind_node, f"{where}.kind") or "work"
                if kind not in KINDS:
                    raise self.fail(f"类型 “{excerpt(kind)}” 不认识", kind_node, f"{where}.kind",
                                    hint="可用：" + "、".join(f"{k}（{KIND_NAMES[k]}）" for k in KINDS)
                                    + _suggest(kind, KINDS, prefix="；"))
            title_node = m["title"][1]
            facts = self.statements(m["facts"][1], f"{where}.facts", sid) if "facts" in m else ()
            out.append(Section(sid, self.text(title_node, f"{where}.title", required=True), kind, facts,
                               s_node.start_mark.line + 1, title_node.start_mark.line + 1, i))
        return tuple(out)



def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "映射（键: 值）"
    if isinstance(node, yaml.SequenceNode):
        return "列表"
    if _is_null(node):
        return "空值"
    return f"文字 “{excerpt(node.value)}”"


def _suggest(key: str, allowed: tuple[str, ...], prefix: str = "") -> str:
    if key in _CHINESE_KEYS and _CHINESE_KEYS[key] in allowed:
        return f"{prefix}请改用英文键 {_CHINESE_KEYS[key]}"
    close = closest(key, allowed)
    if close:
        return f"{prefix}是不是想写 {close}？"
    return f"{prefix}可用的键：" + "、".join(allowed) if not prefix else ""


_YAML_PROBLEMS = {
    "mapping values are not allowed": "此处不能出现“: ”",
    "could not find expected ':'": "缺少冒号“:”",
    "found undefined alias": "引用了未定义的别名",
    "expected <block end>, but found": "缩进不一致",
    "did not find expected key": "缩进不一致或缺少键",
    "did not find expected '-' indicator": "列表缩进不一致",
    "found unexpected end of stream": "引号或括号没有闭合",
    "found unknown escape character": "双引号中有无效的转义字符",
}


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str, line: int | None) -> str:
    problem = (exc.problem or "").strip()
    if _tab_indented(text, line):
        return f"不能用 Tab 缩进（{problem}）"
    for english, chinese in _YAML_PROBLEMS.items():
        if problem.startswith(english):
            return f"{chinese}（{problem}）"
    return problem or excerpt(exc, 120)


def _tab_indented(text: str, line: int | None) -> bool:
    lines = text.splitlines()
    if not line or line > len(lines):
        return False
    current = lines[line - 1]
    return "\t" in current[: len(current) - len(current.lstrip())]


_FULLWIDTH_KEY = re.compile(r"^\s*-?\s*[A-Za-z_]+\s*：", re.MULTILINE)


def _fullwidth_key_line(text: str, line: int | None) -> int | None:
    """The last line at or up to two lines before `line` whose key ends in a full-width colon."""
    lines = text.splitlines()
    for number in range(min(line or 1, len(lines)), max(0, (line or 1) - 3), -1):
        if _FULLWIDTH_KEY.match(lines[number - 1]):
            return number
    return None


def _yaml_hint(exc: yaml.MarkedYAMLError, text: str, line: int | None) -> str:
    problem = exc.problem or ""
    if _fullwidth_key_line(text, line):
        return "键后面的冒号请用半角“:”，并在冒号后加一个空格，例如 unit: 芦洲乡"
    if _tab_indented(text, line):
        return "请把行首的 Tab 换成空格"
    if problem.startswith("mapping values"):
        return "文字里有“: ”时请给整段加引号，或改用全角冒号“：”"
    if "escape" in problem:
        return "路径或文字含反斜杠时请改用单引号"
    return "请检查这一行及上一行的缩进、冒号和引号"

