"""Output hygiene: what a model wraps around a section is stripped, the section itself is kept."""

from __future__ import annotations

import pytest

from drafter.responses import answer_problem, clean_response, cut_to_length

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


# -- small models: prompt echoes, the primer, loops, 【】 ----------------------------------------

SECTION = ("我乡高度重视宣传工作，新建宣传栏7个，开展宣讲10余场，营造了浓厚的创建氛围。"
           "通过宣传，群众知晓率明显提高。")


@pytest.mark.parametrize("echo", [
    "【写作任务】请撰写章节 intro“总体情况”（开头段）的正文。",
    "【写作任务】请撰写章节 intro…",
    "本节事实：",
    "本节事实（本节的全部内容和数字都从这里来，每条都要写到，数字照原样写）：",
    "篇幅：约160字",
    "### 篇幅：约160字，可以上下浮动。",
    "**写法：**写这方面的主要做法和取得的成效。",
    "事实清单中相近的说法：新建宣传栏7个（facts.yaml:35）",
    "原句：……我乡新建成的宣传栏有8个……",
    "〔范文片段·主要工作·加大宣传力度〕",
    "与本节最相近的范文片段（只学文风和结构；数字已用“○○”遮盖；内容不属于芦洲乡，不得照抄）：",
    "章节 publicity：加大宣传力度（主要工作）",
    "1. “8个”：事实清单中没有这个数字。事实中没有8个",
    "只输出本节正文，不写标题、序号标题和任何解释。",
    "【重写】现在请直接写出“加大宣传力度”的正文，约160字：",
    # What a 0.5B model answered: the end of the task line, its start and the title's quotes dropped.
    "制定责任落实方案的正文：第一句就是正文，不要复述以上要求、事实清单或范文。",
])
def test_clean_response_prompt_scaffolding_line_removed(echo):
    cleaned = clean_response(f"{echo}\n{SECTION}", title=TITLE)
    assert cleaned.text == SECTION
    assert cleaned.echoed > 0
    assert any("提示词" in r for r in cleaned.removed)


def test_clean_response_scaffolding_header_takes_its_echoed_list_with_it():
    raw = f"本节事实：\n- 新建宣传栏7个\n- 开展宣讲10余场\n\n{SECTION}"
    assert clean_response(raw).text == SECTION


def test_clean_response_every_line_of_every_prompt_template_is_scaffolding():
    # What scaffolding is comes from prompts/*.j2: every line a model could echo back from any
    # rendered prompt (system, facts, task, repair, retry) is removed, except the facts and the
    # 范文 text themselves, which are the clerk's and the samples' words.
    from conftest import FIXTURES

    from drafter.drafting import frame_sections
    from drafter.facts import load_facts
    from drafter.prompts import build_prompts, build_repair_message, render
    from drafter.samples import load_corpus

    facts = frame_sections(load_facts(FIXTURES / "facts" / "篇一.yaml"))
    own_words = [s.text for s in facts.statements()]
    prompt = build_prompts(facts)[3]
    repair = build_repair_message([
        {"text": "8个", "verdict": "unsupported", "reason": "事实中没有8个", "context": "宣传栏有8个",
         "nearby_facts": ["新建成宣传栏7个（篇一.yaml:35）"]},
        {"text": "新建成宣传栏7个", "verdict": "omitted", "reason": "7个"}], facts, prompt.section_id)
    retry = render("retry.j2", problem="primer", request="（任务）", title=TITLE, target_chars=160, chars=0)
    samples = "\n".join(sec.text for sample in load_corpus() for sec in sample.sections)
    lines = [line for m in [*prompt.messages, repair, {"content": retry}] for line in m["content"].split("\n")
             if line.strip() and "○○" not in line and line[:20] not in samples
             and not any(w in line for w in own_words) and not line.startswith("- ") and line != "（任务）"]
    assert len(lines) > 25
    kept = [line for line in lines if clean_response(f"{line}\n\n{SECTION}").text != SECTION]
    assert kept == []


def test_clean_response_summary_text_of_every_offline_draft_is_left_alone():
    # The composer writes summary text in the register a model is asked for: none of it is scaffolding.
    from conftest import FIXTURES

    from drafter.composer import compose_closing, compose_opening, compose_section
    from drafter.facts import load_facts

    for path in sorted((FIXTURES / "facts").glob("*.yaml")):
        facts = load_facts(path)
        for text in [compose_opening(facts), compose_closing(facts)] + [compose_section(facts, s.id)
                                                                          for s in facts.sections]:
            cleaned = clean_response(text)
            assert cleaned.text == "\n\n".join(p.strip() for p in text.split("\n") if p.strip())
            assert (cleaned.echoed, cleaned.repeated) == (0, 0)


def test_clean_response_primer_alone_is_recognised():
    primer = "好的。我已读完事实清单和范文片段：只使用事实清单中的数字和内容，范文只借鉴文风。请告诉我要写哪一节。"
    cleaned = clean_response(primer)
    assert cleaned.text == "" and cleaned.primer
    assert answer_problem(cleaned, target_chars=160) == "primer"


def test_clean_response_heading_repeated_five_times_kept_once():
    raw = "\n".join(["### 强化组织领导"] * 5) + f"\n{SECTION}"
    cleaned = clean_response(raw, title=TITLE)
    assert cleaned.text == f"强化组织领导\n\n{SECTION}"
    assert cleaned.repeated == 4 * len("强化组织领导")


def test_clean_response_sentence_repeated_three_times_kept_once():
    loop = "我乡高度重视，扎实推进。"
    cleaned = clean_response(f"{SECTION}{loop}{loop}\n\n{loop}")
    assert cleaned.text == f"{SECTION}{loop}"
    assert any("重复" in r for r in cleaned.removed)


def test_clean_response_sentence_said_twice_is_not_a_loop():
    text = f"我乡高度重视。{SECTION}\n\n我乡高度重视。"
    assert clean_response(text).text == text


def test_clean_response_stutter_collapsed_but_digits_kept():
    cleaned = clean_response("我乡扎实推进扎实推进扎实推进扎实推进创建工作，投入1000000000000元。")
    assert cleaned.text == "我乡扎实推进创建工作，投入1000000000000元。"


@pytest.mark.parametrize("raw, expected", [
    (f"【{SECTION}】", SECTION),
    (f"【正文】{SECTION}", SECTION),
    (f"【加大宣传力度】\n{SECTION}", SECTION),
    ("【我乡高度重视宣传工作。\n通过宣传，群众知晓率明显提高。】",
     "我乡高度重视宣传工作。\n\n通过宣传，群众知晓率明显提高。"),
])
def test_clean_response_bracket_wrappers_and_labels_removed(raw, expected):
    cleaned = clean_response(raw)
    assert cleaned.text == expected


@pytest.mark.parametrize("raw, truncated, problem", [
    ("", False, "empty"),
    ("本节事实：\n篇幅：约160字\n我乡高度重视。", False, "echo"),
    ("我乡高度重视，扎实推进。\n" * 8, False, "loop"),
    (f"{SECTION}\n我乡高度重视，扎实推进。\n我乡高度重视，扎实推进。\n我乡高度重视，扎实推进。", True, "loop"),
    (f"本节事实：\n{SECTION}", False, None),
    ("".join(f"第{i}项工作扎实推进，群众满意度明显提高。" for i in range(40)), False, "overlong"),
    (SECTION, True, None),
])
def test_answer_problem_names_what_is_wrong(raw, truncated, problem):
    cleaned = clean_response(raw, title=TITLE)
    assert answer_problem(cleaned, target_chars=160, truncated=truncated) == problem


def test_cut_to_length_ends_at_a_sentence():
    text = "第一句话写完了。第二句话也写完了。第三句话很长很长很长很长。"
    assert cut_to_length(text, 20) == "第一句话写完了。第二句话也写完了。"
    assert cut_to_length(text, 200) == text
