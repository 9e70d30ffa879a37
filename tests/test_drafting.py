"""`drafter draft` end to end: the offline composer, and the model path against a real loopback
OpenAI-compatible server (drafter.testing.FakeOpenAIServer) driven by the openai SDK over HTTP."""

from __future__ import annotations

import hashlib
import re
import signal
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, start_interruptible

from drafter.document import parse_draft
from drafter.testing import FakeOpenAIServer, Reply

FACTS = FIXTURES / "facts" / "篇一.yaml"
FACT_FILES = sorted((FIXTURES / "facts").glob("*.yaml"))
TASK = re.compile(r"【写作任务】请撰写章节 (\S+?)“")


def section_of(body: dict) -> str:
    """The section a chat request is drafting (from its task message)."""
    for message in body["messages"]:
        found = TASK.search(message["content"])
        if found:
            return found.group(1)
    raise AssertionError("no section task in request")


def round_of(body: dict) -> int:
    """0 for the first draft of a section, 1 after one repair message, …"""
    return sum(1 for m in body["messages"] if m["role"] == "assistant") - 1


# Faithful answers: each writes every fact of its section, numbers as given.
GOOD = {
    "_opening": "2017年，我乡扎实推进创建全国文明城市工作。现将有关情况总结如下：",
    "leadership": "我乡成立以书记为组长，乡长、副书记、党委委员为副组长的创建全国文明城市工作领导小组，"
                  "“四办五中心”主任、各村委主任及各部门一把手为成员。小组下设办公室，从各相关部门抽调人员，"
                  "负责创建工作的组织、开展、督查，促进了我乡三个文明建设协调发展。",
    "plan": "我乡制定了《南坝乡创建全国文明城市工作责任落实方案》，明确了创建内容及责任分工。",
    "publicity": "我乡坚定了一个决心，建立了一个机制，强化了一支队伍，营造了一种气氛，奠定了一个基础。"
                 "召开动员大会两次，建立村级志愿服务队伍，志愿服务队伍共计65人，占全乡总人数的1.4%；"
                 "参加县乡村三级志愿服务活动90人次，占注册志愿者总人数的97%，累计参加志愿服务时间184小时，人均2小时。",
    "measures": "文化站联合工商、派出所、综治办清查无牌无证经营的商业网点。我乡确定了兴建文化大楼计划，"
                "新建成宣传栏7个，全乡各村都有宣传栏；制定创建精神文明实施方案，评出县级文明家庭81户。",
    "problems": "一是乡村两级可支配收入极少，创建经费筹措困难。二是专用宣传栏配备不足，乡文化站在建，无图书室。"
                "三是两个居委会均无固定的办公场所。四是街道乱摆乱卖现象时有发生。",
    "plans": "下一步，我乡将继续抓好创建工作的宣传，把创建活动经费列入财政预算，做到专款专用；"
             "完善宣传专用栏，设立公益性广告和标语；完善社区办公场所及活动场所建设。",
    "_closing": "总之，我乡将继续努力，推动创建工作再上新台阶。",
    "intro": "2017年，我乡在区委宣传部和区委创建办的支持指导下，以建设社会主义新农村为切入口，"
             "扎实推进创建全国文明城市工作。现将有关情况总结如下：",
}


def good(body: dict) -> Reply:
    return Reply(GOOD[section_of(body)])


def draft_args(server: FakeOpenAIServer, out: Path, *extra: str) -> list[str]:
    return ["draft", str(FACTS), "-o", str(out), "--base-url", server.base_url, "--model", "test-model",
            "--max-retries", "2", "--timeout", "10", *extra]


@pytest.mark.parametrize("facts", FACT_FILES, ids=lambda p: p.stem)
def test_drafting_offline_composer_writes_a_draft_that_checks_clean(run, tmp_path, facts):
    out = tmp_path / "草稿 1.md"
    result = run("draft", facts, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "离线撰写器" in result.stderr  # the one-line notice saying no model is configured
    text = out.read_text(encoding="utf-8")
    draft = parse_draft(text, out)
    assert draft.meta["backend"] == "offline"
    assert draft.facts_path().resolve() == facts.resolve()
    assert draft.meta["facts_sha256"] == hashlib.sha256(facts.read_bytes()).hexdigest()
    assert all(v["status"] == "passed" for v in draft.meta["sections"].values())
    body = text.split("\n---\n", 1)[1]
    assert "## 一、" in body
    check = run("check", out)
    assert check.exit_code == 0, check.stdout + check.stderr


def test_drafting_refuses_to_overwrite_without_force(run, tmp_path):
    out = tmp_path / "draft.md"
    out.write_text("编辑写的内容", encoding="utf-8")
    result = run("draft", FACTS, "-o", out)
    assert result.exit_code == 2 and "--force" in result.stderr
    assert out.read_text(encoding="utf-8") == "编辑写的内容"
    assert run("draft", FACTS, "-o", out, "--force").exit_code == 0


def test_drafting_repairs_wrong_numbers(run, tmp_path):
    def script(body):
        sid = section_of(body)
        if sid == "measures" and round_of(body) == 0:
            return Reply("我乡新建成宣传栏8个，全乡各村都有宣传栏，评出县级文明家庭81户。")
        return Reply(GOOD[sid])

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
        measures = [b for b in server.chat_requests if section_of(b) == "measures"]
    assert result.exit_code == 0, result.stdout + result.stderr
    assert len(measures) == 2
    repair = measures[1]["messages"][-1]["content"]
    assert "8个" in repair and "新建成宣传栏7个" in repair
    assert measures[1]["messages"][-2] == {
        "role": "assistant", "content": "我乡新建成宣传栏8个，全乡各村都有宣传栏，评出县级文明家庭81户。"}
    draft = parse_draft(out.read_text(encoding="utf-8"), out)
    assert draft.meta["sections"]["measures"] == {"title": "抓好创建工作落实", "status": "passed", "attempts": 2}
    assert "宣传栏7个" in draft.section("measures").body(draft.text)


def test_drafting_facts_without_numbers_left_out_are_sent_back(run, tmp_path):
    # What a 0.5B local model wrote for these sections: a heading echoed, one generic sentence.
    first = {"intro": "总体情况（开头）的正文。", "leadership": "加强组织领导，强化宣传，确保创建工作落到实处。"}

    def script(body):
        sid = section_of(body)
        if sid in first and (sid == "intro" or round_of(body) == 0):
            return Reply(first[sid])
        return Reply(GOOD[sid])

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
        repair = [b for b in server.chat_requests if section_of(b) == "leadership"][1]["messages"][-1]["content"]
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "本节事实未写到" in repair and "促进我乡三个文明建设协调发展" in repair
    sections = parse_draft(out.read_text(encoding="utf-8")).meta["sections"]
    assert sections["leadership"]["status"] == "passed" and sections["leadership"]["attempts"] == 2
    assert sections["intro"]["status"] == "needs-review"
    assert "本节事实未写到" in sections["intro"]["note"] and "区委宣传部" in sections["intro"]["note"]


WORDING = [
    # (fact, text, written); the section's heading is 制定责任落实方案
    ("确定兴建文化大楼计划", "我乡计划新建一座文化大楼。", True),
    ("制定《南坝乡创建全国文明城市工作责任落实方案》", "我乡制定了创建全国文明城市工作责任落实方案。", True),
    ("制定《南坝乡创建全国文明城市工作责任落实方案》", "制定责任落实方案。", False),  # the heading only
    ("促进我乡三个文明建设协调发展", "推动了全乡物质文明、政治文明和精神文明建设协调发展。", True),
    ("街道乱摆乱卖现象时有发生", "集镇上乱摆乱卖的现象仍时有发生。", True),
    ("在区委宣传部和区委创建办的支持指导下推进创建工作", "总体情况（开头）的正文。", False),
    ("促进我乡三个文明建设协调发展", "加强组织领导，强化宣传，确保创建工作落到实处。", False),
    ("街道乱摆乱卖现象时有发生", "二是专用宣传栏配备不足。", False),
]


@pytest.mark.parametrize("fact, text, written", WORDING, ids=[w[1][:12] for w in WORDING])
def test_drafting_wording_used(fact, text, written):
    from drafter.drafting import wording_used

    assert wording_used(fact, text, heading="制定责任落实方案") is written


def test_drafting_number_copied_from_a_style_reference_is_repaired_or_flagged(run, tmp_path):
    # 设立宣传栏30个 is in sample 篇二, never in 篇一's facts.
    def script(body):
        sid = section_of(body)
        if sid == "measures":
            return Reply("我乡设立宣传栏30个，全乡各村都有宣传栏，评出县级文明家庭81户。")
        return Reply(GOOD[sid])

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out, "--max-repairs", "1"))
        first_prompts = [m["content"] for b in server.chat_requests if round_of(b) == 0
                         for m in b["messages"]]
        repair = [b["messages"][-1]["content"] for b in server.chat_requests if round_of(b) == 1]
    assert result.exit_code == 1
    # The sample's number reached no prompt (references are masked): the model made it up.
    assert first_prompts and not any("30个" in p for p in first_prompts)
    assert len(repair) == 1 and "30个" in repair[0] and "事实清单中没有这个数字" in repair[0]
    draft = parse_draft(out.read_text(encoding="utf-8"), out)
    assert draft.meta["sections"]["measures"]["status"] == "needs-review"
    assert draft.meta["sections"]["measures"]["attempts"] == 2
    assert "需要人工核对" in result.stdout and "measures" in result.stdout
    check = run("check", out)
    assert check.exit_code == 1 and "30个" in check.stdout


def test_drafting_rate_limited_twice_then_succeeds(run, tmp_path):
    calls = {"n": 0}

    def script(body):
        if section_of(body) == "publicity":
            calls["n"] += 1
            if calls["n"] <= 2:
                return Reply("慢一点", status=429, retry_after_ms=10)
        return Reply(GOOD[section_of(body)])

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert calls["n"] == 3
    assert parse_draft(out.read_text(encoding="utf-8")).meta["sections"]["publicity"]["status"] == "passed"


def test_drafting_server_error_forever_fails_one_section_only(run, tmp_path):
    def script(body):
        if section_of(body) == "problems":
            return Reply("boom", status=500, retry_after_ms=10)
        return Reply(GOOD[section_of(body)])

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out, "--max-retries", "1"))
        problems = [b for b in server.chat_requests if section_of(b) == "problems"]
    assert result.exit_code == 1
    assert len(problems) == 2  # one try and one SDK retry
    text = out.read_text(encoding="utf-8")
    draft = parse_draft(text, out)
    assert draft.meta["sections"]["problems"]["status"] == "failed"
    assert "500" in draft.meta["sections"]["problems"]["note"]
    assert "起草失败" in draft.section("problems").body(text)
    assert draft.meta["sections"]["publicity"]["status"] == "passed"
    assert "志愿服务队伍共计65人" in text
    assert "失败" in result.stdout


def test_drafting_slow_response_still_lands(run, tmp_path):
    def script(body):
        delay = 3.0 if section_of(body) == "plans" else 0.0
        return Reply(GOOD[section_of(body)], delay=delay)

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "列入财政预算" in out.read_text(encoding="utf-8")


def test_drafting_truncated_output_is_retried_with_more_room(run, tmp_path):
    asked = {"publicity": 0}

    def script(body):
        sid = section_of(body)
        if sid == "publicity":
            asked[sid] += 1
            if asked[sid] == 1:
                return Reply(GOOD[sid][:20], finish_reason="length")
        if sid == "problems":
            return Reply("一是创建经费", finish_reason="length")
        return Reply(GOOD[sid])

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
        sizes = [b["max_tokens"] for b in server.chat_requests if section_of(b) == "publicity"]
    assert len(sizes) == 2 and sizes[1] == 2 * sizes[0]
    meta = parse_draft(out.read_text(encoding="utf-8")).meta["sections"]
    assert meta["publicity"]["status"] == "passed"
    assert meta["problems"]["status"] == "needs-review" and "截断" in meta["problems"]["note"]
    assert result.exit_code == 1


def test_drafting_strips_think_blocks_and_preambles(run, tmp_path):
    def script(body):
        sid = section_of(body)
        return Reply(f"<think>用户要我写{sid}，先想想数字99个。</think>\n好的，以下是本节正文：\n\n{GOOD[sid]}")

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
    text = out.read_text(encoding="utf-8")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "<think>" not in text and "99个" not in text and "以下是" not in text


def test_drafting_empty_content_retried_then_failed(run, tmp_path):
    seen = {"leadership": 0}

    def script(body):
        sid = section_of(body)
        if sid == "leadership":
            seen[sid] += 1
            return Reply("")
        return Reply(GOOD[sid])

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
    assert seen["leadership"] == 2
    meta = parse_draft(out.read_text(encoding="utf-8")).meta["sections"]
    assert meta["leadership"]["status"] == "failed" and "空内容" in meta["leadership"]["note"]
    assert result.exit_code == 1


def test_drafting_request_bodies_share_a_prefix_and_carry_the_facts(run, tmp_path):
    out = tmp_path / "draft.md"
    with FakeOpenAIServer(good, total_slots=8) as server:  # a llama-server with 8 slots, on /props
        result = run(*draft_args(server, out, "--concurrency", "8"))
        bodies = server.chat_requests
    assert result.exit_code == 0, result.stdout + result.stderr
    assert {section_of(b) for b in bodies} == {"intro", "leadership", "plan", "publicity", "measures",
                                               "problems", "plans", "_closing"}
    prefixes = {repr(b["messages"][:3]) for b in bodies}
    assert len(prefixes) == 1  # identical system prompt, facts and shared references
    shared = "".join(m["content"] for m in bodies[0]["messages"][:3])
    assert "志愿服务队伍共计65人，占全乡总人数的1.4%" in shared
    assert all(b["stream"] is True and b["model"] == "test-model" for b in bodies)
    assert server.peak_in_flight > 1


def test_drafting_api_key_never_written(run, tmp_path):
    secret = "sk-test-SECRET-0123456789abcdef"
    out = tmp_path / "draft.md"
    with FakeOpenAIServer(good, api_key=secret) as server:
        ok = run(*draft_args(server, out, "--api-key", secret))
        # --no-cache: the same request would otherwise be answered from history, with no call at all.
        bad = run(*draft_args(server, tmp_path / "bad.md", "--api-key", "sk-wrong-" + secret[::-1],
                              "--no-cache"))
        auth = [r.headers.get("authorization") for r in server.requests]
    assert ok.exit_code == 0, ok.stdout + ok.stderr
    assert f"Bearer {secret}" in auth  # the key did reach the server that needs it
    assert bad.exit_code == 1
    outputs = ok.stdout + ok.stderr + bad.stdout + bad.stderr
    written = "".join(p.read_text(encoding="utf-8", errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    assert (tmp_path / ".drafter" / "history.sqlite").is_file()  # the history database is searched too
    for secret_text in (secret, secret[::-1]):
        assert secret_text not in outputs
        assert secret_text not in written
        assert secret_text[8:20] not in outputs + written


def test_drafting_remote_endpoint_without_model_says_how(run, tmp_path):
    result = run("draft", FACTS, "-o", tmp_path / "d.md", "--provider", "deepseek", "--api-key", "k")
    assert result.exit_code == 2
    assert "--model" in result.stderr and "DRAFTER_MODEL" in result.stderr
    assert not (tmp_path / "d.md").exists()


def test_drafting_prompt_command_prints_messages(run):
    result = run("prompt", FACTS, "--section", "publicity", "--json")
    assert result.exit_code == 0, result.stderr
    import json

    data = json.loads(result.stdout)
    assert data["messages"][0]["role"] == "system"
    assert "志愿服务队伍共计65人" in data["messages"][-1]["content"]
    assert 0 < data["shared_tokens"] < data["tokens"]
    unknown = run("prompt", FACTS, "--section", "nosuch")
    assert unknown.exit_code == 2 and "publicity" in unknown.stderr


def test_drafting_models_lists_server_models(run):
    with FakeOpenAIServer(good, models=("qwen-plus", "test-model")) as server:
        result = run("models", "--base-url", server.base_url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == ["qwen-plus", "test-model"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery is POSIX")
def test_drafting_ctrl_c_leaves_the_draft_untouched(tmp_path):
    out = tmp_path / "draft.md"
    out.write_text("编辑手改过的草稿", encoding="utf-8")
    with FakeOpenAIServer([Reply("好", delay=30)]) as server:
        proc = start_interruptible("draft", FACTS, "-o", out, "--force", "--base-url", server.base_url,
                                   "--model", "test-model")
        deadline = time.monotonic() + 30
        while not server.chat_requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.chat_requests, "drafting never reached the server"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "已中断" in err and "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "编辑手改过的草稿"
    # No temp file left behind; the history folder records the interrupted run.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".drafter", "draft.md"]
    from drafter.history import History

    with History.open(tmp_path / ".drafter" / "history.sqlite") as store:
        assert [r.status for r in store.runs(out)] == ["interrupted"]
