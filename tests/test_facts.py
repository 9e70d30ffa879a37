"""Facts files: loading, line numbers, encodings, init and validate as a user sees them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import FIXTURES, REPO, SHARED

from drafter.facts import load_facts
from drafter.resources import template_path

FACT_FILES = sorted((FIXTURES / "facts").glob("*.yaml"))


@pytest.mark.parametrize("path", FACT_FILES + [template_path("facts.yaml")], ids=lambda p: p.name)
def test_facts_fixture_validates(run, path):
    result = run("facts", "validate", path)
    assert result.exit_code == 0, result.stderr
    assert "校验通过" in result.stdout
    facts = load_facts(path)
    for sec in facts.sections:
        assert sec.id in result.stdout


@pytest.mark.parametrize("path", FACT_FILES, ids=lambda p: p.name)
def test_facts_statement_lines_point_at_the_text(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    facts = load_facts(path)
    assert facts.statements()
    for st in facts.statements():
        if st.value is None:
            assert st.text in lines[st.line - 1], (st.field, st.line)


def test_facts_mapping_items_compose_and_keep_digits(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text(
        "unit: 芦洲乡\nperiod: 2017年\ncampaign: 全国文明城市\nsections:\n"
        "  - id: a\n    title: 宣传\n    facts:\n"
        "      - {text: 新建宣传栏, value: 7, unit: 个}\n"
        "      - {text: 宣讲, value: 10, approx: 余, unit: 场}\n"
        "      - {text: 投入资金, value: 12.60, unit: 万元}\n"
        "      - {text: 受教育人数, value: 500, approx: 以上, unit: 人次}\n",
        encoding="utf-8",
    )
    facts = load_facts(path)
    texts = [s.text for s in facts.sections[0].facts]
    assert texts == ["新建宣传栏7个", "宣讲10余场", "投入资金12.60万元", "受教育人数500人次以上"]
    assert facts.sections[0].facts[2].value == Decimal("12.60")
    assert [s.line for s in facts.sections[0].facts] == [8, 9, 10, 11]
    assert facts.title == "芦洲乡2017年创建全国文明城市工作总结"
    assert facts.author == "芦洲乡"


def test_facts_percent_value_is_a_percentage_in_yaml_and_excel(run, tmp_path):
    from drafter.facts.conversion import convert_facts

    path = tmp_path / "f.yaml"
    path.write_text("unit: 芦洲乡\nperiod: 2017年\nsections:\n  - id: a\n    title: 宣传\n    facts:\n"
                    "      - {text: 群众知晓率达, value: 96.5%}\n      - {text: 覆盖率, value: 85%, unit: '%'}\n",
                    encoding="utf-8")
    facts = load_facts(path)
    assert [(s.text, s.value, s.unit) for s in facts.sections[0].facts] == [
        ("群众知晓率达96.5%", Decimal("96.5"), "%"), ("覆盖率85%", Decimal("85"), "%")]
    back = load_facts(convert_facts(path, tmp_path / "f.xlsx"))
    assert [s.text for s in back.sections[0].facts] == ["群众知晓率达96.5%", "覆盖率85%"]
    assert run("validate", path).exit_code == 0


def test_facts_header_numbers_are_facts():
    facts = load_facts(template_path("facts.yaml"))
    fields = {s.field: s.text for s in facts.statements()}
    assert fields["period"] == "2024年"
    assert fields["date"] == "2024年12月28日"


@pytest.mark.skipif(not (SHARED / "factcheck-eval").is_dir(), reason="shared/ is not beside the checkout")
def test_facts_dev_example_loads():
    facts = load_facts(SHARED / "factcheck-eval" / "dev" / "p1.facts.yaml")
    assert [s.id for s in facts.sections] == ["leadership", "publicity", "measures", "problems", "plans"]
    assert facts.sections[3].kind == "problems"


def test_init_then_validate(run, tmp_path):
    target = tmp_path / "my facts" / "事实.yaml"
    result = run("init", target)
    assert result.exit_code == 0, result.stderr
    assert target.exists()
    assert "#" in target.read_text(encoding="utf-8")
    result = run("facts", "validate", target)
    assert result.exit_code == 0, result.stderr
    assert "校验通过：2 个章节" in result.stdout
    assert "65人" in result.stdout
    assert result.stderr == ""


def test_init_refuses_to_overwrite(run, tmp_path):
    target = tmp_path / "facts.yaml"
    target.write_text("mine", encoding="utf-8")
    result = run("init", target)
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert target.read_text(encoding="utf-8") == "mine"
    result = run("init", target, "--force")
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8") != "mine"


def test_init_into_folder_writes_facts_yaml(run, tmp_path):
    result = run("init", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "facts.yaml").is_file()


@pytest.mark.parametrize("encoding, notice", [
    ("gbk", "GB18030"), ("gb18030", "GB18030"), ("utf-8-sig", None), ("utf-16", "UTF-16"),
])
def test_validate_encodings(run, tmp_path, encoding, notice):
    text = template_path("facts.yaml").read_text(encoding="utf-8")
    path = tmp_path / f"facts {encoding}.yaml"
    path.write_bytes(text.encode(encoding))
    result = run("validate", path)
    assert result.exit_code == 0, result.stderr
    assert "65人" in result.stdout
    if notice:
        assert notice in result.stderr and str(path) in result.stderr
    else:
        assert result.stderr == ""


def test_validate_via_python_m(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "f.yaml"
    path.write_bytes(template_path("facts.yaml").read_bytes())
    proc = subprocess.run([sys.executable, "-m", "drafter", "validate", str(path)],
                          capture_output=True, text=True, encoding="utf-8", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert "校验通过" in proc.stdout


def test_facts_validate_warns_about_unknown_units(run, tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text("unit: 石门镇\nperiod: 2024年\ntopic: 乡村振兴\nsections:\n  - id: roads\n    title: 道路\n"
                    "    facts:\n      - 修建道路5.2公理\n      - {text: 修建水渠, value: 3, unit: 公理}\n"
                    "      - 降雨量312毫米，PM2.5浓度32微克/立方米\n", encoding="utf-8")
    result = run("facts", "validate", path)
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if "不是已知的计量单位" in line]
    assert len(warnings) == 2, result.stderr
    assert f"{path}:8" in warnings[0] and "“公理”" in warnings[0] and "公里" in warnings[0]
    assert f"{path}:9" in warnings[1] and "sections[0].facts[1].unit" in warnings[1]
    assert "毫米" not in result.stderr and "微克" not in result.stderr  # real units are known


def test_facts_validate_known_units_give_no_warning(run):
    result = run("facts", "validate", FIXTURES / "facts" / "篇一.yaml")
    assert result.exit_code == 0 and "不是已知的计量单位" not in result.stderr
