"""Names and copying (issue 12): one table of examples per rule, then the report and the facts warning."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES

from drafter.check.copies import Corpus
from drafter.check.engine import check_text, run_check
from drafter.facts import load_facts

FACTS = """\
unit: 芦洲乡
period: 2024年
topic: 乡村振兴
facts:
  - 芦洲乡隶属绵江县
sections:
  - id: villages
    title: 村级建设
    facts:
      - 在青石村、柳塘村建成示范点
      - 制定《芦洲乡人居环境整治实施方案》
      - 召开“芦洲乡乡村振兴推进会”
"""


def names_of(tmp_path, text: str, facts: str = FACTS) -> list[tuple[str, str, str]]:
    path = tmp_path / "facts.yaml"
    path.write_text(facts, encoding="utf-8")
    report = check_text(text, load_facts(path))
    return [(n.text, n.kind, n.verdict) for n in report.names]


def flagged_names(tmp_path, text: str, facts: str = FACTS) -> list[tuple[str, str, str]]:
    return [n for n in names_of(tmp_path, text, facts) if n[2] != "ok"]


# (text, the flagged name or None, kind, verdict)
PLACES = [
    ("从构建和谐南坝的高度出发", "南坝", "place", "foreign"),
    ("着力构建和谐新东湖", "东湖", "place", "foreign"),
    ("带领南坝人民推动乡村振兴", "南坝", "place", "foreign"),
    ("学习江油市的经验", "江油市", "place", "foreign"),
    ("在青石村、小岗村建成示范点", "小岗村", "place", "unsupported"),
    ("从构建和谐芦洲的高度出发", None, None, None),          # the unit's own bare name
    ("在县委县政府和绵江县的领导下", None, None, None),       # its own county, named in the facts
    ("在青石村、柳塘村建成示范点", None, None, None),         # villages the facts name
    ("推动和平发展、团结协作", None, None, None),             # ordinary words that are also place names
    ("同步规范集镇门店招牌", None, None, None),               # 范集镇 only straddles 规范|集镇
    ("统筹城乡发展，推动乡镇和村（社区）共同进步", None, None, None),
    ("建设美丽乡村，推进乡风文明", None, None, None),
    ("三、加快社区文化活动阵地的建设", None, None, None),     # a verb before 社区, not a name
    ("干部深入社区、走进村组，和群众面对面", None, None, None),
    ("三、在青石村、小岗村建成示范点", "小岗村", "place", "unsupported"),
]


@pytest.mark.parametrize("text, name, kind, verdict", PLACES, ids=[p[0] for p in PLACES])
def test_names_places(tmp_path, text, name, kind, verdict):
    found = flagged_names(tmp_path, text)
    assert found == ([] if name is None else [(name, kind, verdict)])


# A 乡 speaks of itself as 我乡/全乡/乡党委; other levels are flagged.
SELF = [
    ("我镇高度重视", "我镇"), ("全镇上下齐心协力", "全镇"), ("经镇党委研究决定", "镇"),
    ("我街道高度重视", "我街道"),
    ("我乡高度重视", None), ("全乡上下齐心协力", None), ("经乡党委研究决定", None),
    ("乡镇党委换届", None), ("镇村两级联动", None), ("全乡镇推广", None), ("本乡本土人才", None),
]


@pytest.mark.parametrize("text, wrong", SELF, ids=[s[0] for s in SELF])
def test_names_self_reference_level(tmp_path, text, wrong):
    found = flagged_names(tmp_path, text)
    assert found == ([] if wrong is None else [(wrong, "self", "mismatch")])


TITLES = [
    ("制定《芦洲乡人居环境整治实施方案》", None),                     # in the facts
    ("印发《芦洲乡村级组织考核细则》", ("title", "unsupported")),      # the unit's own, not in the facts
    ("落实《南坝乡创建文明城市实施方案》", ("title", "foreign")),      # another township's
    ("印发《党员积分管理办法》", ("title", "unsupported")),            # a plan of the unit's own kind
    ("学习《中华人民共和国安全生产法》", None),
    ("深入学习党的二十大精神，落实《乡村振兴促进法》", None),
    ("发放《森林防火告知书》", None),                                 # not a document of the unit
    ("召开“芦洲乡乡村振兴推进会”", None),
    ("召开“南坝乡秸秆禁烧推进会”", ("event", "foreign")),
    ("开展“芦洲乡清河专项行动”", ("event", "unsupported")),
    ("开展“安全生产月”活动", None),
]


@pytest.mark.parametrize("text, flagged", TITLES, ids=[t[0] for t in TITLES])
def test_names_titles_and_events(tmp_path, text, flagged):
    found = [(kind, verdict) for _, kind, verdict in flagged_names(tmp_path, text)]
    assert found == ([] if flagged is None else [flagged])


def test_names_user_allow_list_accepts_a_name(tmp_path):
    facts = FACTS.replace("facts:\n  - 芦洲乡隶属绵江县",
                          "allow: [《县乡村振兴考核办法》]\nfacts:\n  - 芦洲乡隶属绵江县")
    assert flagged_names(tmp_path, "落实《县乡村振兴考核办法》", facts) == []


def _copies(text: str, samples: list[tuple[str, str]], facts_path, **kw):
    corpus = Corpus(samples)
    report = check_text(text, load_facts(facts_path), corpus=corpus, **kw)
    return [(c.kind, c.text, c.source) for c in report.copies]


SAMPLE = ("篇甲", "一、加强组织领导\n为加强对创建工作的领导，乡上成立了创建工作领导小组，由书记任组长，"
                  "各站所负责人为成员，具体负责创建工作的统筹协调和督查考核。\n现将有关情况总结如下：")


@pytest.mark.parametrize("text, copied", [
    # 33 characters of the sample, other punctuation and spacing: a copy
    ("乡上成立了创建工作领导小组 由书记任组长；各站所负责人为成员，具体负责创建工作的统筹协调。", True),
    ("乡里成立领导小组，书记任组长，统筹协调各项创建工作。", False),            # a paraphrase
    ("现将有关情况总结如下：", False),                                       # a short formula
    ("二十四字的句子也不算照抄：乡上成立了创建工作领导小组。", False),         # 14 characters shared
])
def test_names_copies_of_a_sample(tmp_path, text, copied):
    path = tmp_path / "facts.yaml"
    path.write_text(FACTS, encoding="utf-8")
    found = _copies(text, [SAMPLE], path)
    assert bool(found) == copied
    if copied:
        assert found[0][0] == "sample" and found[0][2] == "篇甲 第2行"


def test_names_copies_leave_out_the_facts_wording(tmp_path):
    # The clerk wrote the sample's sentence into her facts: quoting it is no copy.
    facts = FACTS + "      - 乡上成立了创建工作领导小组，由书记任组长，各站所负责人为成员\n"
    path = tmp_path / "facts.yaml"
    path.write_text(facts, encoding="utf-8")
    text = "乡上成立了创建工作领导小组，由书记任组长，各站所负责人为成员。"
    assert _copies(text, [SAMPLE], path) == []


@pytest.mark.parametrize("echo", [
    "【写作任务】请撰写章节 culture“乡风文明”的正文。",
    "本节事实：在青石村、柳塘村建成示范点",
    "章节 villages：村级建设（工作）",
    "〔范文片段·结尾·篇一〕",
    "篇幅：约160字，可以上下浮动。",
    "只输出本节正文，不写标题、序号标题和任何解释。",
])
def test_names_echoed_prompt_is_a_copy(tmp_path, echo):
    path = tmp_path / "facts.yaml"
    path.write_text(FACTS, encoding="utf-8")
    found = _copies("一、村级建设\n" + echo + "\n在青石村建成示范点。", [], path)
    assert [kind for kind, _, _ in found] == ["prompt"]
    assert found[0][1].startswith(echo[:4])


def test_names_prompt_words_in_prose_are_not_echoes(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text(FACTS, encoding="utf-8")
    text = "会议时间：2024年3月。本节重点介绍写作任务完成情况，各单位篇幅不限。"
    assert _copies(text, [], path) == []


def test_names_json_and_exit_code(run, tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text(FACTS, encoding="utf-8")
    doc = tmp_path / "总结.txt"
    doc.write_text("我镇在青石村建成示范点，从构建和谐南坝的高度出发。\n", encoding="utf-8")
    result = run("check", doc, "--facts", path, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    flagged = [(n["text"], n["kind"], n["verdict"], n["line"]) for n in data["names"] if n["verdict"] != "ok"]
    assert flagged == [("我镇", "self", "mismatch", 1), ("南坝", "place", "foreign", 1)]
    assert data["ok"] is False and data["counts"]["names"] == 2 and data["copies"] == []
    assert all({"text", "start", "end", "line", "kind", "verdict", "reason", "fact", "fact_line"} <= set(n)
               for n in data["names"])


def test_names_text_report_shows_names_and_copies(run, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    doc = tmp_path / "总结.txt"
    copied = "明晰创建职责，强化督查督办，确保了创建全国文明城市的各项工作有条不紊地开展"
    doc.write_text((FIXTURES / "samples" / "篇一.txt").read_text(encoding="utf-8") + "\n" + copied + "。\n",
                   encoding="utf-8")
    result = run("check", doc, "--facts", FIXTURES / "facts" / "篇一.yaml")
    assert result.exit_code == 1
    assert "名称核对" in result.stdout and "别处的地名" in result.stdout and "南坝" in result.stdout
    assert "照抄的文字" in result.stdout and "篇二" in result.stdout
    assert "有 2 处名称或文字需要核对" in result.stdout


def test_names_facts_validate_warns_about_a_copied_title(run):
    result = run("facts", "validate", FIXTURES / "facts" / "篇一.yaml")
    assert result.exit_code == 0
    warning = next(line for line in result.stderr.splitlines() if "南坝乡" in line)
    assert "篇一.yaml:23" in warning and "芦洲乡" in warning


def test_names_builtin_samples_flag_only_nanba(tmp_path):
    # The five samples with their facts: 篇一's 构建和谐南坝 is the one name out of place.
    found = {}
    for name in ("篇一", "篇二", "篇三", "篇四", "篇五"):
        report = run_check(FIXTURES / "samples" / f"{name}.txt", FIXTURES / "facts" / f"{name}.yaml")
        found[name] = [n.text for n in report.flagged_names] + [c.text for c in report.copies]
    assert found == {"篇一": ["南坝"], "篇二": [], "篇三": [], "篇四": [], "篇五": []}


def test_names_references_mask_the_samples_places():
    from drafter.references import mask_places

    assert mask_places("结合我乡实际，从构建和谐南坝的高度出发，制定了《南坝乡方案》") == \
        "结合我乡实际，从构建和谐○○的高度出发，制定了《○○方案》"


def test_names_check_uses_the_samples_folder_given(run, tmp_path):
    # --samples: copies are looked for in that folder, not in the built-in samples.
    folder = tmp_path / "范文"
    folder.mkdir()
    (folder / "去年.txt").write_text(SAMPLE[1], encoding="utf-8")
    path = tmp_path / "facts.yaml"
    path.write_text(FACTS, encoding="utf-8")
    doc = tmp_path / "总结.txt"
    doc.write_text("乡上成立了创建工作领导小组，由书记任组长，各站所负责人为成员，具体负责创建工作的统筹协调。\n",
                   encoding="utf-8")
    builtin = json.loads(run("check", doc, "--facts", path, "--format", "json").stdout)
    given = run("check", doc, "--facts", path, "--format", "json", "--samples", folder)
    assert builtin["copies"] == [] and given.exit_code == 1
    assert [c["source"] for c in json.loads(given.stdout)["copies"]] == ["去年 第2行"]
    missing = run("check", doc, "--facts", path, "--samples", tmp_path / "没有")
    assert missing.exit_code == 2 and "范文文件夹不存在" in missing.stderr
