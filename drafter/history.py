"""Section history: every drafted, regenerated, edited or failed section version, runs, and a response cache."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from drafter.errors import InputError, StorageError
from drafter.files import os_problem
from drafter.providers import safe_url

HISTORY_DIR = ".drafter"
HISTORY_FILE = "history.sqlite"
HOME_ENV = "DRAFTER_HOME"
ORIGINS = ("drafted", "regenerated", "edited", "restored", "failed")
ORIGIN_NAMES = {"drafted": "起草", "regenerated": "重新生成", "edited": "手工修改",
                "restored": "恢复", "failed": "失败的尝试"}
RUN_STATUSES = ("running", "ok", "partial", "failed", "interrupted")
# Long enough to outlast another process's write transaction (one version row), short enough to report a hang.
BUSY_TIMEOUT = 30.0


class HistoryError(StorageError):
    """The history database cannot be opened, read or written (exit code 2, like any unusable file)."""


class MissingVersionError(HistoryError, InputError):
    """A section version the user asked for does not exist (exit code 2)."""


class DraftLockedError(HistoryError):
    """Another drafter process is writing the same draft."""


# Numbered migrations, applied in order at open and recorded in _migrations; never edit or reorder
# a released one (databases in the field have it applied already): append a new one instead.
Migration = tuple[str, str | Callable[[sqlite3.Connection], None]]

MIGRATIONS: list[Migration] = [
    ("initial", """
        CREATE TABLE drafts (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, created TEXT NOT NULL);
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY, draft_id INTEGER NOT NULL REFERENCES drafts(id), command TEXT NOT NULL,
            facts TEXT, facts_sha256 TEXT, backend TEXT, model TEXT, base_url TEXT, instruction TEXT,
            started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL DEFAULT 'running', note TEXT);
        CREATE INDEX runs_draft ON runs(draft_id);
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY, draft_id INTEGER NOT NULL REFERENCES drafts(id), section TEXT NOT NULL,
            number INTEGER NOT NULL, text TEXT NOT NULL, origin TEXT NOT NULL, created TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id), backend TEXT, model TEXT, base_url TEXT,
            messages_json TEXT, response TEXT, usage_json TEXT, check_json TEXT, instruction TEXT,
            note TEXT, written INTEGER NOT NULL DEFAULT 1, UNIQUE (draft_id, section, number));
    """),
    ("response cache", """
        CREATE TABLE responses (
            key TEXT PRIMARY KEY, text TEXT NOT NULL, reasoning TEXT, finish_reason TEXT,
            usage_json TEXT, model TEXT NOT NULL, created TEXT NOT NULL);
    """),
    # `drafter batch --via batch-api`: the batches submitted (or exported for an offline engine) and
    # the requests in each, so that a re-run polls them again instead of submitting them twice.
    ("batch state", """
        CREATE TABLE batches (
            id INTEGER PRIMARY KEY, round INTEGER NOT NULL, part INTEGER NOT NULL, kind TEXT NOT NULL,
            base_url TEXT, model TEXT, endpoint TEXT, input_path TEXT, input_file_id TEXT, batch_id TEXT,
            status TEXT NOT NULL, counts_json TEXT, output_file_id TEXT, error_file_id TEXT,
            output_path TEXT, error_path TEXT, created TEXT NOT NULL, updated TEXT NOT NULL,
            collected TEXT, note TEXT);
        CREATE TABLE batch_requests (
            id INTEGER PRIMARY KEY, batch INTEGER NOT NULL REFERENCES batches(id), custom_id TEXT NOT NULL,
            key TEXT NOT NULL, draft_id INTEGER REFERENCES drafts(id), section TEXT, state TEXT NOT NULL,
            error TEXT, UNIQUE (batch, custom_id));
        CREATE INDEX batch_requests_key ON batch_requests(key);
    """),
]


@dataclass(frozen=True)
class Version:
    """One stored version of one section of one draft."""

    id: int
    draft: str                  # draft_key(): relative to the history's home folder, else absolute
    section: str
    number: int                 # 1, 2, 3… per (draft, section)
    text: str
    origin: str                 # one of ORIGINS
    created: str                # ISO local time with offset, seconds
    run_id: int | None
    backend: str | None
    model: str | None
    base_url: str | None        # without userinfo or query string
    messages: list | None
    response: str | None        # raw model text, before cleaning
    usage: dict | None
    check: dict | None
    instruction: str | None
    note: str | None
    written: bool               # False: an attempt not written into the draft file

    @property
    def origin_name(self) -> str:
        """The origin as users read it."""
        return ORIGIN_NAMES.get(self.origin, self.origin)


@dataclass(frozen=True)
class Run:
    """One drafter command that wrote (or tried to write) a draft."""

    id: int
    draft: str
    command: str
    facts: str | None
    facts_sha256: str | None
    backend: str | None
    model: str | None
    base_url: str | None
    instruction: str | None
    started: str
    finished: str | None
    status: str                 # one of RUN_STATUSES; "running" until finish_run
    note: str | None


@dataclass(frozen=True)
class BatchRecord:
    """One batch of requests: submitted to a provider's Batch API (kind "api") or exported (kind "export")."""

    id: int                     # our row id
    round: int
    part: int                   # 1, 2… when a round was split over the provider's file limits
    kind: str                   # "api" | "export"
    base_url: str | None        # without credentials
    model: str | None
    endpoint: str | None        # the url of every line, e.g. /v1/chat/completions
    input_path: str | None      # the JSONL written, relative to the history's home folder when inside it
    input_file_id: str | None
    batch_id: str | None        # the provider's id, once created
    status: str                 # the provider's (validating … completed, expired) or ours (uploaded, exported)
    counts: dict | None         # request_counts: total, completed, failed
    output_file_id: str | None
    error_file_id: str | None
    output_path: str | None
    error_path: str | None
    created: str
    updated: str
    collected: str | None       # when its results were read; None while it is still open
    note: str | None
    requests: int


@dataclass(frozen=True)
class BatchRequest:
    """One request line of a batch: its custom_id, the cache key of its body, and whose section it drafts."""

    batch: int
    custom_id: str
    key: str
    draft: str | None
    section: str | None
    state: str                  # submitted, answered, failed
    error: str | None


BATCH_FIELDS = ("batch_id", "input_file_id", "status", "counts", "output_file_id", "error_file_id",
                "output_path", "error_path", "note")


@dataclass(frozen=True)
class CachedResponse:
    """A model answer kept so that the same request is not paid for twice."""

    text: str
    reasoning: str | None
    finish_reason: str | None
    usage: dict | None
    model: str
    created: str


def history_path(draft: Path, override: Path | None = None) -> Path:
    """--history FILE wins; else $DRAFTER_HOME/history.sqlite; else <draft folder>/.drafter/history.sqlite."""
    if override is not None:
        return Path(override).expanduser()
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home).expanduser() / HISTORY_FILE
    return Path(draft).expanduser().resolve().parent / HISTORY_DIR / HISTORY_FILE


def database_error(exc: sqlite3.Error, path: Path, *, opening: bool = False) -> HistoryError:
    """A SQLite failure as the clerk reads it: what is wrong with which file, and what to do."""
    text = str(exc).lower()
    name = getattr(exc, "sqlite_errorname", "") or ""
    elsewhere = "或用 --history 指定另一个历史记录文件"
    if "readonly" in text or "read-only" in text or name.startswith("SQLITE_READONLY"):
        return HistoryError("历史记录数据库是只读的，无法写入", path=path,
                            hint=f"请检查这个文件及其所在文件夹的写权限，{elsewhere}")
    if "disk is full" in text or name == "SQLITE_FULL":
        return HistoryError("磁盘空间已满，无法写入历史记录数据库", path=path,
                            hint=f"请清理磁盘空间后重试，{elsewhere}")
    if "locked" in text or "busy" in text:
        return HistoryError("历史记录数据库正忙", path=path,
                            hint="另一个 drafter 命令可能正在写入，请等它结束后再试")
    if "malformed" in text or "not a database" in text or name in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
        return HistoryError("历史记录文件已损坏或不是 SQLite 数据库", path=path,
                            hint=f"请把它移到别处保存（例如改名为 {path.name}.broken），drafter 会新建"
                                 "一个；不要直接删除，其中可能有可恢复的版本")
    if opening or "unable to open" in text:
        return HistoryError(f"无法打开历史记录数据库（{exc}）", path=path,
                            hint=f"请检查文件和文件夹的权限，{elsewhere}")
    return HistoryError(f"读写历史记录数据库时出错（{exc}）", path=path, hint=f"请稍后重试，{elsewhere}")


def now() -> str:
    """The local time with its offset, to the second."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _dumps(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _loads(text: str | None):
    return None if text is None else json.loads(text)


def _usage_dict(usage) -> dict | None:
    # Accept backends.Usage as well as a dict; None counts stay None ("not reported" is not 0).
    if usage is None:
        return None
    if dataclasses.is_dataclass(usage):
        usage = dataclasses.asdict(usage)
    keys = ("prompt_tokens", "cached_tokens", "completion_tokens")
    return {k: usage.get(k) for k in keys} | {k: v for k, v in usage.items() if k not in keys}


def _statements(sql: str) -> Iterator[str]:
    # executescript() commits the open transaction first, so a migration runs statement by statement.
    pending = ""
    for part in sql.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                yield pending
            pending = ""


def migrate(conn: sqlite3.Connection, migrations: list[Migration] = MIGRATIONS) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction; return the names applied."""
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (number INTEGER PRIMARY KEY, "
                 "name TEXT NOT NULL, applied TEXT NOT NULL)")
    known = {row[0] for row in conn.execute("SELECT number FROM _migrations")}
    if known and max(known) > len(migrations):
        raise HistoryError("历史记录数据库由更新版本的 drafter 创建，当前版本无法使用",
                           hint="请升级 drafter，或用 --history 指定另一个历史记录文件")
    applied = []
    for number, (name, step) in enumerate(migrations, start=1):
        if number in known:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have applied it while this one waited for the write lock.
            if conn.execute("SELECT 1 FROM _migrations WHERE number = ?", (number,)).fetchone():
                conn.execute("COMMIT")
                continue
            if callable(step):
                step(conn)
            else:
                for statement in _statements(step):
                    conn.execute(statement)
            conn.execute("INSERT INTO _migrations (number, name, applied) VALUES (?, ?, ?)",
                         (number, name, now()))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite rolls back by itself after some errors
                conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


class History:
    """The history database of one or more drafts; open with History.open(path)."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        # Drafts inside the folder holding .drafter/ are keyed relatively, so the folder can be moved.
        self.root = path.resolve().parent.parent

    @classmethod
    def open(cls, path: Path) -> History:
        """Open (creating if needed) the database at path and apply pending migrations."""
        path = Path(path).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"无法创建历史记录文件夹：{os_problem(exc)}", path=path.parent,
                               hint="请检查文件夹权限，或用 --history 指定另一个位置") from exc
        conn = None
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            # WAL lets `drafter history` read while a drafting run writes; where the file system
            # cannot do WAL, SQLite keeps its rollback journal, which is still correct.
            conn.execute("PRAGMA journal_mode = WAL")
            migrate(conn)
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, sqlite3.Error):
                raise database_error(exc, path, opening=True) from exc
            raise
        return cls(path, conn)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout
        # instead of one failing when it upgrades a read to a write.
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise database_error(exc, self.path) from exc
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the first error says what went wrong; SQLite rolls back on close anyway
            if isinstance(exc, sqlite3.Error):  # read-only file, full disk, damaged pages
                raise database_error(exc, self.path) from exc
            raise

    @contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise database_error(exc, self.path) from exc

    def draft_key(self, draft: Path) -> str:
        """How a draft is named in this database: relative to the database's home folder if inside it."""
        resolved = Path(draft).expanduser().resolve()
        try:
            return resolved.relative_to(self.root).as_posix()
        except ValueError:
            return resolved.as_posix()

    def _draft_id(self, draft: Path, *, create: bool) -> int | None:
        key = self.draft_key(draft)
        with self._reading():
            if create:
                self.conn.execute("INSERT OR IGNORE INTO drafts (path, created) VALUES (?, ?)", (key, now()))
            row = self.conn.execute("SELECT id FROM drafts WHERE path = ?", (key,)).fetchone()
        return row[0] if row else None

    def start_run(self, *, command: str, draft: Path, facts: Path | None, facts_sha256: str | None,
                  backend: str | None, model: str | None, base_url: str | None,
                  instruction: str | None = None) -> int:
        """Record the start of a command that writes this draft; return the run id."""
        with self._write() as conn:
            draft_id = self._draft_id(draft, create=True)
            cur = conn.execute(
                "INSERT INTO runs (draft_id, command, facts, facts_sha256, backend, model, base_url, "
                "instruction, started) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (draft_id, command, None if facts is None else self.draft_key(facts), facts_sha256,
                 backend, model, safe_url(base_url), instruction, now()))
            return cur.lastrowid

    def finish_run(self, run_id: int, *, status: str, note: str | None = None) -> None:
        """Record how a run ended: ok, partial, failed or interrupted."""
        if status not in RUN_STATUSES:
            raise ValueError(f"unknown run status {status!r}")
        with self._write() as conn:
            cur = conn.execute("UPDATE runs SET status = ?, note = ?, finished = ? WHERE id = ?",
                               (status, note, now(), run_id))
            if cur.rowcount != 1:
                raise ValueError(f"no run {run_id}")

    def add_version(self, *, draft: Path, section: str, text: str, origin: str, run_id: int | None = None,
                    backend: str | None = None, model: str | None = None, base_url: str | None = None,
                    messages: list | None = None, response: str | None = None, usage=None,
                    check: dict | None = None, instruction: str | None = None, note: str | None = None,
                    written: bool = True) -> Version:
        """Store the next version of a section and return it."""
        if origin not in ORIGINS:
            raise ValueError(f"unknown origin {origin!r}")
        with self._write() as conn:
            draft_id = self._draft_id(draft, create=True)
            # Numbering inside the write transaction: no other writer can take the same number.
            (number,) = conn.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM versions "
                                     "WHERE draft_id = ? AND section = ?", (draft_id, section)).fetchone()
            cur = conn.execute(
                "INSERT INTO versions (draft_id, section, number, text, origin, created, run_id, backend, "
                "model, base_url, messages_json, response, usage_json, check_json, instruction, note, "
                "written) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (draft_id, section, number, text, origin, now(), run_id, backend, model, safe_url(base_url),
                 _dumps(messages), response, _dumps(_usage_dict(usage)), _dumps(check), instruction, note,
                 int(bool(written))))
            version_id = cur.lastrowid
        return self._select_versions("v.id = ?", (version_id,))[0]

    def _select_versions(self, where: str, params: tuple, order: str = "v.id",
                         limit: int | None = None) -> list[Version]:
        with self._reading():
            rows = self.conn.execute(
                "SELECT v.id, d.path, v.section, v.number, v.text, v.origin, v.created, v.run_id, v.backend, "
                "v.model, v.base_url, v.messages_json, v.response, v.usage_json, v.check_json, v.instruction, "
                f"v.note, v.written FROM versions v JOIN drafts d ON d.id = v.draft_id WHERE {where} "
                f"ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit else ""), params).fetchall()
        return [Version(id=r[0], draft=r[1], section=r[2], number=r[3], text=r[4], origin=r[5], created=r[6],
                        run_id=r[7], backend=r[8], model=r[9], base_url=r[10], messages=_loads(r[11]),
                        response=r[12], usage=_loads(r[13]), check=_loads(r[14]), instruction=r[15],
                        note=r[16], written=bool(r[17])) for r in rows]

    def versions(self, draft: Path, section: str | None = None) -> list[Version]:
        """Versions of a draft (or one section), by section in order of first appearance, then number."""
        draft_id = self._draft_id(draft, create=False)
        if draft_id is None:
            return []
        where, params = "v.draft_id = ?", (draft_id,)
        if section is not None:
            where, params = where + " AND v.section = ?", params + (section,)
        first = ("(SELECT MIN(f.id) FROM versions f WHERE f.draft_id = v.draft_id AND f.section = v.section)")
        return self._select_versions(where, params, order=f"{first}, v.number")

    def version(self, draft: Path, section: str, number: int) -> Version:
        """One version by section and number; MissingVersionError listing the numbers that exist."""
        found = self.versions(draft, section)
        for v in found:
            if v.number == number:
                return v
        if found:
            hint = "已有的版本：" + "、".join(str(v.number) for v in found)
        else:
            hint = "这个章节还没有历史版本；用 drafter history 查看有记录的章节"
        raise MissingVersionError(f"章节 “{section}” 没有第 {number} 版", path=draft, hint=hint)

    def last_written(self, draft: Path, section: str) -> Version | None:
        """The latest version that was written into the draft file, or None."""
        # One row, not every version with its prompt: this runs for each section on every command.
        draft_id = self._draft_id(draft, create=False)
        if draft_id is None:
            return None
        found = self._select_versions("v.draft_id = ? AND v.section = ? AND v.written = 1",
                                      (draft_id, section), order="v.number DESC", limit=1)
        return found[0] if found else None

    def runs(self, draft: Path) -> list[Run]:
        """Runs recorded for this draft, oldest first."""
        draft_id = self._draft_id(draft, create=False)
        if draft_id is None:
            return []
        with self._reading():
            rows = self.conn.execute(
                "SELECT r.id, d.path, r.command, r.facts, r.facts_sha256, r.backend, r.model, r.base_url, "
                "r.instruction, r.started, r.finished, r.status, r.note FROM runs r "
                "JOIN drafts d ON d.id = r.draft_id WHERE r.draft_id = ? ORDER BY r.id", (draft_id,)).fetchall()
        return [Run(*row) for row in rows]

    @staticmethod
    def cache_key(*, model: str, base_url: str | None, messages: list, temperature: float,
                  max_tokens: int) -> str:
        """sha256 of the canonical JSON of everything that shapes the answer."""
        # safe_url: a key riding in the URL must not shape (or be derivable from) the stored key.
        request = {"v": 1, "model": model, "base_url": safe_url(base_url), "messages": messages,
                   "temperature": float(temperature), "max_tokens": int(max_tokens)}
        canonical = json.dumps(request, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def cached(self, key: str) -> CachedResponse | None:
        """The stored answer for this cache key, or None."""
        with self._reading():
            row = self.conn.execute("SELECT text, reasoning, finish_reason, usage_json, model, created "
                                    "FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return CachedResponse(text=row[0], reasoning=row[1], finish_reason=row[2], usage=_loads(row[3]),
                              model=row[4], created=row[5])

    def store(self, key: str, *, text: str, reasoning: str | None, finish_reason: str | None,
              usage, model: str) -> None:
        """Keep an answer under its cache key (replacing an older one)."""
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO responses (key, text, reasoning, finish_reason, usage_json, "
                         "model, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (key, text, reasoning, finish_reason, _dumps(_usage_dict(usage)), model, now()))

    # -- batch state (drafter batch --via batch-api) ----------------------------------------------

    def next_round(self) -> int:
        """The number the next batch round gets: one more than any recorded."""
        with self._reading():
            (number,) = self.conn.execute("SELECT COALESCE(MAX(round), 0) + 1 FROM batches").fetchone()
        return number

    def add_batch(self, *, round: int, part: int, kind: str, base_url: str | None, model: str | None,
                  endpoint: str, input_path: Path | None, status: str,
                  requests: list[tuple[str, str, Path, str]], input_file_id: str | None = None) -> BatchRecord:
        """Record a batch and its requests (custom_id, cache key, draft, section) in one transaction."""
        with self._write() as conn:
            stamp = now()
            cur = conn.execute(
                "INSERT INTO batches (round, part, kind, base_url, model, endpoint, input_path, input_file_id, "
                "status, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (round, part, kind, safe_url(base_url), model, endpoint,
                 None if input_path is None else self.draft_key(input_path), input_file_id, status, stamp, stamp))
            row = cur.lastrowid
            for custom_id, key, draft, section in requests:
                conn.execute("INSERT INTO batch_requests (batch, custom_id, key, draft_id, section, state) "
                             "VALUES (?, ?, ?, ?, ?, 'submitted')",
                             (row, custom_id, key, self._draft_id(draft, create=True), section))
        return self.batch(row)

    def update_batch(self, row: int, *, collected: bool = False, **fields) -> BatchRecord:
        """Change a batch's provider id, status, counts, file ids or paths; `collected` closes it."""
        unknown = set(fields) - set(BATCH_FIELDS)
        if unknown:
            raise ValueError(f"unknown batch fields {sorted(unknown)}")
        values = {("counts_json" if k == "counts" else k):
                  (_dumps(v) if k == "counts" else self.draft_key(v) if k.endswith("_path") and v is not None else v)
                  for k, v in fields.items()}
        values["updated"] = now()
        if collected:
            values["collected"] = values["updated"]
        with self._write() as conn:
            conn.execute(f"UPDATE batches SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                         (*values.values(), row))
        return self.batch(row)

    def settle_requests(self, row: int, states: dict[str, tuple[str, str | None]]) -> None:
        """Record how each request of a batch ended: custom_id → (answered | failed, error)."""
        with self._write() as conn:
            conn.executemany("UPDATE batch_requests SET state = ?, error = ? WHERE batch = ? AND custom_id = ?",
                             [(state, error, row, custom_id) for custom_id, (state, error) in states.items()])

    def batch(self, row: int) -> BatchRecord:
        """One batch by our row id."""
        return self._select_batches("b.id = ?", (row,))[0]

    def batches(self, *, open_only: bool = False, kind: str | None = None) -> list[BatchRecord]:
        """Recorded batches, oldest first; `open_only`: those whose results have not been read yet."""
        where, params = ["1 = 1"], []
        if open_only:
            where.append("b.collected IS NULL")
        if kind is not None:
            where.append("b.kind = ?")
            params.append(kind)
        return self._select_batches(" AND ".join(where), tuple(params))

    def _select_batches(self, where: str, params: tuple) -> list[BatchRecord]:
        with self._reading():
            rows = self.conn.execute(
                "SELECT b.id, b.round, b.part, b.kind, b.base_url, b.model, b.endpoint, b.input_path, "
                "b.input_file_id, b.batch_id, b.status, b.counts_json, b.output_file_id, b.error_file_id, "
                "b.output_path, b.error_path, b.created, b.updated, b.collected, b.note, "
                "(SELECT count(*) FROM batch_requests r WHERE r.batch = b.id) "
                f"FROM batches b WHERE {where} ORDER BY b.id", params).fetchall()
        return [BatchRecord(*r[:11], _loads(r[11]), *r[12:]) for r in rows]

    def batch_requests(self, row: int | None = None, *, kind: str | None = None) -> list[BatchRequest]:
        """The requests of one batch (or of every batch of a kind), in the order they were recorded."""
        where, params = ["1 = 1"], []
        if row is not None:
            where.append("r.batch = ?")
            params.append(row)
        if kind is not None:
            where.append("b.kind = ?")
            params.append(kind)
        with self._reading():
            rows = self.conn.execute(
                "SELECT r.batch, r.custom_id, r.key, d.path, r.section, r.state, r.error FROM batch_requests r "
                "JOIN batches b ON b.id = r.batch LEFT JOIN drafts d ON d.id = r.draft_id "
                f"WHERE {' AND '.join(where)} ORDER BY r.id", tuple(params)).fetchall()
        return [BatchRequest(*r) for r in rows]
