"""Reading users' text files (UTF-8, GBK/GB18030, UTF-16) and writing files atomically."""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from drafter.errors import InputError

MAX_FACTS_BYTES = 1024 * 1024

# Friendly names for the notice a user reads when a file was not UTF-8.
_ENCODING_NAMES = {"gb18030": "GB18030（兼容 GBK/GB2312）", "utf-16": "UTF-16"}


@dataclass(frozen=True)
class DecodedText:
    """A file's text exactly as decoded (BOM removed, nothing else changed)."""

    path: Path
    text: str
    encoding: str
    sha256: str = ""  # of the bytes as read: a draft records which facts it was drafted from
    bom: bytes = b""  # the byte-order mark the file started with, so a rewrite can keep it

    @property
    def notice(self) -> str | None:
        """A one-line Chinese notice when the file was not UTF-8, else None."""
        return encoding_notice(self.path, self.encoding)


def encoding_notice(path: Path, encoding: str) -> str | None:
    """Tell the user which encoding a non-UTF-8 file was read with (None for UTF-8)."""
    if encoding == "utf-8":
        return None
    name = _ENCODING_NAMES.get(encoding, encoding)
    return f"提示：{path} 不是 UTF-8 编码，已按 {name} 编码读取。"


def read_text(path: str | Path, *, what: str = "文件", max_bytes: int | None = None) -> DecodedText:
    """Read a user's text file strictly, raising InputError with a Chinese message on trouble."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{what}不存在", path=p, hint="请检查路径是否正确；路径含空格时请加引号")
    if p.is_dir():
        raise InputError(f"这是一个文件夹，不是{what}", path=p, hint="请给出文件的路径")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取{what}：{exc.strerror or exc}", path=p) from None
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError(
            f"{what}过大（{len(data) / 1024 / 1024:.1f} MB，上限 {max_bytes // 1024 // 1024} MB）",
            path=p, hint="请确认选对了文件",
        )
    text, encoding = decode_bytes(data, p, what)
    if not text.strip():
        raise InputError(f"{what}是空的", path=p, hint="请先填写内容，可用 drafter init 生成模板")
    bom = next((b for b in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) if data.startswith(b)), b"")
    return DecodedText(p, text, encoding, hashlib.sha256(data).hexdigest(), bom)


def decode_bytes(data: bytes, path: Path, what: str = "文件") -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM optional), UTF-16 with BOM, or GB18030, strictly, in that order."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _reject_control(data.decode("utf-16"), path, what), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise InputError(f"这是二进制文件，不是文本{what}", path=path,
                         hint="Word/Excel 文件请先另存为纯文本（.txt）或 YAML")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _reject_control(text, path, what), "utf-8" if encoding == "utf-8-sig" else encoding
    raise InputError(
        f"无法识别{what}的编码：既不是 UTF-8 也不是 GBK/GB18030{_likely_encoding(data)}",
        path=path, hint="请用记事本或 WPS 打开后另存为 UTF-8 编码",
    )


def _reject_control(text: str, path: Path, what: str) -> str:
    # A strict decode can still succeed on binary data; stray control characters give it away.
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if bad:
        raise InputError(f"这是二进制文件，不是文本{what}", path=path,
                         hint="Word/Excel 文件请先另存为纯文本（.txt）或 YAML")
    return text


def _likely_encoding(data: bytes) -> str:
    # Only name a guess when there is enough text to make one; never decode with it.
    if len(data) < 64:
        return ""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return f"（看起来像 {best.encoding}）" if best is not None else ""


def refuse_overwrite(path: Path, *, force: bool, example: str,
                     error: type[InputError] = InputError) -> None:
    """Refuse an output path that is a folder, or an existing file unless --force was given."""
    if path.is_dir():
        raise error("输出位置是一个文件夹", path=path, hint=f"请给出文件名，例如 -o {example}")
    if path.exists() and not force:
        raise error("输出文件已存在，没有覆盖", path=path,
                         hint="如确需覆盖请加 --force，或用 -o 指定其他文件名")


def write_atomic(path: str | Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write text to path via a temp file in the same folder and a rename: never half-written."""
    write_atomic_bytes(path, text.encode(encoding))


def write_atomic_bytes(path: str | Path, data: bytes) -> None:
    """Write bytes (a .docx, an .xlsx, a text) via a temp file and a rename: never half-written."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); a replaced file keeps its mode, a new one gets the
        # mode any other new file would (0666 less the umask).
        os.chmod(tmp, _mode_of(p))
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
