"""A provider's Batch API through the openai SDK: upload a JSONL, create a batch, poll it, read its files.

Every step is recorded in history as soon as it is done (the uploaded file's id, then the batch's
id, then each status seen), so that a process stopped at any point is continued by a re-run
without uploading the same requests again.
"""

from __future__ import annotations

from pathlib import Path

from drafter.backends import BackendError, make_client, scrub_secret, translate_error
from drafter.batch.lines import LineResult, chat_endpoint, jsonl, read_results
from drafter.errors import DrafterError, InputError
from drafter.files import write_atomic_bytes
from drafter.providers import safe_url

# "missing": ours, for a batch the provider no longer knows (its requests are submitted again).
DONE = ("completed", "failed", "expired", "cancelled", "missing")
STATUS_NAMES = {"uploaded": "已上传", "validating": "校验中", "in_progress": "进行中", "finalizing": "整理结果中",
                "completed": "已完成", "failed": "失败", "expired": "已过期", "cancelling": "取消中",
                "cancelled": "已取消", "missing": "服务商处已不存在", "exported": "已导出，等待导入结果",
                "imported": "已导入结果"}
RECENT_BATCHES = 200  # looked through for a batch created from a given file
RESUME_HINT = "已提交的批处理记录在历史中：再次运行同一命令会继续查询，不会重复提交"
OTHER_ENGINES = ("提供批处理接口的有 OpenAI、阿里云百炼（--provider qwen）、智谱（--provider zhipu）、"
                 "Kimi（--provider moonshot）；本地的 vLLM 可用 --export-jsonl 导出后运行 vllm run-batch")


class BatchUnsupportedError(InputError):
    """The endpoint has no Batch API (404 on /files): nothing was submitted (exit code 2)."""


class BatchResultError(DrafterError):
    """A results file the provider sent that cannot be read (exit code 1, like any failure of the server)."""


class BatchEndpoint:
    """The /files and /batches of one OpenAI-compatible endpoint, with each step kept in history."""

    def __init__(self, settings, store, folder: Path):
        self.settings = settings
        self.store = store
        self.folder = folder  # where the JSONL sent and the result files received are kept
        self.endpoint = chat_endpoint(settings.base_url)
        self._client = None

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    async def submit(self, lines: list[str], requests: list[tuple], round: int, part: int):
        """Upload one JSONL (purpose batch) and create its batch; return the BatchRecord."""
        data = jsonl(lines)
        path = self.folder / f"round-{round:03d}-{part}.jsonl"
        write_atomic_bytes(path, data)
        uploaded = await self._call(lambda c: c.files.create(file=(path.name, data, "application/jsonl"),
                                                             purpose="batch"), uploading=True)
        record = self.store.add_batch(round=round, part=part, kind="api", base_url=self.settings.base_url,
                                      model=self.settings.model, endpoint=self.endpoint, input_path=path,
                                      status="uploaded", requests=requests, input_file_id=uploaded.id)
        return await self.refresh(record)

    async def refresh(self, record):
        """The batch as the provider reports it now (created first if the upload was all that happened)."""
        if record.batch_id is None:
            # A run stopped between creating the batch and recording its id must not create a second one.
            batch = await self.created_from(record.input_file_id) or await self._call(lambda c: c.batches.create(
                input_file_id=record.input_file_id, endpoint=self.endpoint, completion_window="24h"))
        else:
            batch = await self._call(lambda c: c.batches.retrieve(record.batch_id), record=record)
            if batch is None:
                return self.store.update_batch(record.id, status="missing",
                                               note="服务商处找不到这个批处理（HTTP 404），其中的请求会重新提交")
        return self._update(record, batch)

    async def created_from(self, input_file_id: str | None):
        """The provider's batch created from this uploaded file, among its most recent ones (None: none)."""
        import openai

        if not input_file_id:
            return None
        if self._client is None:
            self._client = make_client(self.settings)
        try:
            seen = 0
            async for batch in self._client.batches.list(limit=100):
                if batch.input_file_id == input_file_id:
                    return batch
                seen += 1
                if seen >= RECENT_BATCHES:
                    break
        except openai.APIError:
            pass  # a provider that cannot list its batches: create one, as nothing else is known
        return None

    async def cancel(self, record):
        """Ask the provider to cancel the batch; return the record as it then stands."""
        batch = await self._call(lambda c: c.batches.cancel(record.batch_id), record=record)
        return self._update(record, batch) if batch is not None else record

    async def results(self, record) -> dict[str, LineResult]:
        """Download the batch's output and error files (kept beside the JSONL) and read them by custom_id."""
        found: dict[str, LineResult] = {}
        paths = {}
        for kind in ("output", "error"):
            file_id = getattr(record, f"{kind}_file_id")
            if not file_id:
                continue
            content = await self._call(lambda c, f=file_id: c.files.content(f))
            # A provider may echo the key in an error line: it is never written to disk.
            text = scrub_secret(content.content.decode("utf-8", "replace"), self.settings.api_key)
            path = self.folder / f"{record.batch_id}-{kind}.jsonl"
            write_atomic_bytes(path, text.encode("utf-8"))
            paths[f"{kind}_path"] = path
            for result in read_results(text, path, error=BatchResultError):
                found[result.custom_id] = result
        if paths:
            self.store.update_batch(record.id, **paths)
        return found

    def _update(self, record, batch):
        counts = batch.request_counts
        errors = getattr(batch, "errors", None)
        data = getattr(errors, "data", None) or []
        note = "；".join(f"第 {e.line} 行：{e.message}" if getattr(e, "line", None) else str(e.message)
                        for e in data[:3]) or None
        return self.store.update_batch(
            record.id, batch_id=batch.id, status=batch.status, output_file_id=batch.output_file_id,
            error_file_id=batch.error_file_id, note=scrub_secret(note, self.settings.api_key) if note else None,
            counts=None if counts is None else {"total": counts.total, "completed": counts.completed,
                                                "failed": counts.failed})

    async def _call(self, call, *, uploading: bool = False, record=None):
        """Run one SDK call; its failure as our error (a 404 for a known batch: None)."""
        import openai

        if self._client is None:
            self._client = make_client(self.settings)
        try:
            return await call(self._client)
        except openai.NotFoundError:
            if record is not None:
                return None
            where = safe_url(self.settings.base_url)
            if uploading:
                raise BatchUnsupportedError(f"模型服务 {where} 没有批处理接口（上传文件 /files 返回 HTTP 404），"
                                            "没有提交任何请求",
                                            hint="请改用 --via live 逐节实时起草；" + OTHER_ENGINES) from None
            raise BackendError(f"模型服务 {where} 的批处理接口返回 HTTP 404", kind="not_found", status=404,
                               hint=RESUME_HINT) from None
        except Exception as exc:
            error = translate_error(exc, self.settings)
            if error is None:
                raise
        raise BackendError(error.message, kind=error.kind, status=error.status,
                           hint="；".join(x for x in (error.hint, RESUME_HINT) if x))
