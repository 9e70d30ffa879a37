"""Editors' workflow end to end: regenerate one section in place, history, restore, diff, the
response cache and the lock, against the loopback OpenAI-compatible server (no mocks)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import start_interruptible
from test_drafting import section_of

from drafter.document import parse_draft
from drafter.history import History
from drafter.locking import locked
from drafter.testing import FakeOpenAIServer, Reply

FACTS_YAML = """\
unit: 芦洲乡
period: 2017年
campaign: 全国文明城市
sections:
  - id: intro
    title: 总体情况
    kind: intro
    facts:
      - 在区委宣传部的支持指导下推进创建工作
  - id: leadership
    title: 加强组织领导
    facts:
      - 小组下设办公室，负责创建工作的组织、开展、督查
  - id: publicity
    title: 加大宣传力度
    facts:
      - 志愿服务队伍共计65人，占全乡总人数的1.4%
      - 累计参加志愿服务时间184小时，人均2小时
  - id: measures
    title: 抓好创建工作落实
    facts:
      - 新建成宣传栏7个，评出县级文明家庭81户
  - id: closing
    title: 结尾
    kind: closing
"""

TEXTS = {
    "intro": "2017年，我乡在区委宣传部的支持指导下推进创建工作。现将有关情况总结如下：",
    "leadership": "我乡成立领导小组，小组下设办公室，负责创建工作的组织、开展、督查。",
    "publicity": "我乡志愿服务队伍共计65人，占全乡总人数的1.4%，累计参加志愿服务时间184小时，人均2小时。",
    "measures": "我乡新建成宣传栏7个，评出县级文明家庭81户。",
    "closing": "总之，我乡将继续努力，推动创建工作再上新台阶。",
}
NEW_PUBLICITY = "我乡突出志愿服务：志愿服务队伍共计65人，占全乡总人数的1.4%，累计服务184小时，人均服务2小时。"
HAND_EDIT = "（编辑手工补充）我乡成立了领导小组，由书记任组长。"


def model_args(server: FakeOpenAIServer, *extra: str) -> list[str]:
    return ["--base-url", server.base_url, "--model", "test-model", "--max-retries", "0",
            "--timeout", "10", *extra]


@pytest.fixture
def facts(tmp_path) -> Path:
    path = tmp_path / "事实 文件.yaml"
    path.write_text(FACTS_YAML, encoding="utf-8")
    return path


@pytest.fixture
def drafted(run, tmp_path, facts) -> Path:
    """A 5-section draft written by the model path, every section passing."""
    out = tmp_path / "草稿.md"
    with FakeOpenAIServer(lambda body: Reply(TEXTS[section_of(body)])) as server:
        result = run("draft", facts, "-o", out, *model_args(server))
    assert result.exit_code == 0, result.stdout + result.stderr
    return out


def hand_edit(path: Path) -> str:
    """Edit the leadership section and a front-matter line by hand, as an editor would."""
    text = path.read_text(encoding="utf-8")
    text = text.replace(TEXTS["leadership"], HAND_EDIT, 1)
    text = text.replace("title: 芦洲乡", "title: 芦洲乡  # 编辑注：标题待定", 1)
    path.write_text(text, encoding="utf-8")
    return text


def outside(text: str, section: str) -> tuple[str, str]:
    """Everything before and after a section's body, with that section's status entry cut out."""
    draft = parse_draft(text)
    sec = draft.section(section)
    before, after = text[:sec.start], text[sec.end:]
    entry = re.compile(rf"(?m)^  {section}:\n(?:    .*\n)+")
    return entry.sub("", before, count=1), after


def test_editing_regenerate_replaces_only_that_section(run, drafted, facts):
    edited = hand_edit(drafted)
    requests = []

    def script(body: dict) -> Reply:
        requests.append(body)
        return Reply(NEW_PUBLICITY)

    with FakeOpenAIServer(script) as server:
        result = run("regenerate", drafted, "--section", "publicity", "--instruction", "更突出志愿服务",
                     *model_args(server))
    assert result.exit_code == 0, result.stdout + result.stderr
    new = drafted.read_text(encoding="utf-8")
    assert outside(new, "publicity") == outside(edited, "publicity")  # every other byte kept
    assert parse_draft(new).section("publicity").body(new) == NEW_PUBLICITY
    assert "编辑注：标题待定" in new and HAND_EDIT in new
    assert parse_draft(new).meta["sections"]["publicity"]["status"] == "passed"
    # The prompt carried the instruction, the other sections as they now stand, and the old text.
    (body,) = requests
    prompt = body["messages"][-1]["content"]
    assert "更突出志愿服务" in prompt
    assert HAND_EDIT in prompt and TEXTS["measures"] in prompt
    assert TEXTS["publicity"] in prompt
    assert "手工修改" in result.stderr or "leadership" in result.stderr


def test_editing_history_shows_drafted_edited_regenerated_and_restore_brings_back_v1(run, drafted, facts):
    original = parse_draft(drafted.read_text(encoding="utf-8")).section("publicity")
    text = drafted.read_text(encoding="utf-8")
    v1 = original.body(text)
    drafted.write_text(text.replace(v1, "编辑改写的宣传段落，志愿服务队伍共计65人。", 1), encoding="utf-8")
    with FakeOpenAIServer(lambda body: Reply(NEW_PUBLICITY)) as server:
        assert run("regenerate", drafted, "--section", "publicity", *model_args(server)).exit_code == 0
    shown = run("history", drafted, "--section", "publicity")
    assert shown.exit_code == 0, shown.stderr
    origins = re.findall(r"│ publicity\s+│\s+(\d)\s+│[^│]*│\s*(\S+)", shown.stdout)
    assert [o for _, o in origins] == ["起草", "手工修改", "重新生成"], shown.stdout
    with History.open(drafted.parent / ".drafter" / "history.sqlite") as store:
        versions = store.versions(drafted, "publicity")
    assert [v.origin for v in versions] == ["drafted", "edited", "regenerated"]
    assert versions[0].model == "test-model" and versions[0].messages and versions[0].usage

    before = drafted.read_text(encoding="utf-8")
    restored = run("restore", drafted, "--section", "publicity", "--version", "1")
    assert restored.exit_code == 0, restored.stderr
    after = drafted.read_text(encoding="utf-8")
    assert parse_draft(after).section("publicity").body(after) == v1  # version 1 exactly
    assert outside(after, "publicity") == outside(before, "publicity")
    with History.open(drafted.parent / ".drafter" / "history.sqlite") as store:
        last = store.versions(drafted, "publicity")[-1]
    assert (last.number, last.origin, last.text) == (4, "restored", v1)

    diff = run("diff", drafted, "--section", "publicity", "--version", "3")
    assert diff.exit_code == 0
    assert f"-{NEW_PUBLICITY.split('：')[0]}" in diff.stdout.replace(" ", "")
    assert "+我乡志愿服务队伍共计65人" in diff.stdout


def test_editing_server_failure_leaves_the_draft_byte_identical(run, drafted):
    hand_edit(drafted)
    before = drafted.read_bytes()
    with FakeOpenAIServer(lambda body: Reply("服务器内部错误", status=500)) as server:
        result = run("regenerate", drafted, "--section", "publicity", *model_args(server))
        assert server.chat_requests  # it did try
    assert result.exit_code == 1
    assert drafted.read_bytes() == before
    assert "没有写入草稿" in result.stdout and "Traceback" not in result.stderr
    with History.open(drafted.parent / ".drafter" / "history.sqlite") as store:
        last = store.versions(drafted, "publicity")[-1]
        runs = store.runs(drafted)
    assert (last.origin, last.written) == ("failed", False)  # the failed attempt is in history
    assert "500" in (last.note or "")
    assert runs[-1].status == "failed"


def test_editing_unrepaired_check_keeps_the_draft_unless_keep_failed(run, drafted):
    before = drafted.read_bytes()
    wrong = "我乡志愿服务队伍共计88人。"
    with FakeOpenAIServer(lambda body: Reply(wrong)) as server:
        kept = run("regenerate", drafted, "--section", "publicity", "--max-repairs", "1", *model_args(server))
        assert kept.exit_code == 1
        assert drafted.read_bytes() == before
        forced = run("regenerate", drafted, "--section", "publicity", "--max-repairs", "1", "--keep-failed",
                     *model_args(server))
    assert forced.exit_code == 1
    text = drafted.read_text(encoding="utf-8")
    assert parse_draft(text).section("publicity").body(text) == wrong
    assert parse_draft(text).meta["sections"]["publicity"]["status"] == "needs-review"


def test_editing_offline_regenerate_rewrites_from_facts_and_ignores_instruction(run, tmp_path, facts):
    out = tmp_path / "offline.md"
    assert run("draft", facts, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    body = parse_draft(text).section("publicity").body(text)
    out.write_text(text.replace(body, "临时写的一段。", 1), encoding="utf-8")
    result = run("regenerate", out, "--section", "publicity", "--instruction", "写短一点", "--force")
    assert result.exit_code == 0, result.stderr
    assert "--instruction 已忽略" in result.stderr
    new = out.read_text(encoding="utf-8")
    assert parse_draft(new).section("publicity").body(new) == body  # rewritten from the facts
    assert run("check", out).exit_code == 0


def test_editing_unchanged_redraft_makes_no_http_request(run, tmp_path, facts):
    out = tmp_path / "cached.md"
    with FakeOpenAIServer(lambda body: Reply(TEXTS[section_of(body)])) as server:
        first = run("draft", facts, "-o", out, *model_args(server))
        assert first.exit_code == 0, first.stderr
        assert len(server.chat_requests) == 5
        server.requests.clear()
        again = run("draft", facts, "-o", out, "--force", *model_args(server))
        assert again.exit_code == 0, again.stderr
        assert server.requests == []  # every answer came from the cache: zero HTTP requests
        fresh = run("draft", facts, "-o", out, "--force", "--no-cache", *model_args(server))
        assert fresh.exit_code == 0
        assert len(server.chat_requests) == 5
    assert "缓存" in again.stderr
    text = out.read_text(encoding="utf-8")
    assert parse_draft(text).section("publicity").body(text) == TEXTS["publicity"]


def test_editing_damaged_markers_are_an_error_naming_the_line(run, drafted):
    text = drafted.read_text(encoding="utf-8")
    damaged = text.replace("<!-- /section -->", "", 1)
    drafted.write_text(damaged, encoding="utf-8")
    result = run("regenerate", drafted, "--section", "publicity", "--model", "offline")
    assert result.exit_code == 2
    line = damaged[:damaged.index("<!-- section: leadership -->")].count("\n") + 1
    assert f"草稿.md:{line}" in result.stderr and "结束标记" in result.stderr
    assert drafted.read_text(encoding="utf-8") == damaged
    duplicated = text + "\n<!-- section: publicity -->\n多余\n<!-- /section -->\n"
    drafted.write_text(duplicated, encoding="utf-8")
    again = run("regenerate", drafted, "--section", "publicity", "--model", "offline")
    assert again.exit_code == 2 and "重复" in again.stderr
    assert drafted.read_text(encoding="utf-8") == duplicated


def test_editing_second_writer_is_refused_while_the_first_holds_the_lock(run, drafted):
    before = drafted.read_bytes()
    with FakeOpenAIServer(lambda body: Reply(NEW_PUBLICITY, delay=20)) as server:
        first = subprocess.Popen([sys.executable, "-m", "drafter", "regenerate", str(drafted),
                                  "--section", "publicity", *model_args(server)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
        try:
            deadline = time.monotonic() + 30
            while not server.chat_requests and time.monotonic() < deadline:
                time.sleep(0.05)
            assert server.chat_requests, "the first regeneration never reached the server"
            second = run("regenerate", drafted, "--section", "measures", "--model", "offline")
        finally:
            first.kill()
            first.communicate(timeout=30)
    assert second.exit_code == 2  # an unusable file, like the other environment errors
    assert "正在写入这份草稿" in second.stderr
    assert drafted.read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery is POSIX")
def test_editing_ctrl_c_mid_regeneration_changes_nothing(drafted):
    before = drafted.read_bytes()
    with FakeOpenAIServer(lambda body: Reply(NEW_PUBLICITY, delay=30)) as server:
        proc = start_interruptible("regenerate", drafted, "--section", "publicity", *model_args(server))
        deadline = time.monotonic() + 30
        while not server.chat_requests and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "已中断" in err and "Traceback" not in err
    assert drafted.read_bytes() == before
    with History.open(drafted.parent / ".drafter" / "history.sqlite") as store:
        assert store.runs(drafted)[-1].status == "interrupted"
    with locked(drafted):  # the lock was released
        pass


def test_editing_changed_facts_are_used_and_the_new_hash_recorded(run, drafted, facts):
    facts.write_text(FACTS_YAML.replace("新建成宣传栏7个", "新建成宣传栏9个"), encoding="utf-8")
    before = drafted.read_text(encoding="utf-8")
    result = run("regenerate", drafted, "--section", "measures", "--model", "offline")
    assert result.exit_code == 0, result.stderr
    assert "改动过" in result.stderr
    after = drafted.read_text(encoding="utf-8")
    meta = parse_draft(after).meta
    import hashlib

    old_hash, new_hash = parse_draft(before).meta["facts_sha256"], meta["facts_sha256"]
    assert new_hash == hashlib.sha256(facts.read_bytes()).hexdigest() != old_hash
    assert "宣传栏9个" in parse_draft(after).section("measures").body(after)
    # Only the hash, the section's status entry and its body changed.
    head, tail = outside(after, "measures")
    assert (head.replace(new_hash, old_hash), tail) == outside(before, "measures")


def test_editing_gbk_draft_keeps_its_encoding(run, tmp_path, facts):
    out = tmp_path / "gbk.md"
    assert run("draft", facts, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    out.write_bytes(text.replace("总结", "总结报告", 1).encode("gbk"))
    before = out.read_bytes().decode("gbk")
    result = run("regenerate", out, "--section", "measures", "--model", "offline")
    assert result.exit_code == 0, result.stderr
    after = out.read_bytes().decode("gbk")  # still GBK: decoding as GBK works, bytes elsewhere equal
    assert outside(after, "measures") == outside(before, "measures")


def test_editing_unknown_section_and_missing_version_are_input_errors(run, drafted):
    before = drafted.read_bytes()
    unknown = run("regenerate", drafted, "--section", "nosuch", "--model", "offline")
    assert unknown.exit_code == 2 and "publicity" in unknown.stderr
    missing = run("restore", drafted, "--section", "publicity", "--version", "7")
    assert missing.exit_code == 2 and "第 7 版" in missing.stderr
    assert drafted.read_bytes() == before


def test_editing_api_key_never_written_by_regenerate(run, drafted):
    secret = "sk-edit-SECRET-9876543210fedcba"
    with FakeOpenAIServer(lambda body: Reply(NEW_PUBLICITY), api_key=secret) as server:
        ok = run("regenerate", drafted, "--section", "publicity", "--api-key", secret, *model_args(server))
        bad = run("regenerate", drafted, "--section", "measures", "--api-key", secret[::-1], "--no-cache",
                  *model_args(server))
    assert ok.exit_code == 0, ok.stderr
    assert bad.exit_code == 1  # 401: the section fails, the draft keeps its text
    outputs = ok.stdout + ok.stderr + bad.stdout + bad.stderr
    written = b"".join(p.read_bytes() for p in drafted.parent.rglob("*") if p.is_file())
    for text in (secret, secret[::-1]):
        assert text not in outputs
        assert text.encode() not in written


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_editing_regenerate_keeps_the_file_mode_and_new_files_are_not_private(run, tmp_path, facts):
    import os
    import stat

    out = tmp_path / "mode.md"
    assert run("draft", facts, "-o", out).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600
    out.chmod(0o640)
    assert run("regenerate", out, "--section", "measures", "--model", "offline").exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_editing_draft_without_front_matter_still_regenerates_with_facts_given(run, drafted, facts):
    text = drafted.read_text(encoding="utf-8")
    bare = text[parse_draft(text).body_start:]  # an editor deleted the front matter
    drafted.write_text(bare, encoding="utf-8")
    missing = run("regenerate", drafted, "--section", "measures", "--model", "offline")
    assert missing.exit_code == 2 and "--facts" in missing.stderr
    result = run("regenerate", drafted, "--section", "measures", "--model", "offline", "--facts", facts)
    assert result.exit_code == 0, result.stderr
    new = drafted.read_text(encoding="utf-8")
    assert outside(new, "measures") == outside(bare, "measures")
    assert "宣传栏7个" in parse_draft(new).section("measures").body(new)


def test_editing_offline_regenerate_over_a_hand_edit_needs_force(run, tmp_path, facts):
    # A clerk's first day: an offline draft, a hand edit, then regenerate without a model.
    out = tmp_path / "offline.md"
    assert run("draft", facts, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    original = parse_draft(text).section("publicity").body(text)
    edited = text.replace(original, "（编辑补充）" + original, 1)
    out.write_text(edited, encoding="utf-8")
    refused = run("regenerate", out, "--section", "publicity", "--section", "measures")
    assert refused.exit_code == 2, refused.stdout + refused.stderr
    said = " ".join(refused.stderr.split())
    assert "publicity 会换回第 1 版（起草" in said and "覆盖手工修改（已存为第 2 版）" in said
    assert "草稿没有改动" in said and "--force" in said and "drafter restore" in said
    assert "measures" not in said.split("错误：")[1]  # not hand-edited: not named
    assert out.read_text(encoding="utf-8") == edited  # nothing written, not even measures
    with History.open(tmp_path / ".drafter" / "history.sqlite") as store:
        assert [(v.number, v.origin) for v in store.versions(out, "publicity")] == [(1, "drafted"), (2, "edited")]
        assert store.runs(out)[-1].status == "failed"

    again = run("regenerate", out, "--section", "publicity")
    assert again.exit_code == 2 and out.read_text(encoding="utf-8") == edited  # the edit is not forgotten

    forced = run("regenerate", out, "--section", "publicity", "--force")
    assert forced.exit_code == 0, forced.stderr
    new = out.read_text(encoding="utf-8")
    assert parse_draft(new).section("publicity").body(new) == original
    assert f'drafter restore "{out}" --section publicity --version 2' in " ".join(forced.stderr.split())
    rows = table_rows(history_at_80_columns(out).stdout)
    assert [(r[0], r[3], r[4]) for r in rows if r[0] == "publicity"] == [
        ("publicity", "起草", "offline"), ("publicity", "手工修改", ""), ("publicity", "重新生成", "offline")]


def test_editing_offline_regenerate_over_a_model_draft_edit_is_not_refused(run, drafted):
    # The offline text is new here (the draft came from a model): nothing drafter wrote comes back.
    edited = hand_edit(drafted)
    result = run("regenerate", drafted, "--section", "leadership")
    assert result.exit_code == 0, result.stderr
    text = drafted.read_text(encoding="utf-8")
    assert text != edited and HAND_EDIT not in text
    assert "修改内容已先存为一个版本：leadership" in " ".join(result.stderr.split())


def table_rows(output: str) -> list[list[str]]:
    """The rows of a rich table as printed, each cell's wrapped lines joined (a row starts at a 版本)."""
    rows: list[list[str]] = []
    for line in output.splitlines():
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip("│").split("│")]
        if cells[1] or not rows:
            rows.append(cells)
        else:
            rows[-1] = [a + b for a, b in zip(rows[-1], cells, strict=True)]
    return rows


def history_at_80_columns(draft: Path) -> subprocess.CompletedProcess:
    """`drafter history` as an 80-column terminal shows it; the table must fit."""
    from rich.cells import cell_len

    # A real process: its console takes the width from COLUMNS, as on a terminal (an in-process
    # console keeps the width of the first test that created it).
    env = {k: v for k, v in os.environ.items() if k not in ("LINES", "TERM")} | {"COLUMNS": "80"}
    shown = subprocess.run([sys.executable, "-m", "drafter", "history", str(draft)], capture_output=True,
                           text=True, encoding="utf-8", env=env, timeout=60)
    assert shown.returncode == 0, shown.stderr
    table = [line for line in shown.stdout.splitlines() if line[:1] in "┏┃┡│├└"]
    assert table and max(cell_len(line) for line in table) <= 80
    return shown


def test_editing_history_on_a_narrow_console_folds_no_word(run, tmp_path, facts):
    model = "qwen2.5-coder-0.5b-instruct-q4_k_m"
    instruction = "更突出志愿服务，写得具体一些，加上群众的感受和评价"
    out = tmp_path / "窄屏.md"
    args = ["--model", model, "--max-retries", "0", "--timeout", "10"]
    with FakeOpenAIServer(lambda body: Reply(TEXTS[section_of(body)]), models=[model]) as server:
        assert run("draft", facts, "-o", out, "--base-url", server.base_url, *args).exit_code == 0
    with FakeOpenAIServer(lambda body: Reply(NEW_PUBLICITY), models=[model]) as server:
        assert run("regenerate", out, "--section", "publicity", "--instruction", instruction,
                   "--base-url", server.base_url, *args).exit_code == 0
    shown = history_at_80_columns(out)
    rows = table_rows(shown.stdout)
    assert [r[0] for r in rows] == ["intro", "leadership", "publicity", "publicity", "measures", "closing"]
    for r in rows:  # the model name whole, its tokens under it; every other cell reads whole too
        assert r[4].startswith(model) and re.fullmatch(r"\d+/(\d+|未报告)/\d+", r[4][len(model):]), r
        assert re.fullmatch(r"\d\d-\d\d\d\d:\d\d", r[2]) and r[3] in ("起草", "重新生成"), r
    assert rows[3][6] == f"要求：{instruction}"
    # Folded between the name's own words (after a "-"), never inside "2.5" or "instruct".
    lines = shown.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if model[:6] in line)
    parts: list[str] = []
    for line in lines[first:]:
        parts.append(line.split("│")[5].strip())
        if "".join(parts) == model:
            break
    assert "".join(parts) == model and len(parts) > 1 and all(p.endswith("-") for p in parts[:-1]), parts
    # A command is one line (the terminal wraps it), so that it can be copied whole.
    assert shown.stdout.splitlines()[-1] == f'恢复：drafter restore "{out}" --section 章节ID --version 版本号'
