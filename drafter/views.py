"""Rich renderings for the CLI: the drafting progress and summary tables (UI only, not core)."""

from __future__ import annotations

import time

from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from drafter.document import STATUS_NAMES

STATE_NAMES = {"queued": "排队中", "drafting": "起草中", "checking": "核对中", "repairing": "修正中",
               "done": "完成", "failed": "失败"}
STATE_STYLES = {"done": "green", "failed": "red", "repairing": "yellow", "checking": "cyan"}


class DraftProgress:
    """One line per section with its state and characters received, live on a terminal."""

    def __init__(self, console: Console):
        self.console = console
        self.rows: dict[str, tuple[str, int]] = {}
        self.started = time.monotonic()
        # On a pipe or in CI a live display would print every frame: print state changes instead.
        self.live = Live(self._table(), console=console, refresh_per_second=8,
                         transient=False) if console.is_terminal else None

    def __enter__(self) -> "DraftProgress":
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
        elif previous is None or previous[0] != state:
            if state not in ("queued",):
                self.console.print(f"{escape(section_id)}：{STATE_NAMES.get(state, state)}")

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
    table = Table(title=f"草稿：{result.output}（{result.seconds:.1f} 秒）", title_justify="left")
    for column in ("章节", "标题", "状态", "尝试", "提示词 tokens", "缓存命中", "生成 tokens",
                   "待核对数字", "用时"):
        table.add_column(column, overflow="fold")
    for s in result.sections:
        style = {"passed": "green", "needs-review": "yellow", "failed": "red"}[s.status]
        table.add_row(escape(s.id), escape(s.title), f"[{style}]{STATUS_NAMES[s.status]}[/{style}]",
                      str(s.attempts), _tokens(s.prompt_tokens), _tokens(s.cached_tokens),
                      _tokens(s.completion_tokens), str(s.flagged), f"{s.seconds:.1f} 秒")
    return table
