"""What `drafter batch` reports while it works; the command line shows it as a live display."""

from __future__ import annotations


class Listener:
    """Receives progress; every method does nothing here, a display overrides what it shows."""

    def planned(self, files: list) -> None:
        """The files of the run (inputs.FilePlan), before any request."""

    def section(self, file: str, section: str, state: str, received: int) -> None:
        """A section of a file changed state (queued, drafting, checking, repairing, done, failed)."""

    def file_done(self, result) -> None:
        """A file is finished (jobs.FileResult): its draft written, or not."""

    def batch(self, record) -> None:
        """A batch's state as last seen (history.BatchRecord): status and request counts."""
