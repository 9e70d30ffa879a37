"""Options shared by several commands (model endpoint, samples, history), and settings from them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drafter.cli.console import notify

SamplesOption = Annotated[
    Path | None,
    typer.Option("--samples", help="范文文件夹（.txt/.md）；默认用事实文件里 samples 写的文件夹，"
                                   "没有写时用内置的五篇范文。"),
]


ModelOption = Annotated[str | None, typer.Option(
    "--model", help="模型名称；offline 表示用内置的离线撰写器。也可用环境变量 DRAFTER_MODEL。")]
BaseUrlOption = Annotated[str | None, typer.Option(
    "--base-url", help="OpenAI 兼容接口地址，例如 http://127.0.0.1:8000/v1。也可用 OPENAI_BASE_URL。")]
ApiKeyOption = Annotated[str | None, typer.Option(
    "--api-key", help="API 密钥（建议改用环境变量，如 DEEPSEEK_API_KEY）。", show_default=False)]
ProviderOption = Annotated[str | None, typer.Option(
    "--provider", help="服务商预设：deepseek、qwen、moonshot、zhipu、ollama、vllm、llamacpp。")]
TimeoutOption = Annotated[float, typer.Option("--timeout", help="单次请求超时（秒）。")]
RetriesOption = Annotated[int, typer.Option("--max-retries", help="网络错误、429、5xx 的重试次数。")]

HistoryOption = Annotated[Path | None, typer.Option(
    "--history", help="历史数据库文件，默认为草稿所在文件夹的 .drafter/history.sqlite（或 $DRAFTER_HOME）。")]
DraftArgument = Annotated[Path, typer.Argument(help="草稿文件（drafter draft 生成的 .md）。")]
NoCacheOption = Annotated[bool, typer.Option(
    "--no-cache", help="不使用已缓存的模型回答，重新请求模型。")]


def model_settings(model, base_url, api_key, provider, timeout=120.0, max_retries=2):
    from drafter.providers import resolve_settings

    settings = resolve_settings(model=model, base_url=base_url, api_key=api_key, provider=provider,
                                timeout=timeout, max_retries=max_retries)
    notify(settings.notice)
    return settings

