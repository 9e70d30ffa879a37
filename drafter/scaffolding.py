"""The prompt's own words: headers and instructions of prompts/*.j2, which never belong in a draft.

Small models echo their prompt (【写作任务】请撰写章节…, 本节事实：, 〔范文片段·结尾·篇一〕). The markers
are read from the templates themselves, so a reworded prompt is recognised without a list to keep
up to date: every static stretch of template text (between Jinja tags) of at least MIN_CHARS
characters, the head of each such stretch (its words up to the first punctuation) when that is
long enough to be no ordinary phrase, bracketed headers (【写作任务】, 〔范文片段) and the labels that
open a line (篇幅：). The offline composer's templates write summary text and are
not scaffolding.
"""

from __future__ import annotations

import re
from functools import cache

MIN_CHARS = 6
MIN_HEAD = 4
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_HEAD_END = re.compile(r"[，。：:；（(“”\"、！？\s]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Words right before a section id placeholder (章节 {{ section.id }}): ids are ASCII, so the words
# followed by one are the prompt's, however short.
_BEFORE_ID = re.compile(r"(?P<words>[\u4e00-\u9fff]{2,6})\s*\{\{\s*[a-z_.]*\bid\s*\}\}")
# A label opening a template line (篇幅：, 写法：): no summary writes one.
_LABEL = re.compile(r"^[\u4e00-\u9fff]{2,4}：")


@cache
def scaffolding_markers() -> tuple[str, ...]:
    """Every marker of prompt scaffolding, longest first."""
    from drafter.resources import data_dir

    found: set[str] = set()
    for path in sorted(data_dir("prompts").glob("*.j2")):
        for piece in _TAG.split(path.read_text(encoding="utf-8")):
            for line in piece.splitlines():
                found.update(_markers_of(line.strip(" -\t")))
    return tuple(sorted(found, key=len, reverse=True))


@cache
def scaffolding_patterns() -> tuple[re.Pattern[str], ...]:
    """Scaffolding naming a section by its id (章节 culture：…): the words before an id placeholder."""
    from drafter.resources import data_dir

    found: set[str] = set()
    for path in sorted(data_dir("prompts").glob("*.j2")):
        for m in _BEFORE_ID.finditer(path.read_text(encoding="utf-8")):
            found.add(m.group("words"))
    return tuple(re.compile(re.escape(w) + r"\s*[A-Za-z0-9_][A-Za-z0-9_-]*") for w in sorted(found))


def _markers_of(text: str) -> list[str]:
    out = []
    if text.startswith(("【", "〔")) and len(_CJK.findall(text)) >= 2:
        out.append(text[:text.find("】") + 1] if "】" in text else text.split("·")[0])  # 〔范文片段·…〕
    label = _LABEL.match(text)
    if label:
        out.append(label.group())  # 篇幅：约160字, 写法：…
    if len(_CJK.findall(text)) < MIN_CHARS:
        return out
    out.append(text)
    head = _HEAD_END.split(text, 1)[0]
    if len(_CJK.findall(head)) >= MIN_HEAD:
        out.append(head)
    return out
