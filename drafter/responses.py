"""Output hygiene: turn a model's raw answer into plain paragraphs of a work summary.

Models wrap the text they were asked for in reasoning, greetings, Markdown and offers of further
help. The rules below target those habits in general (any model, Chinese or English chatter) and
leave the register of a 工作总结 alone: its punctuation, its "现将……总结如下：" openings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TAG = r"(think|thinking|reasoning)"
_THINK_BLOCK = re.compile(rf"<{_TAG}>.*?</\1>", re.S | re.I)
_THINK_CLOSE = re.compile(rf"</{_TAG}>", re.I)
_THINK_OPEN = re.compile(rf"<{_TAG}>", re.I)
_FENCE = re.compile(r"^\s*(```|~~~)[\w+-]*\s*$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)[\s#]*$")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_BULLET = re.compile(r"^\s*[-*+•]\s+")
# Leading spaces would make Markdown code blocks; full-width ones are paper-era indentation.
_INDENT = "\u3000 \t\u00a0"

_ACK = r"(好的|好吧|当然(?:可以)?|没问题|明白了?|收到|sure|certainly|of course|okay|ok|alright|great)"
_ACK_ONLY = re.compile(rf"^{_ACK}[\s!！。.,，~]*$", re.I)
_ACK_START = re.compile(rf"^{_ACK}[\s!！。.,，：:]", re.I)
# Words that address the requester or announce the answer: they never occur in a summary's body
# (which does say "存在以下不足：", hence 以下是 and not 以下).
_ADDRESS = re.compile(r"您|你|以下是|以下为|下面是|下面为|下面我|我将|我来|"
                      r"here|below|I'll|I will|I've|I have", re.I)
_ANNOUNCE = re.compile(r"^(以下是|以下为|下面是|下面为|here is|here's|here are|below is)", re.I)
_ABOUT_DRAFT = re.compile(r"根据|按照|为您|撰写|起草|草稿|初稿|正文|内容|版本|段落|部分|draft|section", re.I)
_ON_REQUEST = re.compile(r"^(根据|按照|遵照|结合)(您|你)")
_OFFER = re.compile(r"您|告诉我|let me know|hope (this|it) helps|feel free|if you (need|want|would like)|"
                    r"(如需|如果需要|若需|需要的话).{0,20}(修改|调整|补充|润色|扩写|改写|完善)", re.I)
_NOTE = re.compile(r"^[（(]?(注|说明|备注|note)\s*[:：]", re.I)
_NUMBERING = re.compile(r"^(第[一二三四五六七八九十百\d]+(部分|章|节)?[、.．：:\s]*"
                        r"|[（(][一二三四五六七八九十百\d]+[)）]"
                        r"|[一二三四五六七八九十百]+[、.．]|\d+[、.．)）]|)")
_SENTENCE_END = re.compile(r"[。；;！!？?]")
_CHATTER_LIMIT = 200  # longer paragraphs are content, whatever words they start with


@dataclass(frozen=True)
class Cleaned:
    """The cleaned text (paragraphs separated by one blank line) and what was stripped."""

    text: str
    removed: list[str] = field(default_factory=list)


@dataclass
class _Paragraph:
    text: str
    heading: bool = False


def clean_response(text: str, *, title: str | None = None) -> Cleaned:
    """Strip reasoning, chatter and Markdown from a model's answer; `title` is the section's."""
    removed: list[str] = []
    text = _strip_reasoning(text.replace("\r\n", "\n").replace("\r", "\n"), removed)
    paragraphs = _paragraphs(text.split("\n"), removed)
    paragraphs = _strip_leading(paragraphs, title, removed)
    paragraphs = _strip_trailing(paragraphs, removed)
    kept = []
    for p in paragraphs:
        if p.heading and title and _repeats_title(p.text, title):
            removed.append(f"与章节标题重复的标题「{_snip(p.text)}」")
        else:
            kept.append(p.text)
    return Cleaned("\n\n".join(kept), removed)


def _strip_reasoning(text: str, removed: list[str]) -> str:
    text, blocks = _THINK_BLOCK.subn("", text)
    if blocks:
        removed.append("推理过程 <think>…</think>")
    closes = list(_THINK_CLOSE.finditer(text))
    if closes:
        # The server swallowed the opening tag: everything before the last close is reasoning.
        text = text[closes[-1].end():]
        removed.append("推理过程（</think> 之前的内容）")
    opened = _THINK_OPEN.search(text)
    if opened:
        # The answer was cut off while the model was still reasoning.
        text = text[:opened.start()]
        removed.append("未结束的推理过程（<think> 之后的内容）")
    return text


def _paragraphs(lines: list[str], removed: list[str]) -> list[_Paragraph]:
    """One paragraph per non-empty line, with fences, rules, bold and list markers removed."""
    found: set[str] = set()
    result = []
    for line in lines:
        if _FENCE.match(line):
            found.add("代码围栏 ```")
            continue
        if _RULE.match(line):
            found.add("分隔线")
            continue
        heading = _HEADING.match(line)
        if heading:
            found.add("Markdown 标题符号 #")
            line = heading.group(1)
        line, bold = _BOLD.subn(r"\1", line)
        if bold:
            found.add("加粗标记 **")
        line, bullet = _BULLET.subn("", line)
        if bullet:
            found.add("列表符号")
        line = line.strip(_INDENT)
        if line:
            result.append(_Paragraph(line, heading=bool(heading)))
    removed.extend(sorted(found))
    return result


def _strip_leading(paragraphs: list[_Paragraph], title: str | None,
                   removed: list[str]) -> list[_Paragraph]:
    while paragraphs:
        first = paragraphs[0]
        rest = _preamble_rest(first.text)
        if rest is not None:
            removed.append(f"开场白「{_snip(first.text[:len(first.text) - len(rest)])}」")
            if rest:
                paragraphs = [_Paragraph(rest)] + paragraphs[1:]
                continue
        elif title and _repeats_title(first.text, title, plain=not first.heading):
            removed.append(f"与章节标题重复的标题「{_snip(first.text)}」")
        else:
            break
        paragraphs = paragraphs[1:]
    return paragraphs


def _preamble_rest(text: str) -> str | None:
    """None when text is not a preamble; else what follows the preamble on the same line."""
    if len(text) > _CHATTER_LIMIT:
        return None
    if _ACK_ONLY.match(text):
        return ""
    announces = _ANNOUNCE.match(text) and (_ABOUT_DRAFT.search(text) or text.rstrip().endswith(("：", ":")))
    is_preamble = (_ACK_START.match(text) and _ADDRESS.search(text)) or announces or _ON_REQUEST.match(text)
    if not is_preamble:
        return None
    # "好的，以下是正文：我乡……" keeps what follows the colon.
    colon = re.search(r"[：:]", text)
    return text[colon.end():].strip(_INDENT) if colon else ""


def _strip_trailing(paragraphs: list[_Paragraph], removed: list[str]) -> list[_Paragraph]:
    while paragraphs:
        last = paragraphs[-1].text
        if len(last) > _CHATTER_LIMIT or not (_OFFER.search(last) or _NOTE.match(last)):
            break
        removed.append(f"结尾客套「{_snip(last)}」")
        paragraphs = paragraphs[:-1]
    return paragraphs


def _repeats_title(text: str, title: str, *, plain: bool = False) -> bool:
    """Whether a heading (or a short plain first line) merely repeats the section title."""
    if plain and (_SENTENCE_END.search(text) or len(text) > len(title) + 20):
        return False
    line, wanted = _core(text), _core(title)
    if not line or not wanted:
        return False
    if plain:
        return line.startswith(wanted)
    shorter, longer = sorted((line, wanted), key=len)
    return len(shorter) >= 2 and shorter in longer


def _core(text: str) -> str:
    """Text without its numbering (一、 （一） 1. 第一部分) and without punctuation or spaces."""
    return re.sub(r"[\W_]+", "", _NUMBERING.sub("", text.strip(_INDENT)))


def _snip(text: str, limit: int = 30) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "……"
