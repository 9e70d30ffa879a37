"""OUTDIR/batch-report.json: per file and in total, what was drafted and what it cost (no key, ever)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from drafter.files import write_atomic
from drafter.providers import safe_url

REPORT_VERSION = 1


def report_data(result) -> dict:
    """The report as a dict: run, files, totals, batches."""
    settings = result.settings
    return {
        "drafter_batch": REPORT_VERSION,
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "via": result.via,
        "backend": settings.kind,
        "model": settings.model,
        "endpoint": safe_url(settings.base_url),
        "seconds": round(result.seconds, 1),
        "files": [_file(f, result.outdir) for f in result.files],
        "totals": result.totals(),
        "batches": [{"round": b.round, "part": b.part, "batch_id": b.batch_id, "status": b.status,
                     "request_counts": b.counts, "requests": b.requests} for b in result.log.batches],
        "resubmitted": result.log.resubmitted,
        "imported": None if result.imported is None else dict(zip(("answered", "failed"), result.imported,
                                                                  strict=True)),
    }


def write_report(path: Path, result) -> Path:
    """Write the report atomically (UTF-8 JSON) and return its path."""
    write_atomic(path, json.dumps(report_data(result), ensure_ascii=False, indent=2) + "\n")
    return path


def _file(f, outdir: Path) -> dict:
    return {"facts": _relative(f.facts, outdir), "draft": _relative(f.output, outdir), "status": f.status,
            "state": f.state, "sections": f.counts(), "requests": f.requests, "cached_answers": f.cached,
            "tokens": {"prompt": f.prompt_tokens, "cached": f.cached_tokens, "completion": f.completion_tokens},
            "redrafted_because": f.reason, "error": f.error,
            "notes": {section: note for section, note in f.notes}}


def _relative(path: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(Path(path).resolve(), Path(start).resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return str(Path(path).resolve())
