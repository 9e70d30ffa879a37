"""The consoles commands print to, and the shared ways of printing: notices, errors, JSON.

Commands import this module, never the package that registers them.
"""

from __future__ import annotations

import functools
import signal

import typer

from drafter.errors import DrafterError


class _LazyConsole:
    """A rich Console created on first use: `drafter check --format json` never imports rich."""

    def __init__(self, **options):
        self._options = options
        self._console = None

    def real(self):
        """The rich Console itself (for APIs such as Live that need the object)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str):
        return getattr(self.real(), name)


console = _LazyConsole()
err_console = _LazyConsole(stderr=True)


def escape(text: str) -> str:
    """Escape rich markup in user text (file names, facts) before printing it."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def Table(*args, **kwargs):  # noqa: N802 - stands in for rich.table.Table, imported when used
    """A rich Table, imported on first use."""
    from rich.table import Table as RichTable

    return RichTable(*args, **kwargs)


class Terminated(KeyboardInterrupt):
    """SIGTERM (a service manager, `timeout`): an interruption like Ctrl-C, recorded and cleaned up alike."""

    signal_name = "SIGTERM"


def _terminate(signum, frame):
    raise Terminated()


def reports_errors(func):
    """Turn a DrafterError into one red line on stderr and its exit code (Ctrl-C: 130, SIGTERM: 143)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            previous = signal.signal(signal.SIGTERM, _terminate)
        except ValueError:  # not the main thread: whoever runs us handles signals
            previous = None
        try:
            return func(*args, **kwargs)
        except DrafterError as exc:
            err_console.print(f"[red]错误：{escape(exc.render())}[/red]", soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt as exc:
            err_console.print(f"[yellow]{escape(interrupted_message(exc))}[/yellow]", soft_wrap=True)
            raise typer.Exit(143 if isinstance(exc, Terminated) else 130) from None
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return wrapper


def interrupted_message(exc: KeyboardInterrupt) -> str:
    """What an interrupted command tells the user: nothing was changed, and what the cache kept."""
    # Files are only ever replaced by an atomic rename, so an interrupted run changed nothing.
    head = "已被终止（SIGTERM）" if isinstance(exc, Terminated) else "已中断"
    message = f"{head}，没有写入或改动任何文件。"
    kept = getattr(exc, "answers_kept", 0)
    if kept:
        message += f"已收到的 {kept} 个模型回答保存在缓存中，再次运行同一命令会直接使用，不必重新等待模型。"
    return message


def notify(notice: str | None) -> None:
    """Print a notice (e.g. about a file's encoding) on stderr."""
    if notice:
        err_console.print(f"[yellow]{escape(notice)}[/yellow]", soft_wrap=True)


def print_notes(outcomes) -> None:
    """Each section's note (truncation, failure, …) on stderr, one line each."""
    for s in outcomes:
        if s.note:
            err_console.print(f"[yellow]{escape(s.id)}：{escape(s.note)}[/yellow]", soft_wrap=True)


def never_crash_on_output() -> None:
    """Print a replacement character, never a traceback, where the console's code page lacks one."""
    # On Windows, output sent to a file or pipe uses the ANSI code page (GBK), which cannot show
    # every character a document may hold (✔, rare names): print a replacement, never a traceback.
    import sys

    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
        if not encoding.startswith("utf") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def write_json(text: str) -> None:
    """Print JSON as UTF-8 whatever the console's code page (JSON is UTF-8 by definition)."""
    import sys

    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("_", "-")
    if encoding.startswith("utf") or not hasattr(sys.stdout, "buffer"):
        print(text, end="")
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
