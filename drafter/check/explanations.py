"""The sentences a reviewer reads for each verdict (Simplified Chinese)."""

from __future__ import annotations

from drafter.check.matching import is_exact
from drafter.check.mentions import Mention
from drafter.check.not_quantities import NotQuantity
from drafter.check.units import unit_class

_IGNORED = {
    NotQuantity.MARKER: "列表序号，不是数量",
    NotQuantity.ARTICLE: "数词作冠词（“一个”“一支”之类），不是数量",
    NotQuantity.WORD: "含数字的词语，不是数量",
    NotQuantity.SET_PHRASE: "固定提法，不是数量",
    NotQuantity.ALLOWED: "在 allow 列表中，按名称处理",
    NotQuantity.NAME: "事实文件中原样出现的名称，不是数量",
    NotQuantity.QUOTED: "引号中的口号或名称（如“三个务必”“四个一”），不是数量",
    NotQuantity.CODE: "编号或代号，不是数量",
    NotQuantity.BARE: "没有量词的汉字数词（如口号、简称），不是数量",
    NotQuantity.TIER: "层级或等级名称（如“二级网格”“三级调解网络”），不是数量",
    NotQuantity.PHASE: "工程或项目的分期名称（如“二期工程”），不是数量",
    NotQuantity.PERIOD: "不带数量的频次（如“每周”“每月”），事实中没有同一事项的频次可比",
}


def _where(fact) -> str:
    return f"事实第 {fact.statement.line} 行“{fact.statement.text}”"


def ignored(m: Mention) -> str:
    """Why a mention is not a quantity claim."""
    return _IGNORED.get(m.ignored or "", m.ignored or "不是数量")


def ok(m: Mention, fact) -> str:
    """Why a mention is supported."""
    f = fact.mention
    if m.kind in ("date", "time"):
        return f"与{_where(fact)}中的“{f.text}”一致"
    if not is_exact(m) and is_exact(f):
        return f"文中为约数，与{_where(fact)}中的“{f.text}”相容"
    if m.unit != f.unit and m.unit and f.unit:
        return f"与{_where(fact)}中的“{f.text}”相同（单位换算后相等）"
    return f"与{_where(fact)}中的“{f.text}”一致"


def derived(m: Mention, found) -> str:
    """The formula that reproduces a derived number."""
    if not found.operands:  # a count of the items the text lists (三个方面：一是…三是)
        return f"{found.formula}，与文中的数目相符"
    return f"由事实推算：{found.formula}（文中显示精度内相符）"


def misattributed(m: Mention, words: str, best, rival, shown: str = "") -> str:
    """The words around the number point at another supplied number."""
    return (f"文中“{shown or words + m.text}”：按“{words}”应对应{_where(rival)}中的“{rival.mention.text}”；"
            f"而“{best.mention.text}”在事实中属于“{best.words}”，疑似张冠李戴")


def article_conflict(m: Mention, fact) -> str:
    """一个 where the facts count the same thing with another number."""
    return f"{_where(fact)}中同一事项的数量是“{fact.mention.text}”，文中却写“{m.text}”"


def like_agrees(m: Mention, fact) -> str:
    """A tier or a bare frequency the facts give for the same thing."""
    return f"与{_where(fact)}中的“{fact.mention.text}”一致"


def like_differs(m: Mention, fact) -> str:
    """A tier or a bare frequency the facts give otherwise for the same thing."""
    return f"{_where(fact)}中同一事项是“{fact.mention.text}”，文中却写“{m.text}”"


def stated_otherwise(m: Mention, fact) -> str:
    """The facts give this very item with another number."""
    return f"{_where(fact)}对同一事项给出的是“{fact.mention.text}”，文中却写“{m.text}”"


def approx_mismatch(m: Mention, fact) -> str:
    """Approximations that do not agree."""
    f = fact.mention
    if is_exact(m) and not is_exact(f):
        return f"{_where(fact)}只给出约数“{f.text}”，文中写成精确数“{m.text}”，属于凭空增加的精度"
    return f"约数写法与{_where(fact)}中的“{f.text}”不一致：文中“{m.text}”的范围与之不符"


def stray(m: Mention, fact) -> str:
    """An equal number is supplied, but for something the sentence does not talk about."""
    return (f"{_where(fact)}中虽有“{fact.mention.text}”，但文中这句话与该事实没有共同的词语，"
            f"“{m.text}”说的是事实文件之外的事项")


def unit_mismatch(m: Mention, fact) -> str:
    """The number is supplied, but with another unit."""
    f = fact.mention
    return (f"单位不符：{_where(fact)}中是“{f.text}”（单位“{f.unit or '无'}”），"
            f"文中是“{m.text}”（单位“{m.unit or '无'}”），两者不是同一种计量")


def unsupported(m: Mention, nearest, cue: str | None = None) -> str:
    """No supplied number matches; name the closest comparable fact, or say there is none."""
    what = "日期或时间" if m.kind in ("date", "time") else "数"
    tried = f"；文中的“{cue}”也无法由事实中的数一步推算出“{m.text}”" if cue else ""
    if nearest is None:
        cls = unit_class(m.unit)[0]
        unit = f"（单位“{cls}”）" if cls and m.kind not in ("date", "time") else ""
        return f"事实文件中没有这个{what}，也没有可比的同类事实{unit}{tried}"
    return (f"事实文件中没有这个{what}；可比的事实中最接近的是{_where(nearest)}中的“{nearest.mention.text}”，"
            f"与文中不符{tried}")
