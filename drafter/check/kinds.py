"""What a number with its measure word means: count, date, time, duration …; dates merged.

Split from drafter.check.mentions, which finds the numbers; this module decides their sense.
"""

from __future__ import annotations

from dataclasses import replace

from drafter.check.units import DATE_UNITS, TIME_UNITS, unit_kind

TIME_OF_DAY = {"上午": 0, "早上": 0, "早晨": 0, "凌晨": 0, "中午": 12, "下午": 12, "傍晚": 12,
               "晚上": 12, "夜间": 12, "晚": 12}
_RANGE_DAY = {"月初": (1, 10), "月上旬": (1, 10), "月中旬": (11, 20), "月下旬": (21, 31),
              "月中下旬": (11, 31), "月上中旬": (1, 20), "月底": (21, 31), "月末": (21, 31),
              "月中": (11, 20)}
_PART_ORDER = {"年代": 0, "年": 1, "月": 2, "日": 3, "时": 4, "分": 5}


def kind_of(unit, value, approx, pre, ordinal, numeral_text="") -> str:
    """The sense of a number: ordinal, percent, date, time, duration, money, measure or count."""
    if ordinal:
        return "ordinal"
    if unit is None:
        return "count"
    if unit in ("%", "％", "‰", "成") or unit.endswith("百分点"):
        return "percent"
    exact_int = isinstance(value, int) and approx is None
    if unit in ("年度", "年底", "年初", "年末", "年中", "年代"):
        return "date"
    if unit == "年":
        return "date" if exact_int and _is_year(numeral_text, value) else "duration"
    if unit in DATE_UNITS:
        if unit.startswith("月"):
            return "date" if exact_int and 1 <= value <= 12 else "duration"
        if exact_int and 1 <= value <= 31:
            return "date"
        return "duration" if unit == "日" else "count"
    if unit in TIME_UNITS:
        hour_ok = isinstance(value, (int, float)) and 0 <= value <= 24
        if unit.startswith("时") and hour_ok:
            return "time"
        if hour_ok and (pre in TIME_OF_DAY or unit in ("点半", "点钟")):
            return "time"
        return "count"
    return unit_kind(unit)


def _is_year(numeral_text: str, value) -> bool:
    digits = numeral_text.lstrip("第约近")
    return isinstance(value, int) and 1900 <= value <= 2100 and len(digits) == 4


def date_parts(unit: str, value) -> tuple:
    """Year, month and day parts of a single date mention (8月中下旬 -> month 8, days 11-31)."""
    if unit.startswith("年代"):
        return (("年代", value),)
    if unit.startswith("年"):
        return (("年", value),)
    if unit.startswith("月"):
        day = _RANGE_DAY.get(unit)
        return (("月", value), ("日", day)) if day else (("月", value),)
    return (("日", (value, value)),)


def approx_interval(anchor, step: float, word: str) -> tuple:
    """(low, high) an approximation word allows around the written number (None = unbounded)."""
    if word in ("余", "多", "几", "有余"):
        place = _last_place(anchor, step)
        return anchor, anchor + place
    if word in ("以上", "超过", "超", "逾", "多于", "不少于", "不低于", "高于", "至少", "之多", "开外", "上"):
        return anchor, None
    if word in ("以下", "以内", "不超过", "不高于", "不多于"):
        return 0, anchor
    if word in ("不足", "不到", "不满", "少于", "低于"):
        return 0, anchor
    if word in ("近", "将近", "接近"):
        return anchor * 0.8, anchor
    half = max(_last_place(anchor, step) / 2, abs(anchor) * 0.1)
    return anchor - half, anchor + half  # 约, 大约, 左右, 来, 许


def _last_place(anchor, step: float) -> float:
    """Place value of the last non-zero digit: 10 for 10, 100 for 300, 1 for 45."""
    if step < 1 or not anchor:
        return step or 1
    place = step
    while anchor % (place * 10) == 0:
        place *= 10
    return place


def merge_dates(found: list) -> list:
    """Join adjacent date and time mentions (2017年 + 12月 + 2日 + 下午3时 + 30分) into one."""
    out: list = []
    for m in found:
        prev = out[-1] if out else None
        if prev is not None and prev.end == m.start and prev.ignored is None and m.ignored is None:
            if prev.kind in ("date", "time") and m.kind in ("date", "time") and prev.parts and m.parts \
                    and _PART_ORDER[prev.parts[-1][0]] < _PART_ORDER[m.parts[0][0]]:
                out[-1] = replace(m, text=prev.text + m.text, start=prev.start,
                                  parts=prev.parts + m.parts)
                continue
            if prev.kind == "time" and m.unit == "分" and isinstance(m.value, int) and m.value < 60:
                hour = prev.parts[-1][1] + m.value / 60
                # 8时30分 is the same clock time as 8:30 and 8点半: one fractional hour.
                out[-1] = replace(prev, text=prev.text + m.text, end=m.end, value=hour, step=1 / 60,
                                  parts=prev.parts[:-1] + (("时", hour),))
                continue
        out.append(m)
    return out
