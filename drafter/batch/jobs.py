"""`drafter batch`: a draft for each of many facts files, live or through a Batch API, resumable.

Every facts file, prompt and output is checked before any request (inputs.plan_files). Live, the
sections of all files share one concurrency limit, one model (so one set of server slots) and one
rate-limit pause; with `--via batch-api` (or `--export-jsonl`) they share the rounds of one batch.
Either way each file's sections are drafted, checked and repaired by drafting.section_outcomes,
and each draft is written and recorded as `drafter draft` writes it, as soon as its file is done.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from drafter.batch.events import Listener
from drafter.batch.inputs import CURRENT, FilePlan, plan_files
from drafter.batch.rounds import DRAFTING_FILE, RoundExported, Rounds, RoundsLog, import_results
from drafter.drafting import DraftFailedError, DraftResult, section_outcomes, server_notices, write_result
from drafter.errors import InputError, StorageError
from drafter.files import os_problem, refuse_overwrite
from drafter.history import History, history_path

VIA = ("live", "batch-api")
REPORT_NAME = "batch-report.json"
STATUS_ORDER = ("passed", "needs-review", "failed")


@dataclass
class FileResult:
    """One facts file's outcome: its draft's section statuses, the requests and tokens this run spent."""

    label: str
    facts: Path
    output: Path
    state: str                         # drafted, current (up to date, not drafted again), not-written, pending
    statuses: dict[str, str]           # section id → passed, needs-review, failed
    requests: int = 0                  # requests that reached the model in this run
    cached: int = 0                    # answers taken from the cache
    prompt_tokens: int | None = None
    cached_tokens: int | None = None
    completion_tokens: int | None = None
    reason: str | None = None          # why an existing draft was drafted again
    error: str | None = None           # why no draft was written
    notes: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def status(self) -> str:
        """failed when a section failed or no draft was written, needs-review, passed; pending when not drafted yet."""
        values = set(self.statuses.values())
        if self.state == "pending":
            return "pending"
        if self.state == "not-written" or "failed" in values:
            return "failed"
        return "needs-review" if "needs-review" in values else "passed"

    def counts(self) -> dict[str, int]:
        """Sections by status."""
        return {s: sum(1 for v in self.statuses.values() if v == s) for s in STATUS_ORDER}


@dataclass
class BatchResult:
    """A batch run: each file's result, the batches used, what was exported or imported."""

    outdir: Path
    via: str
    settings: object
    files: list[FileResult]
    seconds: float = 0.0
    report: Path | None = None
    notices: list[str] = field(default_factory=list)
    log: RoundsLog = field(default_factory=RoundsLog)
    exported: Path | None = None
    exported_requests: int = 0
    exported_round: int | None = None
    imported: tuple[int, int] | None = None    # (answered, failed) lines of --import-jsonl

    @property
    def ok(self) -> bool:
        """True when every section of every file passed (and nothing is left to import)."""
        return self.exported is None and all(f.status == "passed" for f in self.files)

    def totals(self) -> dict:
        """Requests and tokens of the whole run, and files by status."""
        def total(name: str) -> int:
            return sum(getattr(f, name) or 0 for f in self.files)

        return {"files": len(self.files), **{s: sum(1 for f in self.files if f.status == s) for s in STATUS_ORDER},
                "requests": total("requests"), "cached_answers": total("cached"),
                "prompt_tokens": total("prompt_tokens"), "cached_tokens": total("cached_tokens"),
                "completion_tokens": total("completion_tokens")}


class _Meter:
    """One file's view of the shared model: counts the requests that reach it and their tokens."""

    def __init__(self, model):
        self.model = model
        self.requests = 0
        self.usage: dict[str, int | None] = {"prompt_tokens": None, "cached_tokens": None, "completion_tokens": None}

    @property
    def load(self):
        """The shared model's server capacity (slots, interruptions)."""
        return self.model.load

    async def capacity(self) -> int | None:
        """Requests the shared model's server answers at once."""
        return await self.model.capacity()

    async def aclose(self) -> None:
        """Nothing: the shared model is closed once, by the job."""

    async def complete(self, messages, **options):
        """Ask the shared model, counting the request and its tokens."""
        self.requests += 1
        completion = await self.model.complete(messages, **options)
        for name, value in self.usage.items():
            reported = getattr(completion.usage, name)
            if reported is not None:
                self.usage[name] = (value or 0) + reported
        return completion


def draft_batch(facts_paths: list[Path], outdir: Path, *, settings, via: str = "live", concurrency: int = 4,
                max_repairs: int = 2, max_prompt_tokens: int = 8000, poll_interval: float = 30.0,
                samples: Path | None = None, force: bool = False, history: Path | None = None,
                use_cache: bool = True, export_jsonl: Path | None = None, import_jsonl: Path | None = None,
                listener: Listener | None = None) -> BatchResult:
    """Draft every facts file into OUTDIR/<stem>.md and write OUTDIR/batch-report.json."""
    started = time.monotonic()
    listener = listener or Listener()
    _check_options(settings, via, concurrency, max_repairs, poll_interval, export_jsonl, import_jsonl)
    outdir = Path(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise InputError("-o 应为输出文件夹，这里是一个文件", path=outdir, hint="请用 -o 指定一个文件夹，例如 -o 草稿")
    plans = plan_files(facts_paths, outdir, settings, force=force, samples=samples,
                       max_prompt_tokens=max_prompt_tokens)
    if export_jsonl is not None:  # never over a facts file or the results being imported, --force or not
        refuse_overwrite(export_jsonl, force=True, example="第1轮请求.jsonl",
                         inputs=[p.facts.path for p in plans] + [import_jsonl])
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"无法创建输出文件夹：{os_problem(exc)}", path=outdir,
                           hint="请检查权限，或用 -o 另选一个文件夹") from None
    with History.open(history_path(outdir / REPORT_NAME, history)) as store:
        if export_jsonl is not None and not _exported_before(store, Path(export_jsonl)):
            refuse_overwrite(export_jsonl, force=force, example="第1轮请求.jsonl")
        imported = import_results(store, Path(import_jsonl)) if import_jsonl is not None else None
        job = _Job(settings, store, listener, via=via, concurrency=concurrency, max_repairs=max_repairs,
                   poll_interval=poll_interval, use_cache=use_cache, export=export_jsonl)
        result = BatchResult(outdir, via, settings, [], imported=imported)
        try:
            job.run(plans, result)
        except KeyboardInterrupt as exc:
            exc.drafts_written = sum(1 for f in job.results.values() if f.state == "drafted")
            exc.batches_open = len(store.batches(open_only=True, kind="api"))
            raise
        result.files = [job.results.get(p.label) or _unfinished(p) for p in plans]
        result.seconds = time.monotonic() - started
        result.notices += [n for n in (job.pause.notice() if job.pause else None,) if n]
        if result.exported is None:
            from drafter.batch.report import write_report

            result.report = write_report(outdir / REPORT_NAME, result)
    return result


def _check_options(settings, via: str, concurrency: int, max_repairs: int, poll_interval: float,
                   export_jsonl: Path | None, import_jsonl: Path | None) -> None:
    from drafter.batch.endpoint import OTHER_ENGINES

    if via not in VIA:
        raise InputError(f"--via 只能是 live（实时逐节起草）或 batch-api（服务商的批处理接口），而不是 “{via}”")
    if concurrency < 1 or max_repairs < 0:
        raise InputError("--concurrency 至少为 1，--max-repairs 不能为负数")
    if poll_interval <= 0:
        raise InputError("--poll-interval 应大于 0 秒", hint="例如 --poll-interval 30")
    if (via == "batch-api" or export_jsonl is not None or import_jsonl is not None) and settings.kind != "openai":
        raise InputError("批处理需要指定模型服务（请求里要写明模型）",
                         hint="请用 --provider、--model 或 --base-url 指定")
    if via == "batch-api" and export_jsonl is None and settings.provider == "deepseek":
        raise InputError("DeepSeek 没有批处理接口", hint="请改用 --via live 逐节实时起草；" + OTHER_ENGINES)


def _exported_before(store, path: Path) -> bool:
    """Whether `path` is a round this folder exported before (written again without --force)."""
    return any(b.input_path == store.draft_key(path) for b in store.batches(kind="export"))


def _current(plan: FilePlan) -> FileResult:
    return FileResult(plan.label, plan.facts.path, plan.output, "current", dict(plan.statuses or {}),
                      warnings=plan.facts.warning_lines())


def _unfinished(plan: FilePlan) -> FileResult:
    """A file the run stopped before (its round was exported for an offline engine)."""
    return FileResult(plan.label, plan.facts.path, plan.output, "pending", {},
                      reason=plan.reason, warnings=plan.facts.warning_lines())


class _Job:
    """One run's shared state: the history, the model all files share, the gate, the files' results."""

    def __init__(self, settings, store, listener, *, via, concurrency, max_repairs, poll_interval, use_cache,
                 export):
        self.settings = settings
        self.store = store
        self.listener = listener
        self.via = via
        self.concurrency = concurrency
        self.max_repairs = max_repairs
        self.poll_interval = poll_interval
        self.use_cache = use_cache
        self.export = export
        self.results: dict[str, FileResult] = {}
        self.runs: dict = {}
        self.pause = None
        self.rounds: Rounds | None = None
        self.model = None

    def run(self, plans: list[FilePlan], result: BatchResult) -> None:
        """Draft the files not yet current, each under its lock and recorded run."""
        from drafter.runs import recorded_run, sync_edits

        self.listener.planned(plans)
        for plan in plans:
            if plan.state == CURRENT:
                self.results[plan.label] = _current(plan)
                self.listener.file_done(self.results[plan.label])
        todo = [p for p in plans if p.state != CURRENT]
        if not todo:
            return
        self._open_model(todo)
        with ExitStack() as stack:
            for plan in todo:
                run = stack.enter_context(recorded_run(plan.output, store=self.store))
                if plan.output.exists():
                    try:
                        sync_edits(self.store, plan.output)  # hand edits of a draft being replaced stay in history
                    except InputError:
                        pass  # not a draft: --force was given
                run.start(command="batch", facts=plan.facts.path, facts_sha256=plan.facts.sha256,
                          backend=self.settings.kind, model=self.settings.model, base_url=self.settings.base_url)
                run.on_failure("failed", "批量起草中止，这份草稿没有写出")  # Ctrl-C: still "interrupted"
                self.runs[plan.label] = run
            try:
                asyncio.run(self._drive(todo))
            except RoundExported as stop:
                result.exported, result.exported_requests = Path(self.export), stop.requests
                result.exported_round = stop.record.round
                for run in self.runs.values():
                    if not run.finished:
                        run.finish("interrupted", f"第 {stop.record.round} 轮请求已导出到 {self.export}，等待导入结果")
        if self.rounds is not None:
            result.log = self.rounds.log
        if self.model is not None and self.rounds is None:
            result.notices += server_notices(self.model, self.concurrency)

    def _open_model(self, todo: list[FilePlan]) -> None:
        """The one model every file shares: live over the openai SDK, or the rounds of a batch."""
        if self.settings.kind == "offline":
            return
        drafts = {p.label: p.output for p in todo}
        if self.via == "batch-api" or self.export is not None:
            from drafter.batch.endpoint import BatchEndpoint

            endpoint = None if self.export is not None else BatchEndpoint(
                self.settings, self.store, self.store.path.parent / "batches")
            self.rounds = Rounds(self.settings, self.store, drafts, endpoint=endpoint, export=self.export,
                                 poll_interval=self.poll_interval, listener=self.listener)
            self.model = self.rounds
            return
        from drafter.backends import OpenAIChatModel
        from drafter.batch.pacing import RateLimitPause

        self.pause = RateLimitPause()
        self.model = OpenAIChatModel(self.settings, event_hooks=self.pause.hooks())

    async def _drive(self, todo: list[FilePlan]) -> None:
        """Draft every file concurrently; between rounds, send the waiting requests as one batch."""
        rounds = self.rounds
        if rounds is not None:
            rounds.expect(sum(len(p.framed.sections) for p in todo))
        # Live, one gate for every section of every file; in rounds every section waits at once.
        size = self.concurrency if rounds is None else max(1, sum(len(p.framed.sections) for p in todo))
        gate = asyncio.Semaphore(size)
        tasks = [asyncio.create_task(self._draft_file(plan, gate)) for plan in todo]
        try:
            pending = set(tasks)
            while pending:
                quiet = asyncio.create_task(rounds.quiet.wait()) if rounds is not None else None
                done, _ = await asyncio.wait(pending | ({quiet} if quiet else set()),
                                             return_when=asyncio.FIRST_COMPLETED)
                for task in done & pending:
                    task.result()  # a file's unexpected error ends the run
                pending -= done
                if quiet is not None and quiet in done:
                    await rounds.run_round()
                elif quiet is not None:
                    quiet.cancel()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self.model is not None:
                await self.model.aclose()

    async def _draft_file(self, plan: FilePlan, gate: asyncio.Semaphore) -> None:
        DRAFTING_FILE.set(plan.label)  # the sections' tasks inherit it: the rounds name requests by it
        started = time.monotonic()
        meter = _Meter(self.model) if self.model is not None else None
        model = meter
        if meter is not None and self.use_cache:
            from drafter.caching import CachedModel

            model = CachedModel(meter, self.store, self.settings)

        def on_event(section: str, state: str, received: int) -> None:
            self.listener.section(plan.label, section, state, received)
            if state in ("done", "failed") and self.rounds is not None:
                self.rounds.finished()

        outcomes = await section_outcomes(list(plan.framed.sections), plan.framed, plan.facts, model,
                                          plan.prompts or {}, gate, self.max_repairs, on_event, plan.corpus)
        draft = DraftResult(plan.output, plan.facts, self.settings.describe(), outcomes,
                            time.monotonic() - started, offline=model is None,
                            cache_hits=getattr(model, "hits", 0), history=self.store.path)
        error = None
        try:
            write_result(self.runs[plan.label], draft, plan.framed, self.settings, drafted_by_model=model is not None)
        except DraftFailedError as exc:
            error = exc.render()
        usage = meter.usage if meter is not None else {}
        result = FileResult(plan.label, plan.facts.path, plan.output, "not-written" if error else "drafted",
                            {o.id: o.status for o in outcomes}, requests=meter.requests if meter else 0,
                            cached=draft.cache_hits, reason=plan.reason, error=error,
                            notes=[(o.id, o.note) for o in outcomes if o.note],
                            warnings=plan.facts.warning_lines(), seconds=draft.seconds, **usage)
        self.results[plan.label] = result
        self.listener.file_done(result)
