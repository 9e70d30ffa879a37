"""The command line as a user meets it: help, version, samples list/show, start-up imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import REPO

from drafter.samples import load_corpus


def test_cli_help_lists_commands_in_chinese(run):
    result = run("--help")
    assert result.exit_code == 0
    for command in ("init", "validate", "facts", "samples"):
        assert command in result.stdout
    assert "起草乡镇工作总结" in result.stdout


def test_cli_version(run):
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("drafter ")


def test_cli_startup_does_not_import_model_libraries():
    code = ("import sys, drafter.cli; from drafter.facts import load_facts; import drafter.samples; "
            "print(sorted(m for m in ('openai', 'tiktoken', 'jinja2', 'pydantic') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=REPO).stdout
    assert out.strip() == "[]"


def test_samples_lists_five_samples_with_sections(run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    result = run("samples")
    assert result.exit_code == 0, result.stderr
    assert "范文库：5 篇" in result.stdout
    corpus = load_corpus()
    for sample in corpus:
        assert sample.name in result.stdout
        assert len(sample.sections) >= 4
        for sec in sample.sections:
            assert sec.title in result.stdout
    assert "与篇三近乎重复" in result.stdout


def test_samples_show_marks_segmentation(run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    result = run("samples", "show", "篇二")
    assert result.exit_code == 0, result.stderr
    sample = next(s for s in load_corpus() if s.name == "篇二")
    for sec in sample.sections:
        assert f"[{sec.index + 1}] {sec.kind}" in result.stdout
    assert "原标题：一、加强领导，强化宣传，确保创建工作落到实处" in result.stdout
    assert "设立宣传栏30个" in result.stdout


def test_samples_show_unknown_name(run):
    result = run("samples", "show", "篇六")
    assert result.exit_code == 2
    assert "篇六" in result.stderr and "篇一" in result.stderr


def test_samples_user_folder_gbk_with_notice(run, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    folder = tmp_path / "my samples"
    folder.mkdir()
    (folder / "范文甲.txt").write_bytes(
        "我镇高度重视，现将有关情况总结如下：\n\n一、加强领导\n\n成立领导小组，明确责任分工。\n\n"
        "二、存在的问题\n\n宣传力度还不够，群众参与率有待提高。\n\n三、下一步打算\n\n"
        "我们将继续加大宣传力度，巩固创建成果。\n".encode("gbk"))
    result = run("samples", "--samples", folder)
    assert result.exit_code == 0, result.stderr
    assert "范文甲" in result.stdout and "加强领导" in result.stdout
    assert "problems" in result.stdout and "plans" in result.stdout
    assert "GB18030" in result.stderr
    result = run("samples", "show", "范文甲", "--samples", folder)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_samples_bad_folder(run, tmp_path, make):
    folder = tmp_path / "范文"
    if make == "empty":
        folder.mkdir()
    result = run("samples", "--samples", folder)
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：") and str(folder) in result.stderr


def test_cli_check_path_imports_no_model_libraries():
    code = ("import sys\nfrom drafter.cli import app\n"
            "try:\n    app(['check', 'fixtures/samples/篇二.txt', '--facts', 'fixtures/facts/篇二.yaml'])\n"
            "except SystemExit as e:\n    assert e.code in (0, None), e.code\n"
            "print(sorted(m for m in ('openai', 'tiktoken', 'jinja2', 'pydantic', 'httpx') if m in sys.modules),"
            " file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("args, expected", [
    (["nosuch"], "没有命令 “nosuch”"),
    (["draft"], "缺少参数 facts"),
    (["draft", "x.yaml", "--concurrency", "abc"], "--concurrency 的值不对：“abc” 不是整数"),
    (["check", "a.txt", "b.txt"], "多余的参数：b.txt（路径含空格时请加引号）"),
    (["draft", "x.yaml", "--forc"], "没有选项 --forc，是不是想用 --force？"),
    (["regenerate", "d.md"], "缺少选项 --section"),
    (["restore", "d.md", "--section", "a", "--version", "二"], "--version 的值不对：“二” 不是整数"),
])
def test_cli_usage_errors_are_one_chinese_line_with_exit_2(run, args, expected):
    result = run(*args)
    assert result.exit_code == 2
    assert f"错误：{expected}" in result.stderr
    assert "--help" in result.stderr  # says where to look next
    for english in ("Error:", "Usage:", "Try '", "Traceback"):
        assert english not in result.stderr + result.stdout


@pytest.mark.parametrize("args", [["--help"], ["draft", "--help"], ["facts", "--help"], ["export", "--help"]])
def test_cli_help_pages_have_no_english_boilerplate(run, args):
    result = run(*args)
    assert result.exit_code == 0
    assert result.stdout.startswith("用法：")
    assert "显示本帮助并退出" in result.stdout
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "[default:", "[required]"):
        assert english not in result.stdout


def test_cli_gbk_console_never_crashes_and_json_stays_utf8(tmp_path):
    # Windows sends redirected output through the ANSI code page (GBK); ✔ has no GBK code.
    doc = tmp_path / "总结.txt"
    doc.write_text("我乡新建宣传栏7个✔，志愿者88人。\n", encoding="utf-8")
    facts = tmp_path / "facts.yaml"
    facts.write_text("unit: 芦洲乡\nperiod: 2017年\ncampaign: 全国文明城市\nsections:\n"
                     "  - id: a\n    title: 宣传\n    facts: [新建宣传栏7个]\n", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}
    text = subprocess.run([sys.executable, "-m", "drafter", "check", str(doc), "--facts", str(facts), "--all"],
                          capture_output=True, env=env)
    assert text.returncode == 1, text.stderr.decode("gbk", "replace")
    assert b"Traceback" not in text.stderr
    assert "88人".encode("gbk") in text.stdout
    as_json = subprocess.run([sys.executable, "-m", "drafter", "check", str(doc), "--facts", str(facts),
                              "--format", "json"], capture_output=True, env=env)
    assert as_json.returncode == 1 and b"Traceback" not in as_json.stderr
    data = json.loads(as_json.stdout.decode("utf-8"))
    assert "✔" in data["document"] or any("✔" in m["context"] for m in data["mentions"])
