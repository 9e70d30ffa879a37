"""The national gazetteer: real names, their levels and parents, homonyms, ordinary words, lazy loading."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from conftest import REPO

from drafter.check import gazetteer
from drafter.check.gazetteer import (
    bare_name,
    find_places,
    is_common_word,
    is_place_name,
    level_of,
    lookup,
    parents,
    places_named,
)


@pytest.mark.parametrize("name, bare", [
    ("南坝乡", "南坝"), ("东湖镇", "东湖"), ("江油市", "江油"), ("绵阳市", "绵阳"), ("四川省", "四川"),
    ("芦洲乡", "芦洲"), ("望湖街道", "望湖"), ("嘉定镇街道", "嘉定"), ("南坝村", "南坝"), ("湖滨社区", "湖滨"),
    ("大理白族自治州", "大理"), ("东乡族自治县", "东乡"), ("长安回族乡", "长安"), ("内蒙古自治区", "内蒙古"),
    ("军赛佤族拉祜族傈僳族德昂族乡", "军赛"), ("伊犁哈萨克自治州", "伊犁"), ("香港特别行政区", "香港"),
    ("浦东新区", "浦东"), ("峰峰矿区", "峰峰"), ("神农架林区", "神农架"), ("万柏林区", "万柏林"),
    # never below two characters: 清水乡 is not 清, 城区 and 珙县 are their own bare names
    ("清水乡", "清水"), ("清新区", "清新"), ("城区", "城区"), ("珙县", "珙县"), ("唐镇", "唐镇"),
    ("察哈尔右翼中旗", "察哈尔右翼中旗"), ("阿鲁科尔沁旗", "阿鲁科尔沁"),
])
def test_bare_name_strips_the_level_word(name, bare):
    assert bare_name(name) == bare


def test_lookup_township_with_its_county_city_and_province():
    (nanba,) = [p for p in lookup("南坝镇") if p.county == "平武县"]
    assert (nanba.level, nanba.bare, nanba.suffix) == ("township", "南坝", "镇")
    assert (nanba.city, nanba.province) == ("绵阳市", "四川省")
    assert nanba.where() == "四川省绵阳市平武县南坝镇"
    assert [p.name for p in parents(nanba)] == ["平武县", "绵阳市", "四川省"]
    assert level_of("南坝乡") == "township" and is_place_name("南坝") and is_place_name("南坝乡")


def test_lookup_county_city_province_and_their_parents():
    (jiangyou,) = lookup("江油市")
    assert jiangyou.level == "county" and level_of("江油市") == "county"
    assert [(p.name, p.level) for p in parents(jiangyou)] == [("绵阳市", "city"), ("四川省", "province")]
    assert level_of("绵阳市") == "city" and level_of("四川省") == "province"
    assert lookup("南坝") == () and level_of("芦洲") is None and not is_place_name("芦洲镇街道")


def test_lookup_municipality_district_and_city_without_counties():
    # A municipality's districts hang on the province, 东莞's towns on the city.
    (chaoyang,) = [p for p in lookup("朝阳区") if p.province == "北京市"]
    assert (chaoyang.city, [p.name for p in parents(chaoyang)]) == ("", ["北京市"])
    (shilong,) = [p for p in lookup("石龙镇") if p.city == "东莞市"]
    assert (shilong.county, [p.name for p in parents(shilong)]) == ("", ["东莞市", "广东省"])
    # 济源市下冶镇 in the source: the township's own name has no county prefix.
    assert [p.where() for p in places_named("下冶")] == ["河南省济源市下冶镇"]


def test_places_named_finds_every_homonym():
    east_lakes = places_named("东湖")
    assert len(east_lakes) >= 10 and {p.bare for p in east_lakes} == {"东湖"}
    assert len({p.county or p.city for p in east_lakes}) == len(east_lakes)
    assert "北京市朝阳区东湖街道" in [p.where() for p in east_lakes]
    # Two 南坝镇 in Sichuan and a 南坝乡 in Gansu: a name alone does not say which.
    assert sorted(p.where() for p in places_named("南坝")) == [
        "四川省绵阳市平武县南坝镇", "四川省达州市宣汉县南坝镇", "甘肃省金昌市永昌县南坝乡"]


def test_lookup_alias_of_a_banner():
    (banner,) = lookup("察右中旗")
    assert banner.name == "察哈尔右翼中旗" and banner.city == "乌兰察布市"


@pytest.mark.parametrize("word", ["城关", "新村", "和平", "东风", "胜利", "民主", "团结", "前进", "红星", "光明",
                                  "幸福", "中心", "开发区", "和谐", "文明", "城区", "色乡", "范县", "礼仪"])
def test_common_word_guard_knows_ordinary_words(word):
    assert is_common_word(word)


@pytest.mark.parametrize("bare", ["南坝", "芦洲", "江油", "绵阳", "东湖", "北京", "四川", "平武"])
def test_common_word_guard_keeps_place_names(bare):
    assert not is_common_word(bare)


def test_find_places_in_the_first_sample_sentence():
    text = "从构建和谐南坝的高度出发，制定了《南坝乡创建全国文明城市工作责任落实方案》"
    found = {m.text: m for m in find_places(text)}
    assert found["南坝"].suffix == "" and not found["南坝"].common
    assert text[found["南坝"].start:found["南坝"].end] == "南坝"
    assert found["南坝乡"].suffix == "乡" and [p.where() for p in found["南坝乡"].exact] == ["甘肃省金昌市永昌县南坝乡"]
    assert len(found["南坝乡"].places) == 3
    # 和谐 and 文明 are words; nothing straddles 文明|城市 (明城) or 构建|和谐 (建和).
    assert {t for t, m in found.items() if not m.common} == {"南坝", "南坝乡"}


def test_find_places_full_names_and_level_words():
    found = find_places("四川省绵阳市江油市南坝镇、长安回族乡、嘉定镇街道和察右中旗")
    assert [(m.text, m.bare, m.suffix) for m in found] == [
        ("四川省", "四川", "省"), ("绵阳市", "绵阳", "市"), ("江油市", "江油", "市"), ("南坝镇", "南坝", "镇"),
        ("长安回族乡", "长安", "回族乡"), ("嘉定镇街道", "嘉定", "镇街道"), ("察右中旗", "察右中旗", "")]
    assert [p.level for p in found[2].exact] == ["county"] and found[6].exact[0].name == "察哈尔右翼中旗"


def test_find_places_ignores_ordinary_phrases():
    text = ("坚持和平发展、团结协作，统筹城乡融合，建设社会主义新农村，打造特色乡村，创建国家级示范县，"
            "新增城镇就业120人，广大市民踊跃参与，热爱农村，全乡上下，乡镇街道，镇村两级，村（社区）")
    assert [m.text for m in find_places(text) if m.suffix and not m.common] == []
    assert [m.text for m in find_places(text) if not m.common] == []


def test_find_places_real_name_inside_words_is_no_place():
    # 范集镇 and 明城镇 are real towns, but 规范|集镇 and 文明|城镇 are two words each.
    found = find_places("规范集镇门店招牌，建设文明城镇")
    assert [m.text for m in found if not m.common] == [] and all(not m.suffix for m in found)
    found = find_places("到范集镇、明城镇调研")
    assert [(m.text, bool(m.exact)) for m in found] == [("范集镇", True), ("明城镇", True)]


def test_every_place_keeps_the_bare_name_rule_and_a_province():
    g = gazetteer.gazetteer()
    levels = Counter(g.levels)
    assert levels["0"] >= 31 and levels["1"] >= 300 and levels["2"] >= 2800 and levels["3"] >= 39000
    assert all(bare_name(g.name(i)) == bare for i, bare in enumerate(g.bares))
    sample = range(0, len(g.bares), 97)
    assert all(g.place(i).province or g.place(i).level == "province" for i in sample)
    assert all(len(b) >= 2 for b in g.bares)


def test_importing_the_checker_or_check_help_does_not_load_the_gazetteer():
    code = ("import sys\nimport drafter.check, drafter.check.engine\nfrom drafter.check import gazetteer\n"
            "from drafter.cli import app\nloaded = gazetteer.is_loaded()\n"
            "try:\n    app(['check', '--help'])\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code\n"
            "print(loaded, gazetteer.is_loaded(), file=sys.stderr)\n"
            "gazetteer.lookup('江油市')\nprint(gazetteer.is_loaded(), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-2:] == ["False False", "True"]
