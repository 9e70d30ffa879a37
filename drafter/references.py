"""Style references: sample sections chosen by kind and topic, with every number masked."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from drafter.check.not_quantities import NotQuantity
from drafter.errors import FactsError, SampleError
from drafter.facts import Facts, Section
from drafter.facts.model import topic_phrase
from drafter.samples import Sample, load_corpus

MASK = "○○"
MAX_REFERENCE_CHARS = 600   # a longer sample section is cut at a sentence end
MIN_REFERENCE_CHARS = 40    # shorter parts (a signature, a one-line wrap-up) teach little
SHARED_PER_KIND = {"intro": 1, "work": 2, "problems": 1, "plans": 1, "closing": 1}
SHARED_REFERENCE_TOKENS = 3000
EXTRA_REFERENCES = 2
SECTION_REFERENCE_TOKENS = 1200
# Target length of a section body: the corpus median for its kind, scaled by its facts.
MIN_TARGET_CHARS, MAX_TARGET_CHARS = 150, 900
DEFAULT_TARGET_CHARS = {"intro": 160, "work": 230, "problems": 360, "plans": 320, "closing": 100}

_ARABIC = "0123456789０１２３４５６７８９"
_CN_NUMERALS = "零〇○一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟廿卅"
_NUMERIC = set(_ARABIC + _CN_NUMERALS)
# Financial numerals are also ordinary characters (队伍, 陆续, 收拾): masked only inside a
# quantity the checker's extractor finds.
_AMBIGUOUS = set("壹贰叁肆伍陆柒捌玖拾佰仟廿卅")
# Numerals the checker reads as list markers, words or set phrases (one lexicon for both) are
# kept so references stay readable; every other numeral is masked: when in doubt, mask.
_KEPT_REASONS = frozenset({NotQuantity.MARKER, NotQuantity.WORD, NotQuantity.SET_PHRASE, NotQuantity.ARTICLE})
_SENTENCE_END = "。；！？"
OPENING_CHARS = 200  # a summary names its subject in its first sentences
TokenCounter = Callable[[str], int]  # a token counter, e.g. drafter.tokens.count_tokens


@dataclass(frozen=True)
class Reference:
    """One sample section offered to the model as a style reference (already masked)."""

    id: str          # "篇二#3": sample name and section index
    kind: str
    title: str
    text: str
    score: float     # topic similarity to what it was chosen for


def mask_numbers(text: str) -> str:
    """Replace every number in `text` with ○○ so a model cannot copy it; list markers stay."""
    from drafter.check.mentions import extract_mentions

    protected = [False] * len(text)
    in_quantity = [False] * len(text)
    for m in extract_mentions(text):
        flags = protected if m.ignored in _KEPT_REASONS else in_quantity
        for i in range(m.start, m.end):
            flags[i] = True
    maskable = [ch in _NUMERIC and (ch in _ARABIC or not protected[i]) for i, ch in enumerate(text)]
    for i, ch in enumerate(text):
        if ch in _AMBIGUOUS and not in_quantity[i]:
            maskable[i] = False
    for i in range(1, len(text) - 1):
        # A decimal point or thousands separator inside a number goes with it (1.4, 1,200, 一点四).
        if not maskable[i] and maskable[i - 1] and maskable[i + 1]:
            arabic = text[i - 1] in _ARABIC and text[i + 1] in _ARABIC
            maskable[i] = (text[i] in ".．," and arabic) or (text[i] == "点" and not arabic)
    out, i = [], 0
    while i < len(text):
        if maskable[i]:
            while i < len(text) and maskable[i]:
                i += 1
            out.append(MASK)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def mask_places(text: str) -> str:
    """Replace the names of places in a 范文 (its own unit, its county) with ○○: a model copies names too."""
    from drafter.check.names import place_spans

    out, at = [], 0
    for start, end in place_spans(text):
        out.append(text[at:start])
        out.append(MASK)
        at = end
    out.append(text[at:])
    return "".join(out)


def default_corpus() -> tuple[Sample, ...]:
    """The built-in style corpus, loaded once per process."""
    return tuple(load_corpus())


def corpus_for(facts: Facts, override: Path | None = None) -> list[Sample] | None:
    """The 范文 for this facts file: --samples DIR, else the folder the file names, else None (built-in)."""
    if override is not None:
        return load_corpus(override)
    if facts.samples_dir is None:
        return None
    try:
        return load_corpus(facts.samples_dir)
    except SampleError as exc:
        # The clerk wrote the folder in the facts file: point there, not only at the folder.
        workbook = facts.encoding == "xlsx"  # a workbook's line is a row of its 基本信息 sheet
        raise FactsError(f"{exc.message}：{exc.path or facts.samples_dir}", path=facts.path,
                         line=facts.samples_line, field="范文文件夹" if workbook else "samples",
                         sheet="基本信息" if workbook else None,
                         hint="路径相对于事实文件所在的文件夹；每篇范文存为一个 .txt 或 .md 文件，"
                              "可用 drafter samples import 生成") from None


def of_same_kind(corpus: list[Sample] | tuple[Sample, ...], facts: Facts) -> bool:
    """Whether the 范文 are summaries of the same kind as this one (else they teach register only)."""
    from drafter.outlines import SAMPLE_KIND_MIN_HITS, SPECIAL, outline_for, sample_kind

    originals = [s for s in corpus if s.duplicate_of is None]
    kind = outline_for(facts.campaign, facts.topic)
    if kind is None or kind.key == SPECIAL:  # a subject no outline knows: look for its own words
        subject = facts.campaign or topic_phrase(facts.topic) or ""
        return any(subject in s.text[:OPENING_CHARS] or s.text.count(subject) >= SAMPLE_KIND_MIN_HITS
                   for s in originals)
    return any(sample_kind(s.text) == kind.key for s in originals)


def kind_name(facts: Facts) -> str:
    """What kind of summary this is, as the prompt names it."""
    if facts.campaign:
        return f"创建{facts.campaign}工作总结"
    return f"{topic_phrase(facts.topic)}工作总结" if facts.topic else "全年综合工作总结"


@lru_cache(maxsize=8)
def topic_index(corpus: tuple[Sample, ...]) -> TopicIndex:
    """The index of a corpus, built once per process (samples are immutable)."""
    return TopicIndex(corpus)


def _bigrams(text: str) -> Counter:
    # Digits and punctuation say nothing about the topic; bigrams never span them.
    runs = re.sub(r"[^\u4e00-\u9fffA-Za-z]+", " ", text).split()
    return Counter(run[i:i + 2] for run in runs for i in range(len(run) - 1))


class TopicIndex:
    """TF-IDF over character bigrams of candidate sample sections, compared by cosine."""

    def __init__(self, corpus: list[Sample] | tuple[Sample, ...]):
        self.candidates = [(sample, sec) for sample in corpus if sample.duplicate_of is None
                           for sec in sample.sections if sec.chars >= MIN_REFERENCE_CHARS]
        grams = [_bigrams(f"{sec.title}\n{sec.text}") for _, sec in self.candidates]
        df = Counter(g for counts in grams for g in counts)
        n = len(grams)
        self.idf = {g: math.log((n + 1) / (d + 1)) + 1 for g, d in df.items()}
        self.vectors = [self._vector(counts) for counts in grams]
        self._masked: dict[int, tuple[str, str]] = {}
        self.lengths: dict[str, list[int]] = {}
        for _, sec in self.candidates:
            self.lengths.setdefault(sec.kind, []).append(sec.chars)

    def _vector(self, counts: Counter) -> dict[str, float]:
        vec = {g: (1 + math.log(c)) * self.idf.get(g, 0.0) for g, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {g: v / norm for g, v in vec.items() if v}

    def rank(self, query: str, kind: str, exclude: set[str] = frozenset()) -> Iterator[Reference]:
        """Candidates of `kind`, most similar to `query` first (ties in corpus order)."""
        q = self._vector(_bigrams(query))
        scored = []
        for i, ((sample, sec), vec) in enumerate(zip(self.candidates, self.vectors, strict=True)):
            if sec.kind != kind or f"{sample.name}#{sec.index}" in exclude:
                continue
            scored.append((-sum(w * vec.get(g, 0.0) for g, w in q.items()), i))
        scored.sort()
        for neg, i in scored:  # masked only when a caller gets this far
            sample, sec = self.candidates[i]
            if i not in self._masked:
                self._masked[i] = (mask_places(mask_numbers(sec.title)), _trim(mask_places(mask_numbers(sec.text))))
            title, text = self._masked[i]
            yield Reference(f"{sample.name}#{sec.index}", sec.kind, title, text, -neg)

    def target_chars(self, kind: str, n_facts: int) -> int:
        """Target body length: the corpus median for `kind`, scaled by the number of facts."""
        lengths = self.lengths.get(kind)
        median = statistics.median(lengths) if lengths else DEFAULT_TARGET_CHARS[kind]
        # A sample section covers about two facts; each further fact adds a quarter.
        scale = min(2.0, max(0.75, 0.5 + 0.25 * n_facts))
        return int(min(MAX_TARGET_CHARS, max(MIN_TARGET_CHARS, round(median * scale, -1))))


def _trim(text: str) -> str:
    if len(text) <= MAX_REFERENCE_CHARS:
        return text
    head = text[:MAX_REFERENCE_CHARS]
    cut = max(head.rfind(ch) for ch in _SENTENCE_END)
    return (head[:cut + 1] if cut >= MAX_REFERENCE_CHARS // 3 else head) + "……"


def section_query(section: Section) -> str:
    """What a section is about: its title and facts."""
    return "\n".join([section.title, *(s.text for s in section.facts)])


def choose_shared(index: TopicIndex, facts: Facts, count: TokenCounter) -> list[Reference]:
    """References shared by every section: the best match per kind present, within a budget."""
    chosen: list[Reference] = []
    used = 0
    for kind in SHARED_PER_KIND:
        sections = [s for s in facts.sections if s.kind == kind]
        if not sections:
            continue
        query = "\n".join([facts.campaign or facts.topic or "", *(section_query(s) for s in sections)])
        taken = 0
        for ref in index.rank(query, kind):
            if taken == SHARED_PER_KIND[kind]:
                break
            cost = count(ref.text)
            if used + cost <= SHARED_REFERENCE_TOKENS:
                chosen.append(ref)
                used += cost
                taken += 1
    return chosen


def choose_extras(index: TopicIndex, section: Section, shared: list[Reference],
                  count: TokenCounter) -> list[Reference]:
    """A few more references of the section's kind, the most similar to this section."""
    chosen: list[Reference] = []
    used = 0
    for ref in index.rank(section_query(section), section.kind, {r.id for r in shared}):
        if len(chosen) == EXTRA_REFERENCES:
            break
        cost = count(ref.text)
        if used + cost <= SECTION_REFERENCE_TOKENS:
            chosen.append(ref)
            used += cost
    return chosen
