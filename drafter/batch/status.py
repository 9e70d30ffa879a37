"""`drafter batch --status OUTDIR` and `--cancel OUTDIR`: the batches recorded in an output folder's history."""

from __future__ import annotations

import asyncio
from pathlib import Path

from drafter.errors import InputError
from drafter.history import History, history_path


def _store(outdir: Path, history: Path | None) -> History:
    path = history_path(Path(outdir) / "batch-report.json", history)
    if not Path(outdir).is_dir() or not path.is_file():
        raise InputError("这个文件夹里没有 drafter batch 的记录", path=outdir,
                         hint="请给出 drafter batch 的 -o 输出文件夹（其中有 .drafter 文件夹）")
    return History.open(path)


def batch_status(outdir: Path, settings=None, history: Path | None = None) -> list:
    """Every batch recorded for OUTDIR, oldest first; with a model endpoint, open ones asked for fresh status."""
    with _store(outdir, history) as store:
        records = store.batches()
        if settings is not None and settings.kind == "openai":
            records = asyncio.run(_refresh(store, settings, records, cancel=False))
        return records


def cancel_batches(outdir: Path, settings, history: Path | None = None) -> list:
    """Ask the provider to cancel every open batch of OUTDIR; return every batch recorded."""
    if settings.kind != "openai":
        raise InputError("取消批处理需要指定模型服务", hint="请用与提交时相同的 --provider、--base-url 和密钥")
    with _store(outdir, history) as store:
        return asyncio.run(_refresh(store, settings, store.batches(), cancel=True))


async def _refresh(store: History, settings, records: list, *, cancel: bool) -> list:
    from drafter.batch.endpoint import DONE, BatchEndpoint
    from drafter.providers import safe_url

    endpoint = BatchEndpoint(settings, store, store.path.parent / "batches")
    fresh = []
    try:
        for record in records:
            mine = (record.kind == "api" and record.collected is None and record.status not in DONE
                    and record.base_url == safe_url(settings.base_url))
            if mine and record.batch_id is None:
                found = await endpoint.created_from(record.input_file_id)
                if found is not None:  # created, but the run stopped before it recorded the id
                    record = store.update_batch(record.id, batch_id=found.id, status=found.status)
            if mine and record.batch_id is None and cancel:
                # Uploaded, never created: nothing runs at the provider, and a re-run must not create it.
                record = store.update_batch(record.id, status="cancelled", note="上传后尚未创建批处理时被取消")
            elif mine and cancel:
                record = await endpoint.cancel(record)
            elif mine and record.batch_id is not None:
                record = await endpoint.refresh(record)
            fresh.append(record)
    finally:
        await endpoint.aclose()
    return fresh
