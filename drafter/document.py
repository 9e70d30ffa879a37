"""Draft files: Markdown with YAML front matter and section markers, rendered and parsed back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from drafter.errors import DocumentError, excerpt
from drafter.files import DecodedText, read_text

FORMAT_VERSION = 1
OPENING_ID = "_opening"
CLOSING_ID = "_closing"
STATUS_NAMES = {"passed": "通过", "needs-review": "需人工核对", "failed": "失败"}

_OPEN = re.compile(r"^<!--\s*section:\s*(?P<id>[^\s>]+)\s*-->\s*$")
_CLOSE = re.compile(r"^<!--\s*/section\s*-->\s*$")
_MARKER_LIKE = re.compile(r"^<!--\s*/?\s*section\b")
_CN_DIGITS = "零一二三四五六七八九"
MAX_PATH_CHARS = 4096


@dataclass
class RenderedSection:
    """One section as it goes into a draft: id, heading (None for opening/closing), body, status."""

    id: str
    title: str
    kind: str
    body: str
    status: str = "passed"
    attempts: int = 1
    note: str | None = None


@dataclass(frozen=True)
class DraftSection:
    """A section found in a draft file: its id and where its body is."""

    id: str
    start: int   # code-point offset of the body's first character (after the open marker line)
    end: int     # offset of the close marker line
    line: int    # 1-based line of the open marker

    def body(self, text: str) -> str:
        """The section body as it stands in the file, without surrounding blank lines."""
        return text[self.start:self.end].strip("\r\n")


@dataclass(frozen=True)
class Draft:
    """A parsed draft: front matter (a dict, possibly empty) and its sections in order."""

    path: Path | None
    text: str
    meta: dict
    body_start: int
    sections: tuple[DraftSection, ...] = field(default=())

    def section(self, section_id: str) -> DraftSection:
        """The section with this id, or a DocumentError listing the ids present."""
        for sec in self.sections:
            if sec.id == section_id:
                return sec
        ids = "、".join(s.id for s in self.sections) or "（没有）"
        raise DocumentError(f"草稿中没有章节 “{section_id}”", path=self.path,
                            hint=f"草稿中的章节：{ids}")

    def facts_path(self) -> Path | None:
        """The facts file named in the front matter, resolved against the draft's folder."""
        value = self.meta.get("facts")
        if not value:
            return None
        problem = ("应为事实文件的路径，实际不是一段文字" if not isinstance(value, str)
                   else "路径中含有空字符（\\0）" if "\x00" in value
                   else "路径过长" if len(value) > MAX_PATH_CHARS else None)
        if problem:
            raise DocumentError(f"front matter 中事实文件的{problem}" if isinstance(value, str)
                                else f"front matter 中 facts {problem}", path=self.path,
                                line=self.meta_line("facts"), field="facts",
                                hint="请改为事实文件的路径，例如 facts: 事实.yaml，或用 --facts 指定事实文件")
        path = Path(value)
        if not path.is_absolute() and self.path is not None:
            path = self.path.parent / path
        return path

    def meta_line(self, key: str) -> int:
        """The line of a top-level front-matter key (1 when it cannot be found)."""
        found = re.search(rf"^{re.escape(key)}\s*:", self.text[:self.body_start], re.M)
        return self.text.count("\n", 0, found.start()) + 1 if found else 1


def chinese_ordinal(n: int) -> str:
    """A heading number in Chinese: 1 一, 10 十, 12 十二, 101 一百零一, 110 一百一十, 10001 一万零一."""
    if n < 0:
        raise ValueError(f"no Chinese ordinal for {n}")
    return _numeral(n, leading=True) if n else _CN_DIGITS[0]


def _numeral(n: int, *, leading: bool) -> str:
    for size, name in ((10**8, "亿"), (10**4, "万")):
        if n >= size:
            high, low = divmod(n, size)
            text = _numeral(high, leading=leading) + name
            if low:
                text += ("零" if low < size // 10 else "") + _numeral(low, leading=False)
            return text
    out, gap = "", False
    for place, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, place)
        if not digit:
            gap = bool(out)
            continue
        out += "零" if gap else ""
        gap = False
        # 十二, not 一十二, at the start of a number; 一百一十 inside one.
        out += ("" if digit == 1 and place == 10 and not out and leading else _CN_DIGITS[digit]) + name
    return out


def render_draft(*, meta: dict, title: str, sections: list[RenderedSection],
                 author: str, date: str | None) -> str:
    """Render a whole draft: front matter, title, sections with markers, 落款."""
    import yaml

    meta = dict(meta, sections={s.id: _status_entry(s) for s in sections})
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    parts = [f"---\n{front}---\n", f"# {title}\n"]
    number = 0
    for sec in sections:
        if sec.kind in ("intro", "closing"):
            heading = ""
        else:
            number += 1
            heading = f"## {chinese_ordinal(number)}、{sec.title}\n\n"
        parts.append(f"{heading}<!-- section: {sec.id} -->\n{sec.body.strip()}\n<!-- /section -->\n")
    parts.append("\n".join(x for x in (author, date) if x) + "\n")
    return "\n".join(parts)


def _status_entry(sec: RenderedSection) -> dict:
    entry = {"title": sec.title, "status": sec.status, "attempts": sec.attempts}
    if sec.note:
        entry["note"] = sec.note
    return entry


def read_draft(path: Path) -> tuple[DecodedText, Draft]:
    """Read and parse a draft file (damaged markers are errors naming the line)."""
    decoded = read_text(path, what="草稿")
    return decoded, parse_draft(decoded.text, path)


def normalize(text: str) -> str:
    """A section body as compared across saves: LF newlines, no surrounding blank lines."""
    return text.replace("\r\n", "\n").strip("\n")


def parse_draft(text: str, path: Path | None = None) -> Draft:
    """Find the front matter and the section markers; damaged markers are errors, never guesses."""
    meta, body_start = _front_matter(text, path)
    sections: list[DraftSection] = []
    seen: dict[str, int] = {}
    current: tuple[str, int, int] | None = None  # id, body start, line
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if offset < body_start:
            offset += len(line)
            continue
        stripped = line.strip()
        opened, closed = _OPEN.match(stripped), _CLOSE.match(stripped)
        if opened:
            sid = opened.group("id")
            if current is not None:
                raise DocumentError(f"章节 “{current[0]}” 还没有结束标记，又出现了章节 “{sid}” 的开始标记",
                                    path=path, line=number,
                                    hint=f"请在第 {number} 行之前补上 <!-- /section -->")
            if sid in seen:
                raise DocumentError(f"章节标记 “{sid}” 重复（第 {seen[sid]} 行已出现）", path=path,
                                    line=number, hint="请删除多余的一组标记，保留正确的那一节")
            seen[sid] = number
            current = (sid, offset + len(line), number)
        elif closed:
            if current is None:
                raise DocumentError("多出一个章节结束标记 <!-- /section -->，前面没有对应的开始标记",
                                    path=path, line=number,
                                    hint="可能是开始标记被删掉了：请补上 <!-- section: 章节ID -->")
            sections.append(DraftSection(current[0], current[1], offset, current[2]))
            current = None
        elif _MARKER_LIKE.match(stripped):
            raise DocumentError(f"无法识别的章节标记：{stripped}", path=path, line=number,
                                hint="格式应为 <!-- section: 章节ID --> 和 <!-- /section -->")
        offset += len(line)
    if current is not None:
        raise DocumentError(f"章节 “{current[0]}” 没有结束标记", path=path, line=current[2],
                            hint="请在这一节正文之后补上 <!-- /section -->")
    return Draft(path, text, meta, body_start, tuple(sections))


def _front_matter(text: str, path: Path | None) -> tuple[dict, int]:
    if not text.startswith("---"):
        return {}, 0
    match = re.match(r"---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|$)", text, re.S)
    if not match:
        raise DocumentError("文件开头的 front matter 没有结束的 “---” 行", path=path, line=1)
    import yaml

    from drafter.yaml_nodes import NodeError, load

    try:
        meta = load(match.group(1) or "") or {}
    except NodeError as exc:
        raise DocumentError(f"front matter {exc.message}", path=path, line=exc.line + 1, hint=exc.hint) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DocumentError(f"front matter 不是合法的 YAML：{excerpt(getattr(exc, 'problem', exc), 80)}",
                            path=path, line=mark.line + 2 if mark else 1) from None
    if not isinstance(meta, dict):
        raise DocumentError("front matter 应为“键: 值”的映射", path=path, line=1)
    return meta, match.end()


def replace_section(text: str, section: DraftSection, body: str) -> str:
    """Return text with only that section's body replaced (every other byte kept)."""
    newline = "\r\n" if "\r\n" in text[:section.start] else "\n"
    new_body = body.strip("\n").replace("\r\n", "\n").replace("\n", newline) + newline
    return text[:section.start] + new_body + text[section.end:]


def update_front_matter(text: str, *, sections: dict[str, dict] | None = None,
                        fields: dict[str, str] | None = None, path: Path | None = None) -> str:
    """Rewrite only the named front-matter entries (section status, scalar fields); keep every other byte."""
    import yaml

    match = re.match(r"---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|$)", text, re.S)
    if not match or match.group(1) is None:
        raise DocumentError("草稿没有 front matter，无法记录章节状态", path=path, line=1,
                            hint="草稿应以 “---” 行开头；请用 drafter draft 重新生成草稿")
    front, base = match.group(1), match.start(1)
    newline = "\r\n" if "\r\n" in front else "\n"
    _front_matter(text, path)  # aliases, tags and syntax checked before the nodes are walked
    root = yaml.compose(front)
    if not isinstance(root, yaml.MappingNode):
        raise DocumentError("front matter 应为“键: 值”的映射", path=path, line=1)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in front-matter offsets
    keys = {k.value: (k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    for name, value in (fields or {}).items():
        if name in keys and isinstance(keys[name][1], yaml.ScalarNode):
            node = keys[name][1]
            edits.append((node.start_mark.index, node.end_mark.index, _yaml_scalar(value)))
        else:
            edits.append((len(front), len(front), f"{name}: {_yaml_scalar(value)}{newline}"))
    if sections:
        edits += _section_edits(front, keys.get("sections"), sections, newline)
    for start, end, replacement in sorted(edits, key=lambda e: e[0], reverse=True):
        front = front[:start] + replacement + front[end:]
    result = text[:base] + front + text[match.end(1):]
    meta, _ = _front_matter(result, path)
    for sid, entry in (sections or {}).items():
        if (meta.get("sections") or {}).get(sid) != entry:  # never write a guess
            raise DocumentError(f"无法在 front matter 中更新章节 “{sid}” 的状态", path=path, line=1,
                                hint="front matter 的 sections 部分格式异常，请检查或删除该部分后重试")
    return result


def _yaml_scalar(value) -> str:
    import yaml

    dumped = yaml.safe_dump(value, allow_unicode=True, width=1000)
    return dumped.removesuffix("\n...\n").rstrip("\n")


def _section_edits(front: str, pair, sections: dict[str, dict], newline: str) -> list[tuple[int, int, str]]:
    import yaml

    def block(sid: str, indent: int) -> str:
        dumped = yaml.safe_dump({sid: sections[sid]}, allow_unicode=True, sort_keys=False, width=1000)
        return "".join(" " * indent + line + newline for line in dumped.splitlines())

    if pair is None:
        return [(len(front), len(front), "sections:" + newline + "".join(block(s, 2) for s in sections))]
    key, node = pair
    if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
        # Empty, flow-style ({…}) or not a mapping at all: rewrite this one key as a block.
        from drafter.yaml_nodes import load

        existing = (load(front) or {}).get("sections")
        merged = {**(existing if isinstance(existing, dict) else {}), **sections}
        dumped = yaml.safe_dump({"sections": merged}, allow_unicode=True, sort_keys=False, width=1000)
        start, end = _line_start(front, key.start_mark.index), _line_end(front, _last_index(node))
        return [(start, end, "".join(line + newline for line in dumped.splitlines()))]
    edits, present = [], set()
    indent = node.value[0][0].start_mark.column
    for k, v in node.value:
        if k.value in sections:
            present.add(k.value)
            edits.append((_line_start(front, k.start_mark.index), _line_end(front, _last_index(v)),
                          block(k.value, k.start_mark.column)))
    missing = [s for s in sections if s not in present]
    if missing:
        at = _line_end(front, _last_index(node))
        edits.append((at, at, "".join(block(s, indent) for s in missing)))
    return edits


def _last_index(node) -> int:
    """Offset just after the last character of a node's own content (scalars end exactly)."""
    import yaml

    if isinstance(node, yaml.MappingNode) and node.value:
        return _last_index(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and node.value:
        return _last_index(node.value[-1])
    return node.end_mark.index


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", max(index - 1, 0))
    return len(text) if end < 0 else end + 1
