"""The prompt's own words: lines of prompts/*.j2 that never belong in a summary.

Small models echo their prompt (【写作任务】请撰写章节 culture…, 本节事实：, 〔范文片段·结尾·篇一〕,
篇幅：约160字) and repeat the scripted acknowledgement (ack.j2). What counts as scaffolding is read
from the templates themselves, so a reworded prompt is recognised as it is: each template line
becomes a pattern (its literal start, a short label, its long literal runs, and its whole shape
with the variables as wildcards). The response cleaner removes answer lines that match; the
checker reports them in any document. The offline composer's templates (prompts/offline/) write
summary text and are not scaffolding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

_PRIMER_TEMPLATE = "ack.j2"  # the scripted assistant turn every prompt carries
HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)[\s#]*$")  # a Markdown heading and its words
BOLD = re.compile(r"\*\*(.+?)\*\*")
# Leading spaces would make Markdown code blocks; full-width ones are paper-era indentation.
INDENT = "\u3000 \t\u00a0"

_JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_HOLE = "\x00"
_LIST_MARK = re.compile(r"^(?:\d+[.、．]\s*|[-*+•]\s+)")
_TEMPLATE_LIST_MARK = re.compile(r"^(?:(?:\d+|\x00)[.、．]\s*|[-*+•]\s+)")  # also {{ loop.index }}.
_TEMPLATE_STRING = re.compile(r"\"([^\"\n]+)\"|'([^'\n]+)'")  # text the template's tags hold as data
_HEAD_CHARS = 8       # an echo may stop early: the first characters of a line's literal start suffice
_MIN_HEAD = 4         # shorter starts (你是, 以下是) are ordinary words
_MIN_FRAGMENT = 10    # a literal run this long, anywhere in a line, is the prompt's own sentence
_MAX_LABEL = 12       # 写法：, 篇幅：, 事实清单中相近的说法：
# A sentence, or what follows a label's colon: "”的正文：第一句就是正文…" is echoed without its start.
_SENTENCES = re.compile(r"[^。；！？：]+[。；！？]?")
_EDGE_MARKS = "”“‘’（）《》 "  # quotes and brackets around a template variable, not the sentence's own
MAX_LINE = 600


@dataclass(frozen=True)
class PromptLine:
    """What one line of a prompt template looks like when a model echoes it."""

    head: str                    # its literal start (first _HEAD_CHARS characters), or ""
    label: str                   # "写法：" when the line starts with a short label, or ""
    fragments: tuple[str, ...]   # its long literal runs
    shape: re.Pattern | None     # the whole line, variables as wildcards
    primer: bool                 # the line belongs to the scripted acknowledgement
    core: str = ""               # the shape's longest literal run: every echo of the shape has it

    def matches(self, line: str) -> bool:
        """Whether a line of an answer (Markdown and list marks removed) echoes this template line."""
        if self.head and line.startswith(self.head):
            return True
        if self.label and line.startswith(self.label):
            return True
        if any(f in line for f in self.fragments):
            return True
        # A template line is a few hundred characters at most: a longer line is prose, and matching
        # the shape's wildcards against it would only cost time.
        return self.shape is not None and len(line) <= MAX_LINE and self.shape.fullmatch(line) is not None


@cache
def prompt_lines() -> tuple[PromptLine, ...]:
    """Every line of the model prompt templates (prompts/*.j2), as echo patterns."""
    from drafter.resources import data_dir

    found = []
    for path in sorted(data_dir("prompts").glob("*.j2")):
        primer = path.name == _PRIMER_TEMPLATE
        source = _JINJA_COMMENT.sub("", path.read_text(encoding="utf-8"))
        for line in _JINJA_TAG.sub(_HOLE, source).split("\n"):
            pattern = _prompt_line(line, primer=primer)
            if pattern is not None:
                found.append(pattern)
        # Sentences a tag holds as data ({% set verdict_names = {...: "事实清单中没有这个数字"} %}).
        strings = [a or b for tag in _JINJA_TAG.findall(source) for a, b in _TEMPLATE_STRING.findall(tag)]
        found += [PromptLine("", "", (text,), None, primer) for text in strings if len(text) >= _MIN_FRAGMENT]
    return tuple(found)


def _prompt_line(line: str, *, primer: bool) -> PromptLine | None:
    line = _TEMPLATE_LIST_MARK.sub("", line.strip())
    pieces = line.split(_HOLE)
    literal = "".join(pieces).strip()
    if len(literal.replace(" ", "")) < 2:
        return None  # a line of variables and tags only: its text is the facts, the 范文, …
    start = pieces[0].strip()
    head = start[:_HEAD_CHARS] if len(start) >= _MIN_HEAD else ""
    colon = start.find("：")
    label = start[:colon + 1] if 2 <= colon < _MAX_LABEL else ""
    # Each sentence of a literal run on its own: an echo may copy one sentence of a longer line.
    fragments = tuple(dict.fromkeys(f.strip(_EDGE_MARKS) for p in pieces for f in _SENTENCES.findall(p)
                                    if len(f.strip(_EDGE_MARKS)) >= _MIN_FRAGMENT))
    shape = re.compile(".*?".join(re.escape(p) for p in pieces)) if len(pieces) > 1 else None
    return PromptLine(head, label, fragments, shape, primer, max(pieces, key=len))


def plain_line(line: str) -> str:
    """A line as its words: no heading marks, bold, list marks or indentation."""
    heading = HEADING.match(line)
    line = heading.group(1) if heading else line
    line = _LIST_MARK.sub("", BOLD.sub(r"\1", line).strip(INDENT))
    return line.strip(INDENT)




def echo_of(line: str) -> PromptLine | None:
    """The template line a document line echoes (after plain_line), or None."""
    starts, anywhere = _echo_index()
    # Most lines of a document echo nothing: one pass of the combined patterns rules them out
    # before each template line is tried (a 1 MB document has thousands of lines).
    if not (starts.match(line) or anywhere.search(line)):
        return None
    return next((p for p in prompt_lines() if p.matches(line)), None)


@cache
def _echo_index() -> tuple[re.Pattern, re.Pattern]:
    """Every template line's start and label; its fragments and its shape's longest literal run."""
    lines = prompt_lines()
    starts = sorted({x for p in lines for x in (p.head, p.label) if x}, key=len, reverse=True)
    inner = {f for p in lines for f in p.fragments} | {p.core for p in lines if p.shape is not None}
    never = r"(?!x)x"
    return (re.compile("|".join(map(re.escape, starts)) or never),
            re.compile("|".join(map(re.escape, sorted(inner, key=len, reverse=True))) or never))
