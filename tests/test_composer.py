"""The offline composer: readable sections from the facts alone, every number a supplied one."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from drafter.check import check_text
from drafter.composer import compose_closing, compose_opening, compose_section
from drafter.errors import FactsError
from drafter.facts import load_facts

FACTS = sorted((REPO / "fixtures" / "facts").glob("*.yaml"))
ARABIC = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
CN_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
MARKER = re.compile(r"(?:^|(?<=[：。；\n]))[一二三四五六七八九十]+是")

MANY = """\
unit: 新华街道
period: 2023年
campaign: 全国文明城市
facts:
  - 辖区共有社区12个
sections:
  - id: lead
    title: 加强组织领导
    facts:
{items}
  - id: empty
    title: 环境卫生整治
  - id: ends
    title: 宣传教育
    facts:
      - 召开动员大会3次。
      - 发放宣传资料2000份；
      - 开展志愿服务活动，
  - id: problems
    title: 存在的问题
    kind: problems
    facts:
      - 宣传氛围不够浓厚。
  - id: plans
    title: 下一步打算
    kind: plans
    facts: []
"""


def _ids(paths):
    return [p.stem for p in paths]


def _all_texts(facts):
    """What the composer writes for a facts file: opening/closing if needed, every section."""
    texts = {s.id: compose_section(facts, s.id) for s in facts.sections}
    if not any(s.kind == "intro" for s in facts.sections):
        texts["_opening"] = compose_opening(facts)
    if not any(s.kind == "closing" for s in facts.sections):
        texts["_closing"] = compose_closing(facts)
    return texts


@pytest.fixture
def many(tmp_path):
    path = tmp_path / "facts.yaml"
    items = "\n".join(f"      - 开展专项行动{n}次" for n in range(1, 13))
    path.write_text(MANY.format(items=items), encoding="utf-8")
    return load_facts(path)


@pytest.mark.parametrize("path", FACTS, ids=_ids(FACTS))
def test_compose_section_uses_every_fact_verbatim(path):
    facts = load_facts(path)
    for section in facts.sections:
        text = compose_section(facts, section.id)
        for statement in section.facts:
            assert statement.text.rstrip("。；;，,") in text, (section.id, statement.text)


@pytest.mark.parametrize("path", FACTS, ids=_ids(FACTS))
def test_compose_section_adds_no_arabic_number(path):
    facts = load_facts(path)
    supplied = {m.group() for s in facts.statements() for m in ARABIC.finditer(s.text)}
    for sid, text in _all_texts(facts).items():
        assert set(ARABIC.findall(text)) <= supplied, sid


@pytest.mark.parametrize("path", FACTS, ids=_ids(FACTS))
def test_compose_section_template_words_carry_no_quantity(path):
    # Take out everything copied from the facts; what is left is template text, whose only
    # numerals may be the list markers 一是、二是…
    facts = load_facts(path)
    copied = sorted({s.text.rstrip("。；;，,") for s in facts.statements()} | {facts.period},
                    key=len, reverse=True)
    for sid, text in _all_texts(facts).items():
        rest = text
        for piece in copied:
            rest = rest.replace(piece, "§")
        rest = MARKER.sub("§", rest.replace("下一步", "§"))
        assert CN_NUMERAL.findall(rest) == [], (sid, rest)


@pytest.mark.parametrize("path", FACTS, ids=_ids(FACTS))
def test_compose_section_passes_the_checker(path):
    facts = load_facts(path)
    for sid, text in _all_texts(facts).items():
        report = check_text(text, facts)
        assert [(m.text, m.verdict) for m in report.flagged] == [], (sid, text)


@pytest.mark.parametrize("path", FACTS, ids=_ids(FACTS))
def test_compose_section_reads_like_a_summary(path):
    facts = load_facts(path)
    we = "我镇" if facts.unit.endswith("镇") else "我乡"
    for section in facts.sections:
        text = compose_section(facts, section.id)
        assert text.endswith(("。", "：")) and we in text
        assert not re.search(r"[。；，：][。；，：]", text), text  # no doubled punctuation
        assert "#" not in text and "\n- " not in text
        if section.kind == "intro":
            assert text.endswith("现将有关情况总结如下：")
        if section.kind == "work" and len(section.facts) > 1:
            assert "一是" in text and "二是" in text
        if section.kind == "problems":
            assert "问题和不足" in text
        if section.kind == "plans":
            assert text.startswith("下一步，" + we)


@pytest.mark.parametrize("path", FACTS, ids=_ids(FACTS))
def test_compose_section_is_deterministic(path):
    facts = load_facts(path)
    assert _all_texts(facts) == _all_texts(load_facts(path))


def test_compose_section_work_leads_vary():
    facts = load_facts(REPO / "fixtures" / "facts" / "篇三.yaml")
    leads = [compose_section(facts, s.id).split("，")[0] for s in facts.sections if s.kind == "work"]
    assert len(set(leads)) >= 3


def test_compose_section_numbers_many_items_and_long_lists_apart(many):
    text = compose_section(many, "lead")
    for n in range(1, 13):
        assert f"开展专项行动{n}次" in text
    assert "十是开展专项行动10次" in text and "十二是开展专项行动12次" in text
    assert "\n\n" in text  # a long list is one item per paragraph, like the samples


def test_compose_section_no_doubled_punctuation(many):
    text = compose_section(many, "ends")
    assert "召开动员大会3次。" in text and "发放宣传资料2000份。" in text
    assert "开展志愿服务活动。" in text
    assert not re.search(r"[。；，：][。；，：]", text)


def test_compose_section_without_facts_is_still_a_paragraph(many):
    for sid in ("empty", "plans"):
        text = compose_section(many, sid)
        assert len(text) > 20 and text.endswith("。") and "我街道" in text
        assert not ARABIC.search(text)


def test_compose_section_single_problem(many):
    text = compose_section(many, "problems")
    assert "仍存在问题和不足：宣传氛围不够浓厚。" in text


def test_compose_opening_uses_header_and_document_facts(many):
    text = compose_opening(many)
    # A fact describing the unit itself opens the summary, named by the unit, before the year.
    assert text.startswith("新华街道辖区共有社区12个。2023年，") and "我街道" in text and "全国文明城市" in text
    assert text.endswith("现将有关情况总结如下：")
    assert set(ARABIC.findall(text)) == {"2023", "12"}


def test_compose_closing_uses_header_only(many):
    text = compose_closing(many)
    assert text.startswith("总之，2023年我街道") and text.endswith("。")
    assert set(ARABIC.findall(text)) == {"2023"}


def test_compose_section_unknown_id(many):
    with pytest.raises(FactsError, match="lead"):
        compose_section(many, "nosuch")


def test_compose_section_intro_carries_document_facts(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text("unit: 东湖镇\nperiod: 2023年\ncampaign: 省文明城市\n"
                    "facts: [全镇共有行政村9个]\n"
                    "sections:\n  - id: intro\n    title: 总体情况\n    kind: intro\n"
                    "    facts: [在县委县政府的领导下推进创建工作]\n"
                    "  - id: work\n    title: 宣传教育\n    facts: [宣讲10余场]\n", encoding="utf-8")
    facts = load_facts(path)
    intro = compose_section(facts, "intro")
    assert intro.startswith("2023年，我镇在县委县政府的领导下推进创建工作，")
    assert "全镇共有行政村9个。" in intro and intro.endswith("现将有关情况总结如下：")
    assert "全镇共有行政村9个" not in compose_section(facts, "work")
