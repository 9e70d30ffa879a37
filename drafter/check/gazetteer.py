"""The national gazetteer: Chinese administrative names, so a bare name (南坝, 东湖) is known as a place.

Data: drafter/check/data/gazetteer.txt, provinces, cities, counties and townships derived from
JioNLP's china_location dictionary (Apache-2.0, see data/GAZETTEER-LICENSE.txt); regenerate it with
bench/build_gazetteer.py. data/common_words.txt lists the bare names that are also ordinary words
(和平, 团结, 城关, 中心…). Nothing is read until the first lookup: importing this module is free,
and the first lookup loads the data once per process.

A place is a `Place`: name (南坝镇), bare (南坝), level (LEVELS: province, city, county,
township), and the full names of its county, city and province ("" where there is none: a
municipality's districts have no city, 东莞's towns no county). Homonyms are common (there are
two 南坝镇 and many 东湖), so every lookup answers a tuple of places.

    lookup("江油市")            # places whose full name (or alias: 察右中旗) is this: (江油市,)
    places_named("南坝")        # places whose bare name is this: both 南坝镇
    bare_name("南坝乡")         # "南坝" — by rule, for any name, known or not (not below 2 chars)
    parents(place)             # (county, city, province) Places, nearest first
    is_common_word("和平")      # True: an ordinary word too; never flag it bare (和平发展)
    find_places(text)          # PlaceMatch for every place name in a text, bare or full

`find_places` reports, at each position, the longest gazetteer name (full name, alias or bare name
of at least 2 characters) and the level word written right after it (南坝 + 乡 → text 南坝乡,
suffix 乡, even though the gazetteer has only 南坝镇); a match inside a longer one is dropped, two
that overlap are both kept (the caller decides by context). `PlaceMatch.common` says the bare name
is an ordinary word, `PlaceMatch.exact` the places whose full name is exactly what was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
GAZETTEER_PATH = DATA_DIR / "gazetteer.txt"
COMMON_WORDS_PATH = DATA_DIR / "common_words.txt"

LEVELS = ("province", "city", "county", "township")
PROVINCE, CITY, COUNTY, TOWNSHIP = LEVELS

# The 55 minority nationalities and 各 (各族自治县), as they stand before 自治县 or 民族乡.
_ETHNIC = ("蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 "
           "纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 "
           "德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各").split()
# Written without 族 in some names (伊犁哈萨克自治州); a one-character one always has 族 (水乡 is no 水族乡).
_ETHNIC_BARE = ("蒙古", "哈萨克", "柯尔克孜", "维吾尔")
_ETHNIC_TOKEN = "(?:(?:{})族|(?:{}))".format("|".join(sorted(_ETHNIC, key=len, reverse=True)),
                                             "|".join(_ETHNIC_BARE))
# Level words, longest first. 村/社区/居委会 have no entries here but name a place in a text.
LEVEL_WORDS = ("特别行政区", "居民委员会", "村民委员会", "街道办事处", "自治区", "自治州", "自治县", "自治旗",
               "民族乡", "民族镇", "居委会", "村委会", "街道", "地区", "苏木", "新区", "林区", "特区", "社区",
               "省", "市", "县", "区", "旗", "盟", "乡", "镇", "村")
_AUTONOMOUS = ("自治区", "自治州", "自治县", "自治旗", "民族乡", "民族镇", "乡", "镇", "苏木")
_WITH_ETHNIC = re.compile("{}+(?:{})$".format(_ETHNIC_TOKEN, "|".join(_AUTONOMOUS)))
_LEVEL_WORD = re.compile("(?:{})$".format("|".join(LEVEL_WORDS)))
_LEVEL_AFTER = re.compile("|".join(LEVEL_WORDS))
# 嘉定镇街道 is the 街道 of 嘉定镇: its bare name is 嘉定.
_SUB_TOWN = ("街道办事处", "街道", "地区")


def bare_name(name: str) -> str:
    """The name without its level word (南坝乡 → 南坝, 大理白族自治州 → 大理), never below 2 characters."""
    m = _WITH_ETHNIC.search(name)
    if m and m.start() >= 2:
        return name[:m.start()]
    m = _LEVEL_WORD.search(name)
    if not m or m.start() < 2:
        return name
    bare = name[:m.start()]
    if m.group() in _SUB_TOWN and bare[-1] in "镇乡" and len(bare) >= 3:
        return bare[:-1]
    if bare.endswith("族") and len(bare) >= 3 and any(bare[:-1].endswith(e) for e in _ETHNIC):
        return bare[:-1]  # 东乡族自治县 → 东乡
    return bare


@dataclass(frozen=True, slots=True)
class Place:
    """One administrative unit: its full and bare name, level, and the full names of its parents."""

    id: int
    name: str
    bare: str
    level: str
    county: str
    city: str
    province: str

    @property
    def suffix(self) -> str:
        """The level word of the name (镇 for 南坝镇; "" for 城区, whose bare name is itself)."""
        return self.name[len(self.bare):]

    def where(self) -> str:
        """The place with its parents, for a message: 四川省绵阳市平武县南坝镇."""
        return "".join(dict.fromkeys(p for p in (self.province, self.city, self.county, self.name) if p))


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """A place name found in a text: text[start:end] is bare + suffix (南坝 + 乡, or 城区 + "")."""

    start: int
    end: int
    text: str
    bare: str
    suffix: str
    places: tuple[Place, ...]
    common: bool

    @property
    def exact(self) -> tuple[Place, ...]:
        """The places whose full name (or alias) is exactly the matched text."""
        return lookup(self.text)


class Gazetteer:
    """The loaded data: columns of names, bare names, levels and parents, and the indexes over them."""

    def __init__(self, text: str, common_words: frozenset[str]):
        self.names: list[str] = []
        self.bares: list[str] = []
        self.levels: list[int] = []
        self.parents: list[int] = []
        self.aliases: dict[str, list[int]] = {}
        self.common_words = common_words
        self._read(text)
        self.by_name = _index(self.names)
        for alias, ids in self.aliases.items():
            self.by_name.setdefault(alias, []).extend(ids)
        self.by_bare = _index(self.bares)
        self._heads: dict[str, tuple[int, ...]] | None = None

    def _read(self, text: str) -> None:
        # Depth by leading tabs = level; a township line holds all the townships of one county,
        # space-separated; "-" stands for a missing county or city (东莞's towns, 省直辖 counties).
        names, bares, levels, parents = self.names, self.bares, self.levels, self.parents
        stack = [-1, -1, -1]
        for line in text.splitlines():
            if not line or line[0] == "#":
                continue
            depth = len(line) - len(line.lstrip("\t"))
            body = line[depth:]
            parent = next((stack[d] for d in range(depth - 1, -1, -1) if stack[d] >= 0), -1)
            if depth == 3:
                items = body.split(" ")
                for item in items:
                    bare, _, suffix = item.partition("|")
                    bares.append(bare)
                    names.append(bare + suffix)
                levels.extend([3] * len(items))
                parents.extend([parent] * len(items))
                continue
            for d in range(depth + 1, 3):
                stack[d] = -1
            if body == "-":
                stack[depth] = -1
                continue
            entry, _, alias_text = body.partition("=")
            bare, _, suffix = entry.partition("|")
            start = len(names)
            stack[depth] = start
            bares.append(bare)
            names.append(bare + suffix)
            levels.append(depth)
            parents.append(parent)
            for alias in filter(None, alias_text.split("/")):
                self.aliases.setdefault(alias, []).append(start)

    def place(self, i: int) -> Place:
        """The Place with id i."""
        chain = {COUNTY: "", CITY: "", PROVINCE: ""}
        p = self.parents[i]
        while p >= 0:
            chain[LEVELS[self.levels[p]]] = self.names[p]
            p = self.parents[p]
        return Place(i, self.names[i], self.bares[i], LEVELS[self.levels[i]],
                     chain[COUNTY], chain[CITY], chain[PROVINCE])

    def heads(self) -> dict[str, tuple[int, ...]]:
        """First two characters -> the lengths of every name or bare name starting so, longest first."""
        if self._heads is None:
            lengths: dict[str, set[int]] = {}
            for key in (*self.by_name, *self.by_bare):
                if len(key) >= 2:
                    lengths.setdefault(key[:2], set()).add(len(key))
            self._heads = {h: tuple(sorted(ls, reverse=True)) for h, ls in lengths.items()}
        return self._heads


def _index(keys: list[str]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        ids = index.get(key)
        if ids is None:
            index[key] = [i]
        else:
            ids.append(i)
    return index


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, loaded from the shipped data on first use."""
    words = COMMON_WORDS_PATH.read_text(encoding="utf-8").split()
    return Gazetteer(GAZETTEER_PATH.read_text(encoding="utf-8"),
                     frozenset(w for w in words if not w.startswith("#")))


def is_loaded() -> bool:
    """Whether this process has loaded the gazetteer data yet."""
    return gazetteer.cache_info().currsize > 0


def lookup(name: str) -> tuple[Place, ...]:
    """The places whose full name or alias is `name` (江油市, 察右中旗); () when none is."""
    g = gazetteer()
    return tuple(g.place(i) for i in g.by_name.get(name, ()))


def places_named(bare: str) -> tuple[Place, ...]:
    """Every place whose bare name is `bare` (东湖: all the 东湖镇, 东湖乡, 东湖街道, 东湖区)."""
    g = gazetteer()
    return tuple(g.place(i) for i in g.by_bare.get(bare, ()))


def level_of(name: str) -> str | None:
    """The level of a full name (省 province … 乡镇街道 township), the highest if homonyms differ; None if none."""
    places = lookup(name)
    return min((p.level for p in places), key=LEVELS.index) if places else None


def is_place_name(text: str) -> bool:
    """Whether `text` is a full name, alias or bare name of a place."""
    g = gazetteer()
    return text in g.by_name or text in g.by_bare


def is_common_word(word: str) -> bool:
    """Whether a bare name is also an ordinary word (和平, 团结, 城关, 中心): not a place by itself."""
    return word in gazetteer().common_words


def parents(place: Place) -> tuple[Place, ...]:
    """The county, city and province of a place (those it has), nearest first."""
    g = gazetteer()
    out = []
    p = g.parents[place.id]
    while p >= 0:
        out.append(g.place(p))
        p = g.parents[p]
    return tuple(out)


def find_places(text: str) -> list[PlaceMatch]:
    """Every place name in `text`: the longest name at each position, with the level word after it."""
    g = gazetteer()
    heads, by_name, by_bare = g.heads(), g.by_name, g.by_bare
    out: list[PlaceMatch] = []
    reach = 0  # the end of the furthest match so far: a match inside it is dropped
    for i in range(len(text) - 1):
        lengths = heads.get(text[i:i + 2])
        if not lengths:
            continue
        for n in lengths:
            key = text[i:i + n]
            if key in by_bare or key in by_name:
                break
        else:
            continue
        match = _match(g, text, i, key)
        if match.end > reach:
            out.append(match)
            reach = match.end
    return out


def _match(g: Gazetteer, text: str, start: int, key: str) -> PlaceMatch:
    ids = g.by_bare.get(key)
    if ids is not None:
        bare = key
        level = _LEVEL_AFTER.match(text, start + len(key))
        suffix = level.group() if level else ""
    else:
        # A full name or alias (江油市, 察右中旗): its places, and every place of the same bare name.
        ids = g.by_name[key]
        bare = g.bares[ids[0]] if key == g.names[ids[0]] else key
        suffix = key[len(bare):]
        ids = sorted({*ids, *g.by_bare.get(bare, ())})
    end = start + len(bare) + len(suffix)
    return PlaceMatch(start, end, text[start:end], bare, suffix, tuple(g.place(i) for i in ids),
                      bare in g.common_words)
