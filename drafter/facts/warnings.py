"""Warnings about a facts file that loads but is probably not what the clerk meant (exit 0, yellow).

Found while reading: a campaign that is no thing one 创建s, a 范文 folder that is not there. Found by
the checker's readers: a title naming another township as the unit's own (《南坝乡…方案》 in 芦洲乡's
facts: copied material), and an unknown unit (5.2公理, a typo for 公里), which switches off unit
checking for that fact: a number with no known unit is compared as written.
"""

from __future__ import annotations

from pathlib import Path

from drafter.facts.model import Facts, FactsWarning, is_campaign_target


def campaign_warning(campaign: str, line: int | None, *, workbook: bool = False) -> FactsWarning | None:
    """A warning when `campaign` names a kind of work rather than something one 创建s."""
    field, use = (("创建活动", "请把“创建活动”这一行改为“主题”") if workbook
                  else ("campaign", "请把 campaign 改为 topic"))
    if campaign.startswith("创建"):
        return FactsWarning(f"“{campaign}”前面不用写“创建”，否则标题会写成“创建{campaign}”", line, field,
                            hint=f"改为 {campaign[2:]}" if workbook else f"改为 campaign: {campaign[2:]}")
    if is_campaign_target(campaign):
        return None
    return FactsWarning(f"“{campaign}”不像是创建的对象，标题和正文会写成“创建{campaign}”", line, field,
                        hint=f"不是创建活动的总结，{use}" + ("" if workbook else f"，即 topic: {campaign}"))


def samples_warning(path: Path, samples: str, line: int | None) -> FactsWarning | None:
    """A warning when the 范文 folder a facts file names is not there (drafting with a model needs it)."""
    folder = path.parent / samples
    if folder.is_dir():
        return None
    problem = "不是文件夹" if folder.exists() else "不存在"
    return FactsWarning(f"范文文件夹 {folder} {problem}；用模型起草时会因此出错", line, "samples",
                        hint="路径相对于事实文件所在的文件夹；可用 drafter samples import 生成范文文件夹")


def copied_title_warnings(facts: Facts) -> list[FactsWarning]:
    """A warning for each title in the facts that names another township as the unit's own document."""
    from drafter.check.names import titles_naming_other_units

    workbook = facts.encoding == "xlsx"
    return [FactsWarning(f"{title}写的是另一个乡镇“{other}”，本单位是{facts.unit}：是否照抄了别处的材料？",
                         st.line, _field(st, workbook), hint="核对后改成本单位的文件名称，或删去这一条",
                         sheet=_sheet_of(st) if workbook else None)
            for st, title, other in titles_naming_other_units(facts)]


def unit_warnings(facts: Facts) -> list[FactsWarning]:
    """A warning for each fact whose unit the checker does not know (found by the checker's own reader)."""
    from drafter.check.mentions import extract_mentions
    from drafter.check.units import known_unit, unit_typos

    workbook = facts.encoding == "xlsx"  # a workbook's line is a row of its own sheet
    out = []
    for st in facts.statements():
        sheet = _sheet_of(st) if workbook else None
        if st.value is not None and st.unit and not known_unit(st.unit):
            out.append(FactsWarning(f"单位“{st.unit}”不是已知的计量单位，核对时这个数不比较单位", st.line,
                                    _field(st, workbook), hint=_guess(unit_typos(st.unit, 0)), sheet=sheet))
            continue
        for m in extract_mentions(st.text, allow=facts.allow):
            typos = unit_typos(st.text, m.end) if m.ignored is None and m.unit is None and m.kind == "count" else ()
            if typos:
                word = st.text[m.end:m.end + 2]
                out.append(FactsWarning(f"“{m.text}{word}”中的“{word}”不是已知的计量单位，核对时这个数不比较单位",
                                        st.line, _field(st, workbook), hint=_guess(typos), sheet=sheet))
    return out


def _guess(typos: tuple[str, ...]) -> str:
    return f"是不是“{'”或“'.join(typos)}”？" if typos else "如是笔误请改正；确为其他单位可不理会"


def _field(st, workbook: bool) -> str:
    if workbook:
        return "单位" if st.unit else "事实"
    return f"{st.field}.unit" if st.unit else st.field


def _sheet_of(st) -> str:
    from drafter.check.report import sheet_of

    return sheet_of(st)
