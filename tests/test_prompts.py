"""Prompt assembly: masked references, a shared prefix, the section task, budgets, repairs."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from drafter.errors import FactsError, InputError
from drafter.facts import load_facts
from drafter.prompts import (
    SHARED_MESSAGES,
    build_prompt,
    build_prompts,
    build_repair_message,
    common_prefix_share,
    mask_numbers,
    render,
)
from drafter.references import TopicIndex, choose_shared
from drafter.samples import load_corpus
from drafter.tokens import count_tokens

FACTS = sorted((REPO / "fixtures" / "facts").glob("*.yaml"))
PROMPTS = REPO / "prompts"
PLANTED = "全年共计98765人次参与，惠及九千八百七十六户。"
PLANTED_MASKED = "全年共计○○人次参与，惠及○○户。"


def _ids(paths):
    return [p.stem for p in paths]


@pytest.fixture(scope="module")
def planted_corpus(tmp_path_factory):
    """The built-in corpus with a distinctive number planted in every body paragraph."""
    folder = tmp_path_factory.mktemp("samples")
    for src in sorted((REPO / "fixtures" / "samples").glob("*.txt")):
        lines = []
        for line in src.read_text(encoding="utf-8").splitlines():
            body = len(line) > 30 and line.endswith(("。", "：", "；"))
            lines.append(line + PLANTED if body else line)
        (folder / src.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_corpus(folder)


@pytest.mark.parametrize("path", FACTS, ids=_ids(FACTS))
def test_build_prompt_planted_number_never_reaches_any_prompt(path, planted_corpus):
    facts = load_facts(path)
    prompts = build_prompts(facts, corpus=planted_corpus)
    everything = "\n".join(m["content"] for p in prompts for m in p.messages)
    assert all(p.references for p in prompts)
    assert PLANTED_MASKED in everything  # the planted sentence did reach the prompts, masked
    for leaked in ("98765", "9876", "8765", "九千八百七十六", "八百七十六", "九千"):
        assert leaked not in everything


@pytest.mark.parametrize("path", FACTS, ids=_ids(FACTS))
def test_build_prompt_arabic_numbers_come_from_facts_or_the_task(path):
    facts = load_facts(path)
    supplied = {n for s in facts.statements() for n in re.findall(r"[0-9]+", s.text)}
    rules = {str(n) for n in range(1, 10)}  # the numbered rules of the system prompt
    for prompt in build_prompts(facts):
        found = {n for m in prompt.messages for n in re.findall(r"[0-9]+", m["content"])}
        assert found <= supplied | rules | {str(prompt.target_chars)}, found - supplied


@pytest.mark.parametrize("path", FACTS, ids=_ids(FACTS))
def test_build_prompt_shared_prefix_identical_across_sections(path):
    facts = load_facts(path)
    prompts = [build_prompt(facts, s.id) for s in facts.sections]
    first = prompts[0]
    for p in prompts:
        assert p.messages[:SHARED_MESSAGES] == first.messages[:SHARED_MESSAGES]
        assert p.shared_tokens == first.shared_tokens
        assert p.tokens > p.shared_tokens
    assert len({p.messages[-1]["content"] for p in prompts}) == len(prompts)
    assert [m["role"] for m in first.messages] == ["system", "user", "assistant", "user"]
    assert common_prefix_share(prompts) >= 0.6


@pytest.mark.parametrize("path", FACTS, ids=_ids(FACTS))
def test_build_prompt_task_lists_the_sections_facts(path):
    facts = load_facts(path)
    for prompt in build_prompts(facts):
        section = facts.section(prompt.section_id)
        task = prompt.messages[-1]["content"]
        assert "本节事实" in task and section.title in task
        assert f"约{prompt.target_chars}字" in task
        for statement in section.facts:
            assert f"- {statement.text}" in task
        others = [s.text for sec in facts.sections if sec.id != section.id for s in sec.facts
                  if s.text not in {f.text for f in section.facts}]
        assert not any(f"- {text}\n" in task + "\n" for text in others)


@pytest.mark.parametrize("path", FACTS, ids=_ids(FACTS))
def test_build_prompt_shared_message_holds_every_fact(path):
    facts = load_facts(path)
    prompt = build_prompt(facts, facts.sections[-1].id)
    shared = prompt.messages[1]["content"]
    for statement in facts.statements():
        assert statement.text in shared
    assert facts.unit in prompt.messages[0]["content"]


def test_build_prompt_system_prompt_rules():
    facts = load_facts(REPO / "fixtures" / "facts" / "篇一.yaml")
    system = build_prompt(facts, "publicity").messages[0]["content"]
    for rule in ("我乡", "事实清单", "不得编造", "Markdown", "不写文章标题"):
        assert rule in system
    assert "我镇" in build_prompt(load_facts(REPO / "fixtures" / "facts" / "篇二.yaml"),
                                 "leadership").messages[0]["content"]


def test_build_prompt_first_person_for_a_street_office(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text("unit: 新华街道\nperiod: 2023年\ncampaign: 全国文明城市\n"
                    "facts: [辖区共有社区12个]\n"
                    "sections:\n  - id: work\n    title: 加强组织领导\n    facts: [成立领导小组]\n",
                    encoding="utf-8")
    prompt = build_prompt(load_facts(path), "work")
    assert "自称“我街道”" in prompt.messages[0]["content"]
    assert "辖区共有社区12个" in prompt.messages[1]["content"]


def test_build_prompt_editor_inputs_appear_in_the_task_only():
    facts = load_facts(REPO / "fixtures" / "facts" / "篇一.yaml")
    plain = build_prompt(facts, "measures")
    edited = build_prompt(facts, "measures", instruction="语气再朴实一些，删去套话",
                          other_sections={"publicity": "我乡加大宣传力度，召开动员大会两次。",
                                          "measures": "本节自己的旧文字不算其他章节"},
                          current_text="我乡抓好创建工作落实，新建成宣传栏7个。")
    task = edited.messages[-1]["content"]
    assert "语气再朴实一些，删去套话" in task
    assert "我乡加大宣传力度，召开动员大会两次。" in task and "不要重复或与之矛盾" in task
    assert "加大宣传力度" in task  # the other section is named by its title
    assert "本节自己的旧文字不算其他章节" not in task
    assert "我乡抓好创建工作落实，新建成宣传栏7个。" in task
    assert edited.messages[:SHARED_MESSAGES] == plain.messages[:SHARED_MESSAGES]
    assert "语气再朴实一些" not in plain.messages[-1]["content"]


def test_build_prompt_unknown_section_names_the_ids():
    facts = load_facts(REPO / "fixtures" / "facts" / "篇一.yaml")
    with pytest.raises(FactsError, match="publicity"):
        build_prompt(facts, "nosuch")


def test_build_prompt_drop_order_extras_then_least_similar_shared():
    facts = load_facts(REPO / "fixtures" / "facts" / "篇一.yaml")
    corpus = load_corpus()
    full = build_prompt(facts, "publicity", corpus=corpus)
    shared_ids = set.intersection(*(set(build_prompt(facts, s.id, corpus=corpus).references)
                                    for s in facts.sections))
    extras = [r for r in full.references if r not in shared_ids]
    assert extras and full.dropped_references == []
    ranked = sorted(choose_shared(TopicIndex(corpus), facts, count_tokens), key=lambda r: r.score)
    expected_order = list(reversed(extras)) + [r.id for r in ranked]

    seen_drops = []
    limit = full.tokens
    while True:
        try:
            prompt = build_prompt(facts, "publicity", corpus=corpus, max_prompt_tokens=limit)
        except InputError as exc:
            assert "--max-prompt-tokens" in str(exc)
            break
        assert prompt.tokens <= limit
        dropped = prompt.dropped_references
        if dropped not in seen_drops:
            seen_drops.append(dropped)
        # The extras go first (least similar first), then the shared ones, least similar first.
        assert dropped == expected_order[:len(dropped)]
        assert set(prompt.references) | set(dropped) == set(full.references)
        limit -= 150
    assert seen_drops[-1] == expected_order  # everything was dropped before giving up
    assert len(seen_drops) > len(extras) + 1


def test_build_prompt_tight_budget_keeps_the_prefix_identical():
    facts = load_facts(REPO / "fixtures" / "facts" / "篇一.yaml")
    full = build_prompts(facts)
    limit = min(p.tokens for p in full) - 600  # some shared references must go
    tight = build_prompts(facts, max_prompt_tokens=limit)
    assert all(p.tokens <= limit for p in tight)
    assert any(set(p.dropped_references) & set(full[0].references) for p in tight)
    assert len({repr(p.messages[:SHARED_MESSAGES]) for p in tight}) == 1


@pytest.mark.parametrize("path", FACTS, ids=_ids(FACTS))
def test_build_prompt_target_length_and_completion_budget(path):
    facts = load_facts(path)
    for prompt in build_prompts(facts):
        assert 150 <= prompt.target_chars <= 900
        assert prompt.max_tokens >= 2 * prompt.target_chars
        assert prompt.tokens == sum(count_tokens(m["content"]) for m in prompt.messages) \
            + 4 * len(prompt.messages) + 3


def test_build_prompt_more_facts_longer_target():
    facts = load_facts(REPO / "fixtures" / "facts" / "篇一.yaml")
    plan = build_prompt(facts, "plan")            # one fact
    publicity = build_prompt(facts, "publicity")  # five facts
    assert publicity.target_chars > plan.target_chars


def test_build_repair_message_names_every_flagged_number():
    facts = load_facts(REPO / "fixtures" / "facts" / "篇一.yaml")
    problems = [
        {"text": "8个", "verdict": "unsupported", "reason": "事实中没有8个",
         "context": "我乡新建成的宣传栏有8个，使全乡各村", "nearby_facts": ["新建宣传栏7个 (facts.yaml:35)"]},
        {"text": "80户", "verdict": "misattributed", "reason": "80户说的是另一件事", "context": "",
         "nearby_facts": []},
        {"text": "两千人", "verdict": "mismatch", "reason": "", "context": "", "nearby_facts": []},
    ]
    message = build_repair_message(problems, facts, "measures")
    content = message["content"]
    assert message["role"] == "user"
    for text in ("“8个”", "“80户”", "“两千人”"):
        assert text in content
    assert "事实清单中没有这个数字" in content and "张冠李戴" in content and "单位或约数" in content
    assert "我乡新建成的宣传栏有8个，使全乡各村" in content
    assert "新建宣传栏7个 (facts.yaml:35)" in content
    assert "评出县级文明家庭81户" in content  # the section's facts are repeated
    assert "请重写本节全文" in content


@pytest.mark.parametrize("text, expected", [
    ("志愿服务队伍共计65人，占全乡总人数的1.4%", "志愿服务队伍共计○○人，占全乡总人数的○○%"),
    ("１２３４５个，3,200元，3.5万元", "○○个，○○元，○○元"),
    ("十二月二日召开两千三百人大会", "○○月○○日召开○○人大会"),
    ("百余人参加，六十五户，一点四倍", "○○余人参加，○○户，○○倍"),
    ("二○一七年，第四届，连续举办十五届", "○○年，第○○届，连续举办○○届"),
    ("两次动员大会", "○○次动员大会"),
    ("二十分钟", "○○分钟"),
    ("十分钟后，十分重视", "○○分钟后，十分重视"),
    ("1、以治理为主", "○○、以治理为主"),
])
def test_mask_numbers_masks_quantities(text, expected):
    assert mask_numbers(text) == expected


@pytest.mark.parametrize("text", [
    "一是坚定决心。二是建立机制；三是强化队伍",
    "一、加强领导\n（二）完善制度",
    "进一步统一思想，一把手负总责，十分重视",
    "党的十八大及十八届五中全会精神",
    "志愿服务队伍陆续组建",
])
def test_mask_numbers_keeps_markers_and_words(text):
    assert mask_numbers(text) == text


def test_mask_numbers_is_idempotent():
    once = mask_numbers("共计65人，六十五户，○○个")
    assert mask_numbers(once) == once == "共计○○人，○○户，○○个"


def test_render_is_strict_about_missing_variables():
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        render("system.j2")


def test_prompts_readme_lists_every_template():
    readme = (PROMPTS / "README.md").read_text(encoding="utf-8")
    for template in sorted(PROMPTS.rglob("*.j2")):
        assert f"`{template.relative_to(PROMPTS).as_posix()}`" in readme


def test_prompt_modules_hold_no_chinese_prose():
    # Prompt text lives in prompts/*.j2; Python may only name things (first person, word lists).
    for module in ("prompts.py", "composer.py"):
        source = (REPO / "drafter" / module).read_text(encoding="utf-8")
        code = re.sub(r'"""[\s\S]*?"""|#.*', "", source)
        sentences = re.findall(r'"[^"\n]*[\u4e00-\u9fff][^"\n]*[。：；][^"\n]*"', code)
        assert sentences == [], f"{module}: {sentences}"
