"""Command line: parse options, call one core function, render with rich.

The entry point `drafter` is `main`; importing the command modules registers their commands.
"""

from __future__ import annotations

# Importing a command module registers its commands; `drafter --help` lists them in this order.
# isort: off
from drafter.cli import facts_and_samples, draft_and_check, batch, editing  # noqa: F401
# isort: on
from drafter.cli.app import app
from drafter.cli.console import never_crash_on_output

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the `drafter` console script."""
    never_crash_on_output()
    app(prog_name="drafter")
