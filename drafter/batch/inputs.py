"""The facts files of a batch and what becomes of each one's draft, all settled before any request."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from drafter.drafting import copies_corpus, frame_sections, section_prompts
from drafter.errors import InputError
from drafter.facts import Facts, load_facts
from drafter.files import same_file

FACTS_SUFFIXES = (".yaml", ".yml", ".xlsx")
NEW, REDRAFT, CURRENT = "new", "redraft", "current"


@dataclass
class FilePlan:
    """One facts file: where its draft goes and whether it is drafted (new, redraft) or already current."""

    label: str                  # the facts file's stem: the draft's name and the custom ids' first part
    facts: Facts
    framed: Facts
    output: Path
    state: str                  # NEW, REDRAFT or CURRENT (an up-to-date draft: nothing to do)
    reason: str | None = None   # why a draft that exists is drafted again
    prompts: dict | None = None
    corpus: object = None
    statuses: dict | None = None  # section id → status, of a CURRENT draft


def collect_facts(paths: list[Path]) -> list[Path]:
    """The facts files named or found (directly) in the folders named; InputError naming the path."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix.lower() in FACTS_SUFFIXES and p.is_file()
                            and not p.name.startswith(("~$", ".")))  # Excel's lock files, hidden files
            if not inside:
                raise InputError("文件夹中没有事实文件（.yaml、.yml 或 .xlsx）", path=path,
                                 hint="请把事实文件放进这个文件夹，或直接列出事实文件")
            found += inside
        elif not path.exists():
            raise InputError("找不到这个事实文件或文件夹", path=path, hint="请检查路径；路径含空格时请加引号")
        elif path.suffix.lower() not in FACTS_SUFFIXES:
            raise InputError("不是事实文件：事实文件应为 .yaml、.yml 或 .xlsx", path=path)
        else:
            found.append(path)
    unique: list[Path] = []
    for path in found:  # a file named twice (itself and its folder) is drafted once
        if not any(same_file(path, kept) for kept in unique):
            unique.append(path)
    _refuse_same_stems(unique)
    return unique


def _refuse_same_stems(paths: list[Path]) -> None:
    # Drafts are named after the stem; folders on Windows and macOS ignore case.
    seen: dict[str, Path] = {}
    for path in paths:
        other = seen.setdefault(path.stem.casefold(), path)
        if other is not path:
            raise InputError(f"两个事实文件同名（{other} 和 {path}），草稿都会写成 {path.stem}.md",
                             path=path, hint="请把其中一个改名，或分两次运行、写到不同的 -o 文件夹")


def plan_files(paths: list[Path], outdir: Path, settings, *, force: bool, samples: Path | None,
               max_prompt_tokens: int) -> list[FilePlan]:
    """Load and check every facts file, build its prompts, and settle what becomes of its draft."""
    plans = []
    corpora: dict[str | None, object] = {}  # style samples by folder, loaded once for every file using them
    for path in collect_facts(paths):
        facts = load_facts(path)
        framed = frame_sections(facts)
        output = outdir / f"{path.stem}.md"
        plan = FilePlan(path.stem, facts, framed, output, *_output_state(output, facts, framed, settings, force))
        if plan.state != CURRENT:
            # Built up front: a prompt that cannot fit is an error before any request.
            plan.prompts = section_prompts(framed, facts, settings, samples, max_prompt_tokens,
                                           corpus=_style_corpus(corpora, facts, samples, settings))
            plan.corpus = copies_corpus(samples, facts)
        plans.append(plan)
    return plans


def _style_corpus(corpora: dict, facts: Facts, samples: Path | None, settings):
    """The 范文 this file's prompts draw on: --samples, its own folder, or the built-in ones."""
    if settings.kind == "offline":
        return None
    from drafter.references import corpus_for, default_corpus

    folder = samples if samples is not None else facts.samples_dir
    key = None if folder is None else str(Path(folder).resolve())
    if key not in corpora:
        corpora[key] = corpus_for(facts, samples) if folder is not None else default_corpus()
    return corpora[key]


def _output_state(output: Path, facts: Facts, framed: Facts, settings,
                  force: bool) -> tuple[str, str | None, None, None, dict | None]:
    """(state, reason, prompts, corpus, statuses) for the draft at `output`."""
    from drafter.document import read_draft

    if output.is_dir():
        raise InputError("草稿的位置是一个文件夹", path=output, hint="请把这个文件夹改名，或用 -o 另选输出文件夹")
    if not output.exists():
        return NEW, None, None, None, None
    try:
        draft = read_draft(output)[1]
        named = draft.facts_path() if "drafter" in draft.meta else None
    except InputError:
        draft = named = None
    if named is None or not same_file(named, facts.path):
        if not force:
            whose = "不是 drafter 草稿（或章节标记已损坏）" if named is None else f"是另一个事实文件（{named}）的草稿"
            raise InputError(f"草稿文件已存在，且{whose}，没有覆盖", path=output,
                             hint="如确需覆盖请加 --force，或用 -o 另选输出文件夹")
        return REDRAFT, "加了 --force", None, None, None
    meta = draft.meta
    entries = meta.get("sections") if isinstance(meta.get("sections"), dict) else {}
    statuses = {sid: (entry or {}).get("status") if isinstance(entry, dict) else None
                for sid, entry in entries.items()}
    reason = ("加了 --force" if force
              else "事实文件有改动" if meta.get("facts_sha256") != facts.sha256
              else "模型或服务与上次不同" if meta.get("endpoint") != settings.describe()
              else "章节与事实文件不一致" if list(statuses) != [s.id for s in framed.sections]
              else "上次有起草失败的章节" if "failed" in statuses.values() or None in statuses.values()
              else None)
    if reason is None:
        return CURRENT, None, None, None, statuses
    return REDRAFT, reason, None, None, None
