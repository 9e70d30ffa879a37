"""`drafter check` as a reviewer runs it: exit codes, the text report, JSON, files, bad input."""

from __future__ import annotations

import json
import re

import pytest
from conftest import FIXTURES

SAMPLE = FIXTURES / "samples" / "篇一.txt"
FACTS = FIXTURES / "facts" / "篇一.yaml"


@pytest.mark.parametrize("name", ["篇二", "篇三", "篇四", "篇五"])
def test_check_cli_samples_with_their_facts_exit_0(run, name, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    result = run("check", FIXTURES / "samples" / f"{name}.txt", "--facts", FIXTURES / "facts" / f"{name}.yaml")
    assert result.exit_code == 0, result.stdout
    assert "所有数字均有事实依据" in result.stdout


def test_check_cli_flagged_mentions_name_fact_and_reason(run, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    doc = tmp_path / "改过的 总结.txt"
    doc.write_text(SAMPLE.read_text(encoding="utf-8").replace("宣传栏有7个", "宣传栏有8个")
                   .replace("占全乡总人数的1.4%", "占全乡总人数的1.4%，新增图书室3个"), encoding="utf-8")
    result = run("check", doc, "--facts", FACTS)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    # 宣传栏有8个: the item is supplied with another value; the row names that fact (file:line).
    wrong = [line for line in lines if "│ 不符   │" in line]
    assert len(wrong) == 1 and "篇一.yaml:37" in wrong[0] and "新建成宣传栏7个" in wrong[0], result.stdout
    # 图书室3个: nothing of the kind is supplied, and no unrelated fact is named in its place.
    unsupported = [line for line in lines if "│ 无依据 │" in line]
    assert len(unsupported) == 1 and "图书室3个" in unsupported[0] and "篇一.yaml" not in unsupported[0]
    assert "事实文件中没有这个数" in result.stdout
    assert "给出的是“7个”，文中却写“8个”" in result.stdout.replace("│", "").replace(" ", "").replace("\n", "")
    assert "有 2 处数字" in result.stdout
    assert "未用到的事实数字" in result.stdout and "7个" in result.stdout


def test_check_cli_sample_one_names_another_township(run):
    # 篇一 is 芦洲乡's summary, yet it says 构建和谐南坝: copied from 南坝乡's. Its numbers all check.
    result = run("check", SAMPLE, "--facts", FACTS, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [m["text"] for m in data["mentions"] if m["verdict"] in ("unsupported", "mismatch", "misattributed")] == []
    flagged = [n for n in data["names"] if n["verdict"] != "ok"]
    assert [(n["text"], n["kind"], n["verdict"]) for n in flagged] == [("南坝", "place", "foreign")]
    text = SAMPLE.read_text(encoding="utf-8")
    assert text[flagged[0]["start"] - 4:flagged[0]["end"]] == "构建和谐南坝"
    assert "芦洲乡" in flagged[0]["reason"] and data["copies"] == [] and data["counts"]["names"] == 1


def test_check_cli_json_contract(run, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("\ufeff我乡新建成宣传栏8个，xx村评出县级文明家庭81户。\n", encoding="utf-8")
    result = run("check", doc, "--facts", FACTS, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) >= {"document", "facts", "ok", "mentions", "unused_facts", "placeholders", "counts"}
    assert data["ok"] is False
    assert set(data["counts"]) == {"ok", "derived", "ignored", "unsupported", "mismatch", "misattributed", "names",
                                   "copies"}
    text = doc.read_text(encoding="utf-8-sig")
    for m in data["mentions"]:
        assert {"text", "start", "end", "line", "value", "unit", "verdict", "fact", "fact_line", "reason"} <= set(m)
        assert text[m["start"]:m["end"]] == m["text"]  # offsets into the text as decoded, BOM removed
    eight = next(m for m in data["mentions"] if m["text"] == "8个")
    assert eight["verdict"] == "mismatch" and eight["value"] == 8 and eight["unit"] == "个" and eight["line"] == 1
    assert data["placeholders"][0]["text"] == "xx" and text[data["placeholders"][0]["start"]:].startswith("xx")
    assert any(u["value"] == 65 for u in data["unused_facts"])


def test_check_cli_gbk_document_and_output_file(run, tmp_path):
    doc = tmp_path / "总结 GBK.txt"
    doc.write_bytes("我乡新建成宣传栏7个。\n志愿服务队伍共计65人。\n".encode("gbk"))
    out = tmp_path / "报告.json"
    result = run("check", doc, "--facts", FACTS, "--format", "json", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "GB18030" in result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [m["line"] for m in data["mentions"] if m["verdict"] == "ok"] == [1, 2]
    text_report = tmp_path / "报告.txt"
    assert run("check", doc, "--facts", FACTS, "-o", text_report).exit_code == 0
    assert "所有数字均有事实依据" in text_report.read_text(encoding="utf-8")


def test_check_cli_draft_finds_its_facts_and_section(run, tmp_path):
    draft = tmp_path / "草稿.md"
    assert run("draft", FACTS, "-o", draft).exit_code == 0
    text = draft.read_text(encoding="utf-8")
    draft.write_text(text.replace("新建成宣传栏7个", "新建成宣传栏9个"), encoding="utf-8")
    whole = run("check", draft, "--format", "json")
    assert whole.exit_code == 1
    flagged = [m for m in json.loads(whole.stdout)["mentions"]
               if m["verdict"] in ("unsupported", "mismatch", "misattributed")]
    assert [m["text"] for m in flagged] == ["9个"]
    assert run("check", draft, "--section", "publicity").exit_code == 0
    assert run("check", draft, "--section", "measures").exit_code == 1
    unknown = run("check", draft, "--section", "nosuch")
    assert unknown.exit_code == 2 and "publicity" in unknown.stderr


@pytest.mark.parametrize("make, words", [
    (lambda p: None, ["不存在"]),
    (lambda p: p.write_bytes(b"\x00\x01binary"), ["二进制"]),
    (lambda p: p.mkdir(), ["文件夹"]),
])
def test_check_cli_bad_document(run, tmp_path, make, words):
    doc = tmp_path / "doc.txt"
    make(doc)
    result = run("check", doc, "--facts", FACTS)
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：") and str(doc) in result.stderr
    assert all(w in result.stderr for w in words)


def test_check_cli_plain_text_without_facts_says_how(run, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("新建宣传栏7个。", encoding="utf-8")
    result = run("check", doc)
    assert result.exit_code == 2 and "--facts" in result.stderr


def test_check_cli_bad_format(run):
    result = run("check", SAMPLE, "--facts", FACTS, "--format", "xml")
    assert result.exit_code == 2 and "text" in result.stderr


def test_check_cli_default_lists_problems_all_lists_every_mention(run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    sample, facts = FIXTURES / "samples" / "篇二.txt", FIXTURES / "facts" / "篇二.yaml"
    default = run("check", sample, "--facts", facts)
    full = run("check", sample, "--facts", facts, "--all")
    assert default.exit_code == full.exit_code == 0
    assert "│ 一致 " not in default.stdout and "加 --all 显示" in default.stdout
    assert "│ 一致 " in full.stdout and "│ 非数量 " in full.stdout


def test_check_cli_html_report_is_written_with_every_mention(run, tmp_path):
    doc = tmp_path / "总结.txt"
    doc.write_text(SAMPLE.read_text(encoding="utf-8").replace("宣传栏有7个", "宣传栏有8个"), encoding="utf-8")
    out = tmp_path / "核对 报告.html"
    result = run("check", doc, "--facts", FACTS, "--format", "html", "-o", out)
    assert result.exit_code == 1  # the report is written, and the flagged number still fails the check
    page = out.read_text(encoding="utf-8")
    as_json = json.loads(run("check", doc, "--facts", FACTS, "--format", "json").stdout)
    assert page.count('id="m-') == len(as_json["mentions"])
    flagged = [m for m in as_json["mentions"] if m["verdict"] in ("unsupported", "mismatch", "misattributed")]
    assert flagged and len(re.findall(r'<span class="m v-ok"', page)) == sum(
        m["verdict"] == "ok" for m in as_json["mentions"])
    assert all(f'data-verdict="{m["verdict"]}"' in page for m in flagged)
    missing = run("check", doc, "--facts", FACTS, "--format", "html")
    assert missing.exit_code == 2 and "-o" in missing.stderr


# -- the report file (-o): never over an input, never over a file without --force ------------


def _doc(tmp_path, name="keep.txt"):
    doc = tmp_path / name
    doc.write_text("我乡新建成宣传栏7个。\n", encoding="utf-8")
    return doc


def test_check_cli_output_refuses_an_existing_file_without_force(run, tmp_path):
    doc, out = _doc(tmp_path), tmp_path / "报告.txt"
    out.write_text("上一次的报告", encoding="utf-8")
    refused = run("check", doc, "--facts", FACTS, "-o", out)
    assert refused.exit_code == 2 and "已存在" in refused.stderr and "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "上一次的报告"
    forced = run("check", doc, "--facts", FACTS, "-o", out, "--force")
    assert forced.exit_code == 0 and "所有数字均有事实依据" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("target", ["document", "facts", "facts_of_the_draft", "allow_file"])
def test_check_cli_output_never_replaces_an_input(run, tmp_path, target):
    facts = tmp_path / "facts.yaml"
    facts.write_bytes(FACTS.read_bytes())
    allow = tmp_path / "allow.txt"
    allow.write_text("四办五中心\n", encoding="utf-8")
    draft = tmp_path / "草稿.md"
    assert run("draft", facts, "-o", draft).exit_code == 0
    doc = _doc(tmp_path)
    args = {"document": (doc, "--facts", facts), "facts": (doc, "--facts", facts),
            "facts_of_the_draft": (draft,), "allow_file": (doc, "--facts", facts, "--allow-file", allow)}[target]
    out = {"document": doc, "facts": facts, "facts_of_the_draft": facts, "allow_file": allow}[target]
    before = {p: p.read_bytes() for p in (doc, facts, draft, allow)}
    result = run("check", *args, "-o", out, "--force")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"错误：{out}：") and "本命令读取的文件" in result.stderr
    assert {p: p.read_bytes() for p in before} == before


def test_check_cli_output_onto_a_folder(run, tmp_path):
    result = run("check", _doc(tmp_path), "--facts", FACTS, "-o", tmp_path)
    assert result.exit_code == 2 and "文件夹" in result.stderr and "Traceback" not in result.stderr


def test_check_cli_output_disk_full(run, tmp_path):
    # /dev/full answers every write with ENOSPC: a real full disk, without root or a small file system.
    import os

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    out = tmp_path / "报告.json"
    out.symlink_to("/dev/full")
    result = run("check", _doc(tmp_path), "--facts", FACTS, "--format", "json", "-o", out)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"错误：{out}：无法写入：磁盘空间已满")
    assert "Traceback" not in result.stderr and out.is_symlink()


def test_check_cli_output_to_a_device_writes_through_it(run, tmp_path):
    # A rename would replace /dev/null with a regular file (as root), so a device is written in place.
    import os
    import stat

    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null on this system")
    out = tmp_path / "null.txt"
    out.symlink_to("/dev/null")
    result = run("check", _doc(tmp_path), "--facts", FACTS, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert out.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_check_cli_null_byte_in_the_front_matter_facts_path(run, tmp_path):
    draft = tmp_path / "草稿.md"
    assert run("draft", FACTS, "-o", draft).exit_code == 0
    text = draft.read_text(encoding="utf-8")
    start = text.index("\nfacts: ") + 1
    end = text.index("\n", start)
    draft.write_text(text[:start] + 'facts: "facts\\0.yaml"' + text[end:], encoding="utf-8")
    result = run("check", draft)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"错误：{draft}:{text.count(chr(10), 0, start) + 1}：字段 facts：")
    assert "空字符" in result.stderr


def test_check_cli_fifo_document_is_refused_not_waited_on(tmp_path):
    import os
    import subprocess
    import sys

    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    fifo = tmp_path / "doc.txt"
    os.mkfifo(fifo)
    proc = subprocess.run([sys.executable, "-m", "drafter", "check", str(fifo), "--facts", str(FACTS)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 2 and "不是普通文件" in proc.stderr and "Traceback" not in proc.stderr
