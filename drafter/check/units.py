"""Measure words and units: which words may follow a numeral, and which of them mean the same.

A unit belongs to an equivalence class (人 = 名 = 位, but 人 ≠ 人次 ≠ 户) with a scale inside the
class (万元 = 10000 元, 公里 = 1000 米), so 12.5万元 and 125000元 compare equal. Units with no
class entry compare by their written form.
"""

from __future__ import annotations

from functools import lru_cache

# Class key -> {unit as written: scale}. The key names the class in messages.
_CLASSES: dict[str, dict[str, float]] = {
    "人": {"人": 1, "名": 1, "位": 1, "个人": 1},
    "人次": {"人次": 1, "人·次": 1},
    "户": {"户": 1},
    "户次": {"户次": 1},
    "场": {"场": 1, "场次": 1},
    "次": {"次": 1, "回": 1},
    "期": {"期": 1, "期次": 1},
    "批": {"批": 1, "批次": 1},
    "册": {"册": 1, "本": 1},
    "幅": {"幅": 1, "副": 1},
    "栋": {"栋": 1, "幢": 1},
    "起": {"起": 1, "宗": 1},
    "元": {"元": 1, "块钱": 1},
    "米": {"米": 1, "延米": 1, "公里": 1000, "千米": 1000, "厘米": 0.01, "毫米": 0.001},
    "平方米": {"平方米": 1, "平米": 1, "㎡": 1, "平方公里": 1e6, "平方千米": 1e6, "公顷": 1e4},
    "立方米": {"立方米": 1, "m³": 1, "立方": 1},
    "公斤": {"公斤": 1, "千克": 1, "吨": 1000, "克": 0.001, "斤": 0.5, "毫克": 1e-6, "微克": 1e-9},
    "分钟": {"分钟": 1, "小时": 60, "个小时": 60, "钟头": 60, "个钟头": 60, "个多小时": 60,
             "个半小时": 60},
    "天": {"天": 1, "日": 1, "个工作日": 1, "工作日": 1, "周": 7, "个星期": 7, "星期": 7},
    # 半年 = 6个月: years and months compare as one class (days and months do not convert exactly).
    "月": {"个月": 1, "月": 1, "个多月": 1, "个半月": 1, "年": 12, "个年头": 12},
    "%": {"%": 1, "％": 1, "成": 10, "‰": 0.1},
    "百分点": {"个百分点": 1, "百分点": 1},
    "岁": {"岁": 1, "周岁": 1},
}

# Kind of a quantity by class (the rest are counts). Date and time kinds are set by the parser.
_KINDS = {
    "元": "money", "%": "percent", "百分点": "percent", "分钟": "duration", "天": "duration",
    "月": "duration", "米": "measure", "平方米": "measure", "立方米": "measure",
    "公斤": "measure", "亩": "measure", "分": "measure", "岁": "measure", "倍": "multiple",
}

# Units that may follow a numeral, longest first in the regex. Keep single characters that
# start common words out of here or guard them in _GUARDS: every entry is a way a Chinese
# numeral can turn into a false claim.
MEASURE_WORDS = (
    # people and households
    "人次", "人·次", "户次", "个人", "人", "名", "位", "户", "家",
    # generic and object counters
    "个工作日", "个百分点", "个星期", "个钟头", "个多小时", "个半小时", "个小时", "个多月",
    "个半月", "个月", "个年头", "个",
    "场次", "期次", "批次", "件次", "项次", "车次", "架次", "台次", "班次", "课时", "学时",
    "场", "次", "回", "遍", "轮", "趟", "期", "批", "届", "项", "件", "条", "篇", "份", "册", "本",
    "张", "幅", "副", "块", "面", "座", "所", "处", "间", "栋", "幢", "套", "台", "辆", "艘", "架",
    "部", "支", "队", "组", "班", "团", "种", "类", "门", "样", "只", "头", "匹", "尾", "棵", "株",
    "盏", "根", "把", "口", "眼", "片", "起", "宗", "例", "笔", "封", "首", "集", "节", "课", "堂",
    "级", "层", "排", "床", "字", "点", "章", "卷", "袋", "箱", "包", "瓶", "桶", "箱",
    # money, measures
    "块钱", "元", "平方公里", "平方千米", "平方米", "平米", "㎡", "立方米", "m³", "公顷", "亩",
    "公里", "千米", "厘米", "毫米", "延米", "米", "吨", "公斤", "千克", "斤", "毫克", "微克", "克", "千瓦时",
    "千瓦", "兆瓦", "毫升", "升", "立方",
    # percent, score, age, multiple
    "%", "％", "‰", "百分点", "成", "倍", "分", "周岁", "岁",
    # time
    "年度", "年底", "年初", "年末", "年中", "年代", "年级", "周年", "年",
    "月中下旬", "月上中旬", "月上旬", "月中旬", "月下旬", "月份", "月初", "月底", "月末", "月中", "月",
    "日", "号", "时许", "时", "点半", "点钟", "小时", "钟头", "分钟", "秒", "天", "周", "星期",
    "工作日", "季度", "学期", "学年",
)

# Characters that make a one-character measure word the start of another word instead
# (人民, 时间, 分析, 一起来): no measure word when one of these follows. 人大 is not guarded:
# after a numeral it counts people (百人大合唱, 两千人大会); 十四届全国人大 is a set phrase.
_GUARDS = {
    "人": "民员才口们代心士工类均气数手事性格力物", "名": "单义称牌额录著列誉片字", "位": "于置列居次",
    "个": "体别案性", "户": "口籍外主型", "家": "庭长属乡里园具电", "场": "所地景馆面合域部",
    "次": "序要数", "期": "间望限待刊盼", "批": "评准示复", "项": "目", "件": "事",
    "条": "件例款幅理", "份": "子额", "本": "地级身人土着质领", "张": "贴",
    "面": "积对临向貌子上", "座": "谈位", "所": "在以有得属谓长", "处": "理罚置长室级于在",
    "间": "隙断接", "台": "账阶湾", "部": "门分署长队委位署", "支": "持部出援付撑书",
    "队": "伍员长", "组": "织成建长员合", "班": "子长级车", "团": "结队体委", "种": "植类子养地田",
    "类": "型似别", "门": "口户前诊店类槛", "样": "板本品子式", "只": "是有要能", "头": "脑部号等",
    "片": "区面", "起": "草来步点码诉到", "宗": "旨教族", "例": "如外会行", "笔": "记者",
    "封": "闭建", "首": "先都次要创位届长", "节": "日约点目能", "课": "题程堂", "级": "别",
    "层": "次面级", "排": "查名序放", "点": "燃亮赞评击名滴线", "口": "号径岸罩语头子碑",
    "眼": "睛光界", "根": "本据源", "把": "握关手", "成": "立为员果功效绩本就熟长交型",
    "分": "别析配类工管布散解批期级局队会站享", "时": "间期代候刻节段效限机", "年": "轻龄纪薪鉴报终",
    "日": "常报期益子本", "号": "召称", "周": "边围期末", "天": "然津下空地",
    "回": "复应访顾收归", "元": "旦素宵", "架": "构子", "集": "中体团合", "床": "位",
    "字": "样幕", "章": "程", "包": "括", "轮": "番",
}

# Measure words a date or clock time is written with; kind is decided by the parser.
DATE_UNITS = frozenset({
    "年度", "年底", "年初", "年末", "年中", "月中下旬", "月上中旬", "月上旬", "月中旬", "月下旬",
    "月份", "月初", "月底", "月末", "月中", "月", "日", "号",
})
TIME_UNITS = frozenset({"时", "时许", "点", "点半", "点钟"})


def guard(unit: str) -> str:
    """Characters after which `unit` (one character) is not a measure word."""
    return _GUARDS.get(unit, "")


@lru_cache(maxsize=512)
def unit_class(unit: str | None) -> tuple[str | None, float]:
    """Return (class key, scale) of a unit as written, with 万/亿/千 prefixes folded into the scale."""
    if unit is None or unit == "":
        return None, 1.0
    scale = 1.0
    base = unit
    for prefix, factor in (("千万", 1e7), ("百万", 1e6), ("万亿", 1e12), ("亿", 1e8), ("万", 1e4),
                           ("千", 1e3)):
        if base.startswith(prefix) and base != "千米" and base != "千克" and base != "千瓦时" \
                and base != "千瓦":
            rest = base[len(prefix):]
            if rest or prefix != "千":
                scale *= factor
                base = rest
            break
    if not base:
        return "", scale
    for key, members in _CLASSES.items():
        if base in members:
            return key, scale * members[base]
    return base, scale


def unit_kind(unit: str | None) -> str:
    """Kind of quantity a unit measures: count, money, percent, duration, measure, multiple."""
    key, _ = unit_class(unit)
    return _KINDS.get(key or "", "count")


_UNIT_SET = frozenset(MEASURE_WORDS)
_LONGEST = max(len(w) for w in MEASURE_WORDS)


def match_unit(text: str, pos: int) -> str | None:
    """The longest measure word starting at text[pos], or None (一个 yes, 人民 no)."""
    for size in range(min(_LONGEST, len(text) - pos), 0, -1):
        word = text[pos:pos + size]
        if word in _UNIT_SET:
            if size == 1 and pos + 1 < len(text) and text[pos + 1] in _GUARDS.get(word, ""):
                return None
            return word
    return None


def known_unit(unit: str) -> bool:
    """Is this a measure word the checker knows (with 万/亿 folded in: 万元, 亿元, 万吨)?"""
    _, scale = unit_class(unit)
    base = unit
    for prefix in ("千万", "百万", "万亿", "亿", "万"):
        if scale != 1.0 and base.startswith(prefix) and base[len(prefix):]:
            base = base[len(prefix):]
            break
    return base in _UNIT_SET


def unit_typos(text: str, pos: int) -> tuple[str, ...]:
    """Known units the two characters at text[pos] are one character away from (公理: 公里, 公顷)."""
    word = text[pos:pos + 2]
    if len(word) < 2 or match_unit(text, pos):
        return ()
    return tuple(u for u in _TWO_CHAR_UNITS if sum(a != b for a, b in zip(u, word, strict=True)) == 1)


_TWO_CHAR_UNITS = tuple(w for w in MEASURE_WORDS if len(w) == 2 and "\u4e00" <= w[0] <= "\u9fff"
                        and w not in DATE_UNITS and not w.startswith(("个", "年", "月")))
