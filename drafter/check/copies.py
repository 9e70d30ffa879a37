"""Copied passages: sentences taken from the style corpus, and the prompt's own words echoed back.

A 范文 teaches register, never sentences: a run of at least MIN_RUN characters identical to a
passage of the samples in use (whitespace and punctuation ignored, and any numbers written in
their place) is a copy, unless the facts file has the same words (a clerk may quote her own material). Short
formulaic 公文 phrases (现将有关情况总结如下, 高度重视) are far shorter than a copy.

Echoed prompt scaffolding (【写作任务】, 〔范文片段…〕, 本节事实：, 只输出本节正文…) is the mark of a
small model repeating its prompt: a line matching a line of the prompt templates (scaffolding.py,
the same patterns the response cleaner removes).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

MIN_RUN = 25
FACTS_RUN = 12
PROBE = 13
STRIDE = MIN_RUN - PROBE + 1  # 13: every run of MIN_RUN characters holds a probe at a multiple of it
KINDS = ("sample", "prompt")
# Whitespace and punctuation are not compared: a copy with other commas is still a copy.
_SPACE = re.compile(r"[\s，,。．.、；;：:！!？?“”\"‘’'（）()《》〈〉【】〔〕—…·-]+")
_NUMBER = re.compile(r"[0-9０-９.．%％○〇零一二两三四五六七八九十百千万亿]+")


@dataclass(frozen=True)
class CopyFinding:
    """A copied or echoed passage of the document (always flagged)."""

    text: str
    start: int
    end: int
    line: int
    kind: str     # sample or prompt
    source: str   # the sample and where in it, or the template
    reason: str

    def to_json_dict(self) -> dict:
        """The copy as in the JSON contract (issue 12)."""
        return {"text": self.text, "start": self.start, "end": self.end, "line": self.line, "kind": self.kind,
                "source": self.source, "reason": self.reason}


def normalized(text: str) -> tuple[str, list[int]]:
    """The text without whitespace and with every number as one mark, and where each character came from."""
    out, where = [], []
    pos = 0
    for m in _SPACE.finditer(text + " "):
        _numbers(text, pos, m.start(), out, where)
        pos = m.end()
    return "".join(out), where


def _numbers(text: str, lo: int, hi: int, out: list[str], where: list[int]) -> None:
    at = lo
    for m in _NUMBER.finditer(text, lo, hi):
        out.extend(text[at:m.start()])
        where.extend(range(at, m.start()))
        out.append("#")
        where.append(m.start())
        at = m.end()
    out.extend(text[at:hi])
    where.extend(range(at, hi))


class Corpus:
    """The samples in use, their normalized texts joined in one string, and indexes over its windows.

    Every MIN_RUN-character window is indexed (a dict built at C speed), and every PROBE-character
    window in a set: a document is probed only every STRIDE characters, which finds any copied
    run of MIN_RUN characters (MIN_RUN >= PROBE + STRIDE - 1), and examined closely only there.
    """

    def __init__(self, samples: list[tuple[str, str]]):
        self.names = [name for name, _ in samples]
        self._units: tuple[str, ...] | None = None
        self.texts = []
        parts, self.starts = [], []
        at = 0
        for _, text in samples:
            norm, where = normalized(text)
            self.texts.append((text, where))
            self.starts.append(at)
            parts.append(norm)
            at += len(norm) + 1
        joined = "\0".join(parts)
        self.windows = {joined[j:j + MIN_RUN]: j for j in range(len(joined) - MIN_RUN + 1)}
        # A window two samples share (篇四 repeats 篇三) is indexed once: size each sample by the
        # windows indexed as its own, the measure a document's hits are counted against.
        self.sizes = [0] * len(parts)
        for position in self.windows.values():
            self.sizes[bisect.bisect_right(self.starts, position) - 1] += 1
        self.probes = {joined[j:j + PROBE] for j in range(len(joined) - PROBE + 1)}

    def sample_at(self, position: int) -> tuple[int, int]:
        """(sample index, position in its normalized text) of a position in the joined text."""
        i = bisect.bisect_right(self.starts, position) - 1
        return i, position - self.starts[i]

    def units(self) -> tuple[str, ...]:
        """The townships the samples name (their own units, and places they mention): 芦洲乡, 南坝乡."""
        if self._units is None:
            from drafter.check.gazetteer import TOWNSHIP, find_places

            self._units = tuple(dict.fromkeys(
                p.text for text, _ in self.texts for p in find_places(text)
                if p.suffix in ("乡", "镇", "街道") and not p.common and any(pl.level == TOWNSHIP for pl in p.places)))
        return self._units

    def source(self, index: int, start: int) -> str:
        """Which sample, and its line, a window comes from (篇一 第5行)."""
        text, where = self.texts[index]
        line = text.count("\n", 0, where[min(start, len(where) - 1)]) + 1 if where else 1
        return f"{self.names[index]} 第{line}行"


def find_copies(doc, corpus: Corpus | None, facts_text: str, unit: str = "") -> list[CopyFinding]:
    """Every passage of the document copied from the corpus (not from the facts), and every echoed marker.

    Samples about the document's own unit (last year's summary kept as a 范文) are the clerk's own
    words, and a sample checked as a document (most of the sample is in it) is not a copy of itself.
    """
    out = _sample_copies(doc, corpus, facts_text, unit) if corpus is not None and corpus.windows else []
    out += _echoes(doc)
    return sorted(out, key=lambda c: c.start)


def _candidates(norm: str, corpus: Corpus) -> list[list[int]]:
    """Stretches of the normalized document that may hold a copy: around each probe the corpus has."""
    out: list[list[int]] = []
    for j in range(0, len(norm) - PROBE + 1, STRIDE):
        if norm[j:j + PROBE] in corpus.probes:
            lo, hi = max(0, j - MIN_RUN), j + PROBE + MIN_RUN
            if out and out[-1][1] >= lo:
                out[-1][1] = hi
            else:
                out.append([lo, hi])
    return out


def _sample_copies(doc, corpus: Corpus, facts_text: str, unit: str) -> list[CopyFinding]:
    norm, where = normalized(doc.work)
    regions = _candidates(norm, corpus)
    if not regions:
        return []
    facts_norm, _ = normalized(facts_text)
    # The facts' own wording is taken out at a finer grain (a fact may be shorter than a copy).
    facts_windows = {facts_norm[j:j + FACTS_RUN] for j in range(len(facts_norm) - FACTS_RUN + 1)}
    hits: list[tuple[int, int]] = []   # (document position, sample)
    ours: list[list[int]] = []         # [start, end) of text shared with the facts
    found = [0] * len(corpus.sizes)
    for lo, hi in regions:
        for j in range(lo, min(hi, len(norm) - MIN_RUN + 1)):
            if norm[j:j + FACTS_RUN] in facts_windows:
                _extend(ours, j, FACTS_RUN)
            at = corpus.windows.get(norm[j:j + MIN_RUN])
            if at is not None:
                sample = corpus.sample_at(at)[0]
                hits.append((j, sample))
                found[sample] += 1
    # A sample most of which is in the document is the document itself (a 范文 checked on its
    # own), and a sample about the document's unit is the clerk's own earlier text.
    itself = {i for i, size in enumerate(corpus.sizes) if size and found[i] >= 0.6 * size}
    itself |= {i for i, (text, _) in enumerate(corpus.texts) if unit and unit in text}
    copied: list[list[int]] = []
    first: dict[int, int] = {}
    for j, sample in hits:
        if sample in itself:
            continue
        if not copied or copied[-1][1] < j:
            first[j] = sample
        _extend(copied, j, MIN_RUN)
    out = []
    for lo, hi in _minus(copied, ours):
        if hi - lo < MIN_RUN:
            continue  # what is left once the facts' own wording is taken out is no copy
        run_start = max(k for k in first if k <= lo)
        at = corpus.windows.get(norm[lo:lo + MIN_RUN])
        sample, offset = corpus.sample_at(at) if at is not None else (first[run_start], 0)
        source = corpus.source(sample, offset)
        start, stop = where[lo], where[hi - 1] + 1
        out.append(CopyFinding(doc.text[start:stop], start, stop, doc.line(start), "sample", source,
                               f"与范文（{source}）的一段文字相同（{hi - lo}个字），范文只借鉴文风，不能照抄句子"))
    return out


def _extend(runs: list[list[int]], j: int, size: int) -> None:
    """Add the window at j to the runs of covered positions (windows come in increasing j)."""
    if runs and runs[-1][1] >= j:
        runs[-1][1] = max(runs[-1][1], j + size)
    else:
        runs.append([j, j + size])


def _minus(runs: list[list[int]], cut: list[list[int]]) -> list[tuple[int, int]]:
    """The parts of the runs outside the cut runs (both sorted and disjoint)."""
    out = []
    for lo, hi in runs:
        for c_lo, c_hi in cut:
            if c_hi <= lo or c_lo >= hi:
                continue
            if c_lo > lo:
                out.append((lo, c_lo))
            lo = max(lo, c_hi)
        if lo < hi:
            out.append((lo, hi))
    return out


def _echoes(doc) -> list[CopyFinding]:
    """Lines of the document that echo a line of the prompt templates (the cleaner's own patterns)."""
    from drafter.scaffolding import echo_of, plain_line

    out = []
    pos = 0
    for line in doc.work.split("\n"):
        plain = plain_line(line)
        if plain and echo_of(plain) is not None:
            start = pos + len(line) - len(line.lstrip())
            stop = pos + len(line.rstrip())
            out.append(CopyFinding(doc.text[start:stop], start, stop, doc.line(start), "prompt", "提示词模板",
                                   f"这一行是提示词里的说明“{_snip(plain)}”，不是正文：模型把提示词抄进了文中"))
        pos += len(line) + 1
    return out


def _snip(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[:limit] + "……"


def load_corpus_texts(folder=None) -> Corpus:
    """The corpus of a samples folder (.txt/.md files), or of the built-in samples; read once per process."""
    from pathlib import Path

    from drafter.resources import samples_dir

    return _cached(str(Path(folder).resolve()) if folder is not None else str(samples_dir()))


@lru_cache(maxsize=4)
def _cached(folder: str) -> Corpus:
    from pathlib import Path

    from drafter.files import read_text

    paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in (".txt", ".md") and p.is_file())
    return Corpus([(p.stem, read_text(p, what="范文").text) for p in paths])
