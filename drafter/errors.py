"""The one error hierarchy: every message says what went wrong and what to do next."""

from __future__ import annotations

from pathlib import Path


class DrafterError(Exception):
    """Base of every error drafter reports to a user; the CLI exits with `exit_code`."""

    exit_code = 1

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None,
                 field: str | None = None, hint: str | None = None, sheet: str | None = None):
        self.message = message
        self.sheet = sheet  # a workbook's sheet: `line` is then its row
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.hint = hint
        super().__init__(self.render())

    def location(self) -> str:
        """Where the problem is, as `file:line`, `file 工作表“事实”第7行` (or just the file)."""
        if self.path is None:
            return ""
        if self.sheet:
            return f"{self.path} 工作表“{self.sheet}”" + (f"第{self.line}行" if self.line else "")
        return f"{self.path}:{self.line}" if self.line else self.path

    def render(self) -> str:
        """One line in Chinese: location, field, problem, and how to fix it."""
        parts = []
        loc = self.location()
        if loc:
            parts.append(f"{loc}：")
        if self.field:
            parts.append(f"字段 {self.field}：")
        parts.append(self.message)
        if self.hint:
            parts.append(f"（{self.hint}）")
        return "".join(parts)


class InputError(DrafterError):
    """Bad input from the user (a file, a field, an option): exit code 2."""

    exit_code = 2


class StorageError(DrafterError):
    """A file, folder, lock or database on this machine cannot be used (full disk, no permission): exit code 2.

    Not an InputError: code that tolerates a bad input file must never swallow a failed write.
    """

    exit_code = 2


class FactsError(InputError):
    """A facts file that cannot be loaded or is not valid."""


class DocumentError(InputError):
    """A document that cannot be read."""


class SampleError(InputError):
    """A sample (范文) file or folder that cannot be used."""


def excerpt(text, limit: int = 40) -> str:
    """At most `limit` characters of a user's text for a message, on one line ("…" marks a cut)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
