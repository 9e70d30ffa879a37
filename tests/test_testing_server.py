"""The shipped test server speaks the OpenAI protocol as the real SDK expects it."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import openai
import pytest

from drafter.testing import FakeOpenAIServer, Reply


def _client(server: FakeOpenAIServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0, timeout=10)


def test_server_non_stream_completion_has_content_and_usage():
    with FakeOpenAIServer([Reply(content="我乡新建宣传栏7个。", usage={"prompt_tokens": 50})]) as server:
        answer = _client(server).chat.completions.create(
            model="test-model", messages=[{"role": "user", "content": "写一段"}])
    assert answer.choices[0].message.content == "我乡新建宣传栏7个。"
    assert answer.choices[0].finish_reason == "stop"
    assert answer.usage.prompt_tokens == 50
    assert answer.usage.completion_tokens > 0


def test_server_stream_without_include_usage_sends_no_usage_chunk():
    with FakeOpenAIServer([Reply(content="一二三四五六七八九十", chunk_size=3)]) as server:
        chunks = list(_client(server).chat.completions.create(
            model="test-model", messages=[{"role": "user", "content": "写"}], stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "一二三四五六七八九十"
    assert all(c.usage is None for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_server_stream_with_include_usage_ends_with_usage_chunk():
    with FakeOpenAIServer([Reply(content="正文")]) as server:
        chunks = list(_client(server).chat.completions.create(
            model="test-model", messages=[{"role": "user", "content": "写"}], stream=True,
            stream_options={"include_usage": True}))
    assert chunks[-1].choices == []
    assert chunks[-1].usage.completion_tokens == 1


def test_server_sequence_script_repeats_last_reply():
    with FakeOpenAIServer([Reply(content="第一"), Reply(content="其后")]) as server:
        client = _client(server)
        texts = [client.chat.completions.create(model="test-model", messages=[{"role": "user", "content": "x"}])
                 .choices[0].message.content for _ in range(3)]
    assert texts == ["第一", "其后", "其后"]


def test_server_function_script_routes_by_request_body():
    def script(body: dict) -> Reply:
        return Reply(content="宣传" if "publicity" in body["messages"][-1]["content"] else "其他")

    with FakeOpenAIServer(script) as server:
        client = _client(server)
        first = client.chat.completions.create(model="test-model",
                                               messages=[{"role": "user", "content": "section publicity"}])
        second = client.chat.completions.create(model="test-model",
                                                messages=[{"role": "user", "content": "section other"}])
    assert (first.choices[0].message.content, second.choices[0].message.content) == ("宣传", "其他")
    asked = [b["messages"][-1]["content"] for b in server.chat_requests]
    assert asked == ["section publicity", "section other"]


def test_server_models_endpoint_lists_models():
    with FakeOpenAIServer(models=("m-1", "m-2")) as server:
        ids = [m.id for m in _client(server).models.list()]
    assert ids == ["m-1", "m-2"]


def test_server_unknown_path_is_404_json():
    with FakeOpenAIServer() as server:
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(server.base_url + "/embeddings-nowhere", timeout=10)
        body = json.loads(caught.value.read())
    assert caught.value.code == 404
    assert "Unknown request URL" in body["error"]["message"]


def test_server_error_reply_has_openai_error_body_and_retry_header():
    with FakeOpenAIServer([Reply(status=429, content="slow down", retry_after_ms=250)]) as server:
        request = urllib.request.Request(server.base_url + "/chat/completions", method="POST",
                                         data=json.dumps({"model": "test-model", "messages": []}).encode(),
                                         headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        body = json.loads(caught.value.read())
    assert caught.value.code == 429
    assert caught.value.headers["retry-after-ms"] == "250"
    assert body["error"] == {"message": "slow down", "type": "rate_limit_error", "param": None,
                             "code": "rate_limit_exceeded"}


def test_server_records_headers_in_lower_case():
    with FakeOpenAIServer() as server:
        _client(server).chat.completions.create(model="test-model", messages=[{"role": "user", "content": "x"}])
    assert server.requests[0].headers["authorization"] == "Bearer sk-test"
    assert server.requests[0].path == "/v1/chat/completions"


def test_server_close_does_not_wait_for_a_delayed_reply():
    before = set(threading.enumerate())
    server = FakeOpenAIServer([Reply(content="迟到", delay=60)])
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(_client(server).chat.completions.create(
                model="test-model", messages=[{"role": "user", "content": "x"}]))
        except openai.APIError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    for _ in range(1000):  # until the request has arrived (at most 10 s)
        if server.requests:
            break
        threading.Event().wait(0.01)
    closer = threading.Thread(target=server.close)
    closer.start()
    closer.join(timeout=20)  # far below the 60 s delay: close() must not sit it out
    caller.join(timeout=20)
    assert not closer.is_alive() and not caller.is_alive()
    assert isinstance(outcome[0], openai.APIConnectionError)
    assert set(threading.enumerate()) - before == set()
