"""Bad facts files: one Chinese error line naming file, line and field; exit 2; nothing written."""

from __future__ import annotations

import re

import pytest

HEAD = "unit: 芦洲乡\nperiod: 2017年\ncampaign: 全国文明城市\n"
SECTION = "sections:\n  - id: publicity\n    title: 加大宣传力度\n    facts:\n      - 新建宣传栏7个\n"

# name -> (file content, expected line or None, words the message must contain)
CASES = {
    "malformed_yaml": (HEAD + 'sections:\n  - id: "publicity\n    title: x\n', 5, ["YAML"]),
    "tab_indent": (HEAD + "sections:\n\t- id: a\n", 5, ["Tab"]),
    # YAML trips over a "key：value" typo a line later; the error names the typo's own line.
    "fullwidth_colon": ("unit：芦洲乡\nperiod: 2017年\n", 1, ["半角"]),
    "fullwidth_colon_in_section": (HEAD + "sections:\n  - id: a\n    title：产业振兴\n    facts:\n"
                                   "      - 新建高标准农田3500亩\n", 6, ["半角"]),
    "fullwidth_colon_second_section": (HEAD + SECTION + "  - id: b\n    title：人才振兴\n    facts:\n"
                                       "      - 培训农民520人次\n", 10, ["半角"]),
    "missing_key": ("unit: 芦洲乡\ncampaign: 全国文明城市\n" + SECTION, 1, ["period", "缺少"]),
    "campaign_and_topic": (HEAD + "topic: 乡村振兴\n" + SECTION, 4, ["campaign", "topic", "只能填一个"]),
    "missing_section_title": (HEAD + "sections:\n  - id: a\n    facts: [x]\n", 5, ["title", "缺少"]),
    "unknown_key": (HEAD + SECTION.replace("sections:", "sectoins:"), 4, ["sectoins", "sections"]),
    "unknown_key_chinese": (HEAD + "单位: 芦洲乡\n" + SECTION, 4, ["单位", "unit"]),
    "unknown_section_key": (HEAD + SECTION + "    titel: y\n", 9, ["titel", "title"]),
    "wrong_type_sections": (HEAD + "sections: 加大宣传力度\n", 4, ["sections", "列表"]),
    "wrong_type_facts": (HEAD + "sections:\n  - id: a\n    title: t\n    facts: 新建宣传栏7个\n", 7, ["facts", "列表"]),
    "wrong_type_title": (HEAD + "sections:\n  - id: a\n    title: [x, y]\n", 6, ["title"]),
    "wrong_type_value": (HEAD + "sections:\n  - id: a\n    title: t\n    facts:\n"
                         "      - {text: 宣传栏, value: 七}\n", 8, ["value", "数字"]),
    "bad_kind": (HEAD + "sections:\n  - id: a\n    title: t\n    kind: problem\n", 7, ["problem", "problems"]),
    "bad_section_id": (HEAD + "sections:\n  - id: 宣传\n    title: t\n", 5, ["宣传", "小写"]),
    "duplicate_section_id": (HEAD + SECTION + "  - id: publicity\n    title: 其他\n", 9,
                             ["publicity", "重复", "第 5 行"]),
    "duplicate_key": (HEAD + "unit: 南坝乡\n" + SECTION, 4, ["unit", "重复"]),
    "empty_sections": (HEAD + "sections: []\n", 4, ["章节", "空"]),
    "null_required": (HEAD.replace("芦洲乡", "") + SECTION, 1, ["unit"]),
    "top_level_list": ("- unit: 芦洲乡\n", 1, ["映射"]),
    "comments_only": ("# 只有注释\n# 没有内容\n", None, ["空"]),
    # A number too long to be a quantity: refused at once, never handed to Decimal formatting or int().
    "value_exponent_huge": (HEAD + "sections:\n  - id: a\n    title: t\n    facts:\n"
                            "      - {text: 宣传栏, value: 1e999999999, unit: 个}\n", 8, ["value", "数值过大"]),
    "value_exponent_large": (HEAD + "sections:\n  - id: a\n    title: t\n    facts:\n"
                             "      - {text: 宣传栏, value: 1e100000}\n", 8, ["value", "数值过大"]),
    "value_4301_digits": (HEAD + "sections:\n  - id: a\n    title: t\n    facts:\n"
                          f"      - {{text: 宣传栏, value: {'1' * 4301}}}\n", 8, ["value", "数值太长", "…"]),
    "percent_value_other_unit": (HEAD + "sections:\n  - id: a\n    title: t\n    facts:\n"
                                 "      - {text: 覆盖率, value: 85%, unit: 个}\n", 8, ["unit", "百分数"]),
    # Empty where a text is required: the check compares the field's own name, not its dotted path.
    "empty_section_title": (HEAD + 'sections:\n  - id: a\n    title: ""\n', 6, ["sections[0].title", "不能为空"]),
    "blank_section_title": (HEAD + "sections:\n  - id: a\n    title: '   '\n", 6, ["title", "不能为空"]),
    "null_section_title": (HEAD + "sections:\n  - id: a\n    title: ~\n", 6, ["title", "没有填写"]),
    "empty_item_text": (HEAD + "sections:\n  - id: a\n    title: t\n    facts:\n"
                        '      - {text: "", value: 3, unit: 个}\n', 8, ["facts[0].text", "不能为空"]),
    "bare_dash_item": (HEAD + "sections:\n  - id: a\n    title: t\n    facts:\n      - 新建宣传栏7个\n      -\n",
                       9, ["facts[1]", "空的"]),
    "tilde_item": (HEAD + "sections:\n  - id: a\n    title: t\n    facts:\n      - ~\n", 8, ["facts[0]", "空的"]),
    "empty_allow_phrase": (HEAD + "allow: [四办五中心, '']\n" + SECTION, 4, ["allow[1]", "不能为空"]),
    "python_tag": (HEAD + "sections:\n  - id: a\n    title: !!python/name:os.system\n", 6, ["标签", "python/name"]),
    "local_tag": (HEAD + "sections:\n  - id: a\n    title: !mine 宣传\n", 6, ["标签"]),
    "complex_key": (HEAD + "? [a, b]\n: x\n" + SECTION, 4, ["键", "列表"]),
    "self_alias": (HEAD + "facts: &loop [新建宣传栏7个, *loop]\n" + SECTION, 4, ["别名"]),
    "alias_bomb_value": (HEAD + "".join(f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9) if i else 'lol'}]\n"
                                        for i in range(10)) + "facts: *a9\n" + SECTION, None, ["别名", "10000"]),
    "alias_bomb_key": ("".join(f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9) if i else 'lol'}]\n"
                               for i in range(10)) + "? *a9\n: x\n" + HEAD + SECTION, None, ["别名", "10000"]),
    # Sizes no summary needs, refused with the limit before any drafting time is spent.
    "too_many_sections": (HEAD + "sections:\n" + "".join(f"  - id: s{i}\n    title: 第{i}项\n" for i in range(151)),
                          305, ["sections[150]", "章节过多", "151", "150"]),
    "too_many_facts_in_section": (HEAD + "sections:\n  - id: a\n    title: t\n    facts:\n"
                                  + "".join(f"      - 新建宣传栏{i}个\n" for i in range(61)),
                                  8, ["sections[0].facts", "事实条数过多", "61", "60"]),
    "too_many_facts": (HEAD + "sections:\n" + "".join(
        f"  - id: s{i}\n    title: t\n    facts:\n" + "      - 开展工作\n" * 55 for i in range(11)),
        None, ["事实条数过多", "605", "600"]),
    "too_long_statement": (HEAD + "sections:\n  - id: a\n    title: t\n    facts:\n      - " + "宣" * 301 + "\n",
                           8, ["facts[0]", "文字过长", "301", "300"]),
    "too_many_numbers": (HEAD + "sections:\n" + "".join(
        f"  - id: s{i}\n    title: t\n    facts:\n      - {'、'.join(f'{k}个' for k in range(70))}\n"
        for i in range(15)), None, ["事实中的数字过多", "1000"]),
}


def _assert_one_error_line(result, path, line, words):
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    message = lines[0]
    assert message.startswith("错误："), message
    assert "Traceback" not in result.stderr
    assert re.search(r"[\u4e00-\u9fff]", message.split("：", 1)[1])
    assert str(path) in message
    if line is not None:
        assert f"{path}:{line}：" in message, message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize("name", CASES)
def test_bad_input_facts(run, tmp_path, name):
    text, line, words = CASES[name]
    path = tmp_path / "bad facts.yaml"
    path.write_text(text, encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run("facts", "validate", path)
    _assert_one_error_line(result, path, line, words)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert path.read_text(encoding="utf-8") == text


BYTE_CASES = {
    "empty_file": (b"", ["空"]),
    "whitespace_file": (b"  \n\n", ["空"]),
    "binary_file": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), ["二进制"]),
    "undecodable": (b"unit: \x80\x80\xff\n", ["编码", "UTF-8"]),
    "too_large": (b"unit: x\n" + b"# " + b"a" * (1024 * 1024) + b"\n", ["过大", "1 MB"]),
}


@pytest.mark.parametrize("name", BYTE_CASES)
def test_bad_input_bytes(run, tmp_path, name):
    data, words = BYTE_CASES[name]
    path = tmp_path / "facts.yaml"
    path.write_bytes(data)
    result = run("validate", path)
    _assert_one_error_line(result, path, None, words)
    assert path.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == ["facts.yaml"]


def test_bad_input_directory(run, tmp_path):
    result = run("validate", tmp_path)
    _assert_one_error_line(result, tmp_path, None, ["文件夹"])


def test_bad_input_missing_file(run, tmp_path):
    path = tmp_path / "没有 这个.yaml"
    result = run("validate", path)
    _assert_one_error_line(result, path, None, ["不存在"])
    assert not path.exists()


def test_bad_input_error_quotes_only_an_excerpt(run, tmp_path):
    # The key is a list of nodes: the message shows its kind, never PyYAML's repr of the nodes.
    path = tmp_path / "facts.yaml"
    path.write_text(HEAD + "? [a, b]\n: x\n" + SECTION, encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 2 and "ScalarNode" not in result.stderr and "Node(" not in result.stderr
    path.write_text(HEAD + f"? {'键' * 5000}\n: x\n" + SECTION, encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 2 and "未知的键" in result.stderr
    assert len(result.stderr) < 400, len(result.stderr)


def test_bad_input_null_and_blank_optional_fields_mean_not_given(run, tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text(HEAD + "author: ~\ndate:\ntitle: ''\n" + SECTION.replace("title: 加大宣传力度",
                                                                                 "title: 加大宣传力度\n    kind:"),
                    encoding="utf-8")
    from drafter.facts import load_facts

    facts = load_facts(path)
    assert (facts.author, facts.date, facts.title) == ("芦洲乡", None, "芦洲乡2017年创建全国文明城市工作总结")
    assert facts.sections[0].kind == "work"
    assert run("validate", path).exit_code == 0


def test_bad_input_facts_at_the_limits_load(tmp_path):
    from drafter.facts import load_facts
    from drafter.facts.model import MAX_SECTION_FACTS, MAX_SECTIONS, MAX_TEXT_CHARS

    path = tmp_path / "facts.yaml"
    path.write_text(HEAD + "sections:\n" + "".join(f"  - id: s{i}\n    title: 第{i}项\n" for i in range(MAX_SECTIONS)),
                    encoding="utf-8")
    assert len(load_facts(path).sections) == MAX_SECTIONS
    path.write_text(HEAD + "sections:\n  - id: a\n    title: t\n    facts:\n"
                    + "".join(f"      - 新建宣传栏{i}个\n" for i in range(MAX_SECTION_FACTS - 1))
                    + "      - " + "宣" * MAX_TEXT_CHARS + "\n", encoding="utf-8")
    facts = load_facts(path)
    assert len(facts.sections[0].facts) == MAX_SECTION_FACTS and len(facts.sections[0].facts[-1].text) == 300


def test_bad_input_special_files_refused_without_reading(tmp_path):
    import os
    import subprocess
    import sys

    if not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"):
        pytest.skip("needs a POSIX system (FIFO, /dev/zero)")
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for path in (zero, fifo):
        # A subprocess, so that a regression (reading /dev/zero, waiting on the FIFO) fails the
        # test when the guard runs out instead of hanging the suite.
        proc = subprocess.run([sys.executable, "-m", "drafter", "validate", str(path)], capture_output=True,
                              text=True, encoding="utf-8", timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(f"错误：{path}：") and "不是普通文件" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert fifo.exists() and zero.is_symlink()
