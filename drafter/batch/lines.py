"""JSONL lines of the OpenAI Batch API format: requests out, results in (OpenAI's and vLLM's shapes)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from drafter.backends import BackendError, Completion, read_usage
from drafter.errors import DrafterError, InputError, excerpt

# The strictest of the providers' limits per input file (Zhipu, Kimi: 50,000 requests and 100 MB).
MAX_REQUESTS = 50_000
MAX_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class LineResult:
    """One result line: the answer, or why there is none."""

    custom_id: str
    completion: Completion | None
    error: str | None
    line: int = 0


def chat_endpoint(base_url: str | None) -> str:
    """The url every request line names: /v1/chat/completions, or /v4/… for Zhipu's /api/paas/v4."""
    last = urlsplit(base_url or "").path.rstrip("/").rsplit("/", 1)[-1]
    version = last if len(last) > 1 and last[0] == "v" and last[1:].isdigit() else "v1"
    return f"/{version}/chat/completions"


def request_line(custom_id: str, endpoint: str, body: dict) -> str:
    """One request as a JSONL line (no newline): custom_id, method, url, body."""
    return json.dumps({"custom_id": custom_id, "method": "POST", "url": endpoint, "body": body},
                      ensure_ascii=False, separators=(",", ":"))


def split_lines(lines: list[str], *, max_requests: int = MAX_REQUESTS, max_bytes: int = MAX_BYTES) -> list[list[str]]:
    """Lines in parts that each stay within the providers' limits on requests and bytes per file."""
    parts: list[list[str]] = []
    size = 0
    for line in lines:
        length = len(line.encode("utf-8")) + 1
        if length > max_bytes:
            raise InputError(f"一个请求就有 {length} 字节，超过了批处理文件 {max_bytes} 字节的上限",
                             hint="请调小 --max-prompt-tokens，或用 --via live 逐节实时起草")
        if not parts or len(parts[-1]) >= max_requests or size + length > max_bytes:
            parts.append([])
            size = 0
        parts[-1].append(line)
        size += length
    return parts


def jsonl(lines: list[str]) -> bytes:
    """The lines as a UTF-8 JSONL file."""
    return "".join(line + "\n" for line in lines).encode("utf-8")


def read_results(text: str, path: Path | str, *, error: type[DrafterError] = InputError) -> list[LineResult]:
    """Parse a results file, line by line; a line that is not a result is `error` naming the file and line."""
    results = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            raise error(f"第 {number} 行不是合法的 JSON：{excerpt(line)}", path=path, line=number,
                        hint="结果文件应为 OpenAI 批处理输出格式的 JSONL，每行一个结果") from None
        if not isinstance(item, dict) or not isinstance(item.get("custom_id"), str):
            raise error(f"第 {number} 行没有 custom_id", path=path, line=number,
                        hint="结果文件应为 OpenAI 批处理输出格式的 JSONL（vllm run-batch 的 -o 文件）")
        results.append(dataclasses.replace(_result(item), line=number))
    return results


def _result(item: dict) -> LineResult:
    custom_id = item["custom_id"]
    if item.get("error"):
        return LineResult(custom_id, None, _error_text(item["error"]))
    response = item.get("response")
    if not isinstance(response, dict):
        return LineResult(custom_id, None, "结果中没有回答")
    body = response
    if "status_code" in response or "body" in response:
        # OpenAI wraps the completion in {status_code, request_id, body}; vLLM's chat results put it
        # directly under `response`.
        body = response.get("body")
        status = response.get("status_code")
        if status != 200:
            said = _error_text(body.get("error") if isinstance(body, dict) else body)
            return LineResult(custom_id, None, f"HTTP {status}：{said}")
    if not isinstance(body, dict) or body.get("error"):
        return LineResult(custom_id, None, _error_text(body.get("error") if isinstance(body, dict) else body))
    try:
        return LineResult(custom_id, completion_from_body(body), None)
    except BackendError as exc:
        return LineResult(custom_id, None, exc.message)


def completion_from_body(body: dict) -> Completion:
    """A chat.completion object (non-streamed) as a Completion."""
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise BackendError("结果中没有 choices", kind="malformed")
    message = choices[0].get("message") or {}
    text = message.get("content") if isinstance(message, dict) else None
    reasoning = (message.get("reasoning_content") or message.get("reasoning")) if isinstance(message, dict) else None
    return Completion(text if isinstance(text, str) else "", reasoning if isinstance(reasoning, str) else None,
                      choices[0].get("finish_reason"), read_usage(body.get("usage")), str(body.get("model") or ""))


def _error_text(error) -> str:
    if isinstance(error, dict):
        code, message = error.get("code"), error.get("message")
        return "：".join(str(x) for x in (code, message) if x) or "未说明原因"
    return excerpt(error, 200) if error else "未说明原因"
