"""`drafter draft` against servers that behave like the local ones users run and like small models:
llama-cpp-python (one slot, a second request cuts the stream being generated, no /props, no usage
in streams), cut and malformed streams, answers that echo the prompt, repeat the primer, loop,
leave out the section's facts or run far over length; and a run stopped by SIGTERM.
Every server here is drafter.testing.FakeOpenAIServer, driven through the openai SDK over HTTP."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_drafting import FACTS, GOOD, draft_args, round_of, section_of

from drafter.document import parse_draft
from drafter.facts import load_facts
from drafter.history import History
from drafter.locking import locked
from drafter.testing import FakeOpenAIServer, Reply

# Sentences of the register a model writes around the facts, with no numbers in them: they bring
# a test answer to a realistic length without adding anything the checker could flag.
FILLER = ["我乡坚持把这项工作摆在突出位置，主要领导亲自抓、分管领导具体抓。",
          "各村各部门密切配合，形成了上下联动、齐抓共管的工作格局。",
          "我乡注重建立长效机制，强化督查问效，确保各项措施落到实处。",
          "通过扎实有效的工作，群众的满意度和参与度进一步提高。",
          "我乡坚持问题导向，边查边改，推动工作不断取得新进展。",
          "广大干部群众积极参与，营造了人人关心、人人支持的良好氛围。",
          "我乡及时总结经验做法，查找薄弱环节，持续改进工作方法。",
          "在推进过程中，我乡坚持统筹兼顾，做到工作有部署、有检查、有落实。",
          "我乡把群众满意作为检验工作的标准，认真听取群众意见建议。",
          "各项工作有序推进，为全乡经济社会发展营造了良好环境。",
          "我乡加强与上级部门的沟通衔接，积极争取政策和项目支持。",
          "我乡坚持以点带面，先行先试，及时推广好的经验做法。",
          "乡党委定期听取工作汇报，研究解决推进中遇到的困难和问题。",
          "我乡强化干部作风建设，引导党员干部带头参与、主动作为。",
          "我乡充分发挥村级组织作用，把各项任务分解落实到村到组。",
          "我乡注重宣传引导，利用广播、标语等形式广泛宣传政策要求。"]
TARGETS = {"intro": 160, "leadership": 280, "plan": 170, "publicity": 390, "measures": 340, "problems": 550,
           "plans": 480, "_closing": 150}  # the sections of 篇一 (with the closing drafter adds), target length
FACT_LINES = {s.id: [f.text for f in s.facts] for s in load_facts(FACTS).sections}
# What the prompt says and a draft never should: the headers a small model echoed in real use.
SCAFFOLDING = ("【写作任务】", "本节事实", "篇幅：", "好的。我已读完", "请告诉我要写哪一节", "事实清单中相近的说法",
               "〔范文片段", "【重写】", "###", "**", "【", "】", "写法：")


def full(sid: str) -> str:
    """GOOD[sid] brought to about the section's target length with number-free sentences."""
    text, filler = GOOD[sid], iter(FILLER)
    while len(text) < TARGETS[sid] * 0.7:
        text += next(filler)
    return text


def body_of(out: Path) -> str:
    """The draft as a reader sees it: no front matter (which carries the notes)."""
    return out.read_text(encoding="utf-8").split("\n---\n", 1)[1]


def statuses(out: Path) -> dict[str, str]:
    sections = parse_draft(out.read_text(encoding="utf-8")).meta["sections"]
    return {sid: entry["status"] for sid, entry in sections.items()}


def llamacpp_args(server: FakeOpenAIServer, out: Path, *extra: str) -> list[str]:
    return ["draft", str(FACTS), "-o", str(out), "--provider", "llamacpp", "--base-url", server.base_url,
            "--model", "test-model", "--timeout", "10", *extra]


def one_slot_server(**options) -> FakeOpenAIServer:
    """A server like llama-cpp-python: one slot; a request arriving cuts the answer being generated."""
    return FakeOpenAIServer(lambda body: Reply(full(section_of(body)), chunk_delay=0.005, chunk_size=8),
                            slots=1, interrupt=True, stream_usage=False, **options)


# -- llama-cpp-python: one slot that cuts streams, no /props, no usage ----------------------------


def test_drafting_llamacpp_provider_against_a_one_slot_server_drafts_every_section(run, tmp_path):
    out = tmp_path / "draft.md"
    with one_slot_server() as server:
        result = run(*llamacpp_args(server, out))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert set(statuses(out).values()) == {"passed"}
    assert server.interrupted == 0 and server.peak_generating == 1  # one request at a time
    assert "一次只处理 1 个请求" in " ".join(result.stderr.split())
    assert "未报告" in result.stdout  # llama-cpp-python sends no usage in streams: shown, never a failure


def test_drafting_plain_base_url_with_concurrency_4_against_a_one_slot_server_drafts_every_section(run, tmp_path):
    out = tmp_path / "draft.md"
    with one_slot_server() as server:
        result = run(*draft_args(server, out, "--concurrency", "4"))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert set(statuses(out).values()) == {"passed"}
    assert server.interrupted == 0


def test_drafting_server_cutting_streams_lowers_concurrency_and_retries_the_cut_answers(run, tmp_path):
    # The server reports 4 slots on /props but has one and cuts: the run adapts instead of failing.
    out = tmp_path / "draft.md"
    with one_slot_server(total_slots=4) as server:
        result = run(*draft_args(server, out, "--concurrency", "4"))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert set(statuses(out).values()) == {"passed"}
    assert server.interrupted >= 1
    said = " ".join(result.stderr.split())
    assert f"{server.interrupted} 次中断了正在生成的回答" in said and "并发降到了 1 路" in said
    assert all(full(sid) in body_of(out) for sid in TARGETS)  # whole answers, none cut short


def test_drafting_server_reporting_slots_on_props_gets_that_many_at_once(run, tmp_path):
    out = tmp_path / "draft.md"
    with FakeOpenAIServer(lambda body: Reply(full(section_of(body)), delay=0.3), total_slots=2) as server:
        result = run(*draft_args(server, out, "--concurrency", "8"))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert server.peak_generating == 2
    assert "一次只处理 2 个请求" in " ".join(result.stderr.split())


def test_drafting_stream_of_two_chunks_then_closed_is_retried_never_accepted(run, tmp_path):
    asked = {"measures": 0}

    def script(body):
        sid = section_of(body)
        if sid == "measures":
            asked[sid] += 1
            if asked[sid] == 1:
                return Reply("我乡高度重视，扎实推进创建工作。", chunk_size=5, cut_after=2)
        return Reply(full(sid))

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert asked["measures"] == 2
    body = parse_draft(out.read_text(encoding="utf-8")).section("measures").body(out.read_text(encoding="utf-8"))
    assert body == full("measures") and "我乡高度重视，扎实推进" not in body_of(out).replace(full("measures"), "")


def test_drafting_stream_cut_every_time_fails_that_section_saying_interrupted(run, tmp_path):
    def script(body):
        sid = section_of(body)
        return Reply(full(sid), cut_after=1) if sid == "plan" else Reply(full(sid))

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
    assert result.exit_code == 1
    meta = parse_draft(out.read_text(encoding="utf-8")).meta["sections"]
    assert meta["plan"]["status"] == "failed" and "中断" in meta["plan"]["note"]
    assert "空内容" not in meta["plan"]["note"]
    assert {sid for sid, s in statuses(out).items() if s == "passed"} == set(TARGETS) - {"plan"}


# -- small models: echoes, the primer, loops ---------------------------------------------------


def echoing(body: dict) -> Reply:
    """Every answer wrapped in what a 0.5B model put around it: the primer, the task header, 本节事实,
    篇幅, a heading five times, 【…】, ### and **, a repair-message line."""
    sid = section_of(body)
    facts = "".join(f"- {f}\n" for f in FACT_LINES.get(sid, [])[:2])
    content = (f"本节事实：\n{facts}篇幅：约{TARGETS[sid]}字\n" + "### **强化工作落实**\n" * 5
               + f"【{full(sid)}】\n事实清单中相近的说法：无（facts.yaml:1）\n")
    return Reply(content, echo_primer=True, echo_lines=1)


def test_drafting_answers_echoing_the_prompt_scaffolding_leave_none_of_it_in_the_draft(run, tmp_path):
    out = tmp_path / "draft.md"
    with FakeOpenAIServer(echoing) as server:
        result = run(*draft_args(server, out))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert set(statuses(out).values()) == {"passed"}
    body = body_of(out)
    for mark in SCAFFOLDING:
        assert mark not in body, mark
    assert body.count("强化工作落实") == len(TARGETS)  # the heading said five times kept once per section
    assert run("check", out).exit_code == 0


def test_drafting_answer_repeating_only_the_primer_is_retried_with_the_task_restated(run, tmp_path):
    def script(body):
        if "【重写】" not in body["messages"][-1]["content"]:
            return Reply("", echo_primer=True)  # the scripted acknowledgement, nothing else
        return Reply(full(section_of(body)))

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
        bodies = [b for b in server.chat_requests if section_of(b) == "publicity"]
    assert result.exit_code == 0, result.stdout + result.stderr
    assert set(statuses(out).values()) == {"passed"}
    first, retry = bodies
    assert retry["messages"][:3] == first["messages"][:3]  # the cached prefix is untouched
    restated = retry["messages"][-1]["content"]
    assert first["messages"][-1]["content"] in restated  # the whole task, again
    assert restated.startswith("【重写】") and "确认语" in restated
    assert restated.rstrip().endswith("同样的话只说一遍。") and "加大宣传力度" in restated.splitlines()[-1]


def test_drafting_answer_that_is_only_scaffolding_fails_with_a_clear_note(run, tmp_path):
    def script(body):
        sid = section_of(body)
        if sid == "leadership":
            return Reply("本节事实：\n篇幅：约280字\n只输出本节正文，不写标题、序号标题和任何解释。", echo_lines=3)
        return Reply(full(sid))

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
        asked = [b for b in server.chat_requests if section_of(b) == "leadership"]
    assert result.exit_code == 1
    meta = parse_draft(out.read_text(encoding="utf-8")).meta["sections"]["leadership"]
    assert meta["status"] == "failed" and "复述提示词" in meta["note"]
    assert len(asked) == 2  # asked once more, then failed
    assert "本节事实" not in body_of(out)


def test_drafting_loop_cut_at_max_tokens_is_not_given_more_tokens(run, tmp_path):
    loop = "我乡高度重视，扎实推进创建工作。" * 60

    def script(body):
        sid = section_of(body)
        if sid == "problems":
            return Reply(GOOD[sid] + loop, finish_reason="length")
        return Reply(full(sid))

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
        asked = [b for b in server.chat_requests if section_of(b) == "problems"]
    assert result.exit_code == 1
    assert len(asked) == 2 and asked[0]["max_tokens"] == asked[1]["max_tokens"]  # no doubling for a loop
    assert "反复重复" in asked[1]["messages"][-1]["content"]
    meta = parse_draft(out.read_text(encoding="utf-8")).meta["sections"]["problems"]
    assert meta["status"] == "failed" and "循环" in meta["note"]
    assert loop[:16] * 2 not in body_of(out)


def test_drafting_answer_far_over_length_is_cut_and_marked(run, tmp_path):
    # Fault run 12: a 200 KB answer was accepted as a passing section (the draft grew to 2.7 MB).
    huge = "".join(f"{FILLER[i % len(FILLER)][:-1]}，这是第{i}次说明。" for i in range(6000))
    assert len(huge.encode()) > 200_000

    def script(body):
        sid = section_of(body)
        return Reply(GOOD[sid] + huge, chunk_size=2000) if sid == "measures" else Reply(full(sid))

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
    assert result.exit_code == 1
    text = out.read_text(encoding="utf-8")
    meta = parse_draft(text).meta["sections"]["measures"]
    assert meta["status"] == "needs-review" and "远超本节" in meta["note"] and "截取" in meta["note"]
    assert len(parse_draft(text).section("measures").body(text)) <= 2 * TARGETS["measures"]
    assert len(text.encode()) < 20_000


# -- the section's own facts and the reference mask ---------------------------------------------


def test_drafting_section_leaving_out_its_facts_is_sent_back_then_marked(run, tmp_path):
    # An answer written from a 范文, with none of the section's own facts: no number is wrong.
    from_a_sample = "提高党政机关和执法管理部门的服务质量，进一步改善服务软环境，营造良好的创建氛围。"

    def script(body):
        sid = section_of(body)
        return Reply(from_a_sample + FILLER[0]) if sid == "publicity" else Reply(full(sid))

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
        asked = [b for b in server.chat_requests if section_of(b) == "publicity"]
    assert result.exit_code == 1
    assert [round_of(b) for b in asked] == [0, 1, 2]
    repair = asked[1]["messages"][-1]["content"]
    assert "本节事实未写到：" in repair
    for fact in ("志愿服务队伍共计65人，占全乡总人数的1.4%", "累计参加志愿服务时间184小时，人均2小时"):
        assert fact in repair.split("本节事实未写到：")[1].split("本节事实：")[0]
    meta = parse_draft(out.read_text(encoding="utf-8")).meta["sections"]["publicity"]
    assert meta["status"] == "needs-review"
    assert "本节事实未写到：" in meta["note"] and "累计参加志愿服务时间184小时" in meta["note"]
    assert "publicity：本节事实未写到：" in " ".join(result.stderr.split())


def test_drafting_omitted_fact_written_after_the_repair_passes(run, tmp_path):
    def script(body):
        sid = section_of(body)
        if sid == "measures" and round_of(body) == 0:
            return Reply("我乡新建成宣传栏7个，全乡各村都有宣传栏。" + FILLER[1])
        return Reply(full(sid))

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
    assert result.exit_code == 0, result.stdout + result.stderr
    meta = parse_draft(out.read_text(encoding="utf-8")).meta["sections"]["measures"]
    assert meta == {"title": "抓好创建工作落实", "status": "passed", "attempts": 2}


def test_drafting_reference_mask_left_in_the_text_is_reported_like_a_placeholder(run, tmp_path):
    def script(body):
        sid = section_of(body)
        return Reply("我乡○○xx年召开会议，" + full(sid)) if sid == "leadership" else Reply(full(sid))

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
        repair = [b["messages"][-1]["content"] for b in server.chat_requests
                  if section_of(b) == "leadership" and round_of(b) == 1]
    assert result.exit_code == 1
    assert repair and "“○○”" in repair[0] and "遮盖数字的记号" in repair[0]
    meta = parse_draft(out.read_text(encoding="utf-8")).meta["sections"]["leadership"]
    assert meta["status"] == "needs-review" and "○○" in meta["note"]
    check = run("check", out)
    assert "未填写的占位符" in check.stdout and "○○" in check.stdout.split("未填写的占位符")[1]


def test_drafting_number_in_a_section_title_is_not_an_omitted_fact(run, tmp_path):
    facts = tmp_path / "facts.yaml"
    # A 乡, as the fillers say 我乡: a 镇 writing 我乡 would now be flagged by the name check.
    facts.write_text("unit: 柳溪乡\nperiod: 2024年\ntopic: 乡村振兴\nsections:\n"
                     "  - id: roads\n    title: 2024年道路建设\n    facts:\n      - 新修村道3公里\n", encoding="utf-8")
    answers = {"roads": "我乡新修村道3公里。" + FILLER[2], "_opening": "我乡扎实推进乡村振兴工作。" + FILLER[3],
               "_closing": "我乡将继续扎实推进乡村振兴工作。" + FILLER[4]}
    out = tmp_path / "draft.md"
    with FakeOpenAIServer(lambda body: Reply(answers[section_of(body)])) as server:
        result = run("draft", facts, "-o", out, "--base-url", server.base_url, "--model", "test-model")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "未写到" not in result.stderr


def test_drafting_unusable_repair_answer_keeps_the_checked_text_of_the_round_before(run, tmp_path):
    wrong = "我乡新建成宣传栏8个，全乡各村都有宣传栏，评出县级文明家庭81户。" + FILLER[5]

    def script(body):
        sid = section_of(body)
        if sid == "measures":
            return Reply(wrong) if round_of(body) == 0 else Reply("", echo_primer=True)
        return Reply(full(sid))

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
    assert result.exit_code == 1
    text = out.read_text(encoding="utf-8")
    meta = parse_draft(text).meta["sections"]["measures"]
    assert meta["status"] == "needs-review" and "修正时模型只复述了开场的确认语" in meta["note"]
    assert parse_draft(text).section("measures").body(text) == wrong


# -- malformed streams: a model error, never a traceback ----------------------------------------


def test_drafting_garbage_sse_data_is_a_chinese_model_error_and_the_draft_is_untouched(run, tmp_path):
    # Fault run 1: `data: {not json}` from the server ended in a Python traceback.
    out = tmp_path / "draft.md"
    out.write_text("编辑手改过的草稿", encoding="utf-8")
    with FakeOpenAIServer([Reply("正文", garbage="{not json}")]) as server:
        result = run(*draft_args(server, out, "--force"))
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "无法解析的流式数据" in said and "原有文件没有改动" in said
    assert "Traceback" not in result.stderr + result.stdout and isinstance(result.exception, SystemExit)
    assert out.read_text(encoding="utf-8") == "编辑手改过的草稿"
    with History.open(tmp_path / ".drafter" / "history.sqlite") as store:
        assert [r.status for r in store.runs(out)] == ["failed"]


# -- SIGTERM ------------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM delivery is POSIX")
def test_drafting_sigterm_is_an_interruption_and_the_next_run_reuses_the_answers(tmp_path):
    out = tmp_path / "draft.md"
    history = tmp_path / ".drafter" / "history.sqlite"
    answered = len(TARGETS) - 1  # every section but plans, which hangs
    hanging = {"plans"}

    def script(body):
        sid = section_of(body)
        return Reply(full(sid), delay=60 if sid in hanging else 0)

    with FakeOpenAIServer(script, total_slots=8) as server:
        proc = subprocess.Popen(drafter_command(server, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, encoding="utf-8")
        deadline = time.monotonic() + 60
        while stored_answers(history) < answered and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)  # as a service manager or `timeout` stops it
        _, err = proc.communicate(timeout=30)
        said = " ".join(err.split())
        assert proc.returncode == 143
        assert "已被终止（SIGTERM）" in said and "Traceback" not in err
        assert f"已收到的 {answered} 个模型回答保存在缓存中" in said and "再次运行同一命令会直接使用" in said
        assert not out.exists()
        with History.open(history) as store:
            assert [(r.status, r.note) for r in store.runs(out)] == [("interrupted", "收到 SIGTERM")]
        with locked(out):  # the lock was released
            pass

        # The next run asks the model only for the section it never answered.
        hanging.clear()
        before = len(server.chat_requests)
        rerun = subprocess.run(drafter_command(server, out), capture_output=True, text=True, encoding="utf-8",
                               timeout=120)
        asked = [section_of(b) for b in server.chat_requests[before:]]
    assert rerun.returncode == 0, rerun.stderr
    assert asked == ["plans"]
    assert f"有 {answered} 次模型请求与以前完全相同" in rerun.stderr


def drafter_command(server: FakeOpenAIServer, out: Path) -> list[str]:
    return [sys.executable, "-m", "drafter", "draft", str(FACTS), "-o", str(out), "--base-url", server.base_url,
            "--model", "test-model", "--timeout", "90"]


def stored_answers(history: Path) -> int:
    """Answers in the response cache (0 before the database exists)."""
    try:
        with sqlite3.connect(history) as conn:
            return conn.execute("SELECT count(*) FROM responses").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_drafting_names_and_copies_are_sent_back_and_repaired(run, tmp_path):
    # Issue 12: a section naming another township as its own, and one copying a 范文 sentence, go
    # back like a wrong number; the repair message says what to change, and the repaired text passes.
    copied = "明晰创建职责，强化督查督办，确保了创建全国文明城市的各项工作有条不紊地开展。"
    first = {"leadership": GOOD["leadership"] + "从构建和谐南坝的高度出发，加强组织领导。",
             "publicity": GOOD["publicity"] + copied}
    repairs = []

    def script(body):
        sid = section_of(body)
        if sid in first and round_of(body) == 0:
            return Reply(full(sid).replace(GOOD[sid], first[sid]))
        if sid in first:
            repairs.append(body["messages"][-1]["content"])
        return Reply(full(sid))

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert len(repairs) == 2
    name_repair = next(r for r in repairs if "南坝" in r)
    assert "其他问题" in name_repair and "芦洲乡" in name_repair
    copy_repair = next(r for r in repairs if "范文" in r and "南坝" not in r)
    assert "明晰创建职责" in copy_repair and "篇二" in copy_repair
    assert "构建和谐南坝" not in body_of(out) and "明晰创建职责" not in body_of(out)


def test_drafting_name_that_stays_marks_the_section_for_review(run, tmp_path):
    wrong = GOOD["leadership"] + "从构建和谐南坝的高度出发，加强组织领导。"

    def script(body):
        sid = section_of(body)
        return Reply(full(sid).replace(GOOD[sid], wrong) if sid == "leadership" else full(sid))

    out = tmp_path / "draft.md"
    with FakeOpenAIServer(script) as server:
        result = run(*draft_args(server, out))
    assert result.exit_code == 1
    assert statuses(out)["leadership"] == "needs-review"
    assert "名称需核对：南坝" in result.stderr
