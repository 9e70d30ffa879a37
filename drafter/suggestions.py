"""“Did you mean …”: the one way drafter finds the name a user probably meant to type."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable

# Chinese labels are two to four characters: one shared character out of two is already a
# plausible typo (数植 → 数值), so the bar sits below difflib's default of 0.6.
CUTOFF = 0.4


def closest(word: str, choices: Iterable[str], cutoff: float = CUTOFF) -> str | None:
    """The choice most like `word` (ignoring case), or None when none scores `cutoff`."""
    options = list(dict.fromkeys(choices))
    wanted = word.strip().lower()

    def score(choice: str) -> tuple[float, int]:
        # Ties (数植: 数值 or 约数?) go to the choice sharing the longer start.
        lowered = choice.lower()
        return difflib.SequenceMatcher(None, wanted, lowered).ratio(), len(os.path.commonprefix([wanted, lowered]))

    if not options or not wanted:
        return None
    best = max(options, key=score)
    return best if score(best)[0] >= cutoff else None
