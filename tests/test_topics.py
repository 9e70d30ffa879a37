"""Summaries of any kind (乡村振兴, 安全生产, 基层党建…): topic vs campaign, outlines, samples, the offline draft.

tests/fixtures/topics/ holds one realistic facts file per outline kind, written from
`drafter init --topic …`, and the offline draft of each (golden files, read by a person).
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from conftest import FIXTURES, REPO

from drafter.composer import compose_section
from drafter.drafting import frame_sections
from drafter.facts import load_facts
from drafter.outlines import outlines

TOPICS = REPO / "tests" / "fixtures" / "topics"
KIND_FILES = sorted(TOPICS.glob("*.yaml"))
# The three kinds the issue names: topic set, no campaign.
TOPIC_ONLY = [TOPICS / f"{name}.yaml" for name in ("乡村振兴", "安全生产", "基层党建")]
CAMPAIGN_WORDS = ("创建", "创城", "创文", "测评", "文明创建")
CN_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿]")
MARKERS = re.compile(r"<!-- /?section(?:: [^>]*)? -->\n")


def _ids(paths):
    return [p.stem for p in paths]


def _draft(run, facts, tmp_path):
    out = tmp_path / "草稿.md"
    result = run("draft", facts, "-o", out)
    return result, out


def _body(draft_text: str) -> str:
    """The draft a reader sees: no front matter, no section markers."""
    return MARKERS.sub("", draft_text.split("\n---\n", 1)[1].lstrip("\n"))


@pytest.mark.parametrize("path", KIND_FILES, ids=_ids(KIND_FILES))
def test_topics_offline_draft_matches_golden(run, tmp_path, path):
    result, out = _draft(run, path, tmp_path)
    assert result.exit_code == 0, result.stdout + result.stderr
    golden = path.with_name(path.stem + ".draft.md").read_text(encoding="utf-8")
    assert _body(out.read_text(encoding="utf-8")) == golden


@pytest.mark.parametrize("path", KIND_FILES, ids=_ids(KIND_FILES))
def test_topics_offline_draft_checks(run, tmp_path, path):
    result, out = _draft(run, path, tmp_path)
    assert result.exit_code == 0, result.stdout
    check = run("check", out)
    assert check.exit_code == 0, check.stdout
    assert "所有数字均有事实依据" in check.stdout


@pytest.mark.parametrize("path", TOPIC_ONLY, ids=_ids(TOPIC_ONLY))
def test_topics_title_and_body_say_no_campaign_words(run, tmp_path, path):
    facts = load_facts(path)
    assert facts.campaign is None and facts.topic
    assert facts.title == f"{facts.unit}{facts.period}{facts.topic}工作总结"
    _, out = _draft(run, path, tmp_path)
    body = _body(out.read_text(encoding="utf-8"))
    assert body.startswith(f"# {facts.title}\n")
    supplied = "\n".join(s.text for s in facts.statements())
    for word in CAMPAIGN_WORDS:
        assert word not in body or word in supplied, word


@pytest.mark.parametrize("path", TOPIC_ONLY, ids=_ids(TOPIC_ONLY))
def test_topics_prompt_system_and_task_say_no_campaign_words(run, path):
    for section in frame_sections(load_facts(path)).sections:
        result = run("prompt", path, "--section", section.id, "--json")
        assert result.exit_code == 0, result.stderr
        messages = json.loads(result.stdout)["messages"]
        for message in (messages[0], messages[-1]):
            for word in CAMPAIGN_WORDS:
                assert word not in message["content"], (section.id, message["role"], word)


def test_topics_prompt_says_builtin_samples_are_of_another_kind(run):
    result = run("prompt", TOPICS / "乡村振兴.yaml", "--section", "industry", "--json")
    messages = json.loads(result.stdout)["messages"]
    assert "不是同一类工作总结（本文是乡村振兴工作总结）" in messages[1]["content"]
    assert "范文片段" not in messages[-1]["content"]  # no extra references chosen for their topic
    same = json.loads(run("prompt", FIXTURES / "facts" / "篇一.yaml", "--section", "publicity",
                          "--json").stdout)["messages"]
    assert "不是同一类" not in same[1]["content"] and "创建目标：全国文明城市" in same[1]["content"]


def test_topics_facts_file_names_its_samples_folder(run, tmp_path):
    facts = tmp_path / "事实.yaml"
    shutil.copytree(TOPICS / "范文", tmp_path / "范文")
    facts.write_text((TOPICS / "乡村振兴.yaml").read_text(encoding="utf-8").replace(
        "topic: 乡村振兴\n", "topic: 乡村振兴\nsamples: 范文/乡村振兴\n"), encoding="utf-8")
    result = run("facts", "validate", facts)
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    assert "范文/乡村振兴" in result.stdout.replace("\\", "/")
    prompt = json.loads(run("prompt", facts, "--section", "industry", "--json").stdout)
    assert prompt["references"] and all(r.startswith("样文一#") for r in prompt["references"])
    assert "不是同一类" not in prompt["messages"][1]["content"]
    # --samples on the command line wins over the file's folder.
    builtin = json.loads(run("prompt", facts, "--section", "industry", "--json", "--samples",
                             FIXTURES / "samples").stdout)
    assert all(r.startswith("篇") for r in builtin["references"])


def test_topics_missing_samples_folder_warns_then_fails_with_its_line(run, tmp_path):
    facts = tmp_path / "事实.yaml"
    facts.write_text("unit: 石门镇\nperiod: 2024年\ntopic: 乡村振兴\nsamples: 范文/没有\n"
                     "sections:\n  - id: a\n    title: 产业振兴\n", encoding="utf-8")
    result = run("facts", "validate", facts)
    assert result.exit_code == 0
    assert f"{facts}:4" in result.stderr and "samples" in result.stderr and "不存在" in result.stderr
    result = run("prompt", facts, "--section", "a")
    assert result.exit_code == 2
    assert f"{facts}:4" in result.stderr and "samples" in result.stderr


@pytest.mark.parametrize("path", sorted((FIXTURES / "facts").glob("*.yaml")), ids=lambda p: p.stem)
def test_topics_campaign_fixtures_keep_the_campaign_framing(run, tmp_path, path):
    facts = load_facts(path)
    assert facts.title == f"{facts.unit}{facts.period}创建{facts.campaign}工作总结"
    result, out = _draft(run, path, tmp_path)
    assert result.exit_code == 0
    body = _body(out.read_text(encoding="utf-8"))
    assert f"创建{facts.campaign}" in body.split("## ", 1)[1]  # the sections, not only the title
    assert run("check", out).exit_code == 0


@pytest.mark.parametrize("topic, title", [
    ("乡村振兴", "柳溪镇2024年乡村振兴工作总结"),
    ("乡村振兴工作", "柳溪镇2024年乡村振兴工作总结"),      # no doubled 工作
    ("安全生产工作总结", "柳溪镇2024年安全生产工作总结"),
    ("年度工作", "柳溪镇2024年度工作总结"),                # 2024年 + 年度 reads 2024年度
    (None, "柳溪镇2024年工作总结"),
])
def test_topics_default_title(tmp_path, topic, title):
    path = tmp_path / "f.yaml"
    path.write_text("unit: 柳溪镇\nperiod: 2024年\n" + (f"topic: {topic}\n" if topic else "")
                    + "sections:\n  - id: a\n    title: 产业振兴\n", encoding="utf-8")
    assert load_facts(path).title == title


@pytest.mark.parametrize("campaign, words", [
    ("乡村振兴", ["不像是创建的对象", "topic: 乡村振兴"]),
    ("创建全国文明城市", ["不用写“创建”", "campaign: 全国文明城市"]),
])
def test_topics_campaign_that_is_not_created_warns(run, tmp_path, campaign, words):
    path = tmp_path / "f.yaml"
    path.write_text(f"unit: 柳溪镇\nperiod: 2024年\ncampaign: {campaign}\n"
                    "sections:\n  - id: a\n    title: 产业振兴\n", encoding="utf-8")
    result = run("facts", "validate", path)
    assert result.exit_code == 0
    assert f"{path}:3" in result.stderr and "campaign" in result.stderr
    for word in words:
        assert word in result.stderr
    assert load_facts(path).title == f"柳溪镇2024年创建{campaign}工作总结"  # old files keep their title
    result = run("draft", path, "-o", tmp_path / "草稿.md")
    assert result.exit_code == 0 and f"{path}:3" in result.stderr  # drafting says so too


@pytest.mark.parametrize("path", sorted((FIXTURES / "facts").glob("*.yaml"))
                         + sorted((REPO / "tests" / "cases").glob("*/*.facts.yaml")), ids=lambda p: p.stem)
def test_topics_existing_files_validate(run, path):
    facts = load_facts(path)
    result = run("facts", "validate", path)
    assert result.exit_code == 0, result.stderr
    if facts.campaign is None or "文明城市" in facts.campaign or "卫生城市" in facts.campaign:
        assert "不像是创建的对象" not in result.stderr


@pytest.mark.parametrize("outline", outlines(), ids=lambda o: o.key)
def test_init_topic_writes_an_outline_that_drafts(run, tmp_path, outline):
    name = outline.name if outline.key != "special" else "招商引资"
    target = tmp_path / "事实.yaml"
    result = run("init", target, "--topic", name)
    assert result.exit_code == 0, result.stderr
    facts = load_facts(target)
    assert [s.title for s in facts.sections] == [s.title for s in outline.sections]
    # No invented numbers: the template's only digits are the 20 of the 20××年 placeholder.
    lines = [ln for ln in target.read_text(encoding="utf-8").splitlines() if not ln.lstrip().startswith("#")]
    assert re.findall(r"\d+", "\n".join(lines)) == ["20"]
    result = run("facts", "validate", target)
    assert result.exit_code == 0 and "0 个数字" in result.stdout
    result, out = _draft(run, target, tmp_path)
    assert result.exit_code == 0, result.stdout
    assert run("check", out).exit_code == 0


def test_init_topic_rural_end_to_end_with_chinese_comments(run, tmp_path):
    target = tmp_path / "乡村振兴.yaml"
    assert run("init", target, "--topic", "乡村振兴").exit_code == 0
    text = target.read_text(encoding="utf-8")
    lines = text.splitlines()
    # Every field the clerk fills is explained by a Chinese comment above it.
    for key in ("unit:", "period:", "topic:", "facts:", "sections:"):
        at = next(i for i, ln in enumerate(lines) if ln.startswith(key))
        assert lines[at - 1].startswith("#") and re.search(r"[\u4e00-\u9fff]", lines[at - 1]), key
    for key in ("id：", "title：", "kind：", "facts：", "samples:", "title:", "author:", "date:"):
        assert f"# {key}" in text or f"#   {key}" in text, key
    assert "本节写：" in text and "campaign" in text  # says why there is no campaign
    text = text.replace("unit: ××镇", "unit: 石门镇").replace("period: 20××年", "period: 2024年")
    text = text.replace("      # 本节写：主导产业", "      - 新增土地流转面积1800亩\n      # 本节写：主导产业")
    target.write_text(text, encoding="utf-8")
    result = run("facts", "validate", target)
    assert result.exit_code == 0 and "石门镇2024年乡村振兴工作总结" in result.stdout
    result, out = _draft(run, target, tmp_path)
    assert result.exit_code == 0
    body = _body(out.read_text(encoding="utf-8"))
    assert "新增土地流转面积1800亩" in body and "创建" not in body
    assert run("check", out).exit_code == 0


def test_init_list_topics(run):
    result = run("init", "--list-topics")
    assert result.exit_code == 0
    for name in ("乡村振兴", "安全生产", "基层党建", "河长制", "文明城市创建", "年度工作总结"):
        assert name in result.stdout


def test_init_topic_typo_is_an_error_with_a_suggestion(run, tmp_path):
    result = run("init", tmp_path / "f.yaml", "--topic", "乡村振新")
    assert result.exit_code == 2
    assert "乡村振兴" in result.stderr and not (tmp_path / "f.yaml").exists()


def test_init_topic_without_outline_uses_general_sections(run, tmp_path):
    target = tmp_path / "f.yaml"
    result = run("init", target, "--topic", "招商引资")
    assert result.exit_code == 0 and "没有“招商引资”的专门提纲" in result.stderr
    facts = load_facts(target)
    assert facts.topic == "招商引资" and facts.title == "××镇20××年招商引资工作总结"


def test_init_topic_xlsx(run, tmp_path):
    target = tmp_path / "安全生产.xlsx"
    result = run("init", "--xlsx", target, "--topic", "安全生产")
    assert result.exit_code == 0, result.stderr
    facts = load_facts(target)
    assert facts.topic == "安全生产" and facts.campaign is None
    assert facts.title == "××镇20××年安全生产工作总结"
    assert [s.id for s in facts.sections][:2] == ["duty", "hazards"]


def test_topics_excel_round_trip_keeps_topic_and_samples(run, tmp_path):
    source = tmp_path / "事实.yaml"
    source.write_text((TOPICS / "乡村振兴.yaml").read_text(encoding="utf-8").replace(
        "topic: 乡村振兴\n", "topic: 乡村振兴\nsamples: 范文/乡村振兴\n"), encoding="utf-8")
    assert run("facts", "convert", source, "-o", tmp_path / "事实.xlsx").exit_code == 0
    book = load_facts(tmp_path / "事实.xlsx")
    assert (book.topic, book.samples, book.title) == ("乡村振兴", "范文/乡村振兴", "石门镇2024年乡村振兴工作总结")
    assert run("facts", "convert", tmp_path / "事实.xlsx", "-o", tmp_path / "again.yaml").exit_code == 0
    again = (tmp_path / "again.yaml").read_text(encoding="utf-8")
    assert "topic: 乡村振兴" in again and "samples: 范文/乡村振兴" in again and "campaign" not in again


def test_topics_excel_campaign_and_topic_is_an_error(run, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "f.xlsx"
    run("init", "--xlsx", target)
    wb = load_workbook(target)
    ws = wb["基本信息"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "主题")
    ws.cell(row, 2).value = "乡村振兴"
    wb.save(target)
    result = run("facts", "validate", target)
    assert result.exit_code == 2
    assert f"工作表“基本信息”第{row}行" in result.stderr and "只能填一个" in result.stderr


@pytest.mark.parametrize("outline", outlines(), ids=lambda o: o.key)
def test_outline_words_the_composer_writes_carry_no_numerals(outline):
    # Lead sentences and closing aims are template words: a numeral there would be an invented number.
    for words in [outline.goal or "", outline.under or "", *(s.lead or "" for s in outline.sections)]:
        assert not CN_NUMERAL.search(words) and not re.search(r"\d", words), (outline.key, words)


def test_compose_half_width_digits(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("unit: 石门镇\nperiod: ２０２４年\ntopic: 乡村振兴\nsections:\n  - id: a\n    title: 产业振兴\n"
                    "    facts: [落实衔接资金１２６０万元，增长１２．５％, 新建高标准农田3200亩]\n", encoding="utf-8")
    facts = load_facts(path)
    text = compose_section(facts, "a")
    assert "落实衔接资金1260万元，增长12.5%" in text and not re.search(r"[０-９．％]", text)


def test_compose_no_period_before_a_fact_that_says_the_year(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("unit: 云岭镇\nperiod: 2024年\ntopic: 安全生产\nsections:\n  - id: intro\n    title: 总体情况\n"
                    "    kind: intro\n    facts: [全年未发生较大及以上生产安全事故]\n", encoding="utf-8")
    text = compose_section(load_facts(path), "intro")
    assert text.startswith("我镇全年未发生较大及以上生产安全事故，") and "2024年，我镇全年" not in text
    assert text.endswith("现将有关情况总结如下：") and "创建" not in text


def test_compose_one_layout_for_every_work_section(tmp_path):
    long_items = "".join(f"      - 开展第{n}批隐患排查整治专项行动，检查生产经营单位{n}0家次，督促整改隐患\n"
                         for n in range(1, 6))
    path = tmp_path / "f.yaml"
    path.write_text("unit: 云岭镇\nperiod: 2024年\ntopic: 安全生产\nsections:\n"
                    f"  - id: long\n    title: 隐患排查整治\n    facts:\n{long_items}"
                    "  - id: short\n    title: 应急管理\n    facts: [修订应急预案8个, 开展应急演练9次]\n",
                    encoding="utf-8")
    facts = load_facts(path)
    for sid in ("long", "short"):
        paragraphs = compose_section(facts, sid).split("\n\n")
        assert paragraphs[1].startswith("一是") and paragraphs[2].startswith("二是"), sid
