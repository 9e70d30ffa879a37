"""`drafter batch`: many facts files, live with one shared limit, or through the Batch API of a real
loopback server (drafter.testing.FakeOpenAIServer: /v1/files, /v1/batches) driven by the openai SDK."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, start_interruptible

from drafter.batch.lines import MAX_BYTES, MAX_REQUESTS, request_line, split_lines
from drafter.document import parse_draft
from drafter.testing import FakeOpenAIServer, Reply

TASK = re.compile(r"【写作任务】请撰写章节 (\S+?)“")
# unit: (how it names itself, greenhouses built, relief paid in 万元)
UNITS = {"芦洲乡": ("我乡", 12, 35), "东湖镇": ("我镇", 8, 20), "新华街道": ("我街道", 5, 16)}
STEMS = {"芦洲乡": "芦洲", "东湖镇": "东湖", "新华街道": "新华"}
SECTIONS = ("_opening", "industry", "people", "_closing")


def write_facts(folder: Path, units=UNITS) -> list[Path]:
    """One facts file per unit, in a folder whose name has a space (as on many office PCs)."""
    folder = folder / "事实 文件"
    folder.mkdir(exist_ok=True)
    paths = []
    for unit, (_, sheds, money) in units.items():
        path = folder / f"{STEMS[unit]}.yaml"
        path.write_text(f"unit: {unit}\nperiod: 2023年\ntopic: 乡村振兴\nsections:\n"
                        f"  - id: industry\n    title: 产业振兴\n    facts:\n      - 新建蔬菜大棚{sheds}个\n"
                        f"  - id: people\n    title: 民生保障\n    facts:\n      - 发放救助资金{money}万元\n",
                        encoding="utf-8")
        paths.append(path)
    return paths


def request_of(body: dict) -> tuple[str, str]:
    """(unit, section) a chat request drafts, read from its messages."""
    section = next(TASK.search(m["content"]).group(1) for m in body["messages"] if TASK.search(m["content"]))
    return next(u for u in UNITS if u in body["messages"][0]["content"]), section


def is_repair(body: dict) -> bool:
    return sum(1 for m in body["messages"] if m["role"] == "assistant") > 1


# Sections are a paragraph, not a line: a one-line answer is sent back as too short.
PAD = "坚持高标准谋划、高质量推进，加强统筹协调，压实工作责任，确保各项任务落到实处、取得实效。"


def good_text(unit: str, section: str, units=UNITS) -> str:
    we, sheds, money = units[unit]
    return {"_opening": f"2023年，{we}坚持高标准谋划、高质量推进，扎实推进乡村振兴各项工作，现将有关情况总结如下：",
            "industry": f"{we}大力发展设施农业，新建蔬菜大棚{sheds}个，带动群众增收。{PAD}",
            "people": f"{we}扎实做好民生保障工作，发放救助资金{money}万元。{PAD}",
            "_closing": f"下一步，{we}将继续扎实推进乡村振兴各项工作。{PAD}"}[section]


def wrong_text() -> str:
    """东湖镇's industry section with a number its facts do not have (8 greenhouses, not 9)."""
    return f"我镇大力发展设施农业，新建蔬菜大棚9个。{PAD}"


def good(body: dict) -> Reply:
    return Reply(good_text(*request_of(body)), delay=0.05)


def model_args(server: FakeOpenAIServer, *extra) -> list[str]:
    return ["--base-url", server.base_url, "--model", "test-model", "--timeout", "10", *extra]


def batch_api(*extra) -> list[str]:
    return ["--via", "batch-api", "--poll-interval", "0.01", *extra]


def body_of(path: Path, section: str) -> str:
    draft = parse_draft(path.read_text(encoding="utf-8"), path)
    return draft.section(section).body(draft.text)


def assert_drafts_check_clean(run, out: Path) -> None:
    for unit, (we, sheds, money) in UNITS.items():
        draft = out / f"{STEMS[unit]}.md"
        assert f"蔬菜大棚{sheds}个" in body_of(draft, "industry"), unit  # landed in its own file and section
        assert f"救助资金{money}万元" in body_of(draft, "people"), unit
        assert body_of(draft, "_opening").startswith(f"2023年，{we}")
        check = run("check", draft)
        assert check.exit_code == 0, check.stdout


# -- live ----------------------------------------------------------------------------------------


def test_batch_live_three_files_share_one_concurrency_limit_and_a_rerun_asks_nothing(run, tmp_path):
    paths = write_facts(tmp_path)
    out = tmp_path / "草稿"
    with FakeOpenAIServer(good, total_slots=8) as server:  # the server would take 8: the limit is ours
        first = run("batch", *paths, "-o", out, *model_args(server, "--concurrency", "3"))
        chats, peak = len(server.chat_requests), server.peak_in_flight
        report = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))
        before = len(server.requests)
        again = run("batch", *paths, "-o", out, *model_args(server, "--concurrency", "3"))
        asked_again = len(server.requests) - before
    assert first.exit_code == 0, first.stdout + first.stderr
    assert chats == 12 and 1 < peak <= 3
    assert_drafts_check_clean(run, out)
    assert report["totals"]["requests"] == 12 and report["totals"]["passed"] == 3
    assert [f["draft"] for f in report["files"]] == ["芦洲.md", "东湖.md", "新华.md"]
    assert again.exit_code == 0, again.stdout + again.stderr
    assert asked_again == 0
    rerun = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))
    assert [f["state"] for f in rerun["files"]] == ["current"] * 3 and rerun["totals"]["requests"] == 0
    assert "本次写出 0 份，3 份已是最新" in again.stdout


def test_batch_live_changed_facts_file_is_redrafted_and_the_others_are_left_alone(run, tmp_path):
    paths = write_facts(tmp_path)
    out = tmp_path / "out"
    changed = dict(UNITS, 东湖镇=("我镇", 9, 20))

    def script(body):
        return Reply(good_text(*request_of(body), units=changed))

    with FakeOpenAIServer(script, total_slots=4) as server:
        assert run("batch", *paths, "-o", out, *model_args(server)).exit_code == 1  # 东湖 says 9, its facts 8
        flagged = (out / "东湖.md").read_text(encoding="utf-8")
        untouched = (out / "芦洲.md").read_bytes()
        write_facts(tmp_path, changed)  # the clerk corrects 东湖's facts
        before = len(server.chat_requests)
        again = run("batch", *paths, "-o", out, *model_args(server))
        redrafted = {request_of(b)[0] for b in server.chat_requests[before:]}
    assert "needs-review" in flagged
    assert again.exit_code == 0, again.stdout + again.stderr
    assert redrafted == {"东湖镇"}
    files = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))["files"]
    assert [(f["state"], f["redrafted_because"]) for f in files] == [
        ("current", None), ("drafted", "事实文件有改动"), ("current", None)]
    assert "蔬菜大棚9个" in body_of(out / "东湖.md", "industry")
    assert (out / "芦洲.md").read_bytes() == untouched


def test_batch_live_rate_limit_pauses_the_requests_of_every_file(run, tmp_path):
    paths = write_facts(tmp_path)
    lock = threading.Lock()
    arrivals: list[float] = []
    limited: dict[str, float] = {}

    def script(body):
        unit, section = request_of(body)
        with lock:
            arrivals.append(time.monotonic())
            first = (unit, section) == ("芦洲乡", "industry") and not limited
            if first:
                limited["at"] = time.monotonic() + 0.1  # when the 429 goes out
        if first:
            return Reply("请求过于频繁", status=429, delay=0.1, retry_after_ms=600)
        # Slower than the 429: the other requests in flight end during the pause, and without a
        # shared pause their slots would send the next requests (other files' too) at once.
        return Reply(good_text(unit, section), delay=0.35)

    out = tmp_path / "out"
    with FakeOpenAIServer(script, total_slots=8) as server:
        result = run("batch", *paths, "-o", out, *model_args(server, "--concurrency", "3"))
    assert result.exit_code == 0, result.stdout + result.stderr
    start, end = limited["at"] + 0.1, limited["at"] + 0.45
    assert len(arrivals) == 13  # twelve sections, one of them asked twice
    assert [t for t in arrivals if start < t < end] == []
    assert "HTTP 429" in result.stderr and "所有文件的请求一起暂停" in result.stderr
    assert_drafts_check_clean(run, out)


def test_batch_offline_composer_drafts_every_file_of_a_folder(run, tmp_path):
    out = tmp_path / "out"
    result = run("batch", FIXTURES / "facts", "-o", out)
    assert result.exit_code == 0, result.stdout + result.stderr
    names = sorted(p.name for p in out.glob("*.md"))
    assert names == sorted(f"{p.stem}.md" for p in (FIXTURES / "facts").glob("*.yaml"))
    for name in names:
        assert run("check", out / name).exit_code == 0
    assert json.loads((out / "batch-report.json").read_text(encoding="utf-8"))["totals"]["files"] == 5
    # A normal draft: regenerated, its history listed and exported like any other.
    assert run("regenerate", out / "篇一.md", "--section", "publicity").exit_code == 0
    history = run("history", out / "篇一.md", "--section", "publicity")
    assert history.exit_code == 0 and "起草" in history.stdout and "重新生成" in history.stdout
    assert run("export", out / "篇一.md", "-o", tmp_path / "篇一.docx").exit_code == 0


# -- bad input -----------------------------------------------------------------------------------


def test_batch_one_bad_facts_file_names_itself_and_nothing_is_sent(run, tmp_path):
    paths = write_facts(tmp_path)
    paths[1].write_text("unit: 东湖镇\nperiod: 2023年\nsections:\n  - id: industry\n    facts: [\n",
                        encoding="utf-8")
    with FakeOpenAIServer(good) as server:
        result = run("batch", *paths, "-o", tmp_path / "out", *model_args(server))
        requests = len(server.requests)
    assert result.exit_code == 2
    assert "东湖.yaml" in result.stderr and "Traceback" not in result.stderr
    assert requests == 0
    assert not (tmp_path / "out").exists()


def test_batch_two_facts_files_with_the_same_name_are_refused(run, tmp_path):
    paths = write_facts(tmp_path)
    other = tmp_path / "别的乡"
    other.mkdir()
    (other / "芦洲.yaml").write_text(paths[0].read_text(encoding="utf-8"), encoding="utf-8")
    result = run("batch", paths[0], other / "芦洲.yaml", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "同名" in result.stderr and "芦洲.md" in result.stderr
    assert not (tmp_path / "out").exists()


def test_batch_existing_file_that_is_not_a_draft_is_kept_without_force(run, tmp_path):
    paths = write_facts(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "东湖.md").write_text("办公室的手写稿", encoding="utf-8")
    refused = run("batch", *paths, "-o", out)
    assert refused.exit_code == 2 and "--force" in refused.stderr and "东湖.md" in refused.stderr
    assert (out / "东湖.md").read_text(encoding="utf-8") == "办公室的手写稿"
    assert not (out / "芦洲.md").exists()
    assert run("batch", *paths, "-o", out, "--force").exit_code == 0
    assert "<!-- section: industry -->" in (out / "东湖.md").read_text(encoding="utf-8")


def test_batch_api_deepseek_has_no_batch_endpoint_and_nothing_is_sent(run, tmp_path):
    paths = write_facts(tmp_path)
    result = run("batch", *paths, "-o", tmp_path / "out", "--provider", "deepseek", "--model", "deepseek-chat",
                 "--api-key", "sk-test", "--via", "batch-api")
    assert result.exit_code == 2
    assert "DeepSeek 没有批处理接口" in result.stderr and "--via live" in result.stderr


# -- Batch API -----------------------------------------------------------------------------------


def test_batch_api_rounds_repair_resubmit_a_failed_line_and_land_in_order(run, tmp_path):
    paths = write_facts(tmp_path)
    asked: dict[tuple[str, str], int] = {}

    def script(body):
        unit, section = request_of(body)
        asked[unit, section] = asked.get((unit, section), 0) + 1
        if (unit, section) == ("东湖镇", "industry") and not is_repair(body):
            return Reply(wrong_text())  # 9 is not in its facts: a repair round
        if (unit, section) == ("新华街道", "people") and asked[unit, section] == 1:
            return Reply("服务器出错", status=500)  # a failed line in the error file
        return Reply(good_text(unit, section))

    out = tmp_path / "out"
    with FakeOpenAIServer(script, shuffle=True) as server:
        result = run("batch", *paths, "-o", out, *model_args(server, *batch_api()))
        chats, inputs, batches = len(server.chat_requests), server.batch_inputs, server.batches
        uploads = [u for u in server.uploads if u.purpose == "batch"]
        status = run("batch", "--status", out)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert chats == 0
    assert len(batches) >= 2 and [b["status"] for b in batches] == ["completed"] * len(batches)
    first, second = [[line["custom_id"] for line in lines] for lines in inputs[:2]]
    assert sorted(first) == sorted(f"{STEMS[u]}/{s}/r1" for u in UNITS for s in SECTIONS)
    assert sorted(second) == ["东湖/industry/r2", "新华/people/r2"]  # the repair, the failed line again
    line = inputs[0][0]
    assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
    assert line["body"]["model"] == "test-model" and "stream" not in line["body"]
    repair = next(x for x in inputs[1] if x["custom_id"] == "东湖/industry/r2")["body"]["messages"]
    assert "9个" in repair[-1]["content"] and repair[-2]["content"].startswith("我镇大力发展设施农业")
    assert len(uploads) == 2
    assert_drafts_check_clean(run, out)
    assert "新华/people" in result.stderr  # the user is told which line was submitted again
    report = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))
    assert report["via"] == "batch-api" and [b["round"] for b in report["batches"]] == [1, 2]
    assert report["resubmitted"] == ["新华/people"]
    assert status.exit_code == 0 and status.stdout.count("已完成") == 2


def test_batch_api_expired_batch_lines_go_into_the_next_round(run, tmp_path):
    paths = write_facts(tmp_path)
    expired = set()

    def script(body):
        unit, section = request_of(body)
        if (unit, section) == ("芦洲乡", "people") and not expired:
            expired.add(unit)
            return Reply(expire=True)  # the completion window ended before this line ran
        return Reply(good_text(unit, section))

    out = tmp_path / "out"
    with FakeOpenAIServer(script) as server:
        result = run("batch", *paths, "-o", out, *model_args(server, *batch_api()))
        statuses = [b["status"] for b in server.batches]
        second = [line["custom_id"] for line in server.batch_inputs[1]]
        status = run("batch", "--status", out)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert statuses == ["expired", "completed"]
    assert second == ["芦洲/people/r2"]
    assert_drafts_check_clean(run, out)
    assert "已过期" in status.stdout


def test_batch_api_provider_without_files_endpoint_says_use_live(run, tmp_path):
    paths = write_facts(tmp_path)
    with FakeOpenAIServer(good, batch_api=False) as server:
        result = run("batch", *paths, "-o", tmp_path / "out", *model_args(server, *batch_api()))
        chats = len(server.chat_requests)
    assert result.exit_code == 2
    assert "没有批处理接口" in result.stderr and "--via live" in result.stderr
    assert "Traceback" not in result.stderr
    assert chats == 0 and not list((tmp_path / "out").glob("*.md"))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery is POSIX")
@pytest.mark.parametrize("forget_id", [False, True], ids=["batch-id-saved", "stopped-before-id-saved"])
def test_batch_api_ctrl_c_while_polling_then_rerun_uploads_the_first_round_once(run, tmp_path, forget_id):
    paths = write_facts(tmp_path)
    out = tmp_path / "out"
    with FakeOpenAIServer(good) as server:
        server.batch_hold = True  # the provider is slow: the batch stays in progress
        args = ["batch", *paths, "-o", out, *model_args(server, *batch_api())]
        proc = start_interruptible(*args)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(b["status"] == "in_progress" for b in server.batches):
            time.sleep(0.02)
        assert server.batches, "the batch was never created"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        if forget_id:  # as if Ctrl-C had landed after the provider created the batch, before its id was saved
            with sqlite3.connect(out / ".drafter" / "history.sqlite") as db:
                db.execute("UPDATE batches SET batch_id = NULL, status = 'uploaded'")
        server.batch_hold = False
        again = run(*args)
        uploads = [[line["custom_id"] for line in u.lines] for u in server.uploads if u.purpose == "batch"]
        created = len(server.batches)
    assert proc.returncode == 130
    assert "已中断" in err and "不会重复提交" in err and "Traceback" not in err
    assert again.exit_code == 0, again.stdout + again.stderr
    assert len(uploads) == 1 and all(cid.endswith("/r1") for cid in uploads[0]) and created == 1
    assert "没有重复提交" in again.stderr
    assert_drafts_check_clean(run, out)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery is POSIX")
def test_batch_api_cancel_stops_the_open_batch_and_a_rerun_submits_its_lines_again(run, tmp_path):
    paths = write_facts(tmp_path)
    out = tmp_path / "out"
    with FakeOpenAIServer(good) as server:
        server.batch_hold = True
        args = ["batch", *paths, "-o", out, *model_args(server, *batch_api())]
        proc = start_interruptible(*args)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(b["status"] == "in_progress" for b in server.batches):
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
        asked = run("batch", "--status", out, "--base-url", server.base_url)  # asks the provider now
        cancelled = run("batch", "--cancel", out, "--base-url", server.base_url)
        statuses = [b["status"] for b in server.batches]
        server.batch_hold = False
        again = run(*args)
        rounds = [sorted({line["custom_id"].rsplit("/", 1)[1] for line in u.lines}) for u in server.uploads
                  if u.purpose == "batch"]
    assert asked.exit_code == 0 and "进行中" in asked.stdout and "12" in asked.stdout
    assert cancelled.exit_code == 0, cancelled.stdout + cancelled.stderr
    assert statuses == ["cancelling"] and "取消中" in cancelled.stdout
    assert again.exit_code == 0, again.stdout + again.stderr
    assert rounds == [["r1"], ["r2"]]  # the cancelled round's lines were submitted once more
    assert_drafts_check_clean(run, out)


def test_batch_api_key_never_written_to_jsonl_report_or_history(run, tmp_path):
    secret = "sk-test-SECRET-0123456789abcdef"
    paths = write_facts(tmp_path)
    out = tmp_path / "out"

    def script(body):
        unit, section = request_of(body)
        if (unit, section) == ("芦洲乡", "people") and not is_repair(body):
            return Reply(f"密钥 {secret} 无效", status=400)  # a provider echoing the key in a failed line
        return Reply(good_text(unit, section))

    with FakeOpenAIServer(script, api_key=secret) as server:
        result = run("batch", *paths, "-o", out, *model_args(server, *batch_api(), "--api-key", secret))
        auth = {r.headers.get("authorization") for r in server.requests}
    assert auth == {f"Bearer {secret}"}
    written = "".join(p.read_text(encoding="utf-8", errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    assert (out / ".drafter" / "history.sqlite").is_file() and list((out / ".drafter" / "batches").glob("*.jsonl"))
    for text in (written, result.stdout, result.stderr):
        assert secret not in text and secret[8:20] not in text


# -- offline engines -----------------------------------------------------------------------------


def results_for(lines: list[dict], shape: str, answer) -> str:
    """An offline engine's output for exported request lines: OpenAI's {status_code, body} or vLLM's."""
    out = []
    for n, line in enumerate(lines):
        completion = {"id": f"cmpl-{n}", "object": "chat.completion", "model": "test-model",
                      "choices": [{"index": 0, "message": {"role": "assistant", "content": answer(line)},
                                   "finish_reason": "stop"}],
                      "usage": {"prompt_tokens": 100, "completion_tokens": 20}}
        response = {"status_code": 200, "request_id": f"r{n}", "body": completion} if shape == "openai" else completion
        out.append(json.dumps({"id": f"b{n}", "custom_id": line["custom_id"], "response": response, "error": None},
                              ensure_ascii=False))
    return "\n".join(out) + "\n"


def test_batch_export_and_import_rounds_for_an_offline_engine(run, tmp_path):
    paths = write_facts(tmp_path)
    out = tmp_path / "out"
    units = {STEMS[u]: u for u in UNITS}

    def answer(line):
        stem, section, round_name = line["custom_id"].split("/")
        if (stem, section, round_name) == ("东湖", "industry", "r1"):
            return wrong_text()  # needs a repair round
        return good_text(units[stem], section)

    with FakeOpenAIServer(good) as server:
        common = ["batch", *paths, "-o", out, "--base-url", server.base_url, "--model", "test-model"]
        exported = run(*common, "--export-jsonl", tmp_path / "第1轮.jsonl")
        drafts_after_export = list(out.glob("*.md"))
        first = [json.loads(x) for x in (tmp_path / "第1轮.jsonl").read_text(encoding="utf-8").splitlines()]
        # vllm run-batch writes the completion under `response`; OpenAI wraps it in {status_code, body}
        (tmp_path / "结果1.jsonl").write_text(results_for(first[:6], "vllm", answer)
                                              + results_for(first[6:], "openai", answer), encoding="utf-8")
        second_round = run(*common, "--import-jsonl", tmp_path / "结果1.jsonl",
                           "--export-jsonl", tmp_path / "第2轮.jsonl")
        second = [json.loads(x) for x in (tmp_path / "第2轮.jsonl").read_text(encoding="utf-8").splitlines()]
        (tmp_path / "结果2.jsonl").write_text(results_for(second, "vllm", answer), encoding="utf-8")
        done = run(*common, "--import-jsonl", tmp_path / "结果2.jsonl")
        requests = len(server.requests)
    assert exported.exit_code == 0, exported.stdout + exported.stderr
    assert "vllm run-batch" in exported.stdout and "--import-jsonl" in exported.stdout
    assert len(first) == 12 and drafts_after_export == []
    assert {x["url"] for x in first} == {"/v1/chat/completions"}
    assert second_round.exit_code == 0, second_round.stdout + second_round.stderr
    assert [x["custom_id"] for x in second] == ["东湖/industry/r2"]
    assert "9个" in second[0]["body"]["messages"][-1]["content"]
    assert done.exit_code == 0, done.stdout + done.stderr
    assert requests == 0  # the offline engine did all the work
    assert_drafts_check_clean(run, out)


def test_batch_import_of_a_line_that_was_never_exported_is_bad_input(run, tmp_path):
    paths = write_facts(tmp_path)
    out = tmp_path / "out"
    with FakeOpenAIServer(good) as server:
        common = ["batch", *paths, "-o", out, "--base-url", server.base_url, "--model", "test-model"]
        assert run(*common, "--export-jsonl", tmp_path / "r1.jsonl").exit_code == 0
        lines = [json.loads(x) for x in (tmp_path / "r1.jsonl").read_text(encoding="utf-8").splitlines()]
        lines[3]["custom_id"] = "别处/industry/r1"
        (tmp_path / "结果.jsonl").write_text(results_for(lines, "openai", lambda line: "我乡。"), encoding="utf-8")
        result = run(*common, "--import-jsonl", tmp_path / "结果.jsonl")
        requests = len(server.requests)
    assert result.exit_code == 2
    assert "结果.jsonl:4" in result.stderr and "别处/industry/r1" in result.stderr
    assert requests == 0 and not list(out.glob("*.md"))


# -- the JSONL files -----------------------------------------------------------------------------


def test_batch_split_lines_keeps_each_file_within_the_request_and_byte_limits():
    lines = [request_line(f"f/s{i}/r1", "/v1/chat/completions", {"messages": [{"content": "字" * 30}]})
             for i in range(10)]
    size = len(lines[0].encode("utf-8")) + 1
    by_count = split_lines(lines, max_requests=4)
    by_bytes = split_lines(lines, max_bytes=3 * size)
    assert [len(p) for p in by_count] == [4, 4, 2]
    assert [len(p) for p in by_bytes] == [3, 3, 3, 1]
    assert sum(by_bytes, []) == lines == sum(by_count, [])
    assert split_lines(lines) == [lines] and MAX_REQUESTS == 50_000 and MAX_BYTES == 100 * 1024 * 1024


def test_batch_loopback_server_speaks_the_batch_api_through_the_sdk():
    import openai

    with FakeOpenAIServer([Reply("甲"), Reply("乙", status=500), Reply("丙")]) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
        lines = [request_line(f"r{i}", "/v1/chat/completions",
                              {"model": "test-model", "messages": [{"role": "user", "content": str(i)}]})
                 for i in range(3)]
        uploaded = client.files.create(file=("in.jsonl", "\n".join(lines).encode(), "application/jsonl"),
                                       purpose="batch")
        batch = client.batches.create(input_file_id=uploaded.id, endpoint="/v1/chat/completions",
                                      completion_window="24h")
        steps = [batch.status] + [client.batches.retrieve(batch.id).status for _ in range(3)]
        done = client.batches.retrieve(batch.id)
        output = client.files.content(done.output_file_id).text
        errors = client.files.content(done.error_file_id).text
        listed = [b.id for b in client.batches.list()]
        with pytest.raises(openai.NotFoundError):
            client.batches.retrieve("batch_missing")
        other = client.batches.create(input_file_id=uploaded.id, endpoint="/v1/chat/completions",
                                      completion_window="24h")
        cancelled = [client.batches.cancel(other.id).status, client.batches.retrieve(other.id).status]
    assert steps == ["validating", "in_progress", "completed", "completed"]
    assert (done.request_counts.completed, done.request_counts.failed) == (2, 1)
    assert {json.loads(x)["custom_id"] for x in output.splitlines()} == {"r0", "r2"}
    assert json.loads(errors)["response"]["status_code"] == 500
    assert listed == [batch.id]
    assert cancelled == ["cancelling", "cancelled"]
    assert server.chat_requests == []
