"""The per-draft lock: two drafter commands never write the same draft at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from drafter.files import os_problem
from drafter.history import HISTORY_DIR, DraftLockedError, HistoryError


def lock_path(draft: Path) -> Path:
    """The lock file of a draft: <draft folder>/.drafter/<draft name>.lock."""
    draft = Path(draft).expanduser().resolve()
    return draft.parent / HISTORY_DIR / f"{draft.name}.lock"


@contextmanager
def locked(draft: Path, *, timeout: float = 0, history: Path | None = None) -> Iterator[None]:
    """Hold an exclusive lock for this draft; timeout 0 refuses at once, timeout > 0 waits that long first."""
    path = lock_path(draft)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if history is None:
            raise _unusable(path.parent, exc, "无法创建锁文件所在的文件夹") from exc
        # A read-only draft folder: lock beside the history database, which must be writable anyway.
        path = Path(history).expanduser().resolve().parent / path.name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc2:
            raise _unusable(path.parent, exc2, "无法创建锁文件所在的文件夹") from exc2
    lock = filelock.FileLock(path, timeout=timeout, blocking=timeout > 0)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        waited = f"（已等待 {timeout:g} 秒）" if timeout > 0 else ""
        raise DraftLockedError(f"另一个 drafter 命令正在写入这份草稿{waited}", path=draft,
                               hint="请等它结束后再试") from exc
    except OSError as exc:  # a read-only .drafter folder, a full disk
        raise _unusable(path, exc, "无法创建锁文件") from exc
    try:
        yield
    finally:
        lock.release()


def _unusable(path: Path, exc: OSError, what: str) -> HistoryError:
    return HistoryError(f"{what}：{os_problem(exc)}", path=path,
                        hint="请检查草稿所在文件夹的写权限，或把草稿放到可写的文件夹")
