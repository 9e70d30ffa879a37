"""Reading users' text files (UTF-8, GBK/GB18030, UTF-16) and writing files atomically."""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from drafter.errors import InputError, StorageError

MAX_FACTS_BYTES = 1024 * 1024
MAX_TEXT_BYTES = 20 * 1024 * 1024  # documents and drafts: a long summary is well under 1 MB

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


def read_text(path: str | Path, *, what: str = "文件", max_bytes: int = MAX_TEXT_BYTES) -> DecodedText:
    """Read a user's text file strictly, raising InputError with a Chinese message on trouble."""
    p = Path(path)
    data = read_bytes(p, what=what, max_bytes=max_bytes)
    text, encoding = decode_bytes(data, p, what)
    if not text.strip():
        raise InputError(f"{what}是空的", path=p, hint="请先填写内容，可用 drafter init 生成模板")
    bom = next((b for b in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) if data.startswith(b)), b"")
    return DecodedText(p, text, encoding, hashlib.sha256(data).hexdigest(), bom)


def read_bytes(path: str | Path, *, what: str, max_bytes: int,
               error: type[InputError] = InputError, hint: str = "请检查文件的读权限") -> bytes:
    """A regular file's bytes, at most max_bytes; folders, devices, pipes and unreadable files are errors."""
    p = Path(path)
    if "\x00" in str(p):
        raise error(f"{what}的路径中含有空字符（\\0）", path=printable_path(p), hint="请检查路径是否写错")
    try:
        # stat follows links: a link to /dev/zero is a device, and a FIFO must never be opened,
        # since opening one waits for a writer that may never come.
        st = os.stat(p)
    except (FileNotFoundError, NotADirectoryError):
        raise error(f"{what}不存在", path=p, hint="请检查路径是否正确；路径含空格时请加引号") from None
    except OSError as exc:
        raise error(f"无法读取{what}：{os_problem(exc)}", path=p, hint=hint) from None
    if stat.S_ISDIR(st.st_mode):
        raise error(f"这是一个文件夹，不是{what}", path=p, hint="请给出文件的路径")
    if not stat.S_ISREG(st.st_mode):
        raise error(f"这不是普通文件（而是设备、管道或套接字），不能作为{what}读取", path=p,
                    hint="请给出保存在磁盘上的文件")
    if st.st_size > max_bytes:
        raise error(_too_large(what, st.st_size, max_bytes), path=p, hint="请确认选对了文件")
    try:
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)  # the file may have grown since stat
    except OSError as exc:
        raise error(f"无法读取{what}：{os_problem(exc)}", path=p, hint=hint) from None
    if len(data) > max_bytes:
        raise error(_too_large(what, len(data), max_bytes), path=p, hint="请确认选对了文件")
    return data


def _too_large(what: str, size: int, max_bytes: int) -> str:
    return f"{what}过大（{size / 1024 / 1024:.1f} MB，上限 {max_bytes // 1024 // 1024} MB）"


def printable_path(path: str | Path) -> str:
    """A path as a message can show it: a null character written as \\0."""
    return str(path).replace("\x00", "\\0")


# errno -> what a clerk reads; anything else falls back to the system's own words.
_OS_PROBLEMS = {
    errno.ENOSPC: "磁盘空间已满",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "所在的磁盘或文件夹是只读的",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径中的某一级不是文件夹",
    errno.ENOENT: "文件夹不存在",
    errno.ENAMETOOLONG: "路径或文件名太长",
    errno.EFBIG: "文件超过了系统允许的大小",
    errno.EIO: "磁盘读写出错",
    errno.EBUSY: "文件正被其他程序占用",
    errno.EEXIST: "路径中有一级是已有的文件，不是文件夹",
    errno.EINVAL: "文件名中有系统不允许的字符（如 : * ? \" < > |）",
}
# Not every system has these (Windows has no EDQUOT).
_OS_PROBLEMS.update({getattr(errno, name): words for name, words in (
    ("EDQUOT", "磁盘空间已满（超出配额）"), ("ELOOP", "路径中的链接绕成了圈"), ("ETXTBSY", "文件正被其他程序占用"))
    if hasattr(errno, name)})
_NO_SPACE = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def os_problem(exc: OSError) -> str:
    """An OSError in Chinese: 磁盘空间已满, 没有权限… (the system's words for anything rarer)."""
    return _OS_PROBLEMS.get(exc.errno) or f"系统报告的错误：{exc.strerror or exc}"


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
                     error: type[InputError] = InputError, inputs=()) -> None:
    """Refuse an output path that is a folder, an input of the same command, or (without --force) an existing file."""
    path = Path(path)
    if path.is_dir():
        raise error("输出位置是一个文件夹", path=path, hint=f"请给出文件名，例如 -o {example}")
    for source in inputs:
        if source is not None and same_file(path, source):
            raise error("输出文件就是本命令读取的文件，不能覆盖它", path=path,
                        hint=f"请用 -o 另选一个文件名，例如 -o {example}")
    if _is_regular(path) and not force:
        raise error("输出文件已存在，没有覆盖", path=path,
                    hint="如确需覆盖请加 --force，或用 -o 指定其他文件名")


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when both paths name one existing file (also through links, case-insensitive folders)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _is_regular(path: Path) -> bool:
    # Only a regular file holds something a user could lose; /dev/null or a pipe does not.
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def write_atomic(path: str | Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write text to path via a temp file in the same folder and a rename: never half-written."""
    write_atomic_bytes(path, text.encode(encoding))


def write_atomic_bytes(path: str | Path, data: bytes) -> None:
    """Write bytes via a temp file and a rename (never half-written); StorageError naming the path on failure."""
    p = Path(path)
    existed = _is_regular(p)
    try:
        if _is_stream(p):
            _write_stream(p, data)
        else:
            _replace_with(p, data)
    except OSError as exc:
        raise StorageError(f"无法写入：{os_problem(exc)}", path=p, hint=_write_hint(exc, existed)) from None


def _is_stream(path: Path) -> bool:
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def _write_stream(path: Path, data: bytes) -> None:
    # A character device (/dev/null, a terminal) or a named pipe is written in place: a rename
    # would put a regular file where the device was, and there is no old content to keep.
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()


def _replace_with(p: Path, data: bytes) -> None:
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


def _write_hint(exc: OSError, existed: bool) -> str:
    kept = "原有文件没有改动；" if existed else ""
    if exc.errno in _NO_SPACE:
        return f"{kept}请清理磁盘空间后重试，或写到其他磁盘"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.EBUSY):
        return (f"{kept}请检查文件和所在文件夹的写权限；文件正在 Word、Excel 或 WPS 中打开时请先关闭，"
                "或写到其他文件夹")
    return f"{kept}请检查路径，或写到其他位置"


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
