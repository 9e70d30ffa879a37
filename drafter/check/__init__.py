"""The number checker: every number in a document, verified against the facts.

Parts, in the order a check runs: documents (reading .txt/.md/.docx, blanking non-prose),
mentions (finding number mentions) with numerals, units, kinds and not_quantities (numerals that
are not quantities, and the set-phrase lexicon), matching and derivation (a mention against the
facts), attribution (the words around a number), explanations (the sentence for each verdict),
report (the result) and review_page (the HTML page). engine runs them.

The public API is imported lazily, so that importing this package costs nothing until a check runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drafter.check.engine import check_text, run_check
    from drafter.check.mentions import Mention, extract_mentions
    from drafter.check.report import Report

__all__ = ["Mention", "Report", "check_text", "extract_mentions", "run_check"]

_PUBLIC = {"check_text": "engine", "run_check": "engine", "extract_mentions": "mentions",
           "Mention": "mentions", "Report": "report"}


def __getattr__(name: str):
    """Import a public name from its module on first use (PEP 562)."""
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"drafter.check.{_PUBLIC[name]}"), name)
