"""Output hygiene: turn a model's raw answer into plain paragraphs of a work summary.

Models wrap the text they were asked for in reasoning, greetings, Markdown and offers of further
help; small models also echo their prompt ("【写作任务】…", "本节事实：", "篇幅：约160字"), repeat the
scripted acknowledgement, loop on one sentence and wrap text in 【…】. The rules below target those
habits in general (any model, Chinese or English chatter) and leave the register of a 工作总结
alone: its punctuation, its "现将……总结如下：" openings. What counts as prompt scaffolding is read
from the prompt templates themselves (prompts/*.j2), so a reworded prompt is recognised as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from drafter.scaffolding import BOLD, HEADING, INDENT, plain_line, prompt_lines

_TAG = r"(think|thinking|reasoning)"
_THINK_BLOCK = re.compile(rf"<{_TAG}>.*?</\1>", re.S | re.I)
_THINK_CLOSE = re.compile(rf"</{_TAG}>", re.I)
_THINK_OPEN = re.compile(rf"<{_TAG}>", re.I)
_FENCE = re.compile(r"^\s*(```|~~~)[\w+-]*\s*$")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_BULLET = re.compile(r"^\s*[-*+•]\s+")

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
_SENTENCE = re.compile(r"[^。；;！!？?]+[。；;！!？?]*")
_CHATTER_LIMIT = 200  # longer paragraphs are content, whatever words they start with
# A 【…】 this short is a label (【正文】, 【写作任务】), longer is text wrapped in brackets.
_LABEL = re.compile(r"^【([^【】]{1,12})】")
# The same words three or more times in a row (扎实推进扎实推进扎实推进): a sampling loop.
_STUTTER = re.compile(r"(.{4,50}?)\1{2,}")
REPEATS = 3  # a line or sentence this many times is degenerate repetition, not emphasis
# An answer far over its section's target length has ignored the task (a loop, a whole essay).
OVERLONG_FACTOR = 4
OVERLONG_MARGIN = 400


@dataclass(frozen=True)
class Cleaned:
    """The cleaned text (paragraphs separated by one blank line), what was stripped, and how much.

    `echoed` and `repeated` count the characters of prompt scaffolding and of degenerate repetition
    removed; `primer` is true when the answer repeated the scripted acknowledgement.
    """

    text: str
    removed: list[str] = field(default_factory=list)
    echoed: int = 0
    repeated: int = 0
    primer: bool = False


@dataclass
class _Paragraph:
    text: str
    heading: bool = False


def clean_response(text: str, *, title: str | None = None) -> Cleaned:
    """Strip reasoning, prompt echoes, repetition, chatter and Markdown from a model's answer."""
    removed: list[str] = []
    text = _strip_reasoning(text.replace("\r\n", "\n").replace("\r", "\n"), removed)
    lines, echoed, primer = _strip_scaffolding(text.split("\n"), removed)
    paragraphs = _paragraphs(lines, removed)
    paragraphs, repeated = _strip_repetition(paragraphs, removed)
    paragraphs = _strip_leading(paragraphs, title, removed)
    paragraphs = _strip_trailing(paragraphs, removed)
    kept = []
    for p in paragraphs:
        if p.heading and title and _repeats_title(p.text, title):
            removed.append(f"与章节标题重复的标题「{_snip(p.text)}」")
        else:
            kept.append(p.text)
    return Cleaned("\n\n".join(kept), removed, echoed, repeated, primer)


def answer_problem(cleaned: Cleaned, *, target_chars: int, truncated: bool = False) -> str | None:
    """What makes a cleaned answer unusable as a section, or None.

    "primer" (it only repeated the scripted acknowledgement), "loop" (mostly repetition, or cut off
    at max_tokens while repeating itself), "echo" (mostly the prompt's own scaffolding), "empty",
    "overlong" (several times the section's target length).
    """
    kept = len(cleaned.text)
    # Mostly removed, and what is left is too little to be the section.
    mostly_junk = cleaned.echoed + cleaned.repeated > kept and kept < target_chars / 2
    if cleaned.primer and mostly_junk:
        return "primer"
    if truncated and cleaned.repeated:
        return "loop"  # more tokens would only buy more of the loop
    if mostly_junk:
        return "loop" if cleaned.repeated >= cleaned.echoed else "echo"
    if not kept:
        return "empty"
    if kept > OVERLONG_FACTOR * target_chars and kept > target_chars + OVERLONG_MARGIN:
        return "overlong"
    return None


def cut_to_length(text: str, limit: int) -> str:
    """The text cut at the last paragraph or sentence end within `limit` characters."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    ends = [head.rfind("\n\n")] + [head.rfind(mark) + 1 for mark in "。！？；"]
    end = max(ends)
    return head[:end].rstrip() if end > limit // 2 else head.rstrip()


def _strip_scaffolding(lines: list[str], removed: list[str]) -> tuple[list[str], int, bool]:
    """Lines that echo the prompt removed (with the list a removed header introduced)."""
    patterns = prompt_lines()
    kept, echoed, primer, in_list = [], 0, False, False
    for line in lines:
        plain = plain_line(line)
        if not plain:
            kept.append(line)
            continue
        if in_list and _BULLET.match(line):
            echoed += len(plain)
            continue
        match = next((p for p in patterns if p.matches(plain)), None)
        if match is None:
            in_list = False
            kept.append(line)
            continue
        echoed += len(plain)
        primer = primer or match.primer
        in_list = plain.endswith(("：", ":"))
        removed.append(("复述的开场确认语" if match.primer else "复述的提示词") + f"「{_snip(plain)}」")
    return kept, echoed, primer


# --- repetition ------------------------------------------------------------------------------

def _strip_repetition(paragraphs: list[_Paragraph], removed: list[str]) -> tuple[list[_Paragraph], int]:
    """Stutters collapsed; a paragraph or sentence said REPEATS or more times kept once."""
    repeated = 0
    for p in paragraphs:
        collapsed = _STUTTER.sub(_collapse, p.text)
        if collapsed != p.text:
            repeated += len(p.text) - len(collapsed)
            removed.append(f"连续重复的文字「{_snip(p.text)}」")
            p.text = collapsed
    counts: dict[str, int] = {}
    for p in paragraphs:
        counts[_words(p.text)] = counts.get(_words(p.text), 0) + 1
    seen: set[str] = set()
    kept = []
    for p in paragraphs:
        core = _words(p.text)
        if counts[core] >= REPEATS and core in seen:
            repeated += len(p.text)
            continue
        seen.add(core)
        kept.append(p)
    for core, count in counts.items():
        if count >= REPEATS and core:
            removed.append(f"重复 {count} 次的段落「{_snip(core)}」")
    return _strip_repeated_sentences(kept, removed, repeated)


def _strip_repeated_sentences(paragraphs: list[_Paragraph], removed: list[str],
                              repeated: int) -> tuple[list[_Paragraph], int]:
    counts: dict[str, int] = {}
    for p in paragraphs:
        for sentence in _SENTENCE.findall(p.text):
            core = _words(sentence)
            if len(core) >= 4:
                counts[core] = counts.get(core, 0) + 1
    loops = {core for core, count in counts.items() if count >= REPEATS}
    if not loops:
        return paragraphs, repeated
    seen: set[str] = set()
    kept = []
    for p in paragraphs:
        sentences = []
        for sentence in _SENTENCE.findall(p.text):
            core = _words(sentence)
            if core in loops and core in seen:
                repeated += len(sentence)
                continue
            seen.add(core)
            sentences.append(sentence)
        p.text = "".join(sentences).strip(INDENT)
        if p.text:
            kept.append(p)
    removed.extend(f"重复 {counts[core]} 次的句子「{_snip(core)}」" for core in sorted(loops))
    return kept, repeated


def _words(text: str) -> str:
    """Text without punctuation or spaces: what makes two lines the same line."""
    return re.sub(r"[\W_]+", "", text)


def _collapse(match: re.Match) -> str:
    unit = match.group(1)
    # Digits repeat in real numbers (1000000): only words that repeat are a loop.
    return unit if re.search(r"[^\W\d_]", unit) else match.group(0)


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
        heading = HEADING.match(line)
        if heading:
            found.add("Markdown 标题符号 #")
            line = heading.group(1)
        line, bold = BOLD.subn(r"\1", line)
        if bold:
            found.add("加粗标记 **")
        line, bullet = _BULLET.subn("", line)
        if bullet:
            found.add("列表符号")
        line, brackets = _unbracket(line.strip(INDENT))
        if brackets:
            found.add("方括号【】")
        line = line.strip(INDENT)
        if line:
            result.append(_Paragraph(line, heading=bool(heading)))
    removed.extend(sorted(found))
    return result


def _unbracket(line: str) -> tuple[str, bool]:
    """A line without a leading 【label】 or a 【…】 wrapped around it all."""
    label = _LABEL.match(line)
    if label:
        return line[label.end():], True
    if line.startswith("【") and line.endswith("】") and "】" not in line[1:-1]:
        return line[1:-1], True
    if line.startswith("【") and "】" not in line:
        return line[1:], True  # wrapped across lines: the opening half
    if line.endswith("】") and "【" not in line:
        return line[:-1], True
    return line, False


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
    return text[colon.end():].strip(INDENT) if colon else ""


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
    return re.sub(r"[\W_]+", "", _NUMBERING.sub("", text.strip(INDENT)))


def _snip(text: str, limit: int = 30) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "……"
