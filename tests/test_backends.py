"""Backends against a real OpenAI-compatible server on 127.0.0.1, through the real openai SDK."""

from __future__ import annotations

import asyncio
import socket
import traceback

import pytest

from drafter.backends import BackendError, build_model, list_models
from drafter.errors import InputError
from drafter.providers import PROVIDERS, Settings, resolve_settings
from drafter.testing import FakeOpenAIServer, Reply

MESSAGES = [{"role": "system", "content": "你是乡镇办公室的文字秘书。"},
            {"role": "user", "content": "请撰写章节 publicity：加大宣传力度。"}]
SECRET = "sk-drafter-SECRET-4f9c2a7b81d3e6"


def _settings(server: FakeOpenAIServer, **options) -> Settings:
    options.setdefault("model", "test-model")
    return resolve_settings(base_url=server.base_url, env=options.pop("env", {}), **options)


def _complete(settings: Settings, **options):
    async def run():
        model = build_model(settings)
        try:
            return await model.complete(MESSAGES, max_tokens=options.pop("max_tokens", 400), **options)
        finally:
            await model.aclose()

    return asyncio.run(run())


def _failure(settings: Settings) -> BackendError:
    with pytest.raises(BackendError) as caught:
        _complete(settings)
    return caught.value


def _everything_shown(exc: BaseException) -> str:
    """All a user could see of an error: its message, repr, and a printed traceback."""
    return "\n".join([exc.render() if hasattr(exc, "render") else "", str(exc), repr(exc),
                      "".join(traceback.format_exception(exc))])


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- streaming, usage, reasoning ---------------------------------------------------------------


def test_complete_streams_content_and_calls_on_delta():
    text = "我乡新建宣传栏7个，开展宣讲10余场，志愿服务队伍共计65人。"
    pieces: list[str] = []
    with FakeOpenAIServer([Reply(content=text, chunk_size=5)]) as server:
        completion = _complete(_settings(server), on_delta=pieces.append, max_tokens=321, temperature=0.5)
    assert completion.text == text
    assert "".join(pieces) == text and len(pieces) == 7
    assert completion.finish_reason == "stop" and not completion.truncated
    assert completion.model == "test-model"
    body = server.chat_requests[0]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert (body["max_tokens"], body["temperature"], body["messages"]) == (321, 0.5, MESSAGES)


def test_complete_usage_reports_openai_cached_tokens():
    usage = {"prompt_tokens": 1200, "completion_tokens": 300, "prompt_tokens_details": {"cached_tokens": 1024}}
    with FakeOpenAIServer([Reply(content="正文", usage=usage)]) as server:
        completion = _complete(_settings(server))
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens,
            completion.usage.cached_tokens) == (1200, 300, 1024)


def test_complete_usage_reports_deepseek_cache_hit_tokens():
    usage = {"prompt_tokens": 1200, "completion_tokens": 300, "prompt_cache_hit_tokens": 896,
             "prompt_cache_miss_tokens": 304}
    with FakeOpenAIServer([Reply(content="正文", usage=usage)]) as server:
        completion = _complete(_settings(server))
    assert completion.usage.cached_tokens == 896


def test_complete_usage_cached_not_reported_is_none_not_zero():
    with FakeOpenAIServer([Reply(content="正文")]) as server:
        completion = _complete(_settings(server))
    assert completion.usage.cached_tokens is None
    assert completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens == 1


def test_complete_usage_reported_zero_cached_stays_zero():
    usage = {"prompt_tokens": 10, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": 0}}
    with FakeOpenAIServer([Reply(content="正文", usage=usage)]) as server:
        assert _complete(_settings(server)).usage.cached_tokens == 0


def test_complete_reasoning_content_kept_apart_from_text():
    pieces: list[str] = []
    with FakeOpenAIServer([Reply(reasoning="先梳理事实：宣传栏7个。", content="我乡新建宣传栏7个。")]) as server:
        completion = _complete(_settings(server), on_delta=pieces.append)
    assert completion.reasoning == "先梳理事实：宣传栏7个。"
    assert completion.text == "我乡新建宣传栏7个。" == "".join(pieces)


def test_complete_without_reasoning_has_none():
    with FakeOpenAIServer([Reply(content="正文")]) as server:
        assert _complete(_settings(server)).reasoning is None


def test_complete_finish_reason_length_reported_as_truncated():
    with FakeOpenAIServer([Reply(content="我乡新建宣传栏", finish_reason="length")]) as server:
        completion = _complete(_settings(server))
    assert completion.finish_reason == "length" and completion.truncated
    assert completion.text == "我乡新建宣传栏"


def test_complete_empty_content_returns_empty_text():
    with FakeOpenAIServer([Reply(content="")]) as server:
        completion = _complete(_settings(server))
    assert completion.text == "" and completion.finish_reason == "stop"


def test_complete_server_rejecting_stream_options_retried_without_them():
    def script(body: dict) -> Reply:
        if "stream_options" in body:
            return Reply(status=400, content="Unrecognized request argument supplied: stream_options")
        return Reply(content="正文")

    with FakeOpenAIServer(script) as server:
        settings = _settings(server)

        async def twice():
            model = build_model(settings)
            try:
                return [await model.complete(MESSAGES, max_tokens=100) for _ in range(2)]
            finally:
                await model.aclose()

        first, second = asyncio.run(twice())
    assert first.text == second.text == "正文"
    assert first.usage.prompt_tokens is None  # the server sent no usage: "not reported"
    # One rejected request, then the model remembers: no stream_options on later calls.
    assert ["stream_options" in b for b in server.chat_requests] == [True, False, False]


def test_complete_request_too_long_suggests_max_prompt_tokens():
    reply = Reply(status=400, content="This model's maximum context length is 8192 tokens.")
    with FakeOpenAIServer([reply]) as server:
        error = _failure(_settings(server))
    assert error.kind == "rejected" and error.status == 400
    assert "--max-prompt-tokens" in error.render() and "8192" in error.render()
    # Retried once without stream_options, which did not help: the error is the server's.
    assert ["stream_options" in b for b in server.chat_requests] == [True, False]


def test_complete_model_reused_across_event_loops():
    with FakeOpenAIServer([Reply(content="正文")]) as server:
        model = build_model(_settings(server))

        async def once():
            return (await model.complete(MESSAGES, max_tokens=50)).text

        assert [asyncio.run(once()), asyncio.run(once())] == ["正文", "正文"]
        asyncio.run(model.aclose())


def test_complete_concurrent_calls_overlap_on_the_server():
    # A local server that reports 4 slots on /props (llama.cpp's llama-server) takes 4 at once.
    with FakeOpenAIServer([Reply(content="正文", delay=0.5)], total_slots=4) as server:
        settings = _settings(server)

        async def four():
            model = build_model(settings)
            try:
                return await asyncio.gather(*(model.complete(MESSAGES, max_tokens=50) for _ in range(4)))
            finally:
                await model.aclose()

        results = asyncio.run(four())
    assert [r.text for r in results] == ["正文"] * 4
    assert server.peak_in_flight == 4


# -- retries and failures ----------------------------------------------------------------------


def test_complete_429_twice_then_success_after_sdk_retries():
    script = [Reply(status=429, retry_after_ms=10), Reply(status=429, retry_after_ms=10), Reply(content="成功")]
    with FakeOpenAIServer(script) as server:
        completion = _complete(_settings(server, max_retries=2))
    assert completion.text == "成功"
    assert len(server.chat_requests) == 3


def test_complete_429_forever_raises_rate_limited():
    with FakeOpenAIServer([Reply(status=429, content="Rate limit reached", retry_after_ms=10)]) as server:
        error = _failure(_settings(server, max_retries=1))
    assert error.kind == "rate_limited" and error.status == 429
    assert "HTTP 429" in error.render() and "--concurrency" in error.render()
    assert len(server.chat_requests) == 2


def test_complete_500_forever_raises_after_max_retries_plus_one_requests():
    with FakeOpenAIServer([Reply(status=500, content="upstream exploded", retry_after_ms=10)]) as server:
        error = _failure(_settings(server, max_retries=2))
    assert error.kind == "server" and error.status == 500
    assert "HTTP 500" in error.render() and "upstream exploded" in error.render()
    assert "已重试 2 次" in error.render()
    assert len(server.chat_requests) == 3
    assert error.exit_code == 1


def test_complete_401_names_the_env_var_and_never_shows_the_key():
    with FakeOpenAIServer(api_key="sk-the-right-key-000000") as server:
        settings = _settings(server, provider="deepseek", env={"DEEPSEEK_API_KEY": SECRET})
        error = _failure(settings)
    assert error.kind == "auth" and error.status == 401
    assert "DEEPSEEK_API_KEY" in error.render() and "HTTP 401" in error.render()
    shown = _everything_shown(error)
    # The server echoed a masked key (start and end of it): neither the key nor its ends leak.
    assert SECRET not in shown and SECRET[-4:] not in shown and SECRET[:8] not in shown
    assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"


def test_complete_401_echoing_the_whole_key_is_scrubbed():
    with FakeOpenAIServer([Reply(status=401, content=f"invalid api key {SECRET} for this org")]) as server:
        error = _failure(_settings(server, api_key=SECRET))
    assert "--api-key" in error.render() and "for this org" in error.render()
    assert SECRET not in _everything_shown(error)


def test_complete_unknown_model_says_how_to_list_models():
    with FakeOpenAIServer(models=("real-model",)) as server:
        error = _failure(_settings(server, model="no-such-model", provider="vllm"))
    assert error.kind == "not_found" and error.status == 404
    assert "no-such-model" in error.render() and "drafter models --provider vllm" in error.render()


def test_complete_slow_response_beyond_timeout_raises_timeout():
    with FakeOpenAIServer([Reply(content="迟到", delay=10)]) as server:
        error = _failure(_settings(server, timeout=0.5, max_retries=0))
    assert error.kind == "timeout"
    assert "0.5 秒" in error.render() and "--timeout" in error.render()


def test_complete_stalled_stream_raises_timeout():
    with FakeOpenAIServer([Reply(content="一二三四五六", chunk_size=2, chunk_delay=10)]) as server:
        error = _failure(_settings(server, timeout=0.5, max_retries=0))
    assert error.kind == "timeout"


def test_complete_connection_refused_asks_whether_server_runs():
    settings = resolve_settings(model="m", base_url=f"http://127.0.0.1:{_closed_port()}/v1", env={},
                                max_retries=0)
    error = _failure(settings)
    assert error.kind == "connection"
    assert "无法连接" in error.render() and "已启动" in error.render()


# -- interrupted and malformed streams; local servers' capacity ----------------------------------


ANSWER = "我乡高度重视，扎实推进创建工作，新建宣传栏7个，评出县级文明家庭81户。"


def test_complete_stream_cut_after_two_chunks_is_retried_not_taken_as_the_answer():
    with FakeOpenAIServer([Reply(ANSWER, cut_after=2), Reply(ANSWER)]) as server:
        completion = _complete(_settings(server))
    assert completion.text == ANSWER and completion.finish_reason == "stop"
    assert len(server.chat_requests) == 2


def test_complete_dropped_connection_mid_stream_is_retried():
    with FakeOpenAIServer([Reply(ANSWER, cut_after=2, drop=True), Reply(ANSWER)]) as server:
        completion = _complete(_settings(server, max_retries=0))
    assert completion.text == ANSWER
    assert len(server.chat_requests) == 2


def test_complete_stream_cut_every_time_says_interrupted():
    with FakeOpenAIServer([Reply(ANSWER, cut_after=1)]) as server:
        error = _failure(_settings(server))
    assert error.kind == "interrupted"
    assert "中断" in error.render() and "已重试 4 次" in error.render() and "--concurrency 1" in error.render()
    assert len(server.chat_requests) == 5


def test_complete_garbage_sse_data_is_a_chinese_model_error():
    with FakeOpenAIServer([Reply(ANSWER, garbage="{not json}")]) as server:
        error = _failure(_settings(server))
    shown = _everything_shown(error)
    assert error.kind == "malformed" and "无法解析" in error.render() and "/v1" in error.render()
    assert "JSONDecodeError" not in shown and "Traceback" not in error.render()


def test_complete_max_chars_stops_reading_a_runaway_answer():
    runaway = "我乡扎实推进创建工作。" * 20000  # 220,000 characters, max_tokens ignored
    with FakeOpenAIServer([Reply(runaway, chunk_size=500)]) as server:
        completion = _complete(_settings(server), max_chars=4000)
    assert 4000 <= len(completion.text) < 5000
    assert completion.finish_reason == "length"


def test_complete_local_server_without_props_gets_one_request_at_a_time():
    with FakeOpenAIServer([Reply(ANSWER, delay=0.2)]) as server:
        settings = _settings(server)

        async def four():
            model = build_model(settings)
            try:
                return await asyncio.gather(*(model.complete(MESSAGES, max_tokens=50) for _ in range(4))), model
            finally:
                await model.aclose()

        results, model = asyncio.run(four())
    assert [r.text for r in results] == [ANSWER] * 4
    assert server.peak_generating == 1 and model.load.slots == 1


def test_complete_one_slot_server_cutting_streams_lowers_concurrency_and_finishes_every_answer():
    # The server claims 4 slots but has one, and cuts the answer it is generating when another
    # request arrives (llama-cpp-python's default): every answer must still arrive whole.
    with FakeOpenAIServer([Reply(ANSWER, chunk_delay=0.02, chunk_size=3)], slots=1, interrupt=True,
                          total_slots=4) as server:
        settings = _settings(server)

        async def four():
            model = build_model(settings)
            try:
                return await asyncio.gather(*(model.complete(MESSAGES, max_tokens=50) for _ in range(4))), model
            finally:
                await model.aclose()

        results, model = asyncio.run(four())
    assert [r.text for r in results] == [ANSWER] * 4
    assert server.interrupted >= 1 and model.load.interrupted == server.interrupted
    assert model.load.slots == 4 and model.load.limit < 4


def test_capacity_reads_total_slots_from_props():
    with FakeOpenAIServer(total_slots=3) as server:
        assert asyncio.run(build_model(_settings(server)).capacity()) == 3
    with FakeOpenAIServer() as server:
        assert asyncio.run(build_model(_settings(server)).capacity()) == 1
    down = resolve_settings(model="m", base_url=f"http://127.0.0.1:{_closed_port()}/v1", env={})
    assert asyncio.run(build_model(down).capacity()) == 1


def test_capacity_of_a_remote_service_is_not_limited():
    remote = resolve_settings(model="deepseek-chat", provider="deepseek", env={"DEEPSEEK_API_KEY": "sk-x"})
    assert not remote.local
    assert asyncio.run(build_model(remote).capacity()) is None


@pytest.mark.parametrize("provider, base_url, local", [
    ("llamacpp", None, True), ("ollama", None, True), ("vllm", None, True),
    ("ollama", "http://gpu.example.com:11434/v1", True),  # a local-server preset on another machine
    (None, "http://192.168.1.20:8080/v1", True), (None, "http://localhost:8080/v1", True),
    (None, "https://api.example.com/v1", False),
])
def test_settings_local_covers_local_presets_and_private_addresses(provider, base_url, local):
    settings = resolve_settings(model="m", provider=provider, base_url=base_url, api_key="k", env={})
    assert settings.local is local


# -- headers sent ------------------------------------------------------------------------------


def test_complete_local_provider_sends_placeholder_key_only(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_ORG_ID", "org-private-123")
    with FakeOpenAIServer() as server:
        settings = resolve_settings(provider="ollama", base_url=server.base_url, model="test-model",
                                    env={"OPENAI_API_KEY": SECRET})
        _complete(settings)
    headers = server.requests[0].headers
    assert SECRET not in str(headers)
    assert "openai-organization" not in headers


def test_complete_custom_headers_env_cannot_replace_the_key(monkeypatch):
    monkeypatch.setenv("OPENAI_CUSTOM_HEADERS", f"Authorization: Bearer {SECRET}\nX-Team: docs")
    with FakeOpenAIServer() as server:
        _complete(_settings(server, api_key="sk-chosen-key"))
    assert server.requests[0].headers["authorization"] == "Bearer sk-chosen-key"


# -- listing models ----------------------------------------------------------------------------


def test_list_models_returns_sorted_ids():
    with FakeOpenAIServer(models=("qwen-plus", "deepseek-chat", "glm-4")) as server:
        settings = resolve_settings(base_url=server.base_url, env={}, require_model=False)
        assert asyncio.run(list_models(settings)) == ["deepseek-chat", "glm-4", "qwen-plus"]
    assert server.requests[0].path == "/v1/models"


def test_list_models_wrong_key_names_the_env_var():
    with FakeOpenAIServer(api_key="sk-right-0000000000") as server:
        settings = resolve_settings(provider="moonshot", base_url=server.base_url, require_model=False,
                                    env={"MOONSHOT_API_KEY": SECRET})
        with pytest.raises(BackendError) as caught:
            asyncio.run(list_models(settings))
    assert caught.value.kind == "auth" and "MOONSHOT_API_KEY" in caught.value.render()
    assert SECRET not in _everything_shown(caught.value)


def test_list_models_offline_settings_says_how_to_configure():
    with pytest.raises(InputError) as caught:
        asyncio.run(list_models(resolve_settings(env={})))
    assert "--provider" in caught.value.render()


def test_build_model_offline_settings_raises_input_error():
    with pytest.raises(InputError):
        build_model(resolve_settings(model="offline", env={}))


# -- resolve_settings: the rules, one row each --------------------------------------------------

REMOTE = [p for p in PROVIDERS.values() if not p.local]


def test_resolve_settings_nothing_configured_falls_back_to_offline_with_notice():
    settings = resolve_settings(env={})
    assert (settings.kind, settings.model, settings.api_key) == ("offline", "offline", None)
    for hint in ("离线", "--provider", "--model", "--base-url", "DRAFTER_MODEL", "OPENAI_BASE_URL",
                 "OPENAI_API_KEY"):
        assert hint in settings.notice
    assert "\n" not in settings.notice


@pytest.mark.parametrize("options, env", [
    ({"model": "offline", "provider": "deepseek"}, {"DEEPSEEK_API_KEY": SECRET}),
    ({"model": "Offline"}, {"OPENAI_API_KEY": SECRET, "OPENAI_BASE_URL": "https://api.openai.com/v1"}),
    ({}, {"DRAFTER_MODEL": "offline", "OPENAI_API_KEY": SECRET}),
])
def test_resolve_settings_model_offline_chooses_composer_without_notice(options, env):
    settings = resolve_settings(env=env, **options)
    assert (settings.kind, settings.notice, settings.api_key) == ("offline", None, None)


@pytest.mark.parametrize("provider", REMOTE, ids=lambda p: p.name)
def test_resolve_settings_provider_sets_base_url_and_key_env(provider):
    settings = resolve_settings(provider=provider.name, model="m-1", env={provider.key_env: SECRET})
    assert (settings.kind, settings.provider, settings.base_url) == ("openai", provider.name, provider.base_url)
    assert (settings.api_key, settings.key_source) == (SECRET, provider.key_env)


def test_resolve_settings_provider_urls_and_key_names_are_the_documented_ones():
    assert {n: (p.base_url, p.key_env) for n, p in PROVIDERS.items()} == {
        "deepseek": ("https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"),
        "qwen": ("https://dashscope.aliyuncs.com/compatible-mode/v1", "DASHSCOPE_API_KEY"),
        "dashscope": ("https://dashscope.aliyuncs.com/compatible-mode/v1", "DASHSCOPE_API_KEY"),
        "moonshot": ("https://api.moonshot.cn/v1", "MOONSHOT_API_KEY"),
        "zhipu": ("https://open.bigmodel.cn/api/paas/v4", "ZHIPUAI_API_KEY"),
        "ollama": ("http://127.0.0.1:11434/v1", None),
        "vllm": ("http://127.0.0.1:8000/v1", None),
        "llamacpp": ("http://127.0.0.1:8080/v1", None),
    }


def test_resolve_settings_api_key_flag_wins_over_env():
    settings = resolve_settings(provider="deepseek", model="m", api_key="  sk-flag-key\n",
                                env={"DEEPSEEK_API_KEY": SECRET})
    assert (settings.api_key, settings.key_source) == ("sk-flag-key", "--api-key")


def test_resolve_settings_provider_never_gets_openai_key():
    with pytest.raises(InputError) as caught:
        resolve_settings(provider="deepseek", model="deepseek-chat", env={"OPENAI_API_KEY": SECRET})
    text = caught.value.render()
    assert "DEEPSEEK_API_KEY" in text and "OPENAI_API_KEY 不会发送给 deepseek" in text
    assert SECRET not in text and caught.value.exit_code == 2


def test_resolve_settings_base_url_flag_never_gets_openai_key():
    with pytest.raises(InputError) as caught:
        resolve_settings(base_url="https://llm.example.com/v1", model="m", env={"OPENAI_API_KEY": SECRET})
    assert "--api-key" in caught.value.render() and "OPENAI_BASE_URL" in caught.value.render()


def test_resolve_settings_local_base_url_flag_gets_placeholder_not_openai_key():
    settings = resolve_settings(base_url="http://127.0.0.1:1234/v1/", model="m", env={"OPENAI_API_KEY": SECRET})
    assert settings.api_key != SECRET and settings.key_source is None
    assert settings.base_url == "http://127.0.0.1:1234/v1"


def test_resolve_settings_openai_base_url_env_is_paired_with_openai_key():
    env = {"OPENAI_BASE_URL": "https://llm.example.com/v1", "OPENAI_API_KEY": SECRET, "DRAFTER_MODEL": "m-2"}
    settings = resolve_settings(env=env)
    assert (settings.base_url, settings.model) == ("https://llm.example.com/v1", "m-2")
    assert (settings.api_key, settings.key_source) == (SECRET, "OPENAI_API_KEY")


def test_resolve_settings_openai_base_url_flag_gets_openai_key():
    settings = resolve_settings(base_url="https://api.openai.com/v1", model="gpt-x",
                                env={"OPENAI_API_KEY": SECRET})
    assert settings.key_source == "OPENAI_API_KEY"


def test_resolve_settings_model_alone_means_openai():
    settings = resolve_settings(model="gpt-x", env={"OPENAI_API_KEY": SECRET})
    assert (settings.base_url, settings.key_source) == ("https://api.openai.com/v1", "OPENAI_API_KEY")


def test_resolve_settings_model_alone_without_key_suggests_provider():
    with pytest.raises(InputError) as caught:
        resolve_settings(model="deepseek-chat", env={})
    assert "OPENAI_API_KEY" in caught.value.render() and "--provider deepseek" in caught.value.render()


def test_resolve_settings_remote_without_key_names_env_var():
    with pytest.raises(InputError) as caught:
        resolve_settings(provider="zhipu", model="glm-x", env={})
    assert "ZHIPUAI_API_KEY" in caught.value.render() and "--api-key" in caught.value.render()


@pytest.mark.parametrize("provider", ["deepseek", "ollama"])
def test_resolve_settings_endpoint_without_model_says_how_to_set_one(provider):
    with pytest.raises(InputError) as caught:
        resolve_settings(provider=provider, env={"DEEPSEEK_API_KEY": SECRET})
    text = caught.value.render()
    assert "--model" in text and "DRAFTER_MODEL" in text and f"drafter models --provider {provider}" in text


def test_resolve_settings_local_provider_needs_no_key():
    settings = resolve_settings(provider="ollama", model="qwen2.5:7b", env={})
    assert settings.base_url == "http://127.0.0.1:11434/v1"
    assert settings.api_key and settings.key_source is None


def test_resolve_settings_model_flag_wins_over_env():
    env = {"DRAFTER_MODEL": "from-env", "DEEPSEEK_API_KEY": SECRET}
    assert resolve_settings(provider="deepseek", env=env).model == "from-env"
    assert resolve_settings(provider="deepseek", model="from-flag", env=env).model == "from-flag"


def test_resolve_settings_provider_wins_over_openai_base_url_env():
    env = {"OPENAI_BASE_URL": "https://llm.example.com/v1", "DASHSCOPE_API_KEY": SECRET}
    assert resolve_settings(provider="qwen", model="q", env=env).base_url == PROVIDERS["qwen"].base_url


def test_resolve_settings_provider_with_base_url_flag_keeps_provider_key():
    settings = resolve_settings(provider="vllm", base_url="http://10.0.0.5:8000/v1", model="m", env={})
    assert (settings.provider, settings.base_url) == ("vllm", "http://10.0.0.5:8000/v1")


def test_resolve_settings_unknown_provider_lists_and_suggests():
    with pytest.raises(InputError) as caught:
        resolve_settings(provider="deepseak", model="m", env={})
    text = caught.value.render()
    assert "deepseak" in text and "--provider deepseek" in text
    assert all(name in text for name in PROVIDERS)


def test_resolve_settings_provider_alias_and_case():
    env = {"MOONSHOT_API_KEY": SECRET}
    assert resolve_settings(provider="Kimi", model="m", env=env).provider == "moonshot"


def test_resolve_settings_invalid_base_url_says_expected_form():
    with pytest.raises(InputError) as caught:
        resolve_settings(base_url="api.example.com/v1", model="m", env={})
    assert "http://" in caught.value.render()


@pytest.mark.parametrize("options", [{"timeout": 0}, {"max_retries": -1}])
def test_resolve_settings_rejects_bad_timeout_and_retries(options):
    with pytest.raises(InputError):
        resolve_settings(model="offline", env={}, **options)


def test_resolve_settings_models_listing_needs_no_model():
    settings = resolve_settings(provider="deepseek", env={"DEEPSEEK_API_KEY": SECRET}, require_model=False)
    assert (settings.kind, settings.model) == ("openai", "")
    assert settings.describe() == "deepseek @ https://api.deepseek.com/v1"


# -- the key stays hidden ----------------------------------------------------------------------


def test_settings_repr_and_str_never_show_the_key():
    settings = resolve_settings(provider="deepseek", model="deepseek-chat", env={"DEEPSEEK_API_KEY": SECRET})
    for shown in (repr(settings), str(settings), f"{settings}", settings.describe(), repr([settings])):
        assert SECRET not in shown
    assert "api_key='***'" in repr(settings)


def test_settings_describe_names_provider_model_endpoint():
    settings = resolve_settings(provider="deepseek", model="deepseek-chat", env={"DEEPSEEK_API_KEY": SECRET})
    assert settings.describe() == "deepseek / deepseek-chat @ https://api.deepseek.com/v1"
    assert "离线" in resolve_settings(env={}).describe()


def test_settings_describe_hides_credentials_in_the_url():
    settings = resolve_settings(base_url="https://user:pw-secret@llm.example.com/v1?key=q-secret",
                                model="m", api_key=SECRET, env={})
    assert settings.describe() == "m @ https://llm.example.com/v1"
    assert "secret" not in repr(settings)
