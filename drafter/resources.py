"""Where the shipped prompts, fixtures and templates are, installed or in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the directory of shipped data `name` ("prompts" or "fixtures")."""
    # A wheel carries them under drafter/_data; a checkout (or editable install) keeps them
    # at the top of the repository.
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"drafter installation is missing its {name}/ directory")


def samples_dir() -> Path:
    """Return the directory of the built-in sample summaries."""
    return data_dir("fixtures") / "samples"


def template_path(name: str) -> Path:
    """Return a template shipped inside the package (e.g. the facts template)."""
    return _PACKAGE / "templates" / name
