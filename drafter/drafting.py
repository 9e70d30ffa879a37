"""Drafting: one model call per section, concurrently, each checked and repaired until it passes."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from drafter.document import CLOSING_ID, FORMAT_VERSION, OPENING_ID, RenderedSection, render_draft
from drafter.errors import DrafterError, InputError
from drafter.facts import Facts, Section, load_facts
from drafter.files import refuse_overwrite, write_atomic

FAILED_BODY = "（本节起草失败，原因见文件开头 sections 中本节的 note。请稍后重新生成本节。）"

Events = Callable[[str, str, int], None]  # section id, state, characters received so far


@dataclass
class SectionOutcome:
    """What happened to one section: its text, status, attempts, tokens and time."""

    id: str
    title: str
    kind: str
    text: str = ""
    status: str = "failed"
    attempts: int = 0
    flagged: int = 0
    prompt_tokens: int | None = None
    cached_tokens: int | None = None
    completion_tokens: int | None = None
    received: int = 0
    seconds: float = 0.0
    note: str | None = None
    messages: list | None = None   # the conversation last sent (prompt plus repair rounds)
    response: str | None = None    # the last raw answer, before cleaning

    def add_usage(self, usage) -> None:
        """Add one response's usage; a figure stays None until some response reports it."""
        for name in ("prompt_tokens", "cached_tokens", "completion_tokens"):
            value = getattr(usage, name)
            if value is not None:
                setattr(self, name, (getattr(self, name) or 0) + value)


@dataclass
class DraftResult:
    """A written draft and how each section fared."""

    output: Path
    facts: Facts
    backend: str
    sections: list[SectionOutcome] = field(default_factory=list)
    seconds: float = 0.0
    offline: bool = False
    cache_hits: int = 0
    history: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every section passed the check."""
        return all(s.status == "passed" for s in self.sections)


def frame_sections(facts: Facts) -> Facts:
    """Add an opening and a closing part when the facts file has no intro / closing section."""
    sections = list(facts.sections)
    if not any(s.kind == "intro" for s in sections):
        sections.insert(0, Section(OPENING_ID, "开头", "intro", (), 0, 0, -1))
    if not any(s.kind == "closing" for s in sections):
        sections.append(Section(CLOSING_ID, "结尾", "closing", (), 0, 0, len(sections)))
    return dataclasses.replace(facts, sections=tuple(sections))


def default_output(facts_path: Path) -> Path:
    """Where a draft goes when -o is not given: <facts stem>.draft.md in the current folder."""
    return Path.cwd() / f"{Path(facts_path).stem}.draft.md"


def draft_document(facts_path: str | Path, output: str | Path | None, *, settings,
                   concurrency: int = 4, max_repairs: int = 2, max_prompt_tokens: int = 8000,
                   samples: Path | None = None, force: bool = False,
                   on_event: Events | None = None, history: Path | None = None,
                   use_cache: bool = True) -> DraftResult:
    """Draft every section of a facts file, check and repair each, write the draft atomically."""
    from drafter.runs import record_sections, recorded_run, sync_edits

    facts = load_facts(facts_path)
    output = Path(output) if output is not None else default_output(Path(facts_path))
    refuse_overwrite(output, force=force, example="草稿.md")
    if concurrency < 1 or max_repairs < 0:
        raise InputError("--concurrency 至少为 1，--max-repairs 不能为负数")
    framed = frame_sections(facts)
    started = time.monotonic()
    with recorded_run(output, history) as run:
        if output.exists():
            try:
                sync_edits(run.store, output)  # hand edits of the draft being replaced stay in history
            except InputError:
                pass  # not a draft, or markers too damaged to tell sections apart: --force was given
        prompts = {}
        if settings.kind != "offline":
            from drafter.prompts import build_prompts
            from drafter.references import corpus_for

            # Built up front, shared work once: a prompt that cannot fit fails before any model call.
            prompts = {p.section_id: p for p in build_prompts(framed, corpus=corpus_for(facts, samples),
                                                               max_prompt_tokens=max_prompt_tokens)}
        model = open_model(settings, run.store if use_cache else None)
        run.start(command="draft", facts=facts.path, facts_sha256=facts.sha256, backend=settings.kind,
                  model=settings.model, base_url=settings.base_url)
        run.on_failure("interrupted")
        outcomes = asyncio.run(draft_sections(list(framed.sections), framed, facts, model, prompts,
                                              concurrency, max_repairs, on_event or (lambda *a: None)))
        result = DraftResult(output, facts, settings.describe(), outcomes, time.monotonic() - started,
                             offline=settings.kind == "offline", cache_hits=getattr(model, "hits", 0),
                             history=run.store.path)
        run.on_failure("failed", "写出草稿时出错")
        text = render_result(result, framed, settings)
        write_atomic(output, text)
        record_sections(run, text, outcomes, settings, origin="drafted")
        run.finish("ok" if result.ok else "partial")
    return result


def open_model(settings, store=None):
    """The chat model for settings (None for the offline composer), answering from the cache when given."""
    if settings.kind == "offline":
        return None
    from drafter.backends import build_model

    model = build_model(settings)
    if store is None:
        return model
    from drafter.caching import CachedModel

    return CachedModel(model, store, settings)


def render_result(result: DraftResult, framed: Facts, settings) -> str:
    """Render the draft text (front matter, title, sections, 落款) for a drafting result."""
    facts = result.facts
    meta = {
        "drafter": FORMAT_VERSION,
        "title": facts.title,
        "unit": facts.unit,
        "period": facts.period,
        "facts": _relative(facts.path, result.output.parent),
        "facts_sha256": facts.sha256,
        "backend": settings.kind,
        "model": settings.model,
        "endpoint": settings.describe(),
        "created": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
    }
    by_id = {o.id: o for o in result.sections}
    rendered = [RenderedSection(s.id, s.title, s.kind, by_id[s.id].text or FAILED_BODY,
                                by_id[s.id].status, by_id[s.id].attempts, by_id[s.id].note)
                for s in framed.sections]
    return render_draft(meta=meta, title=facts.title, sections=rendered, author=facts.author,
                        date=facts.date)


def _relative(path: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return str(path.resolve())


async def draft_sections(sections: list[Section], framed: Facts, facts: Facts, model, prompts: dict,
                         concurrency: int, max_repairs: int, on_event: Events) -> list[SectionOutcome]:
    """Draft, check and repair these sections concurrently (model None: the offline composer)."""
    gate = asyncio.Semaphore(concurrency)
    for sec in sections:
        on_event(sec.id, "queued", 0)

    async def one(sec: Section) -> SectionOutcome:
        async with gate:
            outcome = SectionOutcome(sec.id, sec.title, sec.kind)
            started = time.monotonic()
            try:
                if model is None:
                    await _compose_offline(framed, facts, sec, outcome, on_event)
                else:
                    await _draft_with_model(model, framed, facts, sec, prompts[sec.id], outcome,
                                            max_repairs, on_event)
            except DrafterError as exc:
                if isinstance(exc, InputError):
                    raise
                outcome.status, outcome.note = "failed", exc.render()
            outcome.seconds = time.monotonic() - started
            on_event(sec.id, "failed" if outcome.status == "failed" else "done", outcome.received)
            return outcome

    try:
        return list(await asyncio.gather(*(one(s) for s in sections)))
    finally:
        if model is not None:
            await model.aclose()


async def _compose_offline(framed: Facts, facts: Facts, sec: Section, outcome: SectionOutcome,
                           on_event: Events) -> None:
    from drafter.composer import compose_closing, compose_opening, compose_section

    on_event(sec.id, "drafting", 0)
    if sec.id == OPENING_ID:
        text = compose_opening(facts)
    elif sec.id == CLOSING_ID:
        text = compose_closing(facts)
    else:
        text = compose_section(facts, sec.id)
    outcome.text, outcome.attempts, outcome.received = text, 1, len(text)
    on_event(sec.id, "checking", outcome.received)
    _judge(outcome, facts, text)


def _judge(outcome: SectionOutcome, facts: Facts, text: str):
    """Check a section's text against the whole facts file; set status and return the report."""
    from drafter.check.engine import check_text

    report = check_text(text, facts, kind=outcome.kind)
    outcome.flagged = len(report.flagged)
    outcome.status = "passed" if not report.flagged else "needs-review"
    return report


async def _draft_with_model(model, framed: Facts, facts: Facts, sec: Section, prompt,
                            outcome: SectionOutcome, max_repairs: int, on_event: Events) -> None:
    from drafter.prompts import build_repair_message
    from drafter.responses import clean_response

    messages = list(prompt.messages)
    max_tokens = prompt.max_tokens
    truncated_once = False
    empty_once = False
    rounds = 0

    def received(delta: str) -> None:
        outcome.received += len(delta)
        on_event(sec.id, "repairing" if rounds else "drafting", outcome.received)

    while True:
        on_event(sec.id, "repairing" if rounds else "drafting", outcome.received)
        outcome.attempts += 1
        outcome.messages = list(messages)
        completion = await model.complete(messages, max_tokens=max_tokens, on_delta=received)
        outcome.response = completion.text
        outcome.add_usage(completion.usage)
        text = clean_response(completion.text, title=sec.title).text.strip()
        if completion.finish_reason == "length":
            if not truncated_once:
                # One retry with room to finish; a second cut-off is kept and marked.
                truncated_once, max_tokens = True, max_tokens * 2
                continue
            outcome.note = "模型输出被截断（finish_reason=length），本节可能不完整"
        if not text:
            if not empty_once:
                empty_once = True
                continue
            outcome.status, outcome.note = "failed", "模型两次返回了空内容"
            return
        outcome.text = text
        on_event(sec.id, "checking", outcome.received)
        report = _judge(outcome, facts, text)
        if outcome.note and outcome.status == "passed":
            outcome.status = "needs-review"
        if not report.flagged or rounds >= max_repairs or outcome.note:
            return
        rounds += 1
        problems = [_problem(m, facts, sec) for m in report.flagged]
        messages += [{"role": "assistant", "content": text},
                     build_repair_message(problems, framed, sec.id)]


def _problem(mention, facts: Facts, sec: Section) -> dict:
    """What the repair message says about one flagged number."""
    from drafter.check.report import fact_location

    nearby = [f"{s.text}（{fact_location(facts.path, s)}）" for s in sec.facts]
    if mention.fact and not any(mention.fact in n for n in nearby):
        nearby.insert(0, f"{mention.fact}（{mention.fact_location}）")
    return {"text": mention.text, "verdict": mention.verdict, "reason": mention.reason,
            "context": getattr(mention, "context", "") or mention.text, "nearby_facts": nearby}
