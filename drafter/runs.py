"""A recorded run: one command writing a draft under its lock, with what it did kept in history.

Drafting and editing write drafts the same way: take the draft's lock, open its history database,
save hand edits as versions, start a run, record the sections written, and finish the run as ok,
partial, failed or interrupted however the command ends. An interruption is a KeyboardInterrupt:
Ctrl-C, or SIGTERM (a service manager, `timeout`) turned into one by the command line; the run
records it, the lock is released, and the exception carries `answers_kept`, the model answers
this run stored in the response cache (the next run reuses them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from drafter.document import Draft, normalize, parse_draft, read_draft
from drafter.history import History, history_path, now
from drafter.locking import locked

NOT_WRITTEN_NOTE = "核对未通过，没有写入草稿（加 --keep-failed 可写入）"


class Run:
    """A command's run on one draft: the history store, the run id once started, and its ending."""

    def __init__(self, store: History, draft: Path):
        self.store = store
        self.draft = draft
        self.id: int | None = None
        self.started: str | None = None
        self.finished = False
        self._on_failure: tuple[str, str | None] = ("failed", None)

    def start(self, **fields) -> int:
        """Record the start of the run (command, facts, backend, model, …); return its id."""
        self.started = now()
        self.id = self.store.start_run(draft=self.draft, **fields)
        return self.id

    def on_failure(self, status: str, note: str | None = None) -> None:
        """How the run ends if an exception escapes from here on (interrupted, failed) and why."""
        self._on_failure = (status, note)

    def finish(self, status: str, note: str | None = None) -> None:
        """Record how the run ended: ok, partial, failed or interrupted."""
        self.store.finish_run(self.id, status=status, note=note)
        self.finished = True

    def answers_kept(self) -> int:
        """Model answers stored in the response cache since the run started."""
        if self.started is None:
            return 0
        row = self.store.conn.execute("SELECT count(*) FROM responses WHERE created >= ?",
                                      (self.started,)).fetchone()
        return row[0] if row else 0


@contextmanager
def recorded_run(draft: Path, history: Path | None = None, *, store: History | None = None) -> Iterator[Run]:
    """Hold the draft's lock and its open history for one run; an escaping exception ends the run.

    `store`: a history already open (several drafts written by one command share it), left open.
    """
    with locked(draft), (nullcontext(store) if store is not None
                         else History.open(history_path(draft, history))) as store:
        run = Run(store, draft)
        try:
            yield run
        except BaseException as exc:
            interrupted = isinstance(exc, KeyboardInterrupt)
            if run.id is not None and not run.finished:
                status, note = run._on_failure
                if interrupted:
                    # Ctrl-C or SIGTERM is an interruption at any stage, never a failure of the stage
                    # it landed in.
                    signal = getattr(exc, "signal_name", None)
                    status, note = "interrupted", "；".join(x for x in (signal and f"收到 {signal}", note) if x)
                run.finish(status, note or None)
            if interrupted:
                exc.answers_kept = run.answers_kept()
            raise


def sync_edits(store: History, draft_path: Path, draft: Draft | None = None) -> list[str]:
    """Save, as "edited" versions, sections whose text differs from the version we last wrote."""
    if draft is None:
        draft = read_draft(draft_path)[1]
    saved = []
    for sec in draft.sections:
        current = normalize(sec.body(draft.text))
        last = store.last_written(draft_path, sec.id)
        if last is not None and normalize(last.text) == current:
            continue
        note = None if last is not None else "此前没有这一节的历史，按文件现状记录"
        store.add_version(draft=draft_path, section=sec.id, text=current, origin="edited", note=note)
        saved.append(sec.id)
    return saved


def record_sections(run: Run, text: str, outcomes: list, settings, *, origin: str,
                    instruction: str | None = None, written: set[str] | None = None) -> None:
    """Record each outcome as a version: its text as it now stands in the file, or the unwritten attempt."""
    parsed = parse_draft(text, run.draft)
    for o in outcomes:
        in_file = written is None or o.id in written
        body = normalize(parsed.section(o.id).body(text)) if in_file else normalize(o.text)
        note = o.note if in_file else "；".join(x for x in (o.note, NOT_WRITTEN_NOTE) if x)
        run.store.add_version(draft=run.draft, section=o.id, text=body,
                              origin="failed" if o.status == "failed" else origin, run_id=run.id,
                              backend=settings.kind, model=settings.model, base_url=settings.base_url,
                              messages=o.messages, response=o.response,
                              usage={"prompt_tokens": o.prompt_tokens, "cached_tokens": o.cached_tokens,
                                     "completion_tokens": o.completion_tokens},
                              check={"status": o.status, "flagged": o.flagged, "attempts": o.attempts},
                              instruction=instruction, note=note, written=in_file)
