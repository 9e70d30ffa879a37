"""Editors' workflow: regenerate sections in place, restore or diff versions, keep hand edits in history.

Every command here changes only section bodies and their status entries: the rest of the draft
file, the editor's own changes included, is written back byte for byte in its own encoding.
"""

from __future__ import annotations

import asyncio
import codecs
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from drafter.document import Draft, normalize, parse_draft, read_draft, replace_section, update_front_matter
from drafter.drafting import (
    FAILED_BODY,
    Events,
    SectionOutcome,
    copies_corpus,
    draft_sections,
    frame_sections,
    open_model,
)
from drafter.errors import InputError
from drafter.facts import Facts, load_facts
from drafter.files import DecodedText, write_atomic_bytes
from drafter.runs import record_sections, recorded_run, sync_edits

OFFLINE_INSTRUCTION_NOTICE = "离线撰写器按事实重写本节，不理解修改要求：--instruction 已忽略（配置模型后可按要求改写）"


@dataclass
class RegenerateResult:
    """What a regeneration did: per-section outcomes, which were written, notices for the user."""

    draft: Path
    outcomes: list[SectionOutcome]
    written: list[str]
    notices: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)   # sections whose hand edits were saved first
    reverted: dict[str, int] = field(default_factory=dict)  # section -> version of the hand edit replaced
    cache_hits: int = 0
    offline: bool = False

    @property
    def ok(self) -> bool:
        """True when every requested section passed and was written."""
        return all(o.status == "passed" and o.id in self.written for o in self.outcomes)


@dataclass
class RestoreResult:
    """A restored section: the version brought back and the new version number recording it."""

    draft: Path
    section: str
    restored: int
    number: int
    status: str


@dataclass
class SectionDiff:
    """A unified diff between a stored version and the section's current text."""

    section: str
    version: int
    lines: list[str]
    from_label: str


def regenerate_sections(draft_path: str | Path, section_ids: list[str], *, settings,
                        instruction: str | None = None, facts: Path | None = None,
                        history: Path | None = None, use_cache: bool = True, keep_failed: bool = False,
                        max_repairs: int = 2, max_prompt_tokens: int = 8000, samples: Path | None = None,
                        on_event: Events | None = None, force: bool = False) -> RegenerateResult:
    """Redraft these sections (check and repair as in drafting) and replace only their bodies.

    The offline composer writes from the facts alone: putting its earlier text back over a hand
    edit is refused unless `force`.
    """
    draft_path = Path(draft_path)
    ids = list(dict.fromkeys(section_ids))
    if not ids:
        raise InputError("没有指定要重新生成的章节", hint="请用 --section 章节ID 指定，可以重复多次")
    if max_repairs < 0:
        raise InputError("--max-repairs 不能为负数")
    with recorded_run(draft_path, history) as run:
        decoded, draft = read_draft(draft_path)
        targets = [draft.section(sid) for sid in ids]
        loaded, notices = _facts_for(draft, facts)
        framed = frame_sections(loaded)
        for sid in ids:
            if not any(s.id == sid for s in framed.sections):
                raise InputError(f"事实文件中没有章节 “{sid}”", path=loaded.path,
                                 hint="请在事实文件中补上这一节，或用 --facts 指定对应的事实文件")
        edited = sync_edits(run.store, draft_path, draft)
        model = open_model(settings, run.store if use_cache else None)
        prompts = {}
        if model is None:
            if instruction and instruction.strip():
                notices.append(OFFLINE_INSTRUCTION_NOTICE)
        else:
            prompts = _prompts(framed, draft, ids, instruction, max_prompt_tokens, samples)
        run.start(command="regenerate", facts=loaded.path, facts_sha256=loaded.sha256, backend=settings.kind,
                  model=settings.model, base_url=settings.base_url, instruction=instruction)
        run.on_failure("interrupted", "中断或出错，草稿没有改动")
        outcomes = asyncio.run(draft_sections([framed.section(sid) for sid in ids], framed, loaded,
                                              model, prompts, len(ids), max_repairs,
                                              on_event or (lambda *a: None), copies_corpus(samples, loaded)))
        keep = {o.id for o in outcomes if o.status == "passed" or (keep_failed and o.text)}
        reverted = _reverted_edits(run.store, draft_path, outcomes, keep) if model is None else {}
        if reverted and not force:
            run.on_failure("failed", "离线撰写器的结果会覆盖手工修改，没有加 --force，草稿没有改动")
            raise _reverting_refused(draft_path, reverted)
        text = decoded.text
        for sec, o in sorted(zip(targets, outcomes, strict=True), key=lambda pair: pair[0].start, reverse=True):
            if o.id in keep:
                text = replace_section(text, sec, o.text or FAILED_BODY)
        run.on_failure("failed", "写入草稿时出错，草稿没有改动")
        if keep:
            if draft.body_start:  # an editor may have removed the front matter: then no status to keep
                entries = {o.id: _status_entry(draft, o) for o in outcomes if o.id in keep}
                changed = draft.meta.get("facts_sha256") not in (None, loaded.sha256)
                fields = {"facts_sha256": loaded.sha256} if changed else None
                text = update_front_matter(text, sections=entries, fields=fields, path=draft_path)
            write_like(draft_path, text, decoded)
        record_sections(run, text, outcomes, settings, origin="regenerated", instruction=instruction,
                        written=keep)
        run.finish("ok" if len(keep) == len(ids) and all(o.status == "passed" for o in outcomes)
                   else "partial" if keep else "failed")
    return RegenerateResult(draft_path, outcomes, [o.id for o in outcomes if o.id in keep], notices,
                            edited, {sid: edit.number for sid, (edit, _) in reverted.items()},
                            getattr(model, "hits", 0), model is None)


def _reverted_edits(store, draft_path: Path, outcomes: list[SectionOutcome], keep: set[str]) -> dict:
    """Hand edits the new text would replace with one the offline composer wrote before: id -> (edit, earlier)."""
    found = {}
    for o in outcomes:
        last = store.last_written(draft_path, o.id) if o.id in keep else None
        new = normalize(o.text or "")
        # sync_edits has just stored any hand edit: the last version written is then the edit.
        if last is None or last.origin != "edited" or normalize(last.text) == new:
            continue
        earlier = [v for v in store.versions(draft_path, o.id)
                   if v.origin in ("drafted", "regenerated") and v.backend == "offline" and normalize(v.text) == new]
        if earlier:
            found[o.id] = (last, earlier[-1])
    return found


def _reverting_refused(draft_path: Path, reverted: dict) -> InputError:
    which = "；".join(f"{sid} 会换回第 {earlier.number} 版（{earlier.origin_name}，"
                     f"{earlier.created[:16].replace('T', ' ')}）的原文，覆盖手工修改（已存为第 {edit.number} 版）"
                     for sid, (edit, earlier) in reverted.items())
    return InputError(f"离线撰写器重新生成的文字与它以前写过的一字不差：{which}。草稿没有改动",
                      path=draft_path,
                      hint="离线撰写器只按事实文件写作，不会参考手工修改。确要换回原文请加 --force，"
                           "手工修改仍保存在历史中，可用 drafter restore 恢复；"
                           "想在手工修改的基础上改写，请用 --provider、--model 配置模型")


def restore_section(draft_path: str | Path, section_id: str, number: int, *,
                    history: Path | None = None, facts: Path | None = None) -> RestoreResult:
    """Put version `number` of a section back into the draft, recorded as a new version."""
    from drafter.check.engine import check_text

    draft_path = Path(draft_path)
    with recorded_run(draft_path, history) as run:
        decoded, draft = read_draft(draft_path)
        sec = draft.section(section_id)
        version = run.store.version(draft_path, section_id, number)
        sync_edits(run.store, draft_path, draft)
        loaded, _ = _facts_for(draft, facts, required=False)
        flagged = len(check_text(version.text, loaded).flagged) if loaded is not None else None
        entry = dict((draft.meta.get("sections") or {}).get(section_id) or {"title": section_id})
        entry.pop("note", None)
        if flagged is not None:
            entry["status"] = "passed" if flagged == 0 else "needs-review"
        text = replace_section(decoded.text, sec, version.text)
        if draft.body_start:
            text = update_front_matter(text, sections={section_id: entry}, path=draft_path)
        write_like(draft_path, text, decoded)
        run.start(command="restore", facts=None, facts_sha256=None, backend=None, model=None, base_url=None)
        body = normalize(parse_draft(text, draft_path).section(section_id).body(text))
        added = run.store.add_version(draft=draft_path, section=section_id, text=body, origin="restored",
                                      run_id=run.id, note=f"恢复自第 {number} 版",
                                      check=None if flagged is None else {"status": entry["status"],
                                                                          "flagged": flagged})
        run.finish("ok")
    return RestoreResult(draft_path, section_id, number, added.number, entry.get("status", ""))


def diff_section(draft_path: str | Path, section_id: str, number: int | None = None, *,
                 history: Path | None = None) -> SectionDiff:
    """Unified diff from a stored version (default: the last one written) to the current text."""
    from drafter.history import History, HistoryError, history_path

    draft_path = Path(draft_path)
    _, draft = read_draft(draft_path)
    current = normalize(draft.section(section_id).body(draft.text))
    store_path = history_path(draft_path, history)
    if not store_path.exists():
        raise HistoryError("这份草稿还没有历史记录", path=store_path,
                           hint="用 drafter draft 或 drafter regenerate 生成后才有历史；"
                                "历史数据库在别处时用 --history 指定")
    with History.open(store_path) as store:
        if number is not None:
            version = store.version(draft_path, section_id, number)
        else:
            version = store.last_written(draft_path, section_id)
            if version is None:
                raise HistoryError(f"章节 “{section_id}” 还没有历史版本", path=draft_path,
                                   hint="用 drafter draft 或 drafter regenerate 生成后才有历史")
    lines = list(difflib.unified_diff(_lines(version.text), _lines(current),
                                      fromfile=f"第 {version.number} 版（{version.origin_name}，{version.created}）",
                                      tofile="当前文件", lineterm=""))
    return SectionDiff(section_id, version.number, lines, f"第 {version.number} 版")


def section_history(draft_path: str | Path, section_id: str | None = None, *,
                    history: Path | None = None) -> list:
    """Every stored version (of one section, or all), after saving hand edits made since the last write."""
    from drafter.errors import DrafterError
    from drafter.history import History, history_path
    from drafter.locking import locked

    draft_path = Path(draft_path)
    store_path = history_path(draft_path, history)
    if not store_path.exists():
        if not draft_path.exists():
            raise InputError("草稿文件不存在", path=draft_path, hint="请检查文件名和所在文件夹")
        return []  # nothing recorded yet: not a reason to create a database
    with History.open(store_path) as store:
        if draft_path.exists():
            _, draft = read_draft(draft_path)
            if section_id is not None:
                draft.section(section_id)
            try:
                with locked(draft_path):  # a command writing the draft now records its own edits
                    sync_edits(store, draft_path, draft)
            except DrafterError:
                pass
        return store.versions(draft_path, section_id)


def _lines(text: str) -> list[str]:
    # Paragraphs of a summary are long single lines: split after sentence ends so that a diff
    # points at the sentence that changed, not the whole paragraph.
    out = []
    for paragraph in normalize(text).split("\n"):
        sentence = ""
        for ch in paragraph:
            sentence += ch
            if ch in "。！？；":
                out.append(sentence)
                sentence = ""
        if sentence or not paragraph:
            out.append(sentence)
    return out


def _facts_for(draft: Draft, override: Path | None, *, required: bool = True) -> tuple[Facts | None, list[str]]:
    """The facts to use (--facts, else the one named in the draft) and a notice if it changed since."""
    path = Path(override) if override is not None else draft.facts_path()
    if path is None:
        if not required:
            return None, []
        raise InputError("草稿没有记录事实文件的位置", path=draft.path,
                         hint="请用 --facts 指定事实文件")
    if not path.exists() and not required:
        return None, []
    loaded = load_facts(path)
    notices = [n for n in (loaded.notice,) if n]
    recorded = draft.meta.get("facts_sha256")
    if recorded and recorded != loaded.sha256:
        notices.append(f"事实文件 {path} 在草稿生成后改动过（sha256 不同）：本次按现在的内容生成，"
                       "并在草稿中记录新的 sha256")
    return loaded, notices


def _prompts(framed: Facts, draft: Draft, ids: list[str], instruction: str | None,
             max_prompt_tokens: int, samples: Path | None) -> dict:
    from drafter.prompts import build_prompt
    from drafter.references import corpus_for

    corpus = corpus_for(framed, samples)
    bodies = {s.id: normalize(s.body(draft.text)) for s in draft.sections}
    # Sections being regenerated together are not context for each other: both are replaced.
    others = {sid: text for sid, text in bodies.items() if sid not in ids}
    return {sid: build_prompt(framed, sid, corpus=corpus, max_prompt_tokens=max_prompt_tokens,
                              instruction=instruction, other_sections=others, current_text=bodies[sid])
            for sid in ids}


def _status_entry(draft: Draft, o: SectionOutcome) -> dict:
    old = (draft.meta.get("sections") or {}).get(o.id)
    entry = {"title": old.get("title", o.title) if isinstance(old, dict) else o.title,
             "status": o.status, "attempts": o.attempts}
    if o.note:
        entry["note"] = o.note
    return entry


def write_like(path: Path, text: str, decoded: DecodedText) -> None:
    """Write text back atomically in the encoding (and byte-order mark) the file had."""
    codec = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}.get(decoded.bom)
    if codec is None:
        codec = "utf-8" if decoded.encoding.startswith("utf-8") else decoded.encoding
    write_atomic_bytes(path, decoded.bom + text.encode(codec))
