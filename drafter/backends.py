"""Model backends: provider presets, settings, the one-method chat model, and its errors.

`openai` and `asyncio` are imported inside functions only, so that `drafter check` and
`drafter --help` start fast.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from drafter.errors import DrafterError, InputError


@dataclass(frozen=True)
class Provider:
    """A named OpenAI-compatible endpoint and the environment variable holding its key."""

    name: str
    base_url: str
    key_env: str | None
    local: bool


PROVIDERS: dict[str, Provider] = {p.name: p for p in (
    Provider("deepseek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", False),
    Provider("qwen", "https://dashscope.aliyuncs.com/compatible-mode/v1", "DASHSCOPE_API_KEY", False),
    Provider("dashscope", "https://dashscope.aliyuncs.com/compatible-mode/v1", "DASHSCOPE_API_KEY", False),
    Provider("moonshot", "https://api.moonshot.cn/v1", "MOONSHOT_API_KEY", False),
    Provider("zhipu", "https://open.bigmodel.cn/api/paas/v4", "ZHIPUAI_API_KEY", False),
    Provider("ollama", "http://127.0.0.1:11434/v1", None, True),
    Provider("vllm", "http://127.0.0.1:8000/v1", None, True),
    Provider("llamacpp", "http://127.0.0.1:8080/v1", None, True),
)}
# Product names users type for the same services.
_ALIASES = {"kimi": "moonshot", "glm": "zhipu", "bigmodel": "zhipu", "llama.cpp": "llamacpp",
            "llama-cpp": "llamacpp", "tongyi": "qwen"}

# Model id prefixes, to suggest --provider when such a model was about to be sent to OpenAI.
_MODEL_FAMILIES = {"deepseek": "deepseek", "qwen": "qwen", "qwq": "qwen", "moonshot": "moonshot",
                   "kimi": "moonshot", "glm": "zhipu"}

OFFLINE = "offline"
OPENAI_HOST = "api.openai.com"
# Local servers ignore the key but the SDK refuses to run without one; this is not a secret.
LOCAL_DUMMY_KEY = "sk-local-no-key"
OFFLINE_NOTICE = ("提示：未配置模型，本次使用内置离线撰写器起草（不调用任何模型）。"
                  "如需使用模型，请用 --provider、--model、--base-url 指定，"
                  "或设置环境变量 DRAFTER_MODEL、OPENAI_BASE_URL、OPENAI_API_KEY。")


class BackendSettingsError(InputError):
    """A model option or environment variable that cannot be used as given (exit code 2)."""


class BackendError(DrafterError):
    """A model call that failed; the message says what to do and never contains the API key.

    `kind` names the case: auth (401/403), not_found (404), rate_limited (429 after retries),
    server (5xx after retries), connection, timeout, rejected (other 4xx), backend (anything else).
    """

    def __init__(self, message: str, *, kind: str = "backend", hint: str | None = None,
                 status: int | None = None):
        self.kind = kind
        self.status = status
        super().__init__(message, hint=hint)


@dataclass(frozen=True, repr=False)
class Settings:
    """Where and how to reach the model; the API key never appears in repr or str."""

    kind: str                 # "openai" | "offline"
    model: str                # "offline" for the composer
    base_url: str | None
    provider: str | None
    api_key: str | None
    key_source: str | None    # "--api-key", "DEEPSEEK_API_KEY", … (safe to show)
    notice: str | None
    timeout: float = 120.0
    max_retries: int = 2

    def __repr__(self) -> str:
        key = None if self.api_key is None else "***"
        return (f"Settings(kind={self.kind!r}, model={self.model!r}, base_url={_safe_url(self.base_url)!r}, "
                f"provider={self.provider!r}, api_key={key!r}, key_source={self.key_source!r}, "
                f"timeout={self.timeout!r}, max_retries={self.max_retries!r})")

    __str__ = __repr__

    def describe(self) -> str:
        """Provider, model and endpoint on one line, safe to write into a draft."""
        if self.kind == OFFLINE:
            return "offline（内置离线撰写器）"
        return f"{' / '.join(p for p in (self.provider, self.model) if p)} @ {_safe_url(self.base_url)}"


def resolve_settings(*, model: str | None = None, base_url: str | None = None, api_key: str | None = None,
                     provider: str | None = None, env: Mapping[str, str] | None = None,
                     timeout: float = 120.0, max_retries: int = 2, require_model: bool = True) -> Settings:
    """Combine command-line options and environment variables into Settings, or raise InputError."""
    env = os.environ if env is None else env
    if timeout <= 0:
        raise BackendSettingsError(f"超时时间必须大于 0 秒（现为 {timeout}）", hint="例如 --timeout 120")
    if max_retries < 0:
        raise BackendSettingsError(f"重试次数不能为负数（现为 {max_retries}）", hint="例如 --max-retries 2")
    model = _clean(model) or _clean(env.get("DRAFTER_MODEL"))
    if model and model.lower() == OFFLINE:
        return Settings(OFFLINE, OFFLINE, None, None, None, None, None, timeout, max_retries)
    preset = find_provider(provider) if _clean(provider) else None
    flag_url, env_url = _clean(base_url), _clean(env.get("OPENAI_BASE_URL"))
    if preset is not None:
        url, source = (flag_url, "--base-url") if flag_url else (preset.base_url, "--provider")
    elif flag_url:
        url, source = flag_url, "--base-url"
    elif env_url:
        url, source = env_url, "OPENAI_BASE_URL"
    elif model:
        url, source = f"https://{OPENAI_HOST}/v1", "default"
    else:
        return Settings(OFFLINE, OFFLINE, None, None, None, None, OFFLINE_NOTICE, timeout, max_retries)
    url = _check_url(url, source)
    if not model and require_model:
        listing = f"--provider {preset.name}" if preset else f"--base-url {_safe_url(url)}"
        raise BackendSettingsError(
            f"没有指定模型：{preset.name if preset else _safe_url(url)} 需要知道用哪个模型",
            hint=f"请用 --model 指定模型名，或设置环境变量 DRAFTER_MODEL；运行 drafter models {listing} "
                 "可列出该服务提供的模型；不用模型可加 --model offline")
    key, key_source = _pick_key(api_key, preset, url, source, env)
    if key is None:
        if (preset.local if preset else _is_local(url)):
            key = LOCAL_DUMMY_KEY
        else:
            message, hint = _missing_key(preset, url, source, model, env)
            raise BackendSettingsError(message, hint=hint)
    return Settings("openai", model or "", url, preset.name if preset else None, key, key_source, None,
                    timeout, max_retries)


def find_provider(name: str) -> Provider:
    """The preset for a provider name (any case, common aliases), or InputError suggesting one."""
    wanted = _ALIASES.get(name.strip().lower(), name.strip().lower())
    if wanted in PROVIDERS:
        return PROVIDERS[wanted]
    close = difflib.get_close_matches(wanted, list(PROVIDERS) + list(_ALIASES), n=1, cutoff=0.5)
    guess = f"您是不是要用 --provider {_ALIASES.get(close[0], close[0])}？" if close else ""
    raise BackendSettingsError(f"未知的模型服务商：{name}。可用的有：{'、'.join(PROVIDERS)}",
                               hint=guess + "其他兼容 OpenAI 的服务请用 --base-url 指定地址")


def _clean(value: str | None) -> str | None:
    """Strip whitespace (keys are often pasted with a newline); empty means unset."""
    return (value.strip() or None) if value is not None else None


def _check_url(url: str, source: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BackendSettingsError(f"模型服务地址无效：{_safe_url(url)}（来自 {source}）",
                                   hint="地址应以 http:// 或 https:// 开头，例如 http://127.0.0.1:11434/v1")
    return url.rstrip("/")


def _safe_url(url: str | None) -> str | None:
    """The URL without user:password@ or a query string, either of which may carry a credential."""
    if not url:
        return url
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{netloc}{parts.path}".rstrip("/") if parts.scheme else netloc + parts.path


def _is_local(url: str) -> bool:
    """Loopback and private-network hosts: servers that usually need no key."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".local"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified


def _is_openai(url: str | None) -> bool:
    return urlsplit(url or "").hostname == OPENAI_HOST


def _pick_key(flag: str | None, preset: Provider | None, url: str, source: str,
              env: Mapping[str, str]) -> tuple[str | None, str | None]:
    if _clean(flag):
        return _clean(flag), "--api-key"
    name = preset.key_env if preset else None
    # OPENAI_API_KEY goes only to OpenAI itself or to the URL the user paired it with in
    # OPENAI_BASE_URL: never to a preset or to an address typed on the command line.
    if preset is None and (_is_openai(url) or source == "OPENAI_BASE_URL"):
        name = "OPENAI_API_KEY"
    value = _clean(env.get(name)) if name else None
    return (value, name) if value else (None, None)


def _missing_key(preset: Provider | None, url: str, source: str, model: str | None,
                 env: Mapping[str, str]) -> tuple[str, str]:
    openai_key_set = bool(_clean(env.get("OPENAI_API_KEY")))
    if preset is not None:
        hint = f"请设置环境变量 {preset.key_env}，或用 --api-key 提供"
        return f"缺少 {preset.name} 的 API 密钥", hint + (
            f"；OPENAI_API_KEY 不会发送给 {preset.name}" if openai_key_set else "")
    message = f"缺少模型服务 {_safe_url(url)} 的 API 密钥"
    if _is_openai(url) or source == "OPENAI_BASE_URL":
        hint = "请设置环境变量 OPENAI_API_KEY，或用 --api-key 提供"
        guess = next((name for prefix, name in _MODEL_FAMILIES.items()
                      if (model or "").lower().startswith(prefix)), None)
        if source == "default" and guess:
            hint += f"；如果要用 {guess} 的模型，请加 --provider {guess}"
        return message, hint
    return message, "请用 --api-key 提供密钥" + (
        "；为安全起见，OPENAI_API_KEY 不会发送给命令行 --base-url 指定的地址，如确需配对，"
        "请把地址写入环境变量 OPENAI_BASE_URL" if openai_key_set else "")


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


class ChatModel(Protocol):
    """The one-method model interface every backend implements."""

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float = 0.3,
                       on_delta: Callable[[str], None] | None = None) -> Completion:
        """Send messages, stream the answer (on_delta gets each content piece), return it whole."""
        ...


class OpenAIChatModel:
    """A ChatModel over an OpenAI-compatible endpoint: always streaming, usage requested."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._client = None
        self._loop = None  # the event loop the client's connections belong to
        self._stream_options = True  # off once a server has rejected stream_options

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
                       on_delta: Callable[[str], None] | None = None) -> Completion:
        """Stream one chat completion; failures raise BackendError (Chinese, never the key)."""
        import openai

        request = {"model": self.settings.model, "messages": messages, "max_tokens": max_tokens,
                   "temperature": temperature, "stream": True}
        try:
            if self._stream_options:
                try:
                    return await self._stream({**request, "stream_options": {"include_usage": True}},
                                              on_delta)
                except openai.BadRequestError:
                    # Older local servers reject stream_options: retry once without. Only a success
                    # proves that was the reason (a prompt too long fails both ways).
                    completion = await self._stream(request, on_delta)
                    self._stream_options = False
                    return completion
            return await self._stream(request, on_delta)
        except Exception as exc:
            error = translate_error(exc, self.settings)
            if error is None:
                raise
        raise error  # outside the except block: the SDK's exception (and its text) is not chained

    async def _stream(self, request: dict, on_delta: Callable[[str], None] | None) -> Completion:
        import asyncio  # ~0.1 s to import: not at module import, for drafter check's start-up

        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:  # a connection pool belongs to one loop
            self._client, self._loop = _make_client(self.settings), loop
        text, reasoning, finish_reason, usage, model = [], [], None, None, self.settings.model
        async with await self._client.chat.completions.create(**request) as stream:
            async for chunk in stream:
                model = chunk.model or model
                usage = chunk.usage if chunk.usage is not None else usage
                for choice in chunk.choices:
                    # DeepSeek and vLLM send reasoning_content; Ollama and others send reasoning.
                    thought = _field(choice.delta, "reasoning_content") or _field(choice.delta, "reasoning")
                    if isinstance(thought, str):
                        reasoning.append(thought)
                    if choice.delta.content:
                        text.append(choice.delta.content)
                        if on_delta is not None:
                            on_delta(choice.delta.content)
                    finish_reason = choice.finish_reason or finish_reason
        return Completion("".join(text), "".join(reasoning) or None, finish_reason, read_usage(usage), model)


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
    client = _make_client(settings)
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


def _make_client(settings: Settings):
    import openai

    # The Authorization header is set explicitly so that OPENAI_CUSTOM_HEADERS cannot swap the key.
    # A proxy from the environment cannot reach a server on this machine or the local network.
    local = _is_local(settings.base_url or "")
    http_client = openai.DefaultAsyncHttpxClient(trust_env=False) if local else None
    client = openai.AsyncOpenAI(api_key=settings.api_key, base_url=settings.base_url,
                                timeout=settings.timeout, max_retries=settings.max_retries,
                                http_client=http_client,
                                default_headers={"Authorization": f"Bearer {settings.api_key}"})
    if not _is_openai(settings.base_url):
        # The SDK adds OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment: OpenAI's business only.
        client.organization = client.project = None
    return client


def translate_error(exc: BaseException, settings: Settings, *, listing: bool = False) -> BackendError | None:
    """Our BackendError for an SDK or transport exception (None for anything else, e.g. a bug)."""
    import openai

    where, retries = _safe_url(settings.base_url), f"已重试 {settings.max_retries} 次"
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
