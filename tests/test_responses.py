"""Output hygiene: what a model wraps around a section is stripped, the section itself is kept."""

from __future__ import annotations

import pytest

from drafter.responses import clean_response

BODY = "一是强化宣传阵地。我乡新建宣传栏7个，刷写“讲文明、树新风”标语。\n\n二是开展宣讲10余场。"
TITLE = "加大宣传力度"


def test_clean_response_clean_text_unchanged():
    text = ("2017年，我乡在县委、县政府的坚强领导下，扎实推进创建工作，现将有关情况总结如下：\n\n"
            "一是……；二是……！（三）“创文”知晓率达95%？")
    cleaned = clean_response(text, title=TITLE)
    assert cleaned.text == text and cleaned.removed == []


def test_clean_response_think_block_removed():
    cleaned = clean_response(f"<think>用户要求写宣传工作，事实有7个宣传栏。</think>\n\n{BODY}")
    assert cleaned.text == BODY
    assert any("<think>" in r for r in cleaned.removed)


def test_clean_response_several_think_blocks_and_case():
    cleaned = clean_response(f"<THINK>a</THINK>{BODY}<think>\nb\n</think>")
    assert cleaned.text == BODY


def test_clean_response_unclosed_leading_think_leaves_nothing():
    cleaned = clean_response("<think>我先分析一下事实：宣传栏7个，宣讲10余场，然后")
    assert cleaned.text == ""
    assert any("未结束" in r for r in cleaned.removed)


def test_clean_response_stray_close_drops_everything_before_it():
    cleaned = clean_response(f"好，我来想想怎么写，数字有7和10。\n</think>\n\n{BODY}")
    assert cleaned.text == BODY


@pytest.mark.parametrize("preamble", [
    "好的，以下是根据您提供的事实撰写的“加大宣传力度”部分：",
    "以下是根据事实撰写的加大宣传力度章节：",
    "好的！",
    "当然可以，下面我为您撰写这一节。",
    "根据您提供的事实，撰写如下：",
    "Sure, here is the section you asked for:",
    "Here's the draft:",
])
def test_clean_response_preamble_removed(preamble):
    cleaned = clean_response(f"{preamble}\n\n{BODY}")
    assert cleaned.text == BODY
    assert any("开场白" in r for r in cleaned.removed)


def test_clean_response_preamble_on_the_same_line_keeps_the_text_after_it():
    cleaned = clean_response("好的，以下是正文：我乡新建宣传栏7个。")
    assert cleaned.text == "我乡新建宣传栏7个。"


@pytest.mark.parametrize("opening", [
    "当然，我乡工作中还存在以下不足：",
    "根据县委统一部署，我乡扎实开展创建工作。",
    "以下几个方面的工作成效明显：",
])
def test_clean_response_summary_openings_are_not_preambles(opening):
    assert clean_response(f"{opening}\n\n{BODY}").text == f"{opening}\n\n{BODY}"


@pytest.mark.parametrize("offer", [
    "如需进一步修改，请告诉我。",
    "如果您需要调整语气或篇幅，请随时告诉我！",
    "希望以上内容对您有所帮助。",
    "Let me know if you would like any changes.",
    "注：以上数字均来自事实文件。",
])
def test_clean_response_trailing_offer_removed(offer):
    cleaned = clean_response(f"{BODY}\n\n---\n\n{offer}")
    assert cleaned.text == BODY
    assert any("结尾" in r for r in cleaned.removed)


def test_clean_response_closing_commitment_is_not_an_offer():
    text = f"{BODY}\n\n下一步，我乡将持续巩固创建成果，随时接受群众监督。"
    assert clean_response(text).text == text


@pytest.mark.parametrize("heading", ["## 一、加大宣传力度", "# 加大宣传力度", "### （一）加大宣传力度，营造浓厚氛围",
                                     "**一、加大宣传力度**", "一、加大宣传力度"])
def test_clean_response_leading_title_repeat_dropped(heading):
    cleaned = clean_response(f"{heading}\n\n{BODY}", title=TITLE)
    assert cleaned.text == BODY
    assert any("标题" in r for r in cleaned.removed)


def test_clean_response_other_heading_kept_as_plain_paragraph():
    cleaned = clean_response(f"## 一、加大宣传力度\n\n### 强化组织领导\n我乡成立领导小组。\n\n{BODY}", title=TITLE)
    assert cleaned.text == f"强化组织领导\n\n我乡成立领导小组。\n\n{BODY}"


def test_clean_response_heading_kept_without_title_given():
    assert clean_response("## 加大宣传力度\n我乡新建宣传栏7个。").text == "加大宣传力度\n\n我乡新建宣传栏7个。"


def test_clean_response_plain_first_sentence_mentioning_title_kept():
    text = "加大宣传力度是创建工作的基础。我乡新建宣传栏7个。"
    assert clean_response(text, title=TITLE).text == text


def test_clean_response_code_fence_unwrapped():
    cleaned = clean_response(f"```markdown\n{BODY}\n```")
    assert cleaned.text == BODY
    assert any("```" in r for r in cleaned.removed)


def test_clean_response_bold_markers_and_bullets_removed():
    cleaned = clean_response("**一是强化宣传阵地。**我乡新建宣传栏7个。\n- **二是**开展宣讲10余场。\n* 三是评选先进。")
    assert cleaned.text == "一是强化宣传阵地。我乡新建宣传栏7个。\n\n二是开展宣讲10余场。\n\n三是评选先进。"


def test_clean_response_blank_lines_normalised_and_indent_removed():
    cleaned = clean_response("\n\n　　第一段。\r\n\r\n\r\n\r\n    第二段。\n第三段。\n\n\n")
    assert cleaned.text == "第一段。\n\n第二段。\n\n第三段。"


def test_clean_response_everything_at_once():
    raw = ("<think>先列出事实。</think>\n好的，以下是这一节的内容：\n\n```\n## 一、加大宣传力度\n\n"
           f"{BODY}\n```\n\n如需修改请告诉我。")
    cleaned = clean_response(raw, title=TITLE)
    assert cleaned.text == BODY
    assert len(cleaned.removed) >= 5


def test_clean_response_underscores_and_asterisk_free_text_untouched():
    text = "____年__月，我乡完成“三清三拆”任务。"
    assert clean_response(text).text == text
