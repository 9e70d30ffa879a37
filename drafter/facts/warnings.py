"""What `drafter facts validate` warns about: a facts file that loads, but weakens the check.

An unknown unit (5.2公理, a typo for 公里) switches off unit checking for that fact: the checker
compares a number with no known unit as written, so 5.2公里 in a draft would never match it.
"""

from __future__ import annotations

from drafter.facts.model import Facts


def unit_warnings(facts: Facts) -> list[str]:
    """One Chinese line per fact whose unit the checker does not know, naming the file and line."""
    from drafter.check.mentions import extract_mentions
    from drafter.check.report import fact_location
    from drafter.check.units import known_unit, unit_typos

    out = []
    for st in facts.statements():
        where = fact_location(facts.path, st)
        if st.value is not None and st.unit and not known_unit(st.unit):
            out.append(f"{where}：单位“{st.unit}”不是已知的计量单位，核对时这个数不比较单位"
                       f"{_guess(unit_typos(st.unit, 0))}")
            continue
        for m in extract_mentions(st.text, allow=facts.allow):
            if m.ignored is None and m.unit is None and m.kind == "count":
                typos = unit_typos(st.text, m.end)
                if typos:
                    word = st.text[m.end:m.end + 2]
                    out.append(f"{where}：“{m.text}{word}”中的“{word}”不是已知的计量单位，核对时这个数不比较单位"
                               f"{_guess(typos)}")
    return out


def _guess(typos: tuple[str, ...]) -> str:
    return f"（是不是“{'”或“'.join(typos)}”？）" if typos else "（如是笔误请改正；确为其他单位可不理会）"
