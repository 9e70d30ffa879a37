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
    "fullwidth_colon": ("unit：芦洲乡\nperiod: 2017年\n", 2, ["半角"]),
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
