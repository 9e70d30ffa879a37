"""Word (.docx) input: the text of paragraphs and table cells in document order, for checking.

python-docx is imported inside the function only: `drafter check` on a .md file must start fast.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from drafter.errors import DocumentError
from drafter.files import DecodedText

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, and encrypted .docx
_SKIP = frozenset({"del", "moveFrom", "Fallback", "pPr", "rPr", "sdtPr", "instrText", "delText"})
_CHARS = {"tab": "\t", "ptab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}


@dataclass(frozen=True)
class DocxText(DecodedText):
    """The text of a .docx, usable wherever a DecodedText is; no encoding notice applies."""

    @property
    def notice(self) -> str | None:
        """Always None: a .docx has no text encoding for the user to worry about."""
        return None


def extract_docx_text(path: str | Path) -> DocxText:
    """Read a .docx's paragraphs and table cells in document order, one line each, for checking."""
    from drafter.files import MAX_TEXT_BYTES, read_bytes

    p = Path(path)
    data = read_bytes(p, what="文档", max_bytes=MAX_TEXT_BYTES)
    if data.startswith(_OLE2_MAGIC):
        raise DocumentError("这不是 .docx 文件：看起来是旧版 Word（.doc）文件，或是设置了密码的文档",
                            path=p, hint="请用 Word 或 WPS 打开，取消密码后“另存为” Word 文档（.docx）")
    from docx import Document

    try:
        doc = Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - every way a package fails to open means "not a usable .docx"
        raise DocumentError("不是有效的 Word .docx 文件（文件已损坏，或只是把扩展名改成了 .docx）", path=p,
                            hint="请用 Word 或 WPS 打开后“另存为” Word 文档（.docx）；纯文本请保存为 .txt 再检查"
                            ) from None
    text = "\n".join(_block_lines(doc.element.body))
    if not text.strip():
        raise DocumentError("Word 文档里没有文字", path=p, hint="请确认选对了文件；图片或扫描件中的文字无法核对")
    return DocxText(p, text, "docx", hashlib.sha256(data).hexdigest())


def _block_lines(container) -> list[str]:
    """Lines of a body, cell or text box: one per paragraph, one per table row (cells tab-separated)."""
    lines: list[str] = []
    for child in _children(container, "p", "tbl"):
        if _local(child) == "p":
            lines.extend(_paragraph_lines(child))
        else:
            for row in _children(child, "tr"):
                lines.append("\t".join("\n".join(_block_lines(c)) for c in _children(row, "tc")))
    return lines


def _children(el, *names: str):
    """Child elements with these local names, looking through content-control wrappers."""
    for child in el:
        tag = _local(child)
        if tag in names:
            yield child
        elif tag in ("sdt", "sdtContent", "customXml"):
            yield from _children(child, *names)


def _paragraph_lines(p) -> list[str]:
    parts: list[str] = []
    boxes: list[str] = []

    def walk(el) -> None:
        for child in el:
            tag = _local(child)
            if tag in _SKIP:
                continue
            if tag == "txbxContent":
                boxes.extend(_block_lines(child))
            elif tag == "t":
                parts.append(child.text or "")
            elif tag in _CHARS:
                parts.append(_CHARS[tag])
            else:
                walk(child)

    walk(p)
    return ["".join(parts)] + boxes


def _local(el) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""
