"""Model backends: the one-method chat model over the openai SDK, its usage and its errors.

`openai` and `asyncio` are imported inside functions only, so that `drafter check` and
`drafter --help` start fast. Settings and providers live in drafter.providers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from drafter.errors import DrafterError
from drafter.providers import BackendSettingsError, Settings, is_local, is_openai, safe_url


class BackendError(DrafterError):
    """A model call that failed; the message says what to do and never contains the API key.

    `kind` names the case: auth (401/403), not_found (404), rate_limited (429 after retries),
    server (5xx after retries), connection, timeout, rejected (other 4xx), interrupted (a stream
    that ended before the answer was finished), malformed (stream data that cannot be read),
    backend (anything else).
    """

    def __init__(self, message: str, *, kind: str = "backend", hint: str | None = None,
                 status: int | None = None):
        self.kind = kind
        self.status = status
        super().__init__(message, hint=hint)


@dataclass(frozen=True)
class Usage:
    """Token counts as the server reported them; None means "not reported", never 0 by default."""

    prompt_tokens: int | None
    completion_tokens: int | None
    cached_tokens: int | None


@dataclass(frozen=True)
class Completion:
    """One model answer: raw text as streamed, reasoning if sent, why it stopped, and usage."""

    text: str
    reasoning: str | None
    finish_reason: str | None
    usage: Usage
    model: str

    @property
    def truncated(self) -> bool:
        """True when the answer stopped at max_tokens."""
        return self.finish_reason == "length"


# An interrupted answer is asked again this many times, each after a longer pause: a one-slot
# server cuts answers until the requests in flight are down to what it takes.
INTERRUPTED_RETRIES = 4
BACKOFF_SECONDS = 0.25


@dataclass
class Load:
    """What a run learned about the server's capacity (shared by every section of the run)."""

    slots: int | None = None   # requests it takes at once; None: not asked (remote, or all cached)
    limit: int | None = None   # requests sent at once now; lowered after an interrupted answer
    interrupted: int = 0       # answers the server cut off (each asked again)


class ChatModel(Protocol):
    """The model interface every backend implements: complete, plus how many requests it takes at once."""

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float = 0.3,
                       on_delta: Callable[[str], None] | None = None,
                       max_chars: int | None = None) -> Completion:
        """Send messages, stream the answer (on_delta gets each content piece), return it whole.

        A stream that ends before the server says why it stopped raises BackendError(kind="interrupted").
        With max_chars, reading stops once the answer is that long (finish_reason "length").
        """
        ...

    async def capacity(self) -> int | None:
        """Requests the server answers at once (None: no known limit)."""
        ...


class OpenAIChatModel:
    """A ChatModel over an OpenAI-compatible endpoint: always streaming, usage requested."""

    def __init__(self, settings: Settings, event_hooks: dict | None = None):
        self.settings = settings
        self.event_hooks = event_hooks  # httpx event hooks, e.g. a rate-limit pause shared by several drafts
        self._client = None
        self._loop = None  # the event loop the client's connections belong to
        self._stream_options = True  # off once a server has rejected stream_options
        self.load = Load()
        self._gate = None  # asyncio.Condition of the current loop, guarding self._active
        self._active = 0

    def __repr__(self) -> str:
        return f"OpenAIChatModel({self.settings.describe()!r})"

    async def aclose(self) -> None:
        """Close the HTTP connections (call once drafting is done)."""
        import asyncio

        client, loop, self._client, self._loop = self._client, self._loop, None, None
        # Connections opened in an event loop that has since ended are already dead.
        if client is not None and loop is asyncio.get_running_loop():
            await client.close()

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float = 0.3,
                       on_delta: Callable[[str], None] | None = None,
                       max_chars: int | None = None) -> Completion:
        """Stream one chat completion; failures raise BackendError (Chinese, never the key).

        Requests wait for a free place when the server takes fewer at once (a local server's slots);
        an interrupted answer is asked again after a pause, with fewer requests in flight from then on.
        """
        import asyncio
        import random

        retries = 0
        while True:
            gate = await self._enter()
            try:
                return await self._complete(messages, max_tokens, temperature, on_delta, max_chars)
            except BackendError as exc:
                if exc.kind != "interrupted":
                    raise
                self._lower()
                if retries == INTERRUPTED_RETRIES:
                    raise BackendError(f"{exc.message}（已重试 {retries} 次）", kind=exc.kind,
                                       hint=exc.hint) from None
            finally:
                await self._leave(gate)
            await asyncio.sleep(BACKOFF_SECONDS * 2 ** retries * random.uniform(0.5, 1.5))
            retries += 1

    async def _enter(self):
        import asyncio

        if self._gate is None or self._loop is not asyncio.get_running_loop():
            self._gate, self._active = asyncio.Condition(), 0
            self._client, self._loop = make_client(self.settings, self.event_hooks), asyncio.get_running_loop()
        gate = self._gate
        async with gate:
            if self.load.slots is None and self.settings.local:
                self.load.slots = await self.capacity()  # asked once, under the lock
                self.load.limit = self.load.slots
            await gate.wait_for(lambda: self.load.limit is None or self._active < self.load.limit)
            self._active += 1
        return gate

    async def _leave(self, gate) -> None:
        async with gate:
            self._active -= 1
            gate.notify_all()

    def _lower(self) -> None:
        """Fewer requests at once for the rest of the run: halve what was in flight."""
        self.load.interrupted += 1
        current = self.load.limit if self.load.limit is not None else self._active
        self.load.limit = max(1, current // 2)

    async def _complete(self, messages: list[dict[str, str]], max_tokens: int, temperature: float,
                        on_delta: Callable[[str], None] | None, max_chars: int | None) -> Completion:
        import openai

        request = {"model": self.settings.model, "messages": messages, "max_tokens": max_tokens,
                   "temperature": temperature, "stream": True}
        reader = _StreamReader(self.settings, on_delta, max_chars)
        try:
            if self._stream_options:
                try:
                    return await self._stream({**request, "stream_options": {"include_usage": True}}, reader)
                except openai.BadRequestError:
                    # Older local servers reject stream_options: retry once without. Only a success
                    # proves that was the reason (a prompt too long fails both ways).
                    completion = await self._stream(request, _StreamReader(self.settings, on_delta, max_chars))
                    self._stream_options = False
                    return completion
            return await self._stream(request, reader)
        except BackendError:
            raise
        except Exception as exc:
            error = translate_error(exc, self.settings)
            if error is None:
                raise
        raise error  # outside the except block: the SDK's exception (and its text) is not chained

    async def _stream(self, request: dict, reader: _StreamReader) -> Completion:
        async with await self._client.chat.completions.create(**request) as stream:
            error = None
            try:
                async for chunk in stream:
                    if reader.read(chunk):
                        break
            except Exception as exc:
                # Once the answer has begun, a broken connection is an interrupted answer, and data
                # the SDK cannot parse (`data: {not json}`) is a malformed one: never a traceback.
                error = reader.failure(exc)
                if error is None:
                    raise
        if error is not None:
            raise error
        return reader.completion()

    async def capacity(self) -> int | None:
        """None for a remote service; for a local server the `total_slots` llama.cpp reports, else 1.

        llama.cpp's llama-server reports its slots on /props; llama-cpp-python, Ollama and vLLM say
        nothing, and llama-cpp-python cuts the answer it is generating when a second request
        arrives: a server that does not say how many requests it takes is sent one at a time.
        """
        if not self.settings.local:
            return None
        import openai

        url = self.settings.base_url or ""
        root = url[:-3] if url.endswith("/v1") else url
        try:
            # The SDK's own HTTP client class (httpx or httpx2, whichever this SDK is built on).
            async with openai.DefaultAsyncHttpxClient(trust_env=not is_local(url),
                                                      timeout=min(self.settings.timeout, 5.0)) as client:
                response = await client.get(f"{root}/props",
                                            headers={"Authorization": f"Bearer {self.settings.api_key}"})
            slots = response.json().get("total_slots") if response.status_code == 200 else None
        except Exception:  # whatever stops the probe, the server did not report its slots
            slots = None
        return slots if isinstance(slots, int) and not isinstance(slots, bool) and slots >= 1 else 1


class _StreamReader:
    """One streamed answer as it arrives: text, reasoning, finish reason, usage, model."""

    def __init__(self, settings: Settings, on_delta: Callable[[str], None] | None, max_chars: int | None):
        self.settings = settings
        self.on_delta = on_delta
        self.max_chars = max_chars
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.chars = 0
        self.chunks = 0
        self.finish_reason: str | None = None
        self.usage = None
        self.model = settings.model

    def read(self, chunk) -> bool:
        """Take one chunk; True when the answer has reached max_chars and reading should stop."""
        self.chunks += 1
        self.model = chunk.model or self.model
        self.usage = chunk.usage if chunk.usage is not None else self.usage
        for choice in chunk.choices:
            # DeepSeek and vLLM send reasoning_content; Ollama and others send reasoning.
            thought = _field(choice.delta, "reasoning_content") or _field(choice.delta, "reasoning")
            if isinstance(thought, str):
                self.reasoning.append(thought)
            content = choice.delta.content
            if content:
                self.text.append(content)
                self.chars += len(content)
                if self.on_delta is not None:
                    self.on_delta(content)
            self.finish_reason = choice.finish_reason or self.finish_reason
        if self.max_chars is not None and self.chars >= self.max_chars and self.finish_reason is None:
            # A server that ignores max_tokens could stream without end: stop, as the cap would.
            self.finish_reason = "length"
            return True
        return False

    def completion(self) -> Completion:
        """The whole answer; BackendError(kind="interrupted") if the server never said why it stopped."""
        if self.finish_reason is None:
            raise self._interrupted("流式输出在回答完成之前就结束了，没有结束原因")
        return Completion("".join(self.text), "".join(self.reasoning) or None, self.finish_reason,
                          read_usage(self.usage), self.model)

    def failure(self, exc: Exception) -> BackendError | None:
        """The BackendError for an exception raised while reading the stream (None: not ours to name)."""
        import openai

        if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIConnectionError):
            return None  # an error event in the stream: the server's own message
        if isinstance(exc, openai.APITimeoutError) or _transport(exc, timeout=True):
            return None  # a stalled stream is a timeout
        if isinstance(exc, openai.APIConnectionError) or _transport(exc, timeout=False):
            return self._interrupted("连接在回答完成之前断开了")
        if isinstance(exc, ValueError | TypeError | AttributeError | KeyError):
            where = safe_url(self.settings.base_url)
            return BackendError(f"模型服务 {where} 返回了无法解析的流式数据（第 {self.chunks + 1} 段不是"
                                "合法的 OpenAI 格式 JSON）", kind="malformed",
                                hint="请确认 --base-url 指向 OpenAI 兼容接口（通常以 /v1 结尾）；"
                                     "本地服务请查看它的日志，或换用新版本")
        return None

    def _interrupted(self, what: str) -> BackendError:
        where = safe_url(self.settings.base_url)
        received = f"，已收到 {self.chars} 字" if self.chars else ""
        return BackendError(f"模型服务 {where} 中断了回答：{what}{received}", kind="interrupted",
                            hint="本地服务（如 llama-cpp-python）同时收到多个请求时会打断正在生成的回答："
                                 "drafter 会降低并发后重试；反复出现时请用 --concurrency 1，并查看服务的日志")


def build_model(settings: Settings) -> ChatModel:
    """The chat model for settings of kind "openai" (the offline composer is not a chat model)."""
    if settings.kind != "openai":
        raise BackendSettingsError("离线撰写器不是对话模型，不能用于此操作",
                                   hint="请用 --provider、--model 或 --base-url 配置模型服务")
    return OpenAIChatModel(settings)


async def list_models(settings: Settings) -> list[str]:
    """The model ids the endpoint's /models lists, sorted."""
    if settings.kind != "openai":
        raise BackendSettingsError("没有配置模型服务，无法列出模型",
                                   hint="请指定服务，例如 drafter models --provider deepseek 或 "
                                        "drafter models --base-url http://127.0.0.1:11434/v1")
    client = make_client(settings)
    try:
        return sorted([model.id async for model in client.models.list()])
    except Exception as exc:
        error = translate_error(exc, settings, listing=True)
        if error is None:
            raise
    finally:
        await client.close()
    raise error


def read_usage(usage) -> Usage:
    """Usage from a server's usage block, with cached tokens from whichever field it uses."""
    if usage is None:
        return Usage(None, None, None)
    cached = _field(_field(usage, "prompt_tokens_details"), "cached_tokens")
    for name in ("prompt_cache_hit_tokens", "cached_tokens"):  # DeepSeek; Moonshot (top level)
        cached = _field(usage, name) if cached is None else cached
    return Usage(*(v if isinstance(v, int) and not isinstance(v, bool) else None for v in
                   (_field(usage, "prompt_tokens"), _field(usage, "completion_tokens"), cached)))


def _field(obj, name: str):
    """A field of an SDK object or dict, declared or extra (servers add fields the SDK lacks)."""
    if obj is None or isinstance(obj, dict):
        return obj.get(name) if obj else None
    value = getattr(obj, name, None)
    return value if value is not None else (getattr(obj, "model_extra", None) or {}).get(name)


def make_client(settings: Settings, event_hooks: dict | None = None):
    """The openai AsyncOpenAI client for settings: the key only in its header, no proxy for local servers."""
    import openai

    # The Authorization header is set explicitly so that OPENAI_CUSTOM_HEADERS cannot swap the key.
    # A proxy from the environment cannot reach a server on this machine or the local network.
    local = is_local(settings.base_url or "")
    http_client = None
    if local or event_hooks:
        http_client = openai.DefaultAsyncHttpxClient(trust_env=not local, event_hooks=event_hooks)
    client = openai.AsyncOpenAI(api_key=settings.api_key, base_url=settings.base_url,
                                timeout=settings.timeout, max_retries=settings.max_retries,
                                http_client=http_client,
                                default_headers={"Authorization": f"Bearer {settings.api_key}"})
    if not is_openai(settings.base_url):
        # The SDK adds OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment: OpenAI's business only.
        client.organization = client.project = None
    return client


def translate_error(exc: BaseException, settings: Settings, *, listing: bool = False) -> BackendError | None:
    """Our BackendError for an SDK or transport exception (None for anything else, e.g. a bug)."""
    import openai

    where, retries = safe_url(settings.base_url), f"已重试 {settings.max_retries} 次"
    models = "drafter models " + (f"--provider {settings.provider}" if settings.provider
                                  else f"--base-url {where}")
    if isinstance(exc, openai.APITimeoutError) or _transport(exc, timeout=True):
        return BackendError(f"模型服务 {where} 在 {settings.timeout:g} 秒内没有响应（{retries}）", kind="timeout",
                            hint="服务繁忙或模型较大：请稍后重试，或用 --timeout 调大超时时间")
    if isinstance(exc, openai.APIConnectionError) or _transport(exc, timeout=False):
        return BackendError(f"无法连接模型服务 {where}（{retries}）", kind="connection",
                            hint="本地服务（ollama、vLLM、llama.cpp）请确认已启动并监听这个地址；"
                                 "远程服务请检查网络、代理和 --base-url 是否正确")
    if not isinstance(exc, openai.APIError):
        return None
    status = getattr(exc, "status_code", None)
    said = _server_text(exc, settings.api_key)
    detail = f"（HTTP {status}）：{said}" if status else f"：{said}"
    if status in (401, 403):
        if settings.key_source is None:
            hint = "该服务需要密钥：请用 --api-key 提供"
        else:
            holder = (" --api-key 提供的" if settings.key_source == "--api-key"
                      else f"环境变量 {settings.key_source} 中的")
            hint = f"请检查{holder}密钥是否正确、是否过期，以及账户是否有权使用该模型"
        return BackendError(f"模型服务 {where} 拒绝了 API 密钥{detail}", kind="auth", status=status, hint=hint)
    if status == 404 and listing:
        return BackendError(f"模型服务 {where} 不提供模型列表{detail}", kind="not_found", status=status,
                            hint="请检查地址是否正确（通常以 /v1 结尾），或查阅服务商文档中的模型名")
    if status == 404:
        return BackendError(f"模型 {settings.model} 不存在或无权使用{detail}", kind="not_found", status=status,
                            hint=f"运行 {models} 查看可用模型，再用 --model 指定；"
                                 "若模型名无误，请检查地址是否正确（通常以 /v1 结尾）")
    if status == 429:
        return BackendError(f"模型服务 {where} 请求过于频繁或额度不足{detail}（{retries}仍失败）",
                            kind="rate_limited", status=status,
                            hint="请稍后再试，或用 --concurrency 降低并发；如提示余额不足，请到服务商控制台充值")
    if status is not None and status >= 500:
        return BackendError(f"模型服务 {where} 出错{detail}（{retries}仍失败）", kind="server", status=status,
                            hint="多为服务暂时故障，请稍后重试；本地服务请查看其日志")
    if status is not None:
        too_long = re.search(r"context|too long|maximum.*tokens|上下文|过长", said, re.I)
        return BackendError(f"模型服务 {where} 拒绝了请求{detail}", kind="rejected", status=status,
                            hint="提示词超出模型的上下文长度：请调小 --max-prompt-tokens" if too_long
                            else f"请检查 --model 是否为该服务的模型名（{models} 可列出）")
    return BackendError(f"模型服务 {where} 返回错误{detail}", hint="请稍后重试；反复出现时请换一个模型或服务")


def _transport(exc: BaseException, *, timeout: bool) -> bool:
    """An httpx/httpcore error that escaped the SDK (older SDKs do not wrap errors mid-stream)."""
    module = type(exc).__module__.split(".")[0]
    if module not in ("httpx", "httpx2", "httpcore", "httpcore2"):
        return False
    return ("Timeout" in type(exc).__name__) == timeout


def _server_text(exc: BaseException, key: str | None) -> str:
    """The server's own error message, tags stripped, shortened, with the API key scrubbed."""
    body = getattr(exc, "body", None)
    text = body.get("message") if isinstance(body, dict) else body
    if not isinstance(text, str) or not text.strip():
        text = getattr(exc, "message", "") if getattr(exc, "status_code", None) is None else "无详细说明"
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", text)).strip()
    text = scrub_secret(text, key)
    return text if len(text) <= 200 else text[:200] + "……"


def scrub_secret(text: str, secret: str | None) -> str:
    """Replace the secret, and key-like tokens sharing its start or end (masked echoes), with ***."""
    if not secret:
        return text
    text = text.replace(secret, "***")
    if len(secret) < 8:  # too short for its fragments to be told from ordinary words
        return text

    def mask(match: re.Match) -> str:
        token = match.group(0)
        if len(token) < 8:
            return token
        shares = token[:6] == secret[:6] or token[-4:] == secret[-4:]
        return "***" if shares or ("*" in token and secret[:3] == token[:3]) else token

    # Dots only inside a token (Zhipu keys are "id.secret"), so a sentence's full stop survives.
    return re.sub(r"[A-Za-z0-9_\-*]+(?:\.[A-Za-z0-9_\-*]+)*", mask, text)
