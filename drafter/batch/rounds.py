"""The chat model of `--via batch-api`: every request waits for a round, answered by one batch.

The sections of every file are drafted by the same code as live drafting (drafting.section_outcomes):
each asks this model for an answer and waits. Once every section still at work is waiting, the
requests go out together as one round (a JSONL uploaded and a batch created, split over the
providers' limits), the batch is polled, its output and error files are joined to the requests by
custom_id, and each section goes on exactly as after a live answer: cleaned, checked, and sent back
with its repair message, which then waits for the next round. A line that failed is asked once
more in the next round. Requests already in a batch submitted by an earlier run that stopped are
not submitted again: that batch is polled instead.
"""

from __future__ import annotations

import asyncio
import dataclasses
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from drafter.backends import BackendError, Completion, scrub_secret
from drafter.batch.endpoint import DONE, STATUS_NAMES
from drafter.batch.lines import chat_endpoint, jsonl, request_line, split_lines
from drafter.drafting import DRAFTING_SECTION
from drafter.files import write_atomic_bytes

# The file whose sections the current task drafts (set by the job for each file's task).
DRAFTING_FILE: ContextVar[str | None] = ContextVar("drafting_file", default=None)


class RoundExported(Exception):  # noqa: N818 - a stop, not a failure
    """The round's requests were written for an offline engine (--export-jsonl): drafting stops here."""

    def __init__(self, record, requests: int):
        self.record = record
        self.requests = requests
        super().__init__(f"exported {requests} requests")


@dataclass(eq=False)
class _Request:
    file: str
    section: str
    key: str
    body: dict
    future: asyncio.Future
    failures: int = 0


@dataclass
class RoundsLog:
    """What the rounds did: the batches used, the lines that failed once and were asked again."""

    batches: list = field(default_factory=list)
    resubmitted: list[str] = field(default_factory=list)   # "file/section" of each failed line asked again
    resumed: int = 0                                        # batches of an earlier run polled again


class Rounds:
    """A ChatModel whose answers arrive a round at a time (a provider's batch, or an offline engine's file)."""

    load = None  # no server slots to respect: the provider schedules the batch

    def __init__(self, settings, store, drafts: dict[str, Path], *, endpoint=None, export: Path | None = None,
                 poll_interval: float = 30.0, listener=None):
        self.settings = settings
        self.store = store
        self.drafts = drafts        # file label → draft path (for the history's request rows)
        self.endpoint = endpoint    # BatchEndpoint, or None when exporting
        self.export = export
        self.poll_interval = poll_interval
        self.listener = listener
        self.url = chat_endpoint(settings.base_url)
        self.waiting: list[_Request] = []
        self.active = 0             # sections still at work
        self.quiet = asyncio.Event()
        self.log = RoundsLog()

    def expect(self, sections: int) -> None:
        """Count sections about to be drafted: a round goes out once all of them wait or are done."""
        self.active += sections

    def finished(self) -> None:
        """A section is done (passed, needs review or failed)."""
        self.active -= 1
        self._check()

    async def capacity(self) -> int | None:
        """No limit: every request of a round goes into one batch."""
        return None

    async def aclose(self) -> None:
        """Close the provider's connections."""
        if self.endpoint is not None:
            await self.endpoint.aclose()

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float = 0.3,
                       on_delta=None, max_chars: int | None = None) -> Completion:
        """Wait for this request's answer from the next round (a failed line raises BackendError)."""
        body = {"model": self.settings.model, "messages": messages, "max_tokens": max_tokens,
                "temperature": temperature}
        key = self.store.cache_key(model=self.settings.model, base_url=self.settings.base_url,
                                   messages=messages, temperature=temperature, max_tokens=max_tokens)
        request = _Request(DRAFTING_FILE.get() or "", DRAFTING_SECTION.get() or "", key, body,
                           asyncio.get_running_loop().create_future())
        self.waiting.append(request)
        self._check()
        completion = await request.future
        if max_chars is not None and len(completion.text) > max_chars:
            # As a live stream is cut off: a server that ignored max_tokens gets no endless answer.
            completion = dataclasses.replace(completion, text=completion.text[:max_chars], finish_reason="length")
        if on_delta is not None and completion.text:
            on_delta(completion.text)
        return completion

    def _check(self) -> None:
        if self.waiting and len(self.waiting) >= self.active:
            self.quiet.set()

    async def run_round(self) -> None:
        """Send every waiting request (or find it in a batch already submitted), wait, and answer each."""
        self.quiet.clear()
        waiting, self.waiting = self.waiting, []
        by_key: dict[str, list[_Request]] = {}
        for request in waiting:
            by_key.setdefault(request.key, []).append(request)
        records, covered = self._submitted(by_key) if self.endpoint is not None else ([], set())
        new = [key for key in by_key if key not in covered]
        if new:
            records += await self._send([by_key[key][0] for key in new])
        records = await self._wait(records)
        answers, errors = await self._collect(records)
        self._answer(by_key, answers, errors)
        self._check()

    def _submitted(self, by_key: dict[str, list[_Request]]) -> tuple[list, set[str]]:
        """Open batches of earlier runs holding some of these requests, and the keys they hold."""
        records, covered = [], set()
        for record in self.store.batches(open_only=True, kind="api"):
            keys = {r.key for r in self.store.batch_requests(record.id)} & set(by_key)
            if keys:
                records.append(record)
                covered |= keys
                self.log.resumed += 1
        return records, covered

    async def _send(self, requests: list[_Request]) -> list:
        round_number = self.store.next_round()
        rows = [(f"{r.file}/{r.section}/r{round_number}", r) for r in requests]
        lines = [request_line(custom_id, self.url, r.body) for custom_id, r in rows]
        history_rows = [(custom_id, r.key, self.drafts[r.file], r.section) for custom_id, r in rows]
        if self.endpoint is None:
            write_atomic_bytes(self.export, jsonl(lines))
            record = self.store.add_batch(round=round_number, part=1, kind="export", base_url=self.settings.base_url,
                                          model=self.settings.model, endpoint=self.url, input_path=self.export,
                                          status="exported", requests=history_rows)
            raise RoundExported(record, len(lines))
        records, start = [], 0
        for part, chunk in enumerate(split_lines(lines), start=1):
            record = await self.endpoint.submit(chunk, history_rows[start:start + len(chunk)], round_number, part)
            start += len(chunk)
            records.append(record)
            self._show(record)
        return records

    async def _wait(self, records: list) -> list:
        while True:
            records = [r if r.status in DONE else await self.endpoint.refresh(r) for r in records]
            for record in records:
                self._show(record)
            if all(r.status in DONE for r in records):
                return records
            await asyncio.sleep(self.poll_interval)

    async def _collect(self, records: list) -> tuple[dict[str, Completion], dict[str, str]]:
        """Read each finished batch's results: answers by cache key (also kept in the cache), errors."""
        answers: dict[str, Completion] = {}
        errors: dict[str, str] = {}
        for record in records:
            results = await self.endpoint.results(record)
            states = {}
            for request in self.store.batch_requests(record.id):
                found = results.get(request.custom_id)
                if found is not None and found.completion is not None:
                    answers[request.key] = found.completion
                    self._keep(request.key, found.completion)
                    states[request.custom_id] = ("answered", None)
                    continue
                why = scrub_secret(found.error, self.settings.api_key) if found is not None else (
                    f"批处理{STATUS_NAMES.get(record.status, record.status)}，这个请求没有结果"
                    + (f"（{record.note}）" if record.note else ""))
                errors[request.key] = why
                states[request.custom_id] = ("failed", why)
            self.store.settle_requests(record.id, states)
            self.log.batches.append(self.store.update_batch(record.id, collected=True))
        return answers, errors

    def _keep(self, key: str, completion: Completion) -> None:
        # In the cache at once: a run stopped before a section reads its answer does not pay for it again.
        if completion.text.strip():
            self.store.store(key, text=completion.text, reasoning=completion.reasoning,
                             finish_reason=completion.finish_reason, usage=dataclasses.asdict(completion.usage),
                             model=completion.model or self.settings.model)

    def _answer(self, by_key: dict[str, list[_Request]], answers: dict, errors: dict) -> None:
        for key, requests in by_key.items():
            for request in requests:
                if request.future.done():
                    continue
                if key in answers:
                    request.future.set_result(answers[key])
                elif request.failures == 0:
                    request.failures = 1  # asked once more, in the next round
                    self.waiting.append(request)
                    self.log.resubmitted.append(f"{request.file}/{request.section}")
                else:
                    why = errors.get(key, "批处理结果中没有这个请求")
                    request.future.set_exception(BackendError(f"批处理中这个请求两次都没有结果：{why}",
                                                              hint="稍后再次运行同一命令会重新提交"))

    def _show(self, record) -> None:
        if self.listener is not None:
            self.listener.batch(record)


# An offline engine's results for every request a city's worth of drafts asks (a few MB per 1,000).
MAX_IMPORT_BYTES = 1024 * 1024 * 1024


def import_results(store, path: Path) -> tuple[int, int]:
    """Read an offline engine's results (--import-jsonl) into the cache: (answered, failed) lines.

    Every line must answer a request exported from this folder's history (--export-jsonl); the
    answers are kept under the exported requests' cache keys, so drafting finds them at once.
    """
    from drafter.batch.lines import read_results
    from drafter.errors import InputError
    from drafter.files import read_text

    results = read_results(read_text(path, what="结果文件", max_bytes=MAX_IMPORT_BYTES).text, path)
    if not results:
        raise InputError("结果文件中没有结果", path=path, hint="请导入 vllm run-batch 的 -o 输出文件")
    exported = {r.custom_id: r for r in store.batch_requests(kind="export")}
    for result in results:
        if result.custom_id not in exported:
            raise InputError(f"custom_id “{result.custom_id}” 不是从这个输出文件夹导出的请求", path=path,
                             line=result.line, hint="请导入用同一个 -o 文件夹的 --export-jsonl 导出的请求文件"
                                                    "运行得到的结果")
    by_batch: dict[int, dict[str, tuple[str, str | None]]] = {}
    answered = 0
    for result in results:
        request = exported[result.custom_id]
        if result.completion is not None:
            answered += 1
            if result.completion.text.strip():
                store.store(request.key, text=result.completion.text, reasoning=result.completion.reasoning,
                            finish_reason=result.completion.finish_reason,
                            usage=dataclasses.asdict(result.completion.usage), model=result.completion.model)
        by_batch.setdefault(request.batch, {})[result.custom_id] = (
            ("answered", None) if result.completion is not None else ("failed", result.error))
    for batch, states in by_batch.items():
        store.settle_requests(batch, states)
        store.update_batch(batch, status="imported", output_path=path, collected=True)
    return answered, len(results) - answered
