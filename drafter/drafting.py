"""Drafting: one model call per section, concurrently, each checked and repaired until it passes."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from drafter.document import CLOSING_ID, FORMAT_VERSION, OPENING_ID, RenderedSection, render_draft
from drafter.errors import DrafterError, InputError
from drafter.facts import Facts, Section, load_facts
from drafter.files import refuse_overwrite, write_atomic

FAILED_BODY = "（本节起草失败，原因见文件开头 sections 中本节的 note。请稍后重新生成本节。）"
# An unusable answer (empty, only the primer, the prompt echoed, a loop, far too long) is asked
# again with the task restated, once per kind and at most this often per section.
ANSWER_RETRIES = 2
ANSWER_NOTES = {
    "empty": "模型两次返回了空内容",
    "primer": "模型只复述了开场的确认语（“请告诉我要写哪一节”），把任务重新交代后仍没有写本节正文",
    "echo": "模型的回答大多是在复述提示词（写作任务、本节事实、篇幅等），去掉后剩下的正文太少；重试后仍然如此",
    "loop": "模型反复输出同样的文字（陷入循环），去掉重复后剩下的正文太少；重试后仍然如此",
}
TRUNCATED_NOTE = "模型输出被截断（finish_reason=length），本节可能不完整"
LOOP_NOTE = "模型输出陷入重复并在 max_tokens 处被截断：已去掉重复的文字，本节可能不完整，请人工核对"
CUT_FACTOR = 2  # an overlong answer is cut to about this many times the section's target length

Events = Callable[[str, str, int], None]  # section id, state, characters received so far
# The section the current task is drafting: a model that labels its requests (a batch round's
# custom ids) reads it; each section is drafted in its own asyncio task, with its own context.
DRAFTING_SECTION: ContextVar[str | None] = ContextVar("drafting_section", default=None)


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
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every section passed the check."""
        return all(s.status == "passed" for s in self.sections)


class DraftFailedError(DrafterError):
    """No section could be drafted: no draft was written, an existing file is left as it was (exit 1)."""


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
    from drafter.runs import recorded_run, sync_edits

    facts = load_facts(facts_path)
    output = Path(output) if output is not None else default_output(Path(facts_path))
    refuse_overwrite(output, force=force, example="草稿.md", inputs=(Path(facts_path),))
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
        # Built up front, shared work once: a prompt that cannot fit fails before any model call.
        prompts = section_prompts(framed, facts, settings, samples, max_prompt_tokens)
        model = open_model(settings, run.store if use_cache else None)
        run.start(command="draft", facts=facts.path, facts_sha256=facts.sha256, backend=settings.kind,
                  model=settings.model, base_url=settings.base_url)
        run.on_failure("interrupted")
        outcomes = asyncio.run(draft_sections(list(framed.sections), framed, facts, model, prompts,
                                              concurrency, max_repairs, on_event or (lambda *a: None),
                                              copies_corpus(samples, facts)))
        result = DraftResult(output, facts, settings.describe(), outcomes, time.monotonic() - started,
                             offline=settings.kind == "offline", cache_hits=getattr(model, "hits", 0),
                             history=run.store.path, notices=server_notices(model, concurrency))
        write_result(run, result, framed, settings, drafted_by_model=model is not None)
    return result


def section_prompts(framed: Facts, facts: Facts, settings, samples: Path | None,
                    max_prompt_tokens: int, corpus=None) -> dict:
    """Every section's prompt by id (none for the offline composer); a prompt that cannot fit is an InputError.

    `corpus`: the style samples already loaded (several drafts share them); else loaded here.
    """
    if settings.kind == "offline":
        return {}
    from drafter.prompts import build_prompts
    from drafter.references import corpus_for

    if corpus is None:
        corpus = corpus_for(facts, samples)
    return {p.section_id: p for p in build_prompts(framed, corpus=corpus, max_prompt_tokens=max_prompt_tokens)}


def write_result(run, result: DraftResult, framed: Facts, settings, *, drafted_by_model: bool) -> None:
    """Write a drafting result atomically and record its sections and the run's end in history.

    When a model drafted and every section failed, nothing is written (DraftFailedError).
    """
    from drafter.runs import record_sections

    run.on_failure("failed", "写出草稿时出错")
    text = render_result(result, framed, settings)
    outcomes = result.sections
    if drafted_by_model and all(o.status == "failed" for o in outcomes):
        # A draft of failure notes is worth nothing and would replace the file given with --force.
        record_sections(run, text, outcomes, settings, origin="drafted", written=set())
        error = _nothing_drafted(outcomes, result.output)
        run.finish("failed", error.message)
        raise error
    write_atomic(result.output, text)
    record_sections(run, text, outcomes, settings, origin="drafted")
    run.finish("ok" if result.ok else "partial")


def _nothing_drafted(outcomes: list[SectionOutcome], output: Path) -> DraftFailedError:
    reasons = list(dict.fromkeys(o.note for o in outcomes if o.note))
    kept = "原有文件没有改动" if output.exists() else "没有写出文件"
    return DraftFailedError(f"所有章节都起草失败，{kept}（{output}）。原因：{'；'.join(reasons[:2]) or '未知'}",
                            hint="请按原因处理后重新运行")


def server_notices(model, requested: int) -> list[str]:
    """What the user should know about the server's capacity after a run: slots, interruptions."""
    load = getattr(model, "load", None)
    if load is None:
        return []
    notices = []
    if load.slots is not None and load.slots < requested:
        notices.append(f"本地模型服务一次只处理 {load.slots} 个请求（llama.cpp 的 llama-server 在 /props 报告 "
                       f"total_slots，其他本地服务不报告，按 1 个计）：本次按 {load.slots} 路起草，"
                       f"没有按 --concurrency {requested} 同时发送")
    if load.interrupted:
        notices.append(f"模型服务 {load.interrupted} 次中断了正在生成的回答（同时收到的请求多于它能处理的），"
                       f"已自动重试，本次运行的并发降到了 {load.limit} 路")
    return notices


def copies_corpus(samples: Path | None, facts: Facts):
    """The 范文 a draft is checked against for copies: --samples, the facts' folder, or the built-in."""
    from drafter.check.copies import load_corpus_texts

    folder = samples if samples is not None else facts.samples_dir
    return load_corpus_texts(folder) if folder is None or Path(folder).is_dir() else None


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
                         concurrency: int, max_repairs: int, on_event: Events,
                         corpus=None) -> list[SectionOutcome]:
    """Draft, check and repair these sections concurrently (model None: the offline composer).

    `corpus` (check.copies.Corpus) is the 范文 the prompts drew on: a section copying from it, or
    naming its places, is sent back like a wrong number.
    """
    try:
        return await section_outcomes(sections, framed, facts, model, prompts, asyncio.Semaphore(concurrency),
                                      max_repairs, on_event, corpus)
    finally:
        if model is not None:
            await model.aclose()


async def section_outcomes(sections: list[Section], framed: Facts, facts: Facts, model, prompts: dict,
                           gate: asyncio.Semaphore, max_repairs: int, on_event: Events,
                           corpus=None) -> list[SectionOutcome]:
    """Draft, check and repair these sections, as many at once as `gate` lets in; the model stays open.

    Several drafts share one gate (and one model) to stay within one concurrency limit.
    """
    for sec in sections:
        on_event(sec.id, "queued", 0)

    async def one(sec: Section) -> SectionOutcome:
        async with gate:
            DRAFTING_SECTION.set(sec.id)  # each section runs in its own task, with its own context
            outcome = SectionOutcome(sec.id, sec.title, sec.kind)
            started = time.monotonic()
            try:
                if model is None:
                    await _compose_offline(framed, facts, sec, outcome, on_event, corpus)
                else:
                    await _draft_with_model(model, framed, facts, sec, prompts[sec.id], outcome,
                                            max_repairs, on_event, corpus)
            except DrafterError as exc:
                if isinstance(exc, InputError):
                    raise
                outcome.status, outcome.note = "failed", exc.render()
            outcome.seconds = time.monotonic() - started
            on_event(sec.id, "failed" if outcome.status == "failed" else "done", outcome.received)
            return outcome

    return list(await asyncio.gather(*(one(s) for s in sections)))


async def _compose_offline(framed: Facts, facts: Facts, sec: Section, outcome: SectionOutcome,
                           on_event: Events, corpus=None) -> None:
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
    _judge(outcome, facts, text, corpus)


def _check(text: str, facts: Facts, kind: str, corpus):
    """The checker's report on one section: numbers, names, copied passages and echoed prompt text."""
    from drafter.check.engine import check_text

    return check_text(text, facts, kind=kind, corpus=corpus)


def _judge(outcome: SectionOutcome, facts: Facts, text: str, corpus=None):
    """Check a section's text against the whole facts file; set status and return the report."""
    report = _check(text, facts, outcome.kind, corpus)
    outcome.flagged = len(report.flagged) + len(report.flagged_names) + len(report.copies)
    outcome.status = "passed" if report.ok else "needs-review"
    if not report.ok and (report.flagged_names or report.copies):
        outcome.note = _problems_note(_names_and_copies(report))
    return report


async def _draft_with_model(model, framed: Facts, facts: Facts, sec: Section, prompt,
                            outcome: SectionOutcome, max_repairs: int, on_event: Events, corpus=None) -> None:
    from drafter.prompts import build_repair_message

    talk = _Conversation(model, sec, prompt, outcome, on_event)
    while True:
        text, note = await talk.usable_answer()
        if text is None and outcome.text:
            # A repair round came back unusable: the checked text of the round before stands.
            outcome.status = "needs-review"
            outcome.note = "；".join(n for n in (outcome.note, f"修正时{note}") if n)
            return
        if text is None:
            outcome.status, outcome.note = "failed", note
            return
        outcome.text = text
        on_event(sec.id, "checking", outcome.received)
        problems = _review(outcome, facts, sec, text, corpus)
        outcome.status = "passed" if not problems and not note else "needs-review"
        outcome.note = "；".join(n for n in (note, _problems_note(problems)) if n) or None
        if not problems or talk.rounds >= max_repairs or note:
            return
        talk.repair(text, build_repair_message(problems, framed, sec.id))


class _Conversation:
    """One section's exchange with the model: the messages so far, token room, retries spent."""

    def __init__(self, model, sec: Section, prompt, outcome: SectionOutcome, on_event: Events):
        self.model = model
        self.sec = sec
        self.target = prompt.target_chars
        self.outcome = outcome
        self.on_event = on_event
        self.messages = list(prompt.messages)
        self.request = self.messages[-1]  # the task or repair message as first asked
        self.max_tokens = prompt.max_tokens
        self.doubled = False
        self.retried: list[str] = []
        self.rounds = 0

    def repair(self, text: str, message: dict[str, str]) -> None:
        """Send the checked text back with what is wrong with it."""
        self.rounds += 1
        self.messages += [{"role": "assistant", "content": text}, message]
        self.request = message

    async def usable_answer(self) -> tuple[str | None, str | None]:
        """Ask until the answer is usable: (text, note), or (None, why not) when it never is."""
        from drafter.responses import answer_problem

        while True:
            completion, cleaned = await self._ask()
            problem = answer_problem(cleaned, target_chars=self.target, truncated=completion.truncated)
            if problem is None and not completion.truncated:
                return cleaned.text, None
            if problem is None:
                if self.doubled:
                    return cleaned.text, TRUNCATED_NOTE
                # One retry with room to finish; a second cut-off is kept and marked.
                self.doubled, self.max_tokens = True, self.max_tokens * 2
            elif problem not in self.retried and len(self.retried) < ANSWER_RETRIES:
                self.retried.append(problem)
                self._restate(problem, len(cleaned.text))
            else:
                return self._last_resort(problem, cleaned.text)

    async def _ask(self):
        from drafter.responses import clean_response

        def received(delta: str) -> None:
            self.outcome.received += len(delta)
            self.on_event(self.sec.id, state, self.outcome.received)

        state = "repairing" if self.rounds else "drafting"
        self.on_event(self.sec.id, state, self.outcome.received)
        self.outcome.attempts += 1
        self.outcome.messages = list(self.messages)
        # A server that ignores max_tokens could stream without end: stop reading well past it.
        completion = await self.model.complete(self.messages, max_tokens=self.max_tokens, on_delta=received,
                                               max_chars=4 * self.max_tokens)
        self.outcome.response = completion.text
        self.outcome.add_usage(completion.usage)
        return completion, clean_response(completion.text, title=self.sec.title)

    def _restate(self, problem: str, chars: int) -> None:
        """Ask again with the task restated; the shared prefix stays byte-identical for caches."""
        from drafter.prompts import render

        content = render("retry.j2", problem=problem, request=self.request["content"], title=self.sec.title,
                         target_chars=self.target, chars=chars)
        self.messages[-1] = {"role": "user", "content": content}

    def _last_resort(self, problem: str, text: str) -> tuple[str | None, str | None]:
        from drafter.responses import cut_to_length

        if problem == "overlong":
            cut = cut_to_length(text, CUT_FACTOR * self.target)
            return cut, (f"模型写了约 {len(text)} 字，远超本节约 {self.target} 字的篇幅：已截取前 {len(cut)} 字，"
                         "请人工核对")
        if problem == "loop" and len(text) >= self.target / 2:
            return text, LOOP_NOTE
        return None, ANSWER_NOTES[problem]


def _review(outcome: SectionOutcome, facts: Facts, sec: Section, text: str, corpus=None) -> list[dict]:
    """Check a model's section: flagged numbers, placeholders, names, copies and its own facts it left out."""
    report = _check(text, facts, outcome.kind, corpus)
    outcome.flagged = len(report.flagged) + len(report.placeholders) + len(report.flagged_names) + len(report.copies)
    problems = [_problem(m, facts, sec) for m in report.flagged]
    problems += [_placeholder(p, text) for p in report.placeholders]
    problems += _names_and_copies(report)
    problems += _omitted(report, sec, text)
    return problems


def _names_and_copies(report) -> list[dict]:
    """Names out of place (南坝 in 芦洲乡's text, 我镇 for a 乡) and copied passages, as repair problems."""
    out = [{"text": n.text, "verdict": "name", "reason": n.reason, "context": "", "nearby_facts": []}
           for n in report.flagged_names]
    out += [{"text": c.text if len(c.text) <= 40 else c.text[:40] + "……", "verdict": "copy",
             "reason": ("这是提示词里的说明，不是正文，删去" if c.kind == "prompt"
                        else f"与范文（{c.source}）的句子相同：范文只学文风，请用自己的话、按本单位的事实重写"),
             "context": "", "nearby_facts": []} for c in report.copies]
    return out


def _placeholder(placeholder, text: str) -> dict:
    mask = set(placeholder.text) <= set("○〇")
    reason = "“○○”是范文里遮盖数字的记号，不是内容，不能照抄；要么换成事实中的数字，要么删去" if mask else ""
    context = text[max(0, placeholder.start - 20):placeholder.end + 20].replace("\n", " ")
    return {"text": placeholder.text, "verdict": "placeholder", "reason": reason, "context": context,
            "nearby_facts": []}


def _omitted(report, sec: Section, text: str) -> list[dict]:
    """The section's own facts the text leaves out, one problem per statement.

    A statement with numbers is left out when a number of it is never mentioned; one without
    numbers (成立领导小组…) when its wording is nowhere in the text.
    """
    from drafter.prompts import half_width

    own = {f.text for f in sec.facts}  # not its title: the heading is the layout's, not the text's
    missing: dict[str, list[str]] = {}
    for unused in report.unused_facts:
        if unused.section == sec.id and unused.text in own:
            missing.setdefault(unused.text, []).append(unused.mention)
    numbered = {u.text for u in report.unused_facts} | {m.fact for m in report.mentions if m.fact}
    for statement in own - numbered:
        if not wording_used(statement, text, heading=sec.title):
            missing.setdefault(statement, [])
    return [{"text": half_width(statement), "verdict": "omitted", "reason": "、".join(m for m in mentions if m),
             "context": "", "nearby_facts": []} for statement, mentions in missing.items()]


# A fact without numbers is written when this share of its two-character words is in the text:
# a paraphrase keeps its nouns (领导小组, 文化大楼); a text about something else shares almost none.
WORDING_SHARE = 0.2


def wording_used(statement: str, text: str, heading: str = "") -> bool:
    """Whether the text says what a statement without numbers says, closely enough to be its wording.

    Words of the section's heading do not count: a model that only writes the heading back
    (制定责任落实方案。) has not written 制定《…责任落实方案》.
    """
    from drafter.check.matching import grams

    words = grams(statement) - grams(heading)  # less the genre's own words (工作, 开展, 创建…)
    if not words:
        return True  # nothing to compare (Latin letters, marks): not this check's to judge
    return sum(w in text for w in words) >= WORDING_SHARE * len(words)



def _problems_note(problems: list[dict]) -> str | None:
    """The note a reviewer reads for what no repair fixed: omitted facts, placeholders, names, copies."""
    omitted = [p["text"] for p in problems if p["verdict"] == "omitted"]
    marks = list(dict.fromkeys(p["text"] for p in problems if p["verdict"] == "placeholder"))
    names = list(dict.fromkeys(p["text"] for p in problems if p["verdict"] == "name"))
    copies = [p["text"] for p in problems if p["verdict"] == "copy"]
    parts = []
    if omitted:
        parts.append("本节事实未写到：" + "；".join(omitted))
    if marks:
        parts.append("文中留有未填写的占位符：" + "、".join(marks))
    if names:
        parts.append("名称需核对：" + "、".join(names))
    if copies:
        parts.append("照抄了范文或提示词：" + "；".join(copies))
    return "；".join(parts) or None


def _problem(mention, facts: Facts, sec: Section) -> dict:
    """What the repair message says about one flagged number."""
    from drafter.check.report import fact_location

    nearby = [f"{s.text}（{fact_location(facts.path, s)}）" for s in sec.facts]
    if mention.fact and not any(mention.fact in n for n in nearby):
        nearby.insert(0, f"{mention.fact}（{mention.fact_location}）")
    return {"text": mention.text, "verdict": mention.verdict, "reason": mention.reason,
            "context": getattr(mention, "context", "") or mention.text, "nearby_facts": nearby}
