"""Rich renderings for the CLI: the drafting progress and summary tables (UI only, not core)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from rich.console import Console

from drafter.check.report import VERDICT_NAMES
from drafter.document import STATUS_NAMES

STATE_NAMES = {"queued": "排队中", "drafting": "起草中", "checking": "核对中", "repairing": "修正中",
               "done": "完成", "failed": "失败"}
STATE_STYLES = {"done": "green", "failed": "red", "repairing": "yellow", "checking": "cyan"}


class DraftProgress:
    """One line per section with its state and characters received, live on a terminal."""

    def __init__(self, console: Console):
        from rich.live import Live

        self.console = console
        self.rows: dict[str, tuple[str, int]] = {}
        self.started = time.monotonic()
        # On a pipe or in CI a live display would print every frame: print state changes instead.
        self.live = Live(self._table(), console=console, refresh_per_second=8,
                         transient=False) if console.is_terminal else None

    def __enter__(self) -> DraftProgress:
        if self.live:
            self.live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.live:
            self.live.update(self._table())
            self.live.__exit__(*exc)

    def update(self, section_id: str, state: str, received: int) -> None:
        """Record a section's new state; redraw (terminal) or print a line (pipe) on a change."""
        previous = self.rows.get(section_id)
        self.rows[section_id] = (state, received)
        if self.live:
            self.live.update(self._table())
        elif state in ("repairing", "done", "failed") and (previous is None or previous[0] != state):
            self.console.print(f"{escape(section_id)}：{STATE_NAMES[state]}")

    def _table(self) -> Table:
        table = Table(title=f"起草进度（{time.monotonic() - self.started:.1f} 秒）", title_justify="left")
        for column in ("章节", "状态", "已接收字数"):
            table.add_column(column)
        for sid, (state, received) in self.rows.items():
            style = STATE_STYLES.get(state, "")
            name = STATE_NAMES.get(state, state)
            table.add_row(escape(sid), f"[{style}]{name}[/{style}]" if style else name, str(received))
        return table


def _tokens(value: int | None) -> str:
    return "未报告" if value is None else str(value)


def draft_summary(result) -> Table:
    """The final table: section, status, attempts, tokens, flagged numbers left, time."""
    return _sections_table(f"草稿：{result.output}（{result.seconds:.1f} 秒）", result.sections,
                           result.offline)


def _sections_table(title: str, outcomes, offline: bool, written: list[str] | None = None) -> Table:
    """One row per section outcome; with `written`, a column saying whether it reached the draft."""
    table = Table(title=title, title_justify="left")
    table.add_column("章节", no_wrap=True)
    columns = ("状态",) + (("已写入草稿",) if written is not None else ()) + (
        "尝试", "tokens 提示/缓存/生成", "待核对数字", "用时")
    for column in columns:
        table.add_column(column)
    for s in outcomes:
        style = {"passed": "green", "needs-review": "yellow", "failed": "red"}[s.status]
        tokens = "—（离线，无模型）" if offline else "/".join(
            _tokens(t) for t in (s.prompt_tokens, s.cached_tokens, s.completion_tokens))
        cells = [f"[{style}]{STATUS_NAMES[s.status]}[/{style}]"]
        if written is not None:
            cells.append("是" if s.id in written else "[yellow]否（草稿未改动）[/yellow]")
        table.add_row(escape(s.id), *cells, str(s.attempts), tokens, str(s.flagged), f"{s.seconds:.1f} 秒")
    return table


VERDICT_STYLES = {"ok": "green", "derived": "green", "ignored": "dim", "unsupported": "red",
                  "mismatch": "red", "misattributed": "red"}


def check_report(console: Console, report, *, show_all: bool = False) -> None:
    """Print a check report: mentions table, counts, unused facts, placeholders."""
    facts_name = report.facts.replace("\\", "/").rsplit("/", 1)[-1]
    # A reviewer needs the flagged numbers and the computed ones; matches and non-quantities are
    # counted below and listed with --all.
    rows = [m for m in report.mentions if show_all or m.flagged or m.verdict == "derived"]
    table = Table(title=f"数字核对：{escape(report.document)}", title_justify="left")
    # A Word document's text is read a paragraph (or table row) a line: say 段 so it can be found.
    word = report.document.lower().endswith(".docx")
    table.add_column("段" if word else "行", justify="right", no_wrap=True)
    table.add_column("数字（上下文）", overflow="fold", ratio=3)
    table.add_column("结论", no_wrap=True)
    table.add_column("对照的事实", overflow="fold", ratio=3)
    table.add_column("理由", overflow="fold", ratio=4)
    for m in rows:
        style = VERDICT_STYLES[m.verdict]
        context = escape(m.context or m.text).replace(escape(m.text), f"[bold]{escape(m.text)}[/bold]", 1)
        fact = f"{escape(m.fact_location or facts_name)}　{escape(m.fact)}" if m.fact else (
            "（事实中没有可对照的数字）" if m.flagged else "")
        table.add_row(str(m.line), context, f"[{style}]{VERDICT_NAMES[m.verdict]}[/{style}]", fact,
                      escape(m.reason or ""))
    if rows:
        console.print(table)
    counts = "　".join(f"{VERDICT_NAMES[k]} {v}" for k, v in report.counts.items())
    hidden = len(report.mentions) - len(rows)
    console.print(f"统计：{counts}" + (f"（另有 {hidden} 处“一致”或“非数量”的数字未列出，加 --all 显示）"
                                       if hidden else ""))
    if report.unused_facts:
        unused = Table(title="未用到的事实数字（文档中没有提到）", title_justify="left")
        for column in ("事实文件位置", "章节", "数字", "事实"):
            unused.add_column(column)
        for u in report.unused_facts:
            unused.add_row(escape(u.location or str(u.line)), escape(u.section or "（全文）"), escape(u.mention),
                           escape(u.text))
        console.print(unused)
    if report.placeholders:
        marks = "、".join(f"第 {p.line} 行“{escape(p.text)}”" for p in report.placeholders)
        console.print(f"[yellow]未填写的占位符：{marks}[/yellow]")
    _names_and_copies(console, report, word)
    flagged = len(report.flagged)
    if flagged:
        console.print(f"[red]有 {flagged} 处数字与事实不符或找不到依据，请逐条核对。[/red]")
    else:
        console.print("[green]所有数字均有事实依据。[/green]")
    others = len(report.flagged_names) + len(report.copies)
    if others:
        console.print(f"[red]有 {others} 处名称或文字需要核对（别处的地名、本单位称呼、事实中没有的文件或会议、"
                      "照抄范文或提示词）。[/red]")


NAME_KINDS = {"place": "地名", "self": "本单位称呼", "title": "文件", "event": "会议活动"}
NAME_VERDICTS = {"foreign": "别处的", "mismatch": "称呼不对", "unsupported": "事实中没有"}


def _names_and_copies(console: Console, report, word: bool) -> None:
    """The flagged names (another place, 我镇 for a 乡, an unsupported title) and the copied passages."""
    if report.flagged_names:
        table = Table(title="名称核对（地名、本单位称呼、文件和会议）", title_justify="left")
        table.add_column("段" if word else "行", justify="right", no_wrap=True)
        table.add_column("名称", overflow="fold", ratio=2)
        table.add_column("结论", no_wrap=True)
        table.add_column("理由", overflow="fold", ratio=5)
        for n in report.flagged_names:
            verdict = f"{NAME_VERDICTS.get(n.verdict, n.verdict)}{NAME_KINDS.get(n.kind, n.kind)}"
            table.add_row(str(n.line), f"[bold]{escape(n.text)}[/bold]", f"[red]{verdict}[/red]", escape(n.reason))
        console.print(table)
    if report.copies:
        table = Table(title="照抄的文字（范文中的句子、提示词）", title_justify="left")
        table.add_column("段" if word else "行", justify="right", no_wrap=True)
        table.add_column("文字", overflow="fold", ratio=4)
        table.add_column("来源", overflow="fold", ratio=1)
        table.add_column("理由", overflow="fold", ratio=3)
        for c in report.copies:
            table.add_row(str(c.line), escape(c.text), escape(c.source), escape(c.reason))
        console.print(table)


def regenerate_summary(result) -> Table:
    """The table after a regeneration: section, status, written or not, attempts, tokens."""
    return _sections_table(f"重新生成：{result.draft}", result.outcomes, result.offline, result.written)


# Columns of `drafter history`: (header, wraps). Identifiers and numbers never wrap: on a narrow
# console they fold at their own separators (_fold); time, check result and note wrap as text.
HISTORY_COLUMNS = {"section": ("章节", False), "number": ("版本", False), "time": ("时间", True),
                   "origin": ("来源", False), "model": ("模型", False), "tokens": ("tokens\n提示/缓存/生成", False),
                   "check": ("核对", True), "note": ("备注", True)}
HISTORY_OPTIONAL = ("model", "tokens", "note")  # left out when no version has one
NAME_WIDTH = 16  # on a narrow console a longer model name or section id folds (_fold)


def history_table(versions, draft, width: int = 200) -> Table:
    """Every version: section, number, time, origin, model, tokens, check result, note; fitted to width."""
    rows = [_history_cells(v) for v in versions]
    keys = [k for k in HISTORY_COLUMNS if k not in HISTORY_OPTIONAL or any(r[k] for r in rows)]
    headers = {k: header for k, (header, _) in HISTORY_COLUMNS.items()}
    if _natural_width(keys, headers, rows) > width:
        keys = _narrow(keys, headers, rows)
    table = Table(title=f"版本历史：{escape(str(draft))}", title_justify="left")
    for k in keys:
        table.add_column(headers[k], no_wrap=not HISTORY_COLUMNS[k][1], overflow="fold",
                         justify="right" if k == "number" else "left")
    previous = None
    for v, r in zip(versions, rows, strict=True):
        if previous is not None and v.section != previous:
            table.add_section()
        previous = v.section
        table.add_row(*(escape(r[k]) for k in keys))
    return table


def _natural_width(keys: list[str], headers: dict[str, str], rows: list[dict[str, str]]) -> int:
    """The table's width with every cell on one line: the widest line of each column, plus borders."""
    from rich.cells import cell_len

    widths = [max(cell_len(line) for text in [headers[k], *(r[k] for r in rows)] for line in text.split("\n"))
              for k in keys]
    return sum(widths) + 3 * len(keys) + 1


def _narrow(keys: list[str], headers: dict[str, str], rows: list[dict[str, str]]) -> list[str]:
    """Fit a narrow console: tokens go under the model name and long identifiers fold at their
    separators, so that no column is cut in the middle of a word; return the columns left."""
    stack = "model" in keys and "tokens" in keys
    for r in rows:
        r["section"], r["model"] = _fold(r["section"], NAME_WIDTH), _fold(r["model"], NAME_WIDTH)
        if stack and r["tokens"]:
            r["model"] = f"{r['model']}\n{r['tokens']}".strip("\n")
    if not stack:
        return keys
    headers["model"] = "模型\ntokens\n提示/缓存/生成"
    return [k for k in keys if k != "tokens"]


def _history_cells(v) -> dict[str, str]:
    """One version's cells as plain text, by column key."""
    usage = v.usage or {}
    figures = [usage.get(k) for k in ("prompt_tokens", "cached_tokens", "completion_tokens")]
    tokens = "/".join(_tokens(t) for t in figures) if any(t is not None for t in figures) else ""
    check = v.check or {}
    status = check.get("status")
    verdict = STATUS_NAMES.get(status, "") if status else ""
    if status and check.get("flagged"):
        verdict += f"（{check['flagged']} 处）"
    note = "；".join(x for x in (v.note, None if v.written else "未写入草稿",
                                 f"要求：{v.instruction}" if v.instruction else None) if x)
    # Month, day and minute are enough to tell versions apart on a narrow terminal.
    return {"section": v.section, "number": str(v.number), "time": v.created[5:16].replace("T", " "),
            "origin": v.origin_name, "model": v.model or "", "tokens": tokens, "check": verdict, "note": note}


def _fold(name: str, width: int) -> str:
    """A long identifier on lines of at most width: broken after / or -, else after _ . :, else cut."""
    lines = []
    while len(name) > width:
        # "qwen2.5-coder-0.5b" breaks after "coder-", not inside "2.5".
        cut = max(name.rfind(sep, 1, width) for sep in "/-") + 1 or max(
            name.rfind(sep, 1, width) for sep in "_.:") + 1 or width
        lines.append(name[:cut])
        name = name[cut:]
    return "\n".join([*lines, name])


def print_diff(console: Console, diff) -> None:
    """A unified diff in colour: removed lines red, added green, hunk headers cyan."""
    if not diff.lines:
        console.print(f"当前文字与{diff.from_label}相同。")
        return
    for line in diff.lines:
        style = ("bold" if line.startswith(("---", "+++")) else "cyan" if line.startswith("@@")
                 else "red" if line.startswith("-") else "green" if line.startswith("+") else "")
        console.print(f"[{style}]{escape(line)}[/{style}]" if style else escape(line), soft_wrap=True,
                      highlight=False)


BATCH_STATES = {"passed": ("通过", "green"), "needs-review": ("需人工核对", "yellow"), "failed": ("失败", "red"),
                "pending": ("等待导入结果", "cyan")}
IN_FLIGHT = ("drafting", "checking", "repairing")


class BatchProgress:
    """`drafter batch` as it works: per file the sections done, in flight and failed, then its tokens;
    per batch its status and request counts. Live on a terminal; on a pipe, one line per change."""

    def __init__(self, console: Console):
        from rich.live import Live

        self.console = console
        self.files: dict[str, dict] = {}
        self.batches: dict[int, object] = {}
        self.started = time.monotonic()
        self.live = Live(self._view(), console=console, refresh_per_second=4,
                         transient=False) if console.is_terminal else None

    def __enter__(self) -> BatchProgress:
        if self.live:
            self.live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.live:
            self.live.update(self._view())
            self.live.__exit__(*exc)

    def planned(self, files) -> None:
        """One row per facts file, before any request."""
        for plan in files:
            self.files[plan.label] = {"total": len(plan.framed.sections), "states": {}, "result": None}
        self._redraw()

    def section(self, file: str, section: str, state: str, received: int) -> None:
        """A section's new state."""
        self.files[file]["states"][section] = state
        self._redraw()

    def file_done(self, result) -> None:
        """A file finished: its status and tokens."""
        self.files[result.label]["result"] = result
        if self.live is None:
            name = BATCH_STATES[result.status][0]
            what = {"current": "已是最新，未重新起草", "not-written": "没有写出草稿"}.get(result.state, "已写出")
            self.console.print(f"{escape(result.label)}：{name}（{what}）")
        self._redraw()

    def batch(self, record) -> None:
        """A batch's status and request counts."""
        from drafter.batch.endpoint import STATUS_NAMES

        previous = self.batches.get(record.id)
        self.batches[record.id] = record
        if self.live is None and (previous is None or previous.status != record.status):
            self.console.print(f"第 {record.round} 轮批处理 {escape(record.batch_id or '（未创建）')}："
                               f"{STATUS_NAMES.get(record.status, record.status)}{_counts(record.counts)}")
        self._redraw()

    def _redraw(self) -> None:
        if self.live:
            self.live.update(self._view())

    def _view(self):
        from rich.console import Group

        table = Table(title=f"批量起草（{time.monotonic() - self.started:.1f} 秒）", title_justify="left")
        for column in ("文件", "章节完成", "进行中", "失败", "tokens 提示/生成", "结果"):
            table.add_column(column)
        for label, row in self.files.items():
            states, result = row["states"], row["result"]
            finished = sum(1 for s in states.values() if s in ("done", "failed"))
            failed = sum(1 for s in states.values() if s == "failed")
            flying = sum(1 for s in states.values() if s in IN_FLIGHT)
            tokens = "" if result is None or result.prompt_tokens is None else (
                f"{result.prompt_tokens}/{_tokens(result.completion_tokens)}")
            done = f"{finished}/{row['total']}" if result is None or result.state != "current" else "已是最新"
            outcome = ""
            if result is not None:
                name, style = BATCH_STATES[result.status]
                outcome = f"[{style}]{name}[/{style}]"
            table.add_row(escape(label), done, str(flying), f"[red]{failed}[/red]" if failed else "0", tokens, outcome)
        if not self.batches:
            return table
        from drafter.batch.endpoint import STATUS_NAMES

        batches = Table(title="批处理", title_justify="left")
        for column in ("轮次", "批处理", "状态", "完成/失败/总数"):
            batches.add_column(column)
        for record in self.batches.values():
            counts = record.counts or {}
            batches.add_row(f"{record.round}" + (f"-{record.part}" if record.part > 1 else ""),
                            escape(record.batch_id or "（未创建）"), STATUS_NAMES.get(record.status, record.status),
                            "/".join(str(counts.get(k, "—")) for k in ("completed", "failed", "total")))
        return Group(table, batches)


def _counts(counts: dict | None) -> str:
    if not counts:
        return ""
    return f"（完成 {counts.get('completed', 0)}，失败 {counts.get('failed', 0)}，共 {counts.get('total', 0)}）"


def batch_summary(result) -> Table:
    """The table after `drafter batch`: file, result, sections passed/needs review/failed, requests, tokens."""
    table = Table(title=f"批量起草：{escape(str(result.outdir))}（{result.seconds:.1f} 秒）", title_justify="left")
    for column in ("文件", "结果", "章节 通过/需核对/失败", "请求", "tokens 提示/缓存/生成"):
        table.add_column(column)
    table.add_column("说明", overflow="fold")
    for f in result.files:
        name, style = BATCH_STATES[f.status]
        counts = f.counts()
        tokens = "—" if f.requests == 0 else "/".join(
            _tokens(t) for t in (f.prompt_tokens, f.cached_tokens, f.completion_tokens))
        said = {"current": "已是最新，未重新起草", "not-written": "所有章节都起草失败，没有写出草稿"}.get(
            f.state, f"重新起草：{f.reason}" if f.reason else "")
        if f.cached:
            said = "；".join(x for x in (said, f"{f.cached} 个回答来自缓存") if x)
        table.add_row(escape(f.label), f"[{style}]{name}[/{style}]",
                      "/".join(str(counts[s]) for s in ("passed", "needs-review", "failed")), str(f.requests),
                      tokens, escape(said))
    totals = result.totals()
    table.add_section()
    table.add_row("合计", f"{totals['passed']} 份通过", "", str(totals["requests"]),
                  "/".join(str(totals[k]) for k in ("prompt_tokens", "cached_tokens", "completion_tokens")), "")
    return table


def batch_status_table(records, folder) -> Table:
    """`drafter batch --status`: each batch's round, id, status, request counts, time and note."""
    from drafter.batch.endpoint import STATUS_NAMES

    table = Table(title=f"批处理：{escape(str(folder))}", title_justify="left")
    for column in ("轮次", "批处理", "状态", "请求", "完成/失败/总数", "更新时间", "说明"):
        table.add_column(column)
    for r in records:
        counts = r.counts or {}
        ident = r.batch_id or (f"导出：{r.input_path}" if r.kind == "export" else "（已上传，未创建）")
        note = "；".join(x for x in (r.note, "结果已读取" if r.collected else None) if x)
        table.add_row(f"{r.round}" + (f"-{r.part}" if r.part > 1 else ""), escape(ident),
                      STATUS_NAMES.get(r.status, r.status), str(r.requests),
                      "/".join(str(counts.get(k, "—")) for k in ("completed", "failed", "total")),
                      r.updated[5:16].replace("T", " "), escape(note))
    return table
