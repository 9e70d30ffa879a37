"""The machine refuses: a full disk, read-only folders and files, a damaged or read-only history
database, an unreadable facts file. Each is one Chinese line naming the path, exit code 2, and no
file is lost or half-written.

A full disk is /dev/full (every write fails with ENOSPC) where a path can point at it, and
otherwise os.fsync failing with ENOSPC, which is where a full disk shows itself on many file
systems. Permissions are real: as root, drafter runs under setpriv without the capabilities
that let root ignore them.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

FACTS = FIXTURES / "facts" / "篇一.yaml"


def _drafter_unprivileged(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run drafter in a new process to which file permissions apply, even when the tests run as root."""
    if sys.platform == "win32":
        pytest.skip("POSIX permissions")
    command = [sys.executable, "-m", "drafter", *[str(a) for a in args]]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"] if setpriv else []
        if not prefix or subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
            pytest.skip("running as root without setpriv: permissions would not apply")
        command = prefix + command
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", timeout=300, cwd=cwd)


def _one_error(stderr: str, path: Path, *words: str) -> None:
    """One error line (after any notices), naming the path first, with these words."""
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("错误：")]
    assert len(errors) == 1 and errors[0].startswith(f"错误：{path}："), stderr
    for word in words:
        assert word in errors[0], (word, stderr)


@pytest.fixture
def drafted(run, tmp_path):
    """An offline draft in its own folder, with its facts file beside it."""
    folder = tmp_path / "总结 文件夹"
    folder.mkdir()
    facts = folder / "facts.yaml"
    facts.write_bytes(FACTS.read_bytes())
    draft = folder / "草稿.md"
    result = run("draft", facts, "-o", draft)
    assert result.exit_code == 0, result.stderr
    return draft


@pytest.fixture
def read_only():
    """Make folders or files read-only for one test, and writable again afterwards."""
    changed: list[tuple[Path, int]] = []

    def make(path: Path) -> Path:
        changed.append((path, stat.S_IMODE(path.stat().st_mode)))
        path.chmod(0o555 if path.is_dir() else 0o444)
        return path

    yield make
    for path, mode in reversed(changed):
        path.chmod(mode)


@pytest.fixture
def disk_full(monkeypatch):
    """From now on every fsync fails as on a full disk (ENOSPC)."""
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- the output is one of the command's inputs --------------------------------------------------


def test_file_system_draft_never_replaces_its_facts_file(run, tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_bytes(FACTS.read_bytes())
    result = run("draft", facts, "-o", facts, "--force")
    assert result.exit_code == 2
    _one_error(result.stderr, facts, "本命令读取的文件")
    assert facts.read_bytes() == FACTS.read_bytes()


def test_file_system_export_never_replaces_its_draft(run, drafted):
    before = drafted.read_bytes()
    result = run("export", drafted, "-o", drafted, "--force")
    assert result.exit_code == 2 and drafted.read_bytes() == before
    _one_error(result.stderr, drafted, "本命令读取的文件")


def test_file_system_draft_of_more_than_a_hundred_sections(run, tmp_path):
    # Section 100 once crashed the writing of the draft after every section had been drafted.
    facts = tmp_path / "facts.yaml"
    facts.write_text("unit: 芦洲乡\nperiod: 2017年\nsections:\n" + "".join(
        f"  - id: s{i}\n    title: 第{i}项工作\n    facts: [扎实推进第{i}项工作]\n" for i in range(1, 102)),
        encoding="utf-8")
    draft = tmp_path / "草稿.md"
    result = run("draft", facts, "-o", draft)
    assert result.exit_code in (0, 1), result.stderr
    headings = [line for line in draft.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    assert headings[-2:] == ["## 一百、第100项工作", "## 一百零一、第101项工作"]


# -- a full disk ---------------------------------------------------------------------------------


def test_file_system_draft_force_on_a_full_disk_keeps_the_old_draft(run, drafted, disk_full):
    before = drafted.read_bytes()
    result = run("draft", drafted.parent / "facts.yaml", "-o", drafted, "--force")
    assert result.exit_code == 2
    _one_error(result.stderr, drafted, "无法写入", "磁盘空间已满", "原有文件没有改动")
    assert drafted.read_bytes() == before and _leftovers(drafted.parent) == []


def test_file_system_regenerate_on_a_full_disk_changes_nothing(run, drafted, disk_full):
    before = drafted.read_bytes()
    result = run("regenerate", drafted, "--section", "publicity", "--model", "offline")
    assert result.exit_code == 2
    _one_error(result.stderr, drafted, "无法写入", "磁盘空间已满")
    assert drafted.read_bytes() == before and _leftovers(drafted.parent) == []


def test_file_system_export_on_a_full_disk(run, drafted):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    out = drafted.parent / "总结.docx"
    out.symlink_to("/dev/full")
    result = run("export", drafted, "-o", out)
    assert result.exit_code == 2
    _one_error(result.stderr, out, "无法写入", "磁盘空间已满")


# -- read-only folders and files -----------------------------------------------------------------


def test_file_system_check_output_into_a_read_only_folder(tmp_path, read_only):
    folder = tmp_path / "只读"
    folder.mkdir()
    read_only(folder)
    out = folder / "报告.txt"
    proc = _drafter_unprivileged("check", FIXTURES / "samples" / "篇二.txt", "--facts",
                                 FIXTURES / "facts" / "篇二.yaml", "-o", out)
    assert proc.returncode == 2
    _one_error(proc.stderr, out, "无法写入", "没有权限")
    assert list(folder.iterdir()) == []


def test_file_system_export_into_a_read_only_folder(drafted, read_only, tmp_path):
    folder = tmp_path / "只读"
    folder.mkdir()
    read_only(folder)
    out = folder / "总结.docx"
    proc = _drafter_unprivileged("export", drafted, "-o", out)
    assert proc.returncode == 2
    _one_error(proc.stderr, out, "无法写入", "没有权限")
    assert list(folder.iterdir()) == []


def test_file_system_regenerate_in_a_read_only_folder_changes_nothing(drafted, read_only):
    before = drafted.read_bytes()
    read_only(drafted.parent)  # its .drafter folder, with the lock and the history, stays writable
    proc = _drafter_unprivileged("regenerate", drafted, "--section", "publicity", "--model", "offline")
    assert proc.returncode == 2
    _one_error(proc.stderr, drafted, "无法写入", "没有权限")
    assert drafted.read_bytes() == before


def test_file_system_draft_into_a_read_only_folder(tmp_path, read_only):
    folder = tmp_path / "只读"
    folder.mkdir()
    read_only(folder)
    proc = _drafter_unprivileged("draft", FACTS, "-o", folder / "草稿.md")
    assert proc.returncode == 2  # like every other unusable file or folder (was 1)
    _one_error(proc.stderr, folder / ".drafter", "锁文件", "没有权限")
    assert list(folder.iterdir()) == []


def test_file_system_read_only_history_database(drafted, read_only):
    before = drafted.read_bytes()
    read_only(drafted.parent / ".drafter" / "history.sqlite")
    proc = _drafter_unprivileged("regenerate", drafted, "--section", "publicity", "--model", "offline")
    assert proc.returncode == 2
    _one_error(proc.stderr, drafted.parent / ".drafter" / "history.sqlite", "只读", "--history")
    assert drafted.read_bytes() == before


def test_file_system_damaged_history_database(run, drafted):
    database = drafted.parent / ".drafter" / "history.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    database.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    for command in (("history", drafted), ("regenerate", drafted, "--section", "publicity", "--model", "offline")):
        result = run(*command)
        assert result.exit_code == 2, (command, result.stderr)  # was 1
        _one_error(result.stderr, database, "已损坏", ".broken")


def test_file_system_unreadable_facts_file_in_chinese(tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_bytes(FACTS.read_bytes())
    facts.chmod(0o000)
    try:
        proc = _drafter_unprivileged("validate", facts)
    finally:
        facts.chmod(0o644)
    assert proc.returncode == 2
    assert "not readable" not in proc.stderr and "没有读取权限" in proc.stderr and str(facts) in proc.stderr
