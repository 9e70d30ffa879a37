"""Regenerate the checker's gazetteer (drafter/check/data/gazetteer.txt) from a JioNLP wheel.

    pip download --no-deps -d /tmp/jionlp jionlp==1.5.31
    python bench/build_gazetteer.py /tmp/jionlp/jionlp-1.5.31-py2.py3-none-any.whl
    python bench/build_gazetteer.py --measure     # load time, sizes and scan rate of the shipped data

JioNLP (Apache-2.0) ships china_location.zip: provinces, cities, counties, townships and villages
of China. Kept: provinces, prefecture-level cities, counties (县, 区, 市, 旗, 自治县, 特区, 林区)
and townships (乡, 镇, 街道, 苏木, 民族乡, and Beijing's 地区). Left out: villages and 社区 (about
660,000 names, most of them homonyms or ordinary words, and a 村 or 社区 in a text names itself),
development zones, farms, forest farms and other non-administrative units, and the subdivisions
of Hong Kong, Macao and Taiwan (their 东区, 南区, 中正区 would only add false alarms).

It also writes data/common_words.txt: the bare names that are ordinary words (see common_words()).
Run it with the dev venv's python: it uses drafter.check.gazetteer.bare_name, so the data and the
loader can never disagree on a bare name.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drafter.check.gazetteer import (  # noqa: E402
    _WORD_ACROSS_BEFORE,
    COMMON_WORDS_PATH,
    DATA_DIR,
    GAZETTEER_PATH,
    STRADDLE_WORDS_PATH,
    bare_name,
)
from drafter.check.gazetteer import _codes as codes  # noqa: E402

LICENSE_PATH = DATA_DIR / "GAZETTEER-LICENSE.txt"
COUNTY_NAME = re.compile(r"(?:县|区|市|旗)$")
# Zones and bureaus listed among counties (绿园区, 梁园区 and 下花园区 are districts, so no bare 园区).
NOT_A_COUNTY = re.compile(r"(?:开发区|工业园区|产业园区|化工园区|创意园区|示范区|管理区|保税区|产业园|"
                          r"管委会|行政委员会|行政区划|新城|海域|风景名胜区|食品区|聚集区|实验区|试验区|合作区)$")
CITY_NAME = re.compile(r"(?:市|自治州|地区|盟)$")
TOWNSHIP_NAME = re.compile(r"(?:乡|镇|街道|街道办事处|苏木)$")
# Beijing's 地区 (卢沟桥地区) are township-level; elsewhere 地区 ends the names of farms and zones.
BEIJING_TOWNSHIP_NAME = re.compile(r"(?:乡|镇|街道|街道办事处|苏木|地区)$")
# JioNLP's short forms that are ordinary text far more often (规划和布局).
BAD_ALIASES = {"和布"}
SAR_AND_TAIWAN = ("香港特别行政区", "澳门特别行政区", "台湾省")
# A bare name is an ordinary word when the general corpus (JioNLP's word counts) says so. For a
# county, city or province, whose full name the corpus keeps whole, when the bare name is used
# alone often and far more often than with a level word: 和平 255,818 times, 和平区 6,432; but
# 江油 4,831, 江油市 3,429. The corpus splits a township's level word off (南坝 / 镇), so for a
# bare name only townships have, its own count decides: 礼仪 19,189, 南坝 1,017; 20,627 of the
# 25,895 such names never occur as a word at all.
WORD_MIN_COUNT = 20_000
WORD_RATIO = 15
TOWNSHIP_WORD_MIN_COUNT = 2_000
# Ordinary words of government prose the counts miss (the corpus splits them, or a place keeps the
# ratio down): the examples, and words met in the samples and case sets.
EXTRA_COMMON = """
城关 新村 和平 东风 胜利 民主 团结 前进 红星 光明 幸福 中心 开发区 城区 郊区 矿区 新区 城中 城东 城西 城南 城北
东城 西城 南城 北城 城郊 红旗 向阳 朝阳 解放 工农 建设 和谐 文明 振兴 发展 新华 人民 群众 先锋 友谊 五一 八一
长征 共和 东方 红光 新生 新兴 新建 新农 新民 新城 新街 新安 新和 永安 永丰 永兴 长安 太平 安全 同心 联合 农场
林场 牧场 渔场 茶场 园艺 示范 合作 兴旺 丰收 高产 红卫 卫东 卫星 金星 东升 东方红 曙光 黎明 星火 火炬 跃进 立新
红岩 新风 爱国 大同 大众 公安 民生 民族 文化 教育 交通 水利 电力 工业 农业 商业 林业 牧业 渔业 新农村 人和
明礼 农作 护河 安居 乐业 安定 自治 高新 民安 国泰 富民 惠民 利民 为民 便民 安民 和顺 和美 美丽 宜居 平安
""".split()
# Bare names the corpus rule would call words but which a summary uses as places.
NOT_COMMON = set("""
北京 上海 天津 重庆 海淀 朝阳区 浦东 江油 绵阳 东湖 南坝
""".split())


def read_wheel(wheel: Path) -> tuple[str, dict[str, int], str]:
    """The location dictionary, the word counts and the licence text inside a JioNLP wheel."""
    with zipfile.ZipFile(wheel) as whl:
        inner = zipfile.ZipFile(io.BytesIO(whl.read("jionlp/dictionary/china_location.zip")))
        locations = inner.read("china_location.txt").decode("utf-8")
        counts_zip = zipfile.ZipFile(io.BytesIO(whl.read("jionlp/dictionary/word_distribution.zip")))
        counts = {}
        for line in counts_zip.read("word_distribution.json").decode("utf-8").splitlines():
            word, count = json.loads(line)
            counts[word] = count
        licence = next(whl.read(n).decode("utf-8") for n in whl.namelist() if n.endswith("/LICENSE"))
    return locations, counts, licence


def parse(locations: str) -> list[dict]:
    """JioNLP's tab-indented tree as a list of provinces, each {name, alias, cities: [...]}."""
    provinces: list[dict] = []
    for line in locations.splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        fields = line.strip().split("\t")
        node = {"name": fields[0], "alias": fields[2] if len(fields) == 3 else "", "children": []}
        if depth == 0:
            provinces.append(node)
        elif depth <= 3:
            parent = provinces[-1]
            for _ in range(depth - 1):
                parent = parent["children"][-1]
            parent["children"].append(node)
    return provinces


class Place(NamedTuple):
    """One place of the output, in file order."""

    level: int  # 0 province, 1 city, 2 county, 3 township
    bare: str
    suffix: str
    aliases: tuple[str, ...]


def place(level: int, name: str, alias: str = "") -> Place:
    """A place with its bare name by the loader's rule and JioNLP's aliases that rule misses (察右中旗)."""
    bare = bare_name(name)
    extra = tuple(a for a in alias.split("/") if a and a not in (bare, name) and bare_name(a) != bare
                  and not a.startswith(bare) and a not in BAD_ALIASES)
    return Place(level, bare, name[len(bare):], extra)


def township_names(county_name: str, city_name: str, towns: list[dict], beijing: bool) -> list[str]:
    """The townships of one county, cleaned: 济源市下冶镇 → 下冶镇; duplicates and non-townships dropped."""
    pattern = BEIJING_TOWNSHIP_NAME if beijing else TOWNSHIP_NAME
    out: dict[str, None] = {}
    for town in towns:
        name = town["name"]
        for prefix in (county_name, city_name):
            if prefix and name.startswith(prefix) and len(name) - len(prefix) >= 2:
                name = name[len(prefix):]
        if pattern.search(name) and name != "街道":
            out[name] = None
    return list(out)


def is_county(node: dict, city_name: str) -> bool:
    """A real county-level unit, not a development zone (镇江新区: a city's 新区 named after it) or a placeholder."""
    name = node["name"]
    if name.endswith("新区") and city_name and name.startswith(bare_name(city_name)):
        return False
    return bool(COUNTY_NAME.search(name)) and not NOT_A_COUNTY.search(name)


def build(provinces: list[dict]) -> list[Place]:
    """The places in file order: each place is followed first by the places directly under it
    (a province's 省直辖 counties, a city's towns that have no county), then by its sub-units, so
    a place's parent is always the nearest place before it of a higher level."""
    out: list[Place] = []
    for province in provinces:
        out.append(place(0, province["name"], province["alias"]))
        if province["name"] in SAR_AND_TAIWAN:
            continue
        beijing = province["name"] == "北京市"
        cities = []
        for city in province["children"]:
            if CITY_NAME.search(city["name"]) and city["name"] != province["name"]:
                cities.append(city)
            else:  # 省直辖 counties and a municipality's districts hang on the province
                out.extend(_counties(city["children"], "", beijing))
        for city in cities:
            out.append(place(1, city["name"], city["alias"]))
            out.extend(_counties(city["children"], city["name"], beijing))
    return out


def _counties(counties: list[dict], city_name: str, beijing: bool) -> list[Place]:
    # Towns of units that are not counties (zones, 市直辖) hang on the city: they come first.
    direct = [n for c in counties if not is_county(c, city_name)
              for n in township_names("", city_name, c["children"], beijing)]
    out = [place(3, n) for n in dict.fromkeys(direct)]
    for county in (c for c in counties if is_county(c, city_name)):
        out.append(place(2, county["name"], county["alias"]))
        towns = township_names(county["name"], city_name, county["children"], beijing)
        out.extend(place(3, n) for n in towns)
    return out


def common_words(places: list[Place], counts: dict[str, int]) -> list[str]:
    """The bare names that are ordinary words: by the corpus rule, plus EXTRA_COMMON, less NOT_COMMON."""
    by_bare: dict[str, set[str]] = {}
    famous = {p.bare for p in places if p.level < 2}  # 新疆, 襄阳 and 德州 are used alone as places
    for p in places:
        by_bare.setdefault(p.bare, set()).add(p.bare + p.suffix)
    township_only = {p.bare for p in places if p.level == 3} - {p.bare for p in places if p.level < 3}
    words = set()
    for bare, names in by_bare.items():
        alone = counts.get(bare, 0)
        if bare in township_only:
            if alone >= TOWNSHIP_WORD_MIN_COUNT:
                words.add(bare)
            continue
        # A name with a level word is counted as such; the same bare name with any level word too.
        as_place = sum(counts.get(bare + w, 0) for w in ("省", "市", "县", "区", "乡", "镇", "街道", "旗", "村"))
        as_place += sum(counts.get(n, 0) for n in names if n != bare)
        if bare not in famous and alone >= WORD_MIN_COUNT and alone > WORD_RATIO * (as_place + 1):
            words.add(bare)
    # A county or township whose stem is one character (色乡, 高镇, 范县) is two characters of
    # ordinary text (特色乡村, 提高镇域, 示范县…) far more often than the place.
    words |= {p.bare for p in places if p.level >= 2 and not p.suffix}
    words |= set(EXTRA_COMMON)
    return sorted(words - NOT_COMMON)


def data_text(places: list[Place], version: str) -> str:
    """The data file: a header, then one line per column (see HEADER)."""
    homonyms: dict[str, list[int]] = {}
    for i, p in enumerate(places):
        homonyms.setdefault(p.bare, []).append(i)
    by_alias: dict[str, list[int]] = {}
    for i, p in enumerate(places):
        for alias in p.aliases:
            by_alias.setdefault(alias, []).append(i)
    aliases = [f"{alias}:{','.join(map(str, ids))}" for alias, ids in by_alias.items()]
    groups = [f"{bare}:{','.join(map(str, ids))}" for bare, ids in homonyms.items() if len(ids) > 1]
    # Level words by frequency, so the commonest get the first codes.
    table = [word for word, _ in Counter(p.suffix for p in places).most_common()]
    code = dict(zip(table, codes(), strict=False))  # more codes than level words
    columns = [
        ("bare", " ".join(p.bare for p in places)),
        ("suffixes", " ".join(table)),
        ("suffix", "".join(code[p.suffix] for p in places)),
        ("level", "".join(str(p.level) for p in places)),
        ("alias", " ".join(aliases)),
        ("homonym", " ".join(groups)),
    ]
    header = HEADER.format(total=len(places), version=version)
    return header + "".join(f"{key}\t{value}\n" for key, value in columns)


# A frequent word: the corpus count of a two-character word for straddle_words.txt.
STRADDLE_MIN_COUNT = 10_000
CJK_PAIR = re.compile(r"[\u4e00-\u9fff]{2}")


def straddle_words(places: list[Place], counts: dict[str, int]) -> list[str]:
    """Frequent two-character words ending with the first character of a real name whose level word
    makes a word with its last character (规范 before 范集镇, since 集镇 is a word)."""
    firsts = {p.bare[0] for p in places if p.suffix and p.bare[-1] + p.suffix[0] in _WORD_ACROSS_BEFORE}
    return sorted(w for w, n in counts.items() if n >= STRADDLE_MIN_COUNT and CJK_PAIR.fullmatch(w) and w[1] in firsts)


HEADER = """\
# drafter gazetteer: {total} provinces, cities, counties and townships of China, for drafter/check/gazetteer.py.
# Derived from JioNLP {version} (Apache-2.0), jionlp/dictionary/china_location.zip: see GAZETTEER-LICENSE.txt.
# Regenerate with: python bench/build_gazetteer.py jionlp-{version}-py2.py3-none-any.whl
# One column a line (key, tab, values), one value per place, so it loads with a few splits:
#   bare     the bare names, space-separated: a place's id is its position (0, 1, …)
#   suffixes the level words (镇, 乡, 街道, 县…, 自治县; the first may be empty: 城区 is its own bare name)
#   suffix   one character per place, its level word: U+0100 the first of suffixes, U+0101 the second…
#   level    one digit per place: 0 province, 1 city, 2 county, 3 township; places come in tree
#            order, so a place's parent is the nearest place before it with a lower level
#   alias    other names, name:id (察右中旗, 克州)
#   homonym  bare names shared by several places, bare:id,id,…
"""

COMMON_HEADER = """\
# Bare place names that are also ordinary words (和平发展, 团结协作, 城关, 中心): a bare one in a text
# is not a place by itself. Generated by bench/build_gazetteer.py from JioNLP's word counts
# (see the script), names whose stem is one character (色乡 in 特色乡村, 范县 in 示范县) and its
# own list of words of government prose. One word a line.
"""


LICENSE_HEADER = """\
drafter/check/data/gazetteer.txt, common_words.txt and straddle_words.txt are derived from JioNLP
{version} (https://github.com/dongrixinyu/JioNLP, Copyright dongrixinyu and the JioNLP contributors),
licensed under the Apache License, Version 2.0, whose text follows.

What was derived, and changed, by bench/build_gazetteer.py in the drafter repository:
- gazetteer.txt: the provinces, prefecture-level cities, counties and townships of
  jionlp/dictionary/china_location.zip (villages, development zones, farms and the subdivisions of
  Hong Kong, Macao and Taiwan left out; township names cleaned of a county prefix), each with its
  bare name, level word, level and place in the tree, in a columnar format of drafter's own.
- common_words.txt: the bare names that are ordinary words, chosen with the word counts of
  jionlp/dictionary/word_distribution.zip and drafter's own rules and lists.
- straddle_words.txt: frequent two-character words of those word counts that can end where a
  place name would begin.

"""


# CPU time of this process: what the gazetteer costs, whatever else the machine is doing.
_MEASURE = """
import time
t0 = time.process_time()
from drafter.check import gazetteer
t1 = time.process_time()
gazetteer.lookup("江油市")
t2 = time.process_time()
gazetteer.find_places("构建和谐南坝")
t3 = time.process_time()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def measure(runs: int = 7) -> None:
    """Print the import time, first-lookup load time and first-scan time (fresh processes, median),
    the in-wheel (deflated) size of the data, and the scanning rate on the built-in samples."""
    from drafter.check import gazetteer
    from drafter.resources import samples_dir

    times = sorted(tuple(map(float, subprocess.run([sys.executable, "-c", _MEASURE], check=True, text=True,
                                                     capture_output=True).stdout.split()))
                   for _ in range(runs))
    imported, loaded, scanned = (sorted(t[k] for t in times)[runs // 2] * 1000 for k in range(3))
    print(f"CPU time: import {imported:.1f} ms; first lookup (loads the data) {loaded:.1f} ms; "
          f"first scan (builds its index) {scanned:.1f} ms")
    for path in sorted(DATA_DIR.iterdir()):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(path, path.name)
        print(f"{path.name}: {path.stat().st_size:,} bytes on disk, {len(buffer.getvalue()):,} in a wheel")
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(samples_dir().glob("*.txt"))) * 10
    best = min(_timed(gazetteer.find_places, text) for _ in range(5))
    print(f"find_places: {len(text) / best:,.0f} characters/s")


def _timed(function, *args) -> float:
    start = time.process_time()
    function(*args)
    return time.process_time() - start


STRADDLE_HEADER = """\
# Frequent two-character words (JioNLP word counts of at least 10,000) ending with the first
# character of a place whose level word makes an ordinary word with its last character: in 规范集镇
# the word 规范 comes first, so the text holds 集镇 (market town), not the town 范集镇. Generated by
# bench/build_gazetteer.py. One word a line.
"""


def main() -> None:
    """Read the wheel, write gazetteer.txt, common_words.txt and the licence; or --measure them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, nargs="?", help="jionlp-*.whl (pip download --no-deps jionlp)")
    parser.add_argument("--measure", action="store_true", help="only measure load time, size and scan rate")
    args = parser.parse_args()
    if args.measure or args.wheel is None:
        measure()
        return
    version = args.wheel.name.split("-")[1]
    locations, word_counts, licence = read_wheel(args.wheel)
    places = build(parse(locations))
    GAZETTEER_PATH.write_text(data_text(places, version), encoding="utf-8", newline="\n")
    words = common_words(places, word_counts)
    COMMON_WORDS_PATH.write_text(COMMON_HEADER + "\n".join(words) + "\n", encoding="utf-8", newline="\n")
    STRADDLE_WORDS_PATH.write_text(STRADDLE_HEADER + "\n".join(straddle_words(places, word_counts)) + "\n",
                                   encoding="utf-8", newline="\n")
    LICENSE_PATH.write_text(LICENSE_HEADER.format(version=version) + licence, encoding="utf-8", newline="\n")
    counts = Counter(p.level for p in places)
    for level, label in enumerate(("province", "city", "county", "township")):
        print(f"{label}: {counts[level]}")
    print(f"{GAZETTEER_PATH.name}: {GAZETTEER_PATH.stat().st_size} bytes; "
          f"{COMMON_WORDS_PATH.name}: {len(words)} words")
    measure()


if __name__ == "__main__":
    main()
