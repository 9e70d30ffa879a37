"""Drafting many facts files at once (`drafter batch`): live with shared limits, or through the
providers' Batch API (rounds of JSONL requests, resumable), or through an offline engine's JSONL.

Modules: `inputs` (the facts files and what becomes of each output), `jobs` (the command's core),
`rounds` (the chat model whose answers arrive a batch round at a time), `endpoint` (the provider's
/files and /batches), `lines` (JSONL request and result lines), `pacing` (one rate-limit pause for
every file), `report` (batch-report.json), `status` (--status and --cancel), `events` (progress).
"""
