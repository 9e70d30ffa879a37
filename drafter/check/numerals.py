"""Convert a numeral span already found in the text to a number (Arabic, Chinese or mixed).

Only spans are converted here; finding them is drafter.check.mentions' job, because converting whole
texts (as cn2an does) turns 进一步 into 进1步.
"""

from __future__ import annotations

DIGITS = {
    "零": 0, "〇": 0, "○": 0, "Ｏ": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
# Financial capitals (壹 伍 陆 拾) are parsed but never searched for: 队伍, 大陆, 收拾 are words.
CN_NUMERAL_CHARS = "零〇○一二两三四五六七八九十百千万亿"

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_SUCCESSIVE = {(1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8), (8, 9)}


def arabic_value(text: str) -> int | float:
    """Value of an Arabic numeral (half or full width, thousands separators, decimals)."""
    plain = text.translate(_FULLWIDTH).replace(",", "")
    return float(plain) if "." in plain else int(plain)


def arabic_step(text: str) -> float:
    """Place value of the last written digit: 1 for 30, 0.1 for 9.5 (the displayed precision)."""
    plain = text.translate(_FULLWIDTH).replace(",", "")
    if "." in plain:
        return 10.0 ** -len(plain.split(".", 1)[1])
    stripped = plain.rstrip("0")
    return float(10 ** (len(plain) - len(stripped))) if stripped else 1.0


def chinese_value(text: str) -> int | float | tuple[int, int] | None:
    """Value of a Chinese numeral: 六十五, 两千三百, 一万二千, 二〇一七, 一点四; (3, 4) for 三四.

    Returns None for runs that are not one number (万一, 一一).
    """
    if "点" in text:
        whole, _, frac = text.partition("点")
        head = chinese_value(whole) if whole else 0
        if not isinstance(head, int) or not frac or any(c not in DIGITS for c in frac):
            return None
        return float(f"{head}." + "".join(str(DIGITS[c]) for c in frac))
    if all(c in DIGITS for c in text):
        return _digit_string(text)
    ranged = _range_with_unit(text)
    if ranged is not None:
        return ranged
    return _positional(text)


def chinese_step(text: str) -> float:
    """Place value of the last written figure of a Chinese numeral (十 for 六十, 1 for 六十五)."""
    if "点" in text:
        return 10.0 ** -len(text.partition("点")[2])
    if all(c in DIGITS for c in text):
        return 1.0
    last = text[-1]
    if last in SMALL_UNITS:
        return float(SMALL_UNITS[last])
    if last in BIG_UNITS:
        return float(BIG_UNITS[last])
    # 一百零五 ends on a digit; 三千五 (colloquial 3500) is read as 3005, so it stays 1.
    return 1.0


def _digit_string(text: str) -> int | tuple[int, int] | None:
    values = [DIGITS[c] for c in text]
    if len(values) == 1:
        return values[0]
    if len(values) == 2 and (values[0], values[1]) in _SUCCESSIVE and text[0] != "〇":
        return values[0], values[1]  # 三四次, 一两个: a range
    if len(values) >= 3 or any(c in "零〇○Ｏ" for c in text):
        return int("".join(str(v) for v in values))  # 二〇一七
    return None


def _range_with_unit(text: str) -> tuple[int, int] | None:
    """五六十 -> (50, 60), 三四百 -> (300, 400), 十五六 -> (15, 16), 二三十 -> (20, 30)."""
    if len(text) == 3 and text[0] in DIGITS and text[1] in DIGITS and text[2] in SMALL_UNITS:
        a, b, unit = DIGITS[text[0]], DIGITS[text[1]], SMALL_UNITS[text[2]]
        if (a, b) in _SUCCESSIVE:
            return a * unit, b * unit
    if len(text) >= 3 and text[-1] in DIGITS and text[-2] in DIGITS and text[-3] in SMALL_UNITS:
        a, b = DIGITS[text[-2]], DIGITS[text[-1]]
        head = _positional(text[:-2])
        if (a, b) in _SUCCESSIVE and isinstance(head, int):
            return head + a, head + b
    return None


def _positional(text: str) -> int | None:
    total = section = 0
    digit: int | None = None
    last_unit = None
    for ch in text:
        if ch in DIGITS:
            if digit is not None and digit != 0:
                return None  # two digits in a row without a unit between them
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if last_unit is not None and unit >= last_unit and digit is None:
                return None  # 十百: not a number
            section += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
        else:  # 万 or 亿
            big = BIG_UNITS[ch]
            part = section + (digit or 0)
            if part == 0 and total == 0:
                part = 1  # 万人 read as 一万人 only when written alone; callers guard this
            if big == 100_000_000:
                total = (total + part) * big
            else:
                total += part * big
            section, digit, last_unit = 0, None, None
    return total + section + (digit or 0)
