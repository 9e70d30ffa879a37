from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import REPO

from drafter.backends import Usage
from drafter.errors import DrafterError, InputError
from drafter.history import (
    HISTORY_DIR,
    HISTORY_FILE,
    MIGRATIONS,
    ORIGINS,
    DraftLockedError,
    History,
    HistoryError,
    history_path,
    migrate,
)
from drafter.locking import lock_path, locked

MESSAGES = [{"role": "system", "content": "你是乡镇办公室的文字秘书。"},
            {"role": "user", "content": "请撰写“农业生产”一节。"}]


@pytest.fixture
def folder(tmp_path):
    """A drafts folder with one draft in it."""
    (tmp_path / "总结.md").write_text("草稿\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
def draft(folder):
    return folder / "总结.md"


@pytest.fixture
def hist(draft):
    with History.open(history_path(draft)) as h:
        yield h


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def python(script: str, *args: str, **kwargs) -> subprocess.Popen:
    """Run a script in a separate Python process that imports this checkout's drafter."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


# The schema a new database has, written out: a migration that changes it must change this too.
SCHEMA = {
    "_migrations": {"number": "INTEGER", "name": "TEXT", "applied": "TEXT"},
    "drafts": {"id": "INTEGER", "path": "TEXT", "created": "TEXT"},
    "runs": {"id": "INTEGER", "draft_id": "INTEGER", "command": "TEXT", "facts": "TEXT", "facts_sha256": "TEXT",
             "backend": "TEXT", "model": "TEXT", "base_url": "TEXT", "instruction": "TEXT", "started": "TEXT",
             "finished": "TEXT", "status": "TEXT", "note": "TEXT"},
    "versions": {"id": "INTEGER", "draft_id": "INTEGER", "section": "TEXT", "number": "INTEGER", "text": "TEXT",
                 "origin": "TEXT", "created": "TEXT", "run_id": "INTEGER", "backend": "TEXT", "model": "TEXT",
                 "base_url": "TEXT", "messages_json": "TEXT", "response": "TEXT", "usage_json": "TEXT",
                 "check_json": "TEXT", "instruction": "TEXT", "note": "TEXT", "written": "INTEGER"},
    "responses": {"key": "TEXT", "text": "TEXT", "reasoning": "TEXT", "finish_reason": "TEXT",
                  "usage_json": "TEXT", "model": "TEXT", "created": "TEXT"},
    "batches": {"id": "INTEGER", "round": "INTEGER", "part": "INTEGER", "kind": "TEXT", "base_url": "TEXT",
                "model": "TEXT", "endpoint": "TEXT", "input_path": "TEXT", "input_file_id": "TEXT",
                "batch_id": "TEXT", "status": "TEXT", "counts_json": "TEXT", "output_file_id": "TEXT",
                "error_file_id": "TEXT", "output_path": "TEXT", "error_path": "TEXT", "created": "TEXT",
                "updated": "TEXT", "collected": "TEXT", "note": "TEXT"},
    "batch_requests": {"id": "INTEGER", "batch": "INTEGER", "custom_id": "TEXT", "key": "TEXT",
                       "draft_id": "INTEGER", "section": "TEXT", "state": "TEXT", "error": "TEXT"},
}


def test_history_new_database_has_the_pinned_schema(draft):
    path = history_path(draft)
    History.open(path).close()
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
    schema = {name: {col: kind for _, col, kind, *_ in conn.execute(f"PRAGMA table_info({name})")}
              for name in names}
    rows = conn.execute("SELECT number, name, applied FROM _migrations ORDER BY number").fetchall()
    conn.close()
    assert schema == SCHEMA
    assert [(n, name) for n, name, _ in rows] == [(1, "initial"), (2, "response cache"), (3, "batch state")]
    assert all("T" in applied for _, _, applied in rows)


def test_open_twice_applies_nothing_new(draft):
    path = history_path(draft)
    History.open(path).close()
    conn = sqlite3.connect(path)
    assert migrate(conn) == []
    conn.close()


def test_open_upgrades_older_schema(tmp_path, draft):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, MIGRATIONS[:1]) == [MIGRATIONS[0][0]]
    conn.execute("INSERT INTO drafts (path, created) VALUES ('旧.md', '2024-01-01T00:00:00+08:00')")
    first_applied = conn.execute("SELECT applied FROM _migrations WHERE number = 1").fetchone()[0]
    conn.close()
    assert "responses" not in tables(path)

    with History.open(path) as h:
        key = History.cache_key(model="m", base_url=None, messages=MESSAGES, temperature=0.7, max_tokens=100)
        h.store(key, text="答", reasoning=None, finish_reason="stop", usage=None, model="m")
        assert h.cached(key).text == "答"
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT number, applied FROM _migrations ORDER BY number").fetchall()
    kept = conn.execute("SELECT path FROM drafts").fetchall()
    conn.close()
    assert [n for n, _ in rows] == [1, 2, 3]
    assert rows[0][1] == first_applied
    assert kept == [("旧.md",)]


def test_migrate_runs_callable_steps_in_order(tmp_path):
    conn = sqlite3.connect(tmp_path / "x.sqlite", isolation_level=None)
    steps = [("a", "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);"),
             ("b", lambda c: c.execute("UPDATE a SET x = x + 1"))]
    assert migrate(conn, steps) == ["a", "b"]
    assert migrate(conn, steps) == []
    assert conn.execute("SELECT x FROM a").fetchone() == (2,)
    conn.close()


def test_migrate_failed_step_rolls_back(tmp_path):
    conn = sqlite3.connect(tmp_path / "x.sqlite", isolation_level=None)
    steps = [("bad", "CREATE TABLE t (x INTEGER); INSERT INTO missing VALUES (1);")]
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, steps)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 't'").fetchone() is None
    assert conn.execute("SELECT COUNT(*) FROM _migrations").fetchone() == (0,)
    conn.close()


def test_open_newer_database_refuses(tmp_path):
    path = tmp_path / "new.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS + [("future", "CREATE TABLE future (x)")])
    conn.close()
    with pytest.raises(HistoryError, match="更新版本"):
        History.open(path)


def test_add_version_numbers_per_section(hist, draft):
    a1 = hist.add_version(draft=draft, section="agri", text="一", origin="drafted")
    b1 = hist.add_version(draft=draft, section="_opening", text="开头", origin="drafted")
    a2 = hist.add_version(draft=draft, section="agri", text="二", origin="regenerated")
    assert (a1.number, b1.number, a2.number) == (1, 1, 2)
    assert a1.draft == "总结.md"
    listed = hist.versions(draft)
    assert [(v.section, v.number, v.text) for v in listed] == [
        ("agri", 1, "一"), ("agri", 2, "二"), ("_opening", 1, "开头")]
    assert [v.number for v in hist.versions(draft, "agri")] == [1, 2]
    assert hist.versions(draft, "nothing") == []
    assert hist.versions(draft.parent / "另一份.md") == []


def test_add_version_keeps_everything_it_was_given(hist, draft):
    run_id = hist.start_run(command="draft", draft=draft, facts=None, facts_sha256=None,
                            backend="openai", model="deepseek-chat", base_url="https://api.deepseek.com/v1")
    v = hist.add_version(draft=draft, section="agri", text="正文", origin="drafted", run_id=run_id,
                         backend="openai", model="deepseek-chat", base_url="https://api.deepseek.com/v1",
                         messages=MESSAGES, response="原始“回答”", check={"status": "needs-review", "flagged": 2},
                         usage=Usage(prompt_tokens=120, completion_tokens=None, cached_tokens=64),
                         instruction="更简洁", note="第二次尝试")
    again = hist.version(draft, "agri", 1)
    assert again == v
    assert again.messages == MESSAGES
    assert again.usage == {"prompt_tokens": 120, "cached_tokens": 64, "completion_tokens": None}
    assert again.check == {"status": "needs-review", "flagged": 2}
    assert (again.response, again.instruction, again.note) == ("原始“回答”", "更简洁", "第二次尝试")
    assert (again.run_id, again.model, again.base_url) == (run_id, "deepseek-chat", "https://api.deepseek.com/v1")
    assert again.written is True
    assert again.created[:4].isdigit() and again.created[-6] in "+-"
    # Chinese stays readable in the JSON columns.
    raw = hist.conn.execute("SELECT messages_json FROM versions").fetchone()[0]
    assert "乡镇办公室" in raw


def test_version_origin_names(hist, draft):
    names = [hist.add_version(draft=draft, section="s", text=o, origin=o).origin_name for o in ORIGINS]
    assert names == ["起草", "重新生成", "手工修改", "恢复", "失败的尝试"]
    with pytest.raises(ValueError):
        hist.add_version(draft=draft, section="s", text="x", origin="invented")


def test_last_written_skips_unwritten(hist, draft):
    assert hist.last_written(draft, "agri") is None
    hist.add_version(draft=draft, section="agri", text="一", origin="drafted")
    hist.add_version(draft=draft, section="agri", text="二", origin="edited")
    hist.add_version(draft=draft, section="agri", text="坏", origin="failed", written=False)
    hist.add_version(draft=draft, section="agri", text="未采用", origin="regenerated", written=False)
    last = hist.last_written(draft, "agri")
    assert (last.number, last.text) == (2, "二")
    assert [v.written for v in hist.versions(draft, "agri")] == [True, True, False, False]


def test_version_missing_lists_numbers(hist, draft):
    hist.add_version(draft=draft, section="agri", text="一", origin="drafted")
    hist.add_version(draft=draft, section="agri", text="二", origin="regenerated")
    with pytest.raises(HistoryError) as caught:
        hist.version(draft, "agri", 5)
    assert isinstance(caught.value, InputError) and caught.value.exit_code == 2
    assert "第 5 版" in str(caught.value) and "1、2" in str(caught.value)
    with pytest.raises(HistoryError, match="还没有历史版本"):
        hist.version(draft, "_closing", 1)


def test_runs_start_and_finish(hist, draft, folder):
    facts = folder / "facts.yaml"
    first = hist.start_run(command="draft", draft=draft, facts=facts, facts_sha256="ab" * 32,
                           backend="offline", model="offline", base_url=None)
    second = hist.start_run(command="regenerate", draft=draft, facts=facts, facts_sha256="ab" * 32,
                            backend="openai", model="qwen-plus", base_url="https://dashscope.example/v1",
                            instruction="突出民生")
    hist.finish_run(first, status="ok")
    hist.finish_run(second, status="partial", note="1 节失败")
    runs = hist.runs(draft)
    assert [(r.id, r.command, r.status) for r in runs] == [(first, "draft", "ok"),
                                                           (second, "regenerate", "partial")]
    assert runs[0].facts == "facts.yaml" and runs[0].finished is not None
    assert (runs[1].instruction, runs[1].note) == ("突出民生", "1 节失败")
    assert hist.runs(folder / "别的.md") == []
    with pytest.raises(ValueError):
        hist.finish_run(first, status="great")


def test_cache_roundtrip(hist):
    key = History.cache_key(model="m", base_url="http://localhost:8080/v1", messages=MESSAGES,
                            temperature=0.3, max_tokens=800)
    assert hist.cached(key) is None
    hist.store(key, text="回答", reasoning="思考", finish_reason="stop",
               usage={"prompt_tokens": 10, "cached_tokens": None, "completion_tokens": 5}, model="m-0613")
    got = hist.cached(key)
    assert (got.text, got.reasoning, got.finish_reason, got.model) == ("回答", "思考", "stop", "m-0613")
    assert got.usage == {"prompt_tokens": 10, "cached_tokens": None, "completion_tokens": 5}
    hist.store(key, text="新回答", reasoning=None, finish_reason="length", usage=None, model="m")
    assert hist.cached(key).text == "新回答" and hist.cached(key).usage is None


def test_cache_key_stable_and_sensitive():
    base = dict(model="deepseek-chat", base_url="https://api.deepseek.com/v1", messages=MESSAGES,
                temperature=0.7, max_tokens=1200)
    key = History.cache_key(**base)
    assert len(key) == 64
    assert History.cache_key(**base) == key
    assert History.cache_key(**dict(base, messages=[dict(m) for m in MESSAGES])) == key
    changes = [dict(model="deepseek-reasoner"), dict(base_url="https://api.deepseek.com/beta"),
               dict(base_url=None), dict(temperature=0.8), dict(max_tokens=1201),
               dict(messages=MESSAGES[:1]), dict(messages=[MESSAGES[0], dict(MESSAGES[1], content="改")])]
    keys = {History.cache_key(**dict(base, **change)) for change in changes}
    assert key not in keys and len(keys) == len(changes)


def test_secrets_never_stored(folder, draft):
    path = history_path(draft)
    url = "http://user:sk-secret@host/v1?api-key=sk-secret"
    with History.open(path) as h:
        run_id = h.start_run(command="draft", draft=draft, facts=None, facts_sha256=None,
                             backend="openai", model="m", base_url=url)
        v = h.add_version(draft=draft, section="s", text="正文", origin="drafted", run_id=run_id,
                          model="m", base_url=url)
        key = History.cache_key(model="m", base_url=url, messages=MESSAGES, temperature=0, max_tokens=10)
        h.store(key, text="答", reasoning=None, finish_reason="stop", usage=None, model="m")
        assert v.base_url == "http://host/v1"
        assert h.runs(draft)[0].base_url == "http://host/v1"
    assert key == History.cache_key(model="m", base_url="http://host/v1", messages=MESSAGES,
                                    temperature=0, max_tokens=10)
    files = list(path.parent.iterdir())
    assert files
    for file in files:
        assert b"sk-secret" not in file.read_bytes(), file.name


def test_open_corrupt_file_says_move_it_aside(tmp_path):
    path = tmp_path / HISTORY_FILE
    path.write_bytes(b"this is not a database at all, just some text\n" * 50)
    with pytest.raises(HistoryError) as caught:
        History.open(path)
    message = str(caught.value)
    assert str(path) in message and "移到别处" in message
    assert path.exists()


def test_history_path_precedence(monkeypatch, draft, tmp_path):
    assert history_path(draft) == draft.resolve().parent / HISTORY_DIR / HISTORY_FILE
    monkeypatch.setenv("DRAFTER_HOME", str(tmp_path / "home"))
    assert history_path(draft) == tmp_path / "home" / HISTORY_FILE
    assert history_path(draft, tmp_path / "mine.sqlite") == tmp_path / "mine.sqlite"


def test_draft_identity_survives_moving_the_folder(tmp_path):
    old = tmp_path / "old"
    (old / "sub").mkdir(parents=True)
    draft = old / "sub" / "总结.md"
    draft.write_text("x", encoding="utf-8")
    with History.open(history_path(draft)) as h:
        h.add_version(draft=draft, section="agri", text="一", origin="drafted")
    # The history of a draft in sub/ lives in sub/.drafter, so moving the whole tree keeps it.
    shutil.move(str(old), str(tmp_path / "new"))
    moved = tmp_path / "new" / "sub" / "总结.md"
    with History.open(history_path(moved)) as h:
        assert [v.text for v in h.versions(moved)] == ["一"]
        assert h.versions(moved)[0].draft == "总结.md"


def test_draft_outside_home_folder_uses_absolute_path(tmp_path, draft):
    with History.open(tmp_path / "elsewhere" / "h" / HISTORY_FILE) as h:
        v = h.add_version(draft=draft, section="s", text="t", origin="drafted")
        assert v.draft == draft.resolve().as_posix()
        assert h.versions(draft) == [v]


def test_two_processes_adding_versions_lose_nothing(draft):
    path = history_path(draft)
    History.open(path).close()
    script = """
        import sys
        from pathlib import Path
        from drafter.history import History
        with History.open(Path(sys.argv[1])) as h:
            for i in range(30):
                h.add_version(draft=Path(sys.argv[2]), section="agri", text=sys.argv[3] + str(i),
                              origin="drafted")
    """
    procs = [python(script, str(path), str(draft), name) for name in ("甲", "乙")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with History.open(path) as h:
        found = h.versions(draft, "agri")
    assert sorted(v.number for v in found) == list(range(1, 61))
    assert {v.text for v in found} == {f"{n}{i}" for n in ("甲", "乙") for i in range(30)}


def test_two_connections_interleave(draft):
    path = history_path(draft)
    with History.open(path) as a, History.open(path) as b:
        a.add_version(draft=draft, section="s", text="a", origin="drafted")
        b.add_version(draft=draft, section="s", text="b", origin="edited")
        assert [v.text for v in a.versions(draft, "s")] == ["a", "b"]


HOLDER = """
    import sys, time
    from pathlib import Path
    from drafter.locking import locked
    with locked(Path(sys.argv[1])):
        print("held", flush=True)
        if sys.argv[2] == "stdin":
            sys.stdin.readline()
        else:
            time.sleep(float(sys.argv[2]))
"""


def test_locked_refuses_at_once_when_held(draft):
    holder = python(HOLDER, str(draft), "stdin", stdin=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        with pytest.raises(DraftLockedError) as caught:
            with locked(draft):
                pass
        assert time.monotonic() - start < 2
        assert isinstance(caught.value, DrafterError) and caught.value.exit_code == 2
        assert "另一个 drafter 命令正在写入这份草稿" in str(caught.value)
        with pytest.raises(DraftLockedError, match="已等待"):
            with locked(draft, timeout=0.2):
                pass
    finally:
        holder.communicate("\n", timeout=30)
    with locked(draft):
        pass


def test_locked_waits_for_holder(draft):
    holder = python(HOLDER, str(draft), "0.5")
    try:
        assert holder.stdout.readline().strip() == "held"
        entered = False
        with locked(draft, timeout=30):
            entered = True
        assert entered
    finally:
        holder.communicate(timeout=30)
    assert holder.returncode == 0
    assert lock_path(draft).parent == draft.resolve().parent / HISTORY_DIR


def test_locked_other_draft_is_independent(draft, folder):
    other = folder / "另一份.md"
    with locked(draft), locked(other):
        pass
