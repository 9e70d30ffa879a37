"""Loading a facts file of either format, and writing the commented YAML template."""

from __future__ import annotations

from pathlib import Path

from drafter.errors import FactsError
from drafter.facts.model import Facts
from drafter.facts.yaml_reader import parse_facts
from drafter.files import MAX_FACTS_BYTES, read_text


def load_facts(path: str | Path) -> Facts:
    """Load and validate a facts file (YAML or Excel .xlsx); raise FactsError naming where and what."""
    if Path(path).suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        from drafter.facts.workbook import load_workbook_facts
        return load_workbook_facts(path)
    decoded = read_text(path, what="事实文件", max_bytes=MAX_FACTS_BYTES)
    return parse_facts(decoded)


def template_text(topic: str | None = None) -> str:
    """The commented facts template: the general example, or the outline of `topic`'s kind of summary."""
    if topic is None:
        from drafter.resources import template_path

        return template_path("facts.yaml").read_text(encoding="utf-8")
    from drafter.outlines import render_template

    return render_template(topic)


def write_template(path: str | Path, *, force: bool = False, topic: str | None = None) -> Path:
    """Write the commented facts template (of `topic`'s outline when given); refuse to overwrite unless force."""
    from drafter.files import refuse_overwrite, write_atomic

    target = Path(path)
    if target.is_dir():
        target = target / "facts.yaml"
    refuse_overwrite(target, force=force, example="facts.yaml", error=FactsError)
    write_atomic(target, template_text(topic))
    return target
