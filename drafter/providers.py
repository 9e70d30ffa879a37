"""Model providers and settings: presets, flags and environment resolved into one Settings.

Which key goes to which server is decided here, so that a key is never sent where the user did
not ask for it. No network and no openai import happen in this module.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from drafter.errors import InputError
from drafter.suggestions import closest


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
        return (f"Settings(kind={self.kind!r}, model={self.model!r}, base_url={safe_url(self.base_url)!r}, "
                f"provider={self.provider!r}, api_key={key!r}, key_source={self.key_source!r}, "
                f"timeout={self.timeout!r}, max_retries={self.max_retries!r})")

    __str__ = __repr__

    @property
    def local(self) -> bool:
        """A server of the user's own: a local preset (ollama, vllm, llamacpp) or a loopback/private address."""
        preset = PROVIDERS.get(self.provider or "")
        return self.kind == "openai" and ((preset is not None and preset.local) or is_local(self.base_url or ""))

    def describe(self) -> str:
        """Provider, model and endpoint on one line, safe to write into a draft."""
        if self.kind == OFFLINE:
            return "offline（内置离线撰写器）"
        return f"{' / '.join(p for p in (self.provider, self.model) if p)} @ {safe_url(self.base_url)}"


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
        listing = f"--provider {preset.name}" if preset else f"--base-url {safe_url(url)}"
        raise BackendSettingsError(
            f"没有指定模型：{preset.name if preset else safe_url(url)} 需要知道用哪个模型",
            hint=f"请用 --model 指定模型名，或设置环境变量 DRAFTER_MODEL；运行 drafter models {listing} "
                 "可列出该服务提供的模型；不用模型可加 --model offline")
    key, key_source = _pick_key(api_key, preset, url, source, env)
    if key is None:
        if (preset.local if preset else is_local(url)):
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
    close = closest(wanted, list(PROVIDERS) + list(_ALIASES))
    guess = f"您是不是要用 --provider {_ALIASES.get(close, close)}？" if close else ""
    raise BackendSettingsError(f"未知的模型服务商：{name}。可用的有：{'、'.join(PROVIDERS)}",
                               hint=guess + "其他兼容 OpenAI 的服务请用 --base-url 指定地址")


def _clean(value: str | None) -> str | None:
    """Strip whitespace (keys are often pasted with a newline); empty means unset."""
    return (value.strip() or None) if value is not None else None


def _check_url(url: str, source: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BackendSettingsError(f"模型服务地址无效：{safe_url(url)}（来自 {source}）",
                                   hint="地址应以 http:// 或 https:// 开头，例如 http://127.0.0.1:11434/v1")
    return url.rstrip("/")


def safe_url(url: str | None) -> str | None:
    """The URL without user:password@ or a query string, either of which may carry a credential."""
    if not url:
        return url
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{netloc}{parts.path}".rstrip("/") if parts.scheme else netloc + parts.path


def is_local(url: str) -> bool:
    """Loopback and private-network hosts: servers that usually need no key."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".local"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified


def is_openai(url: str | None) -> bool:
    return urlsplit(url or "").hostname == OPENAI_HOST


def _pick_key(flag: str | None, preset: Provider | None, url: str, source: str,
              env: Mapping[str, str]) -> tuple[str | None, str | None]:
    if _clean(flag):
        return _clean(flag), "--api-key"
    name = preset.key_env if preset else None
    # OPENAI_API_KEY goes only to OpenAI itself or to the URL the user paired it with in
    # OPENAI_BASE_URL: never to a preset or to an address typed on the command line.
    if preset is None and (is_openai(url) or source == "OPENAI_BASE_URL"):
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
    message = f"缺少模型服务 {safe_url(url)} 的 API 密钥"
    if is_openai(url) or source == "OPENAI_BASE_URL":
        hint = "请设置环境变量 OPENAI_API_KEY，或用 --api-key 提供"
        guess = next((name for prefix, name in _MODEL_FAMILIES.items()
                      if (model or "").lower().startswith(prefix)), None)
        if source == "default" and guess:
            hint += f"；如果要用 {guess} 的模型，请加 --provider {guess}"
        return message, hint
    return message, "请用 --api-key 提供密钥" + (
        "；为安全起见，OPENAI_API_KEY 不会发送给命令行 --base-url 指定的地址，如确需配对，"
        "请把地址写入环境变量 OPENAI_BASE_URL" if openai_key_set else "")
