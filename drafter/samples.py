"""The style corpus: sample summaries (范文) cleaned, split into sections and classified."""

from __future__ import annotations

import difflib
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from drafter.errors import InputError, SampleError
from drafter.files import read_text, write_atomic
from drafter.suggestions import closest

SAMPLE_SUFFIXES = (".txt", ".md")
MAX_SAMPLE_BYTES = 1024 * 1024
# Character similarity above which a later sample counts as a copy of an earlier one: the
# edited copy in the built-in corpus (quotes dropped, year blanked) scores 0.99, others < 0.1.
DUPLICATE_RATIO = 0.8
TITLE_MAX = 16
SHORT = 30  # a line this short without punctuation is a title, heading or signature
LEAD_MAX = 120  # a lead-in before 一是… or a final wrap-up paragraph is at most this long

_FINAL = "。！？；：…”’」』）)】!?;:."
_OPEN_END = "，、,（(“‘《〈【"
_PUNCT = r"[。，；：！？,;:!?]"
_CN = "一二三四五六七八九十"
# Numbering styles from the highest level down (Markdown levels 0-5 rank above them all), each
# with whether such a heading may end with 。 (“（一）领导重视，明确分工。” does).
_HEADINGS = (
    (re.compile(rf"^[{_CN}]+[、.．]"), True),
    (re.compile(rf"^[（(][{_CN}]+[）)]"), True),
    (re.compile(r"^\d{1,2}\s*[、.．](?!\d)"), False),
    (re.compile(r"^[（(]\d{1,2}[）)]"), False),
)
PLAIN = 6 + len(_HEADINGS)  # an unnumbered short line without punctuation ("存在的问题")
_MD = re.compile(r"^(#{1,6})\s+(.*)$")
_BOLD = re.compile(r"^\*\*(.+)\*\*$")  # Markdown bold used as a heading; a bare ** is a placeholder
_NUMBERING = re.compile(rf"^(?:#{{1,6}}\s+)?(?:[{_CN}]+[、.．]|[（(][{_CN}\d]+[）)]|\d{{1,2}}\s*[、.．](?!\d)"
                        rf"|[{_CN}]+是)\s*")
_ENUM = re.compile(rf"^([{_CN}]+)是")
_ENUM_INLINE = re.compile(rf"(?:^|[。；;：:，！？\s])([{_CN}]+)是")
_CONNECTIVE = re.compile(r"^(?:同时|此外|另外|与此同时|并且|而且)[，,]")
_CLOSING = re.compile(r"^(?:总之|总的来说|总而言之|综上所述|综上)")
_SEED_TITLE = re.compile(rf"^(?P<title>.{{0,60}}?)(?P<name>篇[{_CN}]+|第[{_CN}]+篇)$")
_PROBLEM_HEAD = re.compile(r"问题|不足|差距|薄弱|短板|困难|教训")
_PLAN_HEAD = re.compile(r"下一步|打算|今后|明年|来年|计划|思路|展望|设想")
# "我乡将在…" is future tense; "我镇将创建工作纳入…" uses 将 as 把, so only the former counts.
_PLAN_LEAD = re.compile(r"下一步|今后|明年|来年|新的一年|我们将|将继续|打算|针对(?:以上|上述|这些|存在的)问题"
                        r"|^(?:\d{4}|20[×x]{2})年[，,]|我[乡镇村街区县]将在")
# "问题" alone is everywhere in work reports ("积极解决问题"), so only shortcoming phrases count.
_PROBLEM_CUE = re.compile(r"存在|有待|不足|差距|薄弱|短板|困难|缺乏|不够|不到位|不健全|不完善|不平衡|不稳定"
                          r"|滞后|欠缺|较差|问题(?:还|仍|依然|较为|比较|突出)")
_SENTENCE = re.compile(r"[^。！？；;!?]+")
_SETTING = re.compile(r"(?:\d{4}|20[×x]{2})年(?:以来|来|度)?|在.*(?:下|中|期间)|.*以来")
_YEAR_HEAD = re.compile(r"^(?:\d{4}|20[×x]{2})年(?=\S{4})")
_NOUN_END = re.compile(r"工作|建设|活动|精神|机制|制度|队伍|管理|整治|环境")


@dataclass(frozen=True)
class SampleSection:
    """One part of a sample: the opening, a body section, or the closing."""

    index: int
    kind: str
    title: str
    heading: str | None
    text: str
    line: int

    @property
    def chars(self) -> int:
        """Number of non-whitespace characters in the section's text."""
        return len(_bare(self.text))


@dataclass(frozen=True)
class Sample:
    """A cleaned sample summary with its sections."""

    name: str
    path: Path
    text: str
    sections: tuple[SampleSection, ...]
    duplicate_of: str | None = None
    encoding: str = field(default="utf-8", compare=False)


class _Para(NamedTuple):
    text: str
    line: int


def _bare(text: str) -> str:
    return re.sub(r"\s", "", text)


def _cn_number(s: str) -> int:
    digits = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}
    tens, ten, ones = s.partition("十")
    try:
        if not ten:
            return int("".join(str(digits[ch]) for ch in s))
        return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)
    except KeyError:  # not a numeral after all ("十十")
        return 0


def heading_level(text: str) -> int | None:
    """The level of a heading line (0 = Markdown #, larger = lower), or None for body text."""
    m = _MD.match(text)
    if m:
        return len(m.group(1)) - 1
    body = _BOLD.sub(r"\1", _bare(text))
    if len(body) > 40:
        return None
    for level, (pattern, may_end_with_stop) in enumerate(_HEADINGS, start=6):
        if pattern.match(body):
            inner = body[:-1] if may_end_with_stop else body
            return None if re.search(r"[。！？；;!?]", inner) else level
    return PLAIN if len(body) <= 20 and not re.search(_PUNCT, body) else None


def _join(head: str, tail: str) -> str:
    # A page break can repeat the character at the cut ("扎扎实实" + "实，"); a run of three equal
    # characters never occurs in this prose, so the third one is the artefact.
    if len(head) >= 2 and head[-1] == head[-2] == tail[0] and "\u4e00" <= tail[0] <= "\u9fff":
        tail = tail[1:]
    return head + tail


def _paragraphs(text: str) -> list[_Para]:
    lines = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paras: list[_Para] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        prev = paras[-1].text if paras else ""
        # A sentence cut by a page break fills its line, so a short unpunctuated line is a
        # title, heading or signature, and stays on its own.
        broken = prev and prev[-1] not in _FINAL and heading_level(prev) is None and (
            len(_bare(prev)) > SHORT or prev[-1] in _OPEN_END)
        if broken and heading_level(line) in (None, PLAIN):
            paras[-1] = _Para(_join(prev, line), paras[-1].line)
        else:
            paras.append(_Para(line, number))
    return _drop_repeats(paras)


def _drop_repeats(paras: list[_Para]) -> list[_Para]:
    seen: set[str] = set()
    repeated = []
    for p in paras:
        repeated.append(_bare(p.text) in seen)
        seen.add(_bare(p.text))
    # The same heading may head two different parts ("1、工作措施"); it goes only with a
    # repeated passage, i.e. when the text under it is a repeat too.
    keep = []
    for i, p in enumerate(paras):
        drop = repeated[i]
        if drop and heading_level(p.text) is not None:
            following = [j for j in range(i + 1, len(paras)) if heading_level(paras[j].text) is None]
            drop = not following or repeated[following[0]]
        if not drop:
            keep.append(p)
    return keep


def clean_text(text: str) -> str:
    """Join page-break splits, drop repeated paragraphs and normalise blank lines."""
    return "\n\n".join(p.text for p in _paragraphs(text))


@dataclass
class _Block:
    heading: _Para | None = None
    body: list[_Para] = field(default_factory=list)
    kind: str | None = None
    group: int | None = None  # the last 一是/二是 ordinal when the block is such a list
    subheadings: bool = False


def _enum_start(text: str) -> int | None:
    m = _ENUM.match(text)
    return _cn_number(m.group(1)) if m else None


def _enum_last(text: str) -> int:
    return max((_cn_number(m.group(1)) for m in _ENUM_INLINE.finditer(text)), default=0)


def _unpunctuated(text: str, limit: int) -> bool:
    return heading_level(text) in (None, PLAIN) and len(_bare(text)) <= limit and not re.search(_PUNCT, text)


def _blocks(paras: list[_Para]) -> tuple[list[_Block], _Para | None]:
    level = heading_level(paras[0].text) if paras else None
    is_title = (level is not None and level < 6 and not _NUMBERING.match(paras[0].text)) or (
        bool(paras) and _unpunctuated(paras[0].text, 40))
    title = paras[0] if len(paras) > 1 and is_title else None
    body = paras[1:] if title else list(paras)
    signature: list[_Para] = []
    while len(body) > 1 and len(signature) < 3 and _unpunctuated(body[-1].text, SHORT):
        signature.insert(0, body.pop())
    blocks: list[_Block] = []
    if body and heading_level(body[0].text) is None:
        blocks.append(_Block(body=[body.pop(0)], kind="intro"))
    levels = [heading_level(p.text) for p in body]
    top = min((lv for lv in levels if lv is not None), default=None)
    last_top = max((i for i, lv in enumerate(levels) if lv == top), default=-1)
    siblings: list[int] = []
    current: _Block | None = None
    for i, p in enumerate(body):
        # A lower heading outside any top-level section heads a section of its own.
        if levels[i] is not None and (levels[i] == top or current is None):
            if current is not None:
                siblings.append(len(current.body))
            current = _Block(heading=p)
            blocks.append(current)
            continue
        if current is not None:
            # A list's last item is about as long as its siblings; what follows it is a
            # separate part (a wrap-up, problems, plans) that merely has no heading.
            limit = max(1, statistics.median(siblings)) if siblings else len(body)
            full = i > last_top and not current.subheadings and len(current.body) >= limit
            if not full and not _CLOSING.match(p.text):
                current.body.append(p)
                current.subheadings |= levels[i] is not None
                continue
            current = None
        _place(blocks, body, i)
    if signature and blocks:
        blocks[-1].body.extend(signature)
    return blocks, title


def _place(blocks: list[_Block], body: list[_Para], i: int) -> None:
    # Paragraphs without headings: a 一是/二是 run is one section (with a short lead-in
    # paragraph before 一是), 同时/此外 continue the previous one, anything else stands alone.
    p, text = body[i], body[i].text
    last = blocks[-1] if blocks else None
    loose = last is not None and last.heading is None and last.kind is None
    start = _enum_start(text)
    if _CLOSING.match(text):
        blocks.append(_Block(body=[p], kind="closing"))
    elif _CONNECTIVE.match(text) and loose:
        last.body.append(p)
    elif start == 1 and loose and last.group is None and len(last.body) == 1 \
            and len(_bare(last.body[0].text)) <= LEAD_MAX and not _enum_last(last.body[0].text):
        last.body.append(p)
        last.group = _enum_last(text)
    elif start is not None and start > 1 and loose and last.group == start - 1:
        last.body.append(p)
        last.group = max(start, _enum_last(text))
    elif loose and last.group is not None and i + 1 < len(body) \
            and _enum_start(body[i + 1].text) == last.group + 1:
        last.body.append(p)  # an unnumbered paragraph inside a running 一是/二是 list
    else:
        blocks.append(_Block(body=[p], group=_enum_last(text) if start else None))


def _kind(block: _Block) -> str:
    heading = block.heading.text if block.heading else ""
    if _PROBLEM_HEAD.search(heading):
        return "problems"
    if _PLAN_HEAD.search(heading):
        return "plans"
    sentences = [s for s in _SENTENCE.findall("".join(p.text for p in block.body)) if s.strip()]
    if not sentences:
        return "work"
    if _PLAN_LEAD.search(_NUMBERING.sub("", sentences[0])):
        return "plans"
    # Problems paragraphs often open with a line of achievements ("经过一年的努力，…"), so
    # the share of sentences naming a shortcoming decides, not the first sentence.
    problems = sum(1 for s in sentences if _PROBLEM_CUE.search(s))
    return "problems" if problems / len(sentences) >= 0.4 else "work"


def _clauses(text: str) -> list[str]:
    # Commas inside “…” or 《…》 belong to a quoted name; a stray □ is what scraped pages
    # leave where a comma was.
    clauses, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch in "“《（(") - (ch in "”》）)")
        if depth <= 0 and ch in "，。；：！？,;:!?□":
            clauses.append(text[start:i])
            start, depth = i + 1, 0
    clauses.append(text[start:])
    return [c.strip() for c in clauses if c.strip()]


def _label(text: str) -> str:
    clauses = _clauses(_CLOSING.sub("", _NUMBERING.sub("", text.strip()))) or [text.strip()]
    # A leading time or setting ("2017年，" "在…指导下，" "…以来，") says nothing about the topic.
    while len(clauses) > 1 and _SETTING.fullmatch(clauses[0]):
        clauses.pop(0)
    clause = re.sub(r"^(?:为了|为使|为)(?=\S{4})", "", _YEAR_HEAD.sub("", clauses[0]))
    if len(clause) <= TITLE_MAX + 4:
        return clause
    # Cut at a word boundary (、 和 及 …, else after a noun like 工作), never inside 《》 or “”.
    head = clause[:TITLE_MAX + 1]
    cuts = [m.start() for m in re.finditer(r"[、和及与暨并]", head) if m.start() >= 6]
    cuts = cuts or [m.end() for m in _NOUN_END.finditer(head) if m.end() >= 6]
    cut = cuts[-1] if cuts else TITLE_MAX
    opened = max(clause.rfind(ch, 0, cut) for ch in "《“")
    if opened > max(clause.rfind(ch, 0, cut) for ch in "》”"):
        closed = min((i for i in (clause.find(ch, cut) for ch in "》”") if i >= 0), default=-1)
        cut = closed + 1 if 0 <= closed < TITLE_MAX + 4 else max(opened, 4)
    return clause[:cut]


def _segment(paras: list[_Para]) -> list[SampleSection]:
    blocks, title = _blocks(paras)
    last = blocks[-1] if blocks else None
    if last and len(blocks) > 1 and last.kind is None and last.heading is None and last.group is None \
            and len(_bare("".join(p.text for p in last.body))) <= LEAD_MAX:
        last.kind = "closing"  # a short final paragraph outside any list is the wrap-up
    sections = []
    for index, block in enumerate(blocks):
        first = block.heading or (block.body[0] if block.body else title)
        label = _label(first.text)
        if block.heading:
            heading = _BOLD.sub(r"\1", _MD.sub(r"\2", block.heading.text.strip()))
            label = _NUMBERING.sub("", heading).strip().rstrip("。.") or label
        sections.append(SampleSection(
            index=index, kind=block.kind or _kind(block), title=label,
            heading=block.heading.text if block.heading else None,
            text="\n".join(p.text for p in block.body), line=first.line,
        ))
    return sections


def segment(text: str) -> list[SampleSection]:
    """Split a sample into its opening, sections and closing (lines count from 1 in `text`)."""
    return _segment(_paragraphs(text))


def _read(path: Path, what: str, max_bytes: int):
    try:
        return read_text(path, what=what, max_bytes=max_bytes)
    except InputError as exc:
        raise SampleError(exc.message, path=exc.path, line=exc.line, hint=exc.hint) from None


def load_sample(path: Path) -> Sample:
    """Read, clean and segment one sample file (.txt or .md)."""
    decoded = _read(Path(path), "范文文件", MAX_SAMPLE_BYTES)
    paras = _paragraphs(decoded.text)
    return Sample(name=Path(path).stem, path=Path(path), text="\n\n".join(p.text for p in paras),
                  sections=tuple(_segment(paras)), encoding=decoded.encoding)


def _sort_key(path: Path) -> tuple:
    # 篇二 before 篇十, sample2 before sample10.
    m = re.search(rf"(\d+|[{_CN}]+)$", path.stem)
    if not m:
        return (path.stem, -1, path.stem)
    number = int(m.group(1)) if m.group(1).isdigit() else _cn_number(m.group(1))
    return (path.stem[:m.start()], number, path.stem)


def _similarity(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, _bare(a), _bare(b), autojunk=False)
    # The cheap upper bounds spare the quadratic comparison for clearly different samples.
    if matcher.real_quick_ratio() < DUPLICATE_RATIO or matcher.quick_ratio() < DUPLICATE_RATIO:
        return 0.0
    return matcher.ratio()


def load_corpus(directory: Path | None = None) -> list[Sample]:
    """Load every .txt/.md sample in `directory` (default: the built-in corpus), in order."""
    from drafter.resources import samples_dir

    folder = Path(directory) if directory is not None else samples_dir()
    if not folder.is_dir():
        problem = "不是文件夹" if folder.exists() else "范文文件夹不存在"
        raise SampleError(problem, path=folder, hint="--samples 需要一个存放 .txt 或 .md 范文的文件夹")
    files = sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
                    and p.suffix.lower() in SAMPLE_SUFFIXES), key=_sort_key)
    if not files:
        raise SampleError("范文文件夹里没有 .txt 或 .md 文件", path=folder,
                          hint="每篇范文存为一个 .txt 或 .md 文件（UTF-8 或 GBK 编码）")
    corpus: list[Sample] = []
    for path in files:
        sample = load_sample(path)
        # Copies point at the first original they match, never at another copy.
        original = next((s.name for s in corpus if s.duplicate_of is None
                         and _similarity(s.text, sample.text) > DUPLICATE_RATIO), None)
        corpus.append(Sample(sample.name, sample.path, sample.text, sample.sections, original,
                             sample.encoding))
    return corpus


def find_sample(corpus: list[Sample], name: str) -> Sample:
    """The sample called `name` (its file stem; the file name works too)."""
    wanted = name.strip()
    if Path(wanted).suffix.lower() in SAMPLE_SUFFIXES:
        wanted = Path(wanted).stem
    for sample in corpus:
        if sample.name == wanted:
            return sample
    names = [s.name for s in corpus]
    close = closest(wanted, names)
    hint = (f"是不是“{close}”？" if close else "") + "可用的范文：" + "、".join(names)
    raise SampleError(f"没有名为“{name}”的范文", hint=hint)


def split_seed(text: str) -> list[tuple[str, str]]:
    """Split a file of several samples (…篇一, …篇二) into [(name, cleaned text)]."""
    parts: list[tuple[str, int, list[str]]] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        m = _SEED_TITLE.match(raw.strip())
        if m and not re.search(_PUNCT, m.group("title")):
            if any(m.group("name") == name for name, _, _ in parts):
                raise SampleError(f"范文“{m.group('name')}”出现了两次", line=number,
                                  hint="每篇范文的标题行须以不同的“篇X”结尾")
            parts.append((m.group("name"), number, []))
        elif parts:  # everything before the first title line is the website's preamble
            parts[-1][2].append(raw)
    if not parts:
        raise SampleError("没有找到范文标题行", hint="每篇范文前须有一行以“篇一”“篇二”……结尾的标题")
    result = []
    for name, number, lines in parts:
        cleaned = clean_text("\n".join(lines))
        if not cleaned:
            raise SampleError(f"范文“{name}”没有正文", line=number)
        result.append((name, cleaned))
    return result


def import_seed(seed: Path, out_dir: Path, *, force: bool = False) -> list[Path]:
    """Write one cleaned UTF-8 file per sample in `seed` to `out_dir`; return their paths."""
    seed, out_dir = Path(seed), Path(out_dir)
    decoded = _read(seed, "范文汇编文件", 10 * MAX_SAMPLE_BYTES)
    if out_dir.exists() and not out_dir.is_dir():
        raise SampleError("输出位置是一个文件，不是文件夹", path=out_dir)
    try:
        parts = split_seed(decoded.text)
    except SampleError as exc:
        raise SampleError(exc.message, path=seed, line=exc.line, hint=exc.hint) from None
    paths = [out_dir / f"{name}.txt" for name, _ in parts]
    existing = [p.name for p in paths if p.exists()]
    if existing and not force:
        # Checked before writing anything, so a refusal leaves the folder as it was.
        raise SampleError("这些范文文件已存在，没有覆盖：" + "、".join(existing), path=out_dir,
                          hint="如确需覆盖请加 --force")
    for path, (_, text) in zip(paths, parts, strict=True):
        write_atomic(path, text + "\n")
    return paths
