"""The fact checker: verdicts, approximation rules, units, attribution, JSON contract, case sets."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from drafter.check.engine import FLAGGED, VERDICTS, check_text, run_check
from drafter.errors import DocumentError, InputError
from drafter.facts import load_facts

DEV = Path(__file__).resolve().parents[2] / "shared" / "factcheck-eval" / "dev"
SAMPLES = sorted((REPO / "fixtures" / "samples").glob("*.txt"))


def write_facts(tmp_path: Path, *statements: str, period: str = "2017年", allow=(),
                name: str = "facts.yaml") -> Path:
    """A facts file with all statements in section `work`; the first statement is on line 8."""
    lines = ["unit: 芦洲乡", f"period: {period}", "campaign: 全国文明城市", "sections:", "  - id: work",
             "    title: 工作", "    facts:"]
    lines += [f"      - {json.dumps(s, ensure_ascii=False)}" for s in statements]
    if allow:
        lines.append("allow: " + json.dumps(list(allow), ensure_ascii=False))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def check(tmp_path: Path, facts: tuple[str, ...] | str, text: str, **kw):
    """The number checker alone (names and copies have their own tests)."""
    facts = (facts,) if isinstance(facts, str) else facts
    return check_text(text, load_facts(write_facts(tmp_path, *facts, **kw)), with_names=False)


def verdict(report, mention: str) -> str:
    found = [m for m in report.mentions if m.text == mention]
    assert found, [(m.text, m.verdict) for m in report.mentions]
    return found[0].verdict


# (facts, text, mention, verdict): one row per verdict kind and per derivation cue.
VERDICT_CASES = [
    ("新建宣传栏7个", "新建成的宣传栏有7个", "7个", "ok"),
    (("辖区常住人口8000人", "发放宣传册2400份"), "发放宣传册2400份，相当于辖区常住人口的30%", "30%", "derived"),
    ("组织活动40场，参与群众1200人次", "组织活动40场，参与群众1200人次，平均每场30人次", "30人次", "derived"),
    (("志愿者92人", "累计服务184小时"), "志愿者92人累计服务184小时，人均2小时", "2小时", "derived"),
    (("举办培训3期", "举办讲座5期"), "举办培训3期、讲座5期，共8期", "8期", "derived"),
    ("测评得分由76.0分提高到85.5分", "测评得分由76.0分提高到85.5分，提高了9.5分", "9.5分", "derived"),
    (("2021年接待游客2000人次", "2022年接待游客2500人次"),
     "接待游客由2021年的2000人次增加到2022年的2500人次，增长25%", "25%", "derived"),
    ("新建宣传栏7个", "一是建立了一个机制", "一个", "ignored"),
    ("新建宣传栏7个", "新建宣传栏8个", "8个", "mismatch"),  # the item is supplied, with another value
    ("评出县级文明家庭81户", "评出81个县级文明家庭", "81个", "mismatch"),
    ("宣讲10余场", "宣讲12场", "12场", "mismatch"),
    ("市级媒体刊登信息36篇，省级媒体刊登信息11篇", "市级媒体刊登信息11篇，省级媒体刊登信息36篇", "11篇",
     "misattributed"),
]


@pytest.mark.parametrize("facts, text, mention, expected", VERDICT_CASES,
                         ids=[f"{c[3]}-{c[2]}" for c in VERDICT_CASES])
def test_check_verdicts(tmp_path, facts, text, mention, expected):
    report = check(tmp_path, facts, text)
    assert verdict(report, mention) == expected


def test_check_derived_shows_the_formula(tmp_path):
    report = check(tmp_path, "组织活动40场，参与群众1200人次", "组织活动40场，参与群众1200人次，平均每场30人次")
    m = next(m for m in report.mentions if m.text == "30人次")
    assert "1200人次 ÷ 40场" in m.reason
    assert m.fact == "组织活动40场，参与群众1200人次"


def test_check_no_cue_word_no_arithmetic(tmp_path):
    report = check(tmp_path, ("辖区常住人口8000人", "发放宣传册2400份"), "发放宣传册2400份，宣传覆盖30%")
    assert verdict(report, "30%") == "unsupported"


def test_check_derived_never_overrides_a_stated_fact(tmp_path):
    report = check(tmp_path, ("志愿服务队伍65人", "累计参加184小时，人均2小时"),
                   "志愿服务队伍65人，累计参加184小时，人均3小时")
    assert verdict(report, "3小时") == "mismatch"


# (fact, text, verdict): approximation has a direction.
APPROX_CASES = [
    ("宣讲12场", "宣讲10余场", "ok"),           # facts exact, text vaguer
    ("宣讲10余场", "宣讲12场", "mismatch"),     # invented precision
    ("队伍65人", "队伍60余人", "ok"),
    ("队伍65人", "队伍70余人", "mismatch"),
    ("劝导车辆45辆以上", "劝导车辆45多辆", "ok"),  # same anchor, same direction
    ("劝导行人300余人次", "劝导行人300多人次", "ok"),
    ("劝导行人300余人次", "劝导行人近300人次", "mismatch"),
    ("参与群众1200人次", "参与群众约1200人次", "ok"),
    ("参与群众1200人次", "参与群众千余人次", "ok"),
    ("劝导车辆45辆", "劝导车辆45多辆", "mismatch"),
    ("拆除违章搭建37处", "拆除违章搭建30余处", "ok"),
    ("发放资料1.5万余份", "发放资料15000余份", "ok"),
]


@pytest.mark.parametrize("fact, text, expected", APPROX_CASES, ids=[f"{c[0]}->{c[1]}" for c in APPROX_CASES])
def test_check_approximation_rules(tmp_path, fact, text, expected):
    report = check(tmp_path, fact, text)
    claims = [m for m in report.mentions if m.verdict != "ignored"]
    assert [m.verdict for m in claims] == [expected], [(m.text, m.verdict, m.reason) for m in claims]


# (fact, text, verdict): unit equivalence classes.
UNIT_CASES = [
    ("志愿服务队伍共计65人", "志愿服务队伍共计65名", "ok"),
    ("志愿服务队伍共计65人", "志愿服务队伍共计65位", "ok"),
    ("志愿服务队伍共计65人", "志愿服务队伍共计65人次", "mismatch"),
    ("志愿服务队伍共计65人", "志愿服务队伍共计65户", "mismatch"),
    ("参加活动90人次", "参加活动90人", "mismatch"),
    ("投入资金12.5万元", "投入资金125000元", "ok"),
    ("投入资金12.5万元", "投入资金十二万五千元", "ok"),
    ("投入资金12.5万元", "投入资金12.5元", "mismatch"),
    ("新修道路1.5公里", "新修道路1500米", "ok"),
    ("人均2小时", "人均120分钟", "ok"),
    ("公益广告12副", "公益广告12幅", "ok"),
]


@pytest.mark.parametrize("fact, text, expected", UNIT_CASES, ids=[f"{c[0]}->{c[1]}" for c in UNIT_CASES])
def test_check_unit_equivalence(tmp_path, fact, text, expected):
    report = check(tmp_path, fact, text)
    claims = [m for m in report.mentions if m.verdict != "ignored"]
    assert [m.verdict for m in claims] == [expected], [(m.text, m.verdict, m.reason) for m in claims]


@pytest.mark.parametrize("fact, text, expected", [
    ("12月2日举行宣传活动", "十二月二日举行宣传活动", "ok"),
    ("12月2日举行宣传活动", "12月3日举行宣传活动", "unsupported"),
    ("每天上午9时和下午14时上路", "每天上午9时和下午2时上路", "ok"),
    ("每天上午9时和下午14时上路", "每天上午9时和下午15时上路", "unsupported"),
    ("预计8月中下旬开幕", "预计8月开幕", "ok"),
    ("预计8月中旬开幕", "预计8月中下旬开幕", "ok"),
    ("预计8月中下旬开幕", "预计8月中旬开幕", "unsupported"),
])
def test_check_dates_and_times(tmp_path, fact, text, expected):
    report = check(tmp_path, fact, text)
    assert [m.verdict for m in report.mentions if m.verdict != "ignored"][-1] == expected


def test_check_period_year_supports_the_year(tmp_path):
    report = check(tmp_path, "新建宣传栏7个", "2017年，我乡新建宣传栏7个。2018年将继续。")
    assert verdict(report, "2017年") == "ok"
    assert verdict(report, "2018年") == "unsupported"


def test_check_misattribution_swap_flags_both(tmp_path):
    fact = "至12月末，市级媒体刊登我镇信息36篇，省级媒体刊登我镇信息11篇"
    swapped = "至12月末，市级媒体刊登我镇信息11篇，省级媒体刊登我镇信息36篇，增强了宣传实效。"
    report = check(tmp_path, fact, swapped)
    assert verdict(report, "11篇") == "misattributed"
    assert verdict(report, "36篇") == "misattributed"
    m = next(m for m in report.mentions if m.text == "11篇")
    assert "市级媒体" in m.reason and m.fact == fact and m.fact_line == 8


def test_check_swap_in_a_list_with_noun_after_number(tmp_path):
    report = check(tmp_path, "全镇12个行政村、3个社区均成立工作机构", "全镇3个行政村、12个社区均成立了工作机构")
    assert [m.verdict for m in report.flagged] == ["misattributed", "misattributed"]


def test_check_faithful_order_is_not_misattributed(tmp_path):
    fact = "市级媒体刊登信息36篇，省级媒体刊登信息11篇"
    report = check(tmp_path, fact, "市级媒体36篇、省级媒体11篇")
    assert report.ok, [(m.text, m.verdict, m.reason) for m in report.flagged]


def test_check_names_from_facts_and_allow_are_ignored(tmp_path):
    report = check(tmp_path, "政府机关“四办五中心”主任为成员", "政府机关四办五中心主任，开展三讲三评",
                   allow=["三讲三评"])
    reasons = {m.text: m.mention.ignored for m in report.mentions}
    assert reasons["四办五中心"] == "事实中的名称"
    assert reasons["三讲三评"] == "allow 列表"


def test_check_flagged_mentions_name_a_fact_or_say_none(tmp_path):
    report = check(tmp_path, ("新建宣传栏7个", "召开会议3次"), "新建宣传栏8个，召开会议3次，种植树木500棵")
    flagged = {m.text: m for m in report.flagged}
    assert flagged["8个"].fact == "新建宣传栏7个" and flagged["8个"].fact_line == 8
    assert flagged["500棵"].fact is None and "没有" in flagged["500棵"].reason


def test_check_unused_facts_and_placeholders(tmp_path):
    report = check(tmp_path, ("新建宣传栏7个", "评出县级文明家庭81户"), "20××年，我乡新建宣传栏7个，xx村积极参与。")
    assert [(u.mention, u.value, u.unit, u.section, u.line) for u in report.unused_facts] == [
        ("2017年", 2017, "年", None, 2), ("81户", 81, "户", "work", 9)]
    assert [(p.text, p.line) for p in report.placeholders] == [("20××", 1), ("xx", 1)]


def test_check_json_contract(tmp_path):
    report = check(tmp_path, ("宣讲10余场", "新建宣传栏7个"), "一、宣讲10余场\n新建宣传栏8个，XX乡")
    data = json.loads(json.dumps(report.to_json_dict(), ensure_ascii=False))
    assert set(data) == {"document", "facts", "ok", "mentions", "names", "copies", "unused_facts", "placeholders",
                         "counts"}
    assert data["ok"] is False
    assert set(data["counts"]) == set(VERDICTS) | {"names", "copies"}
    assert sum(data["counts"][v] for v in VERDICTS) == len(data["mentions"])
    keys = {"text", "start", "end", "line", "value", "unit", "verdict", "fact", "fact_line", "reason"}
    for m in data["mentions"]:
        assert keys <= set(m)
    approx = next(m for m in data["mentions"] if m["text"] == "10余场")
    assert (approx["value"], approx["unit"], approx["line"], approx["verdict"]) == ([10, 20], "场", 1, "ok")
    wrong = next(m for m in data["mentions"] if m["text"] == "8个")
    assert (wrong["start"], wrong["end"], wrong["line"], wrong["verdict"]) == (14, 16, 2, "mismatch")
    assert wrong["fact"] == "新建宣传栏7个" and wrong["fact_line"] == 9
    assert data["placeholders"] == [{"text": "XX", "start": 17, "end": 19, "line": 2}]
    for u in data["unused_facts"]:
        assert {"text", "value", "unit", "section", "line"} <= set(u)


DRAFT = """---
format: 1
facts: facts.yaml
date: 2024-01-02
---
# 芦洲乡2017年创建全国文明城市工作总结

<!-- section: publicity -->
志愿服务队伍共计65人，新建宣传栏7个。
<!-- /section -->

## 二、抓好落实

<!-- section: measures -->
评出县级文明家庭18户。
<!-- /section -->
"""


def test_run_check_reads_facts_from_front_matter_and_limits_to_a_section(tmp_path):
    write_facts(tmp_path, "志愿服务队伍共计65人", "新建宣传栏7个", "评出县级文明家庭81户")
    doc = tmp_path / "draft.md"
    doc.write_text(DRAFT, encoding="utf-8")
    whole = run_check(doc, None)
    assert [m.text for m in whole.flagged] == ["18户"]
    assert not any(m.text in ("1", "2024") for m in whole.mentions)  # front matter is not prose
    part = run_check(doc, None, section="publicity")
    assert part.ok and [m.text for m in part.mentions if m.verdict == "ok"] == ["65人", "7个"]
    m = part.mentions[0]
    assert DRAFT[m.start:m.end] == m.text and m.line == 9  # offsets stay relative to the document
    with pytest.raises(DocumentError, match="nope"):
        run_check(doc, None, section="nope")


def test_run_check_without_facts_asks_for_facts(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("新建宣传栏7个", encoding="utf-8")
    with pytest.raises(InputError, match="--facts") as caught:
        run_check(doc, None)
    assert caught.value.exit_code == 2


def test_run_check_allow_file(tmp_path):
    facts = write_facts(tmp_path, "新建宣传栏7个")
    doc = tmp_path / "a.txt"
    doc.write_text("新建宣传栏7个，落实“三讲三评”制度", encoding="utf-8-sig")
    allow = tmp_path / "allow.txt"
    allow.write_text("# 本单位的提法\n三讲三评\n", encoding="utf-8")
    report = run_check(doc, facts, allow_file=allow)
    assert report.ok and report.document == str(doc)
    assert {m.text: m.verdict for m in report.mentions}["三讲三评"] == "ignored"


# (facts, text, mention, verdict): rules found by the held-out-style case set.
GENERALISATION_CASES = [
    # a computed figure keeps its written precision: 6800 / 420 = 16.2 is not "20"
    ("开展活动420场次，参与6800人次", "开展活动420场次，参与6800人次，平均每场20人次", "20人次", "unsupported"),
    ("开展活动420场次，参与6800人次", "开展活动420场次，参与6800人次，平均每场16人次", "16人次", "derived"),
    # approximations are attributed too: 近8000 fits another fact, but its own item says 8000余
    (("参与志愿者6800人次", "理论宣讲受众8000余人次"), "理论宣讲受众近8000人次", "近8000人次", "mismatch"),
    (("培训村干部不少于200人次", "吸引游客2.3万人次"), "培训村干部不少于300人次", "不少于300人次", "mismatch"),
    # a number that equals a supplied one, in a clause about something else
    ("召开动员大会两次", "全年开展专题培训2次", "2次", "unsupported"),
    # the words are those of one fact, the number (in another unit) is another's
    (("参加志愿服务活动90人次", "志愿服务队伍共计65人"), "参加志愿服务活动65人", "65人", "misattributed"),
    # the noun after a number is its own: 23家食品小作坊共159家
    ("排查餐饮店136家、食品小作坊23家", "排查136家餐饮店、23家食品小作坊共159家经营主体", "159家", "derived"),
    ("新建公厕12座", "新建、改建公厕共20座", "20座", "mismatch"),
    (("新建公厕12座", "改建公厕8座"), "新建、改建公厕共20座", "20座", "derived"),
    ("评出示范户240户，其中星级示范户60户", "评出示范户240户，其中星级示范户占25%", "25%", "derived"),
    ("三分之一的村达到示范村标准", "三分之一的村达到示范村标准", "三分之一", "ok"),
    ("三分之一的村达到示范村标准", "约33%的村达到示范村标准", "约33%", "ok"),
    ("三分之一的村达到示范村标准", "30%的村达到示范村标准", "30%", "mismatch"),
    ("每天上午8:30开始巡查", "每天上午8时30分开始巡查", "上午8时30分", "ok"),
    ("发放慰问金7.8万元", "发放慰问金7.8万", "7.8万", "ok"),
    ("专项行动为期6个月", "专项行动为期半年", "半年", "ok"),
    ("专项行动为期6个月", "专项行动为期一年", "一年", "mismatch"),
    ("存在问题", "主要存在以下三个方面问题：一是甲；二是乙；三是丙。", "三个", "derived"),
    ("存在问题", "主要存在以下四个方面问题：一是甲；二是乙；三是丙。", "四个", "unsupported"),
]


@pytest.mark.parametrize("facts, text, mention, expected", GENERALISATION_CASES,
                         ids=[f"{c[3]}-{c[2]}" for c in GENERALISATION_CASES])
def test_check_generalisation_rules(tmp_path, facts, text, mention, expected):
    report = check(tmp_path, facts, text)
    assert verdict(report, mention) == expected, [(m.text, m.verdict, m.reason) for m in report.mentions]


def test_check_dates_are_attributed(tmp_path):
    facts = ("3月8日召开爱国卫生动员大会", "4月20日启动清洁家园专项行动")
    swapped = "4月20日，全镇召开爱国卫生动员大会；3月8日，启动清洁家园专项行动。"
    report = check(tmp_path, facts, swapped)
    assert [m.verdict for m in report.flagged] == ["misattributed", "misattributed"]
    assert "4月20日，全镇召开" in report.flagged[0].reason
    faithful = "3月8日，全镇召开爱国卫生动员大会；4月20日，启动清洁家园专项行动。"
    assert check(tmp_path, facts, faithful).ok


# --- case sets ---------------------------------------------------------------------------------
# Scored as factcheck_eval.py scores them: a faithful text (a base, or a mutation of kind `same`)
# has no flagged mention; an error has a flagged mention overlapping the replaced span, and a
# swap (`swap: true`) has both of its numbers flagged.

HELDOUT = REPO / "tests" / "cases" / "heldout"
KINDS = REPO / "tests" / "cases" / "kinds"
KINDS2 = REPO / "tests" / "cases" / "kinds2"


def _case_params(root: Path, tag: str):
    if not (root / "cases.yaml").exists():
        return [pytest.param(None, None, id=f"{tag}-absent", marks=pytest.mark.skip(
            reason=f"case set not found at {root} (CI clones shared/ beside the repo)"))]
    spec = yaml.safe_load((root / "cases.yaml").read_text(encoding="utf-8"))
    cases = [pytest.param(name, None, id=f"{tag}-{name}-faithful") for name in spec["bases"]]
    cases += [pytest.param(m["base"], m, id=f"{tag}-{m['base']}-{i}-{m['kind']}")
              for i, m in enumerate(spec["mutations"])]
    return cases


@functools.cache
def _case_base(root: Path, base: str):
    spec = yaml.safe_load((root / "cases.yaml").read_text(encoding="utf-8"))
    b = spec["bases"][base]
    return (root / b["text"]).read_text(encoding="utf-8"), load_facts(root / b["facts"])


def _score_case(root: Path, base: str, mutation: dict | None) -> None:
    text, facts = _case_base(root, base)
    if mutation is None:
        report = check_text(text, facts, with_names=False)
        assert report.ok, [(m.text, m.verdict, m.reason) for m in report.flagged]
        return
    at = text.find(mutation["old"])
    assert at >= 0, f"{mutation['old']!r} not in {base}"
    variant = text[:at] + mutation["new"] + text[at + len(mutation["old"]):]
    lo, hi = at, at + len(mutation["new"])
    report = check_text(variant, facts, with_names=False)
    if mutation["kind"] == "same":
        assert report.ok, [(m.text, m.verdict, m.reason) for m in report.flagged]
        return
    hits = [m for m in report.flagged if m.start < hi and m.end > lo]
    assert hits, f"{mutation['old']} -> {mutation['new']} not flagged"
    assert all(m.reason and (m.fact or "没有" in m.reason) for m in hits)
    if mutation.get("swap"):
        assert len(hits) >= 2, f"swap {mutation['new']}: only {[m.text for m in hits]} flagged"


@pytest.mark.parametrize("base, mutation", _case_params(DEV, "dev"))
def test_check_dev_case_set(base, mutation):
    _score_case(DEV, base, mutation)


@pytest.mark.parametrize("base, mutation", _case_params(HELDOUT, "heldout"))
def test_check_heldout_case_set(base, mutation):
    """tests/cases/heldout: our own held-out-style bases and mutations, written apart from dev."""
    _score_case(HELDOUT, base, mutation)


@pytest.mark.parametrize("base, mutation", _case_params(KINDS, "kinds"))
def test_check_kinds_case_set(base, mutation):
    """tests/cases/kinds: 乡村振兴, 安全生产, 基层党建, 河长制 summaries, written from scratch (issue 11)."""
    _score_case(KINDS, base, mutation)


NAMES = REPO / "tests" / "cases" / "names"


def _everything_flagged(report) -> list[tuple[int, int, str]]:
    """Numbers, names and copies a reviewer must look at, as factcheck_eval.py --with-names counts them."""
    return ([(m.start, m.end, m.text) for m in report.flagged]
            + [(n.start, n.end, n.text) for n in report.flagged_names]
            + [(c.start, c.end, c.text) for c in report.copies])


@pytest.mark.parametrize("base, mutation", _case_params(NAMES, "names"))
def test_check_names_case_set(tmp_path, base, mutation):
    """tests/cases/names: other places' names, wrong self-reference, unsupported titles, copied 范文, echoed prompts."""
    spec = yaml.safe_load((NAMES / "cases.yaml").read_text(encoding="utf-8"))
    b = spec["bases"][base]
    text = (NAMES / b["text"]).read_text(encoding="utf-8")
    lo = hi = -1
    if mutation is not None:
        at = text.find(mutation["old"])
        assert at >= 0, f"{mutation['old']!r} not in {base}"
        text = text[:at] + mutation["new"] + text[at + len(mutation["old"]):]
        lo, hi = at, at + len(mutation["new"])
    doc = tmp_path / "总结.txt"
    doc.write_text(text, encoding="utf-8")
    found = _everything_flagged(run_check(doc, NAMES / b["facts"]))
    if mutation is None or mutation["kind"] == "same":
        assert not found, found
    else:
        assert any(s < hi and e > lo for s, e, _ in found), f"{mutation['new']!r} not flagged: {found}"


@pytest.mark.parametrize("base, mutation", _case_params(KINDS2, "kinds2"))
def test_check_kinds2_case_set(base, mutation):
    """tests/cases/kinds2: 民生实事, 平安建设, 防汛抗旱, 街道年度 summaries, written apart from kinds/ to measure
    whether the rules built on kinds/ generalise."""
    _score_case(KINDS2, base, mutation)


@pytest.mark.parametrize("sample, facts", [
    pytest.param(path, REPO / "fixtures" / "facts" / f"{path.stem}.yaml", id=path.stem) for path in SAMPLES])
def test_check_samples_flag_nothing(sample, facts):
    report = run_check(sample, facts)
    assert not [(m.text, m.verdict, m.reason) for m in report.flagged]


def test_check_sample_typo_against_corrected_facts_is_flagged(tmp_path):
    # 篇三 prints “10份” where it means “10月份”: facts that say 10月份 must not let it pass.
    sample = REPO / "fixtures" / "samples" / "篇三.txt"
    facts = (REPO / "fixtures" / "facts" / "篇三.yaml").read_text(encoding="utf-8")
    fixed = tmp_path / "篇三.yaml"
    fixed.write_text(facts.replace("- 10份，集中开展", "- 10月份集中开展"), encoding="utf-8")
    report = run_check(sample, fixed)
    assert [(m.text, m.verdict) for m in report.flagged] == [("10份", "mismatch")]
    assert report.flagged[0].fact and "10月份" in report.flagged[0].fact


def test_check_report_properties(tmp_path):
    report = check(tmp_path, "新建宣传栏7个", "新建宣传栏7个，召开会议3次")
    assert [m.text for m in report.flagged] == ["3次"]
    assert not report.ok and report.counts["ok"] == 1 and report.counts["unsupported"] == 1
    assert all(m.verdict in FLAGGED for m in report.flagged)
    assert report.mentions[0].context and report.mentions[0].line == 1


# (facts, text, mention, verdict): summaries of every kind (issue 11), one row per rule and side.
SUMMARY_KIND_CASES = [
    # multipliers compare as factors: 翻一番 = 增长一倍 = 是…的2倍
    ("产值比2020年翻一番", "产值比2020年增长一倍", "一倍", "ok"),
    ("产值比2020年翻一番", "产值是2020年的2倍", "2倍", "ok"),
    ("产值比2020年翻一番", "产值比2020年翻两番", "翻两番", "mismatch"),
    ("面积增长两倍", "面积是上年的3倍", "3倍", "ok"),
    ("面积是上年的2倍", "面积比上年增长2倍", "2倍", "unsupported"),  # the words differ too much to say "same item"
    # financial capitals are amounts
    ("捐款35000元", "捐款叁万伍仟元", "叁万伍仟元", "ok"),
    ("捐款35000元", "捐款叁万捌仟元", "叁万捌仟元", "mismatch"),
    # grades and classes
    ("水质稳定达到Ⅲ类标准", "水质稳定达到三类标准", "三类", "ok"),
    ("水质稳定达到Ⅲ类标准", "水质稳定达到Ⅱ类标准", "Ⅱ类", "mismatch"),
    ("启动防汛Ⅱ级应急响应", "启动防汛二级应急响应", "二级", "ok"),
    ("启动防汛Ⅱ级应急响应", "启动防汛一级应急响应", "一级", "mismatch"),
    # slash fractions and ratios are one quantity
    ("秸秆还田量占综合利用量的3/4", "秸秆还田量占综合利用量的75%", "75%", "ok"),
    ("秸秆还田量占综合利用量的3/4", "秸秆还田量占综合利用量的四分之三", "四分之三", "ok"),
    ("秸秆还田量占综合利用量的3/4", "秸秆还田量占综合利用量的2/3", "2/3", "mismatch"),
    ("按1:5的比例配备网格员", "按1∶5的比例配备网格员", "1∶5", "ok"),
    ("按1:5的比例配备网格员", "按1:4的比例配备网格员", "1:4", "mismatch"),
    # what is left is the difference the text names
    ("排查隐患230处，已整改215处", "排查隐患230处，已整改215处，尚有15处未整改", "15处", "derived"),
    ("排查隐患230处，已整改215处", "排查隐患230处，已整改215处，尚有13处未整改", "13处", "unsupported"),
    # a level is not a change
    ("户厕普及率提高到93%", "户厕普及率达到93%", "93%", "ok"),
    ("户厕普及率提高到93%", "户厕普及率提高了93%", "93%", "mismatch"),
    ("事故起数同比下降25%", "事故起数同比下降到25%", "25%", "mismatch"),
    ("操办费用较上年下降三成", "操办费用下降到上年的七成", "七成", "derived"),
    ("秸秆综合利用率95%，较上年提高3个百分点", "秸秆综合利用率由上年的92%提高到95%", "92%", "derived"),
    ("秸秆综合利用率95%，较上年提高3个百分点", "秸秆综合利用率提高95%", "95%", "mismatch"),
    # the period of a frequency is part of it
    ("每季度至少带队检查2次", "每季度至少带队检查2次", "2次", "ok"),
    ("每季度至少带队检查2次", "每半年至少带队检查2次", "2次", "mismatch"),
    (("镇级河长每月巡河不少于1次", "村级河长每周巡河不少于1次"), "村级河长每月巡河不少于1次", "不少于1次",
     "misattributed"),
    ("年投入资金50万元", "每年投入资金50万元", "50万元", "ok"),  # a period on one side only
    ("收入同比增长7.2%", "收入实现了7.2%的增长", "7.2%", "ok"),
    ("下午15时30分召开推进会", "下午3:30召开推进会", "下午3:30", "ok"),
    ("敏感时段每晚巡逻2次", "敏感时段每晚巡逻2次", "2次", "ok"),
    # a frequency with no count is compared with the facts' frequency of the same thing, else ignored
    ("班子成员每周轮流坐班接访", "班子成员每周轮流坐班接访", "每周", "ok"),
    ("班子成员每周轮流坐班接访", "班子成员每月轮流坐班接访", "每月", "mismatch"),
    ("班子成员每周轮流坐班接访", "每月开展入户走访", "每月", "ignored"),
    # a tier named in the facts is checked against them; other tiers stay names
    ("启动社会面二级巡防机制", "启动社会面Ⅱ级巡防机制", "Ⅱ级", "ok"),
    ("启动社会面二级巡防机制", "启动社会面一级巡防机制", "一级", "mismatch"),
    ("启动社会面二级巡防机制", "构建三级调解网络", "三级", "ignored"),
    # a phase names a project: checked against the facts' own phase of it, ignored otherwise
    ("二期工程完成投资1200万元", "二期工程完成投资1200万元", "二期", "ok"),
    ("二期工程完成投资1200万元", "三期工程完成投资1200万元", "三期", "mismatch"),
    ("举办培训班2期", "一期工程开工建设", "一期", "ignored"),
    # 36户112人: the words after the second number are the first one's too
    ("将36户112人纳入防止返贫动态监测", "一是将36户112人纳入防止返贫动态监测。", "36户", "ok"),
    # a number chained to the one before counts that number's subject
    ("乡级抢险队伍1支60人、村级抢险队伍9支270人", "乡级抢险队伍1支270人、村级抢险队伍9支60人", "270人",
     "misattributed"),
    (("地区生产总值48.6亿元，同比增长6.2%", "社会消费品零售总额21.3亿元，同比增长7.1%"),
     "地区生产总值48.6亿元，同比增长7.1%", "7.1%", "misattributed"),
    # a multiple of two numbers just cited, and a ratio stated the other way round
    ("配备专职网格员86名、兼职网格员172名", "配备专职网格员86名、兼职网格员172名，兼职网格员人数是专职网格员的2倍",
     "2倍", "derived"),
    ("按乡村干部与群众1∶3的比例混合编组", "按群众与乡村干部3∶1的比例混合编组", "3∶1", "ok"),
    ("按乡村干部与群众1∶3的比例混合编组", "按乡村干部与群众3∶1的比例混合编组", "3∶1", "mismatch"),
    # what is left is computed from the numbers the sentence cites, not from any two in the paragraph
    (("新建村级幸福院5个", "全镇14个行政村中已有10个建成村级幸福院", "建成老年助餐点11个"),
     "新建村级幸福院5个，全镇14个行政村中已有10个建成村级幸福院，尚有6个村未建。建成老年助餐点11个。",
     "6个", "unsupported"),
    # 约 and 近 inside words
    ("修订居民公约8份", "修订居民公约8份", "8份", "ok"),
    ("修订居民公约8份", "修订居民公约9份", "9份", "mismatch"),
    # a threshold is its number
    ("2025年发展党员不少于16名", "2025年发展党员不少于12名", "不少于12名", "mismatch"),
    # a quoted rule's name is no count
    ("严格落实“五包”责任制，设立检查站6个", "严格落实“五包”责任制，设立检查站6个", "6个", "ok"),
]


@pytest.mark.parametrize("facts, text, mention, expected", SUMMARY_KIND_CASES,
                         ids=[f"{c[3]}-{c[2]}-{i}" for i, c in enumerate(SUMMARY_KIND_CASES)])
def test_check_summary_kind_rules(tmp_path, facts, text, mention, expected):
    report = check(tmp_path, facts, text)
    assert verdict(report, mention) == expected, [(m.text, m.verdict, m.reason) for m in report.mentions]


def test_check_quoted_rule_name_is_not_flagged(tmp_path):
    report = check(tmp_path, "设立检查站6个", "严格落实“五包”责任制，设立检查站6个")
    assert report.ok, [(m.text, m.verdict) for m in report.flagged]


KINDS_FACTS = """\
unit: 柳溪镇
period: 2024年
title: 柳溪镇2024年乡村振兴工作总结
facts:
  - 全镇辖11个行政村、2个社区
sections:
  - id: industry
    title: 产业振兴
    facts:
      - 新建高标准农田3500亩
      - 修订村规民约11部
      - 发展党员12名，其中女党员5名
  - id: plans
    title: 下一步工作打算
    kind: plans
    facts:
      - 2025年新建高标准农田4000亩
"""


def _kinds_report(tmp_path: Path, text: str):
    path = tmp_path / "facts.yaml"
    path.write_text(KINDS_FACTS, encoding="utf-8")
    return check_text(text, load_facts(path))


@pytest.mark.parametrize("text, mention, index, expected", [
    # the unit's own villages, counted in the doc-wide facts, used in a section sentence
    ("一、产业振兴\n在11个行政村各建1个示范基地，修订村规民约11部。", "11个", 0, "ok"),
    ("一、产业振兴\n在12个行政村各建1个示范基地，修订村规民约11部。", "12个", 0, "mismatch"),
    # a subset written with another fact's number
    ("一、产业振兴\n发展党员12名，其中女党员5名。", "5名", 0, "ok"),
    ("一、产业振兴\n发展党员12名，其中女党员12名。", "12名", 1, "misattributed"),
    # next year's target is not this year's result, and the reverse
    ("一、产业振兴\n新建高标准农田3500亩。\n二、下一步工作打算\n明年新建高标准农田4000亩。", "4000亩", 0, "ok"),
    ("一、产业振兴\n新建高标准农田3500亩。\n二、下一步工作打算\n明年新建高标准农田3500亩。", "3500亩", 1,
     "misattributed"),
    ("一、产业振兴\n新建高标准农田4000亩。\n二、下一步工作打算\n明年新建高标准农田4000亩。", "4000亩", 0,
     "misattributed"),
])
def test_check_subject_year_and_plans(tmp_path, text, mention, index, expected):
    report = _kinds_report(tmp_path, text)
    found = [m for m in report.mentions if m.text == mention]
    assert found[index].verdict == expected, [(m.text, m.verdict, m.reason) for m in report.mentions]


def test_check_unsupported_names_no_unrelated_fact(tmp_path):
    report = check(tmp_path, ("帮扶困难群众近百户", "新建宣传栏7个"), "帮扶困难群众近百户，走访农户600余户")
    wrong = next(m for m in report.mentions if m.text == "600余户")
    assert wrong.verdict == "unsupported" and wrong.fact is None and "没有这个数" in wrong.reason



def test_check_one_plans_section_on_its_own(tmp_path):
    # Drafting checks a plans section without its heading: the kind says it is a plan.
    path = tmp_path / "facts.yaml"
    text = KINDS_FACTS.replace("      - 2025年新建高标准农田4000亩",
                               "      - 2025年新建高标准农田4000亩\n      - 培训高素质农民不少于400人次")
    text = text.replace("      - 新建高标准农田3500亩", "      - 新建高标准农田3500亩\n      - 培训高素质农民520人次")
    path.write_text(text, encoding="utf-8")
    facts = load_facts(path)
    text = "一是培训高素质农民不少于400人次；二是新建高标准农田4000亩。"
    planned = check_text(text, facts, kind="plans")
    assert planned.ok, [(m.text, m.verdict, m.reason) for m in planned.flagged]
    supported = {m.text: m.fact for m in planned.mentions}
    assert supported["不少于400人次"] == "培训高素质农民不少于400人次"
    as_result = check_text("新建高标准农田4000亩。", facts, kind="work")
    assert [m.verdict for m in as_result.flagged] == ["misattributed"]
