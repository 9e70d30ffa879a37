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


# -- local-server behaviours: one slot that cuts streams, /props, no usage; broken streams ----------


def _stream_text(server: FakeOpenAIServer, content: str = "写") -> tuple[str, str | None]:
    """Stream one answer; its text and the last finish_reason the server sent (None: never said)."""
    text, finish = [], None
    for chunk in _client(server).chat.completions.create(
            model="test-model", messages=[{"role": "user", "content": content}], stream=True):
        for choice in chunk.choices:
            text.append(choice.delta.content or "")
            finish = choice.finish_reason or finish
    return "".join(text), finish


def test_server_one_slot_cuts_the_stream_when_a_second_request_arrives():
    long_answer = "我乡扎实推进创建工作，取得明显成效。" * 20
    with FakeOpenAIServer([Reply(long_answer, chunk_delay=0.02, chunk_size=2)], slots=1, interrupt=True) as server:
        results: dict[str, tuple[str, str | None]] = {}
        first = threading.Thread(target=lambda: results.update(first=_stream_text(server)))
        first.start()
        for _ in range(1000):  # until the first stream is under way
            if server.peak_generating:
                break
            threading.Event().wait(0.01)
        results["second"] = _stream_text(server)
        first.join(timeout=30)
    cut_text, cut_finish = results["first"]
    assert cut_finish is None and len(cut_text) < len(long_answer)  # cut, and never said why
    assert results["second"] == (long_answer, "stop")
    assert server.interrupted == 1 and server.peak_generating == 1


def test_server_props_reports_total_slots_only_when_configured():
    with FakeOpenAIServer(total_slots=4) as server:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/props", timeout=10) as answer:
            assert json.loads(answer.read())["total_slots"] == 4
    with FakeOpenAIServer() as server:  # llama-cpp-python has no /props
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/props", timeout=10)
    assert caught.value.code == 404


def test_server_cut_after_ends_the_stream_without_finish_reason():
    with FakeOpenAIServer([Reply("我乡高度重视，扎实推进创建工作。", chunk_size=5, cut_after=2)]) as server:
        assert _stream_text(server) == ("我乡高度重视，扎实推", None)


def test_server_garbage_sse_data_breaks_json_parsing():
    with FakeOpenAIServer([Reply("正文", garbage="{not json}")]) as server:
        with pytest.raises(ValueError):
            _stream_text(server)


def test_server_echoes_the_primer_and_lines_of_the_last_user_message():
    messages = [{"role": "system", "content": "系统"}, {"role": "user", "content": "事实"},
                {"role": "assistant", "content": "好的。请告诉我要写哪一节。"},
                {"role": "user", "content": "【写作任务】第一行\n\n本节事实：\n- 第三行"}]
    with FakeOpenAIServer([Reply("正文。", echo_primer=True, echo_lines=2)]) as server:
        answer = _client(server).chat.completions.create(model="test-model", messages=messages)
    assert answer.choices[0].message.content == "好的。请告诉我要写哪一节。\n【写作任务】第一行\n本节事实：\n正文。"


def test_server_stream_usage_off_sends_no_usage_even_when_asked():
    with FakeOpenAIServer([Reply("正文")], stream_usage=False) as server:
        chunks = list(_client(server).chat.completions.create(
            model="test-model", messages=[{"role": "user", "content": "写"}], stream=True,
            stream_options={"include_usage": True}))
    assert all(c.usage is None for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"
