"""`drafter batch`: a draft for each of many facts files, live or through a provider's Batch API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drafter.cli.app import app
from drafter.cli.chinese import ChineseCommand
from drafter.cli.console import Terminated, console, err_console, escape, notify, reports_errors
from drafter.cli.options import (
    ApiKeyOption,
    BaseUrlOption,
    HistoryOption,
    ModelOption,
    NoCacheOption,
    ProviderOption,
    RetriesOption,
    SamplesOption,
    TimeoutOption,
    model_settings,
)


@app.command("batch", cls=ChineseCommand)
@reports_errors
def batch_command(
    facts: Annotated[list[Path] | None, typer.Argument(
        help="事实文件（.yaml/.yml/.xlsx）或存放事实文件的文件夹，可以给多个。", show_default=False)] = None,
    outdir: Annotated[Path | None, typer.Option(
        "-o", "--output",
        help="输出文件夹：每个事实文件写成其中的“事实文件名.md”，另有汇总 batch-report.json。")] = None,
    via: Annotated[str, typer.Option(
        "--via",
        help="live：实时逐节起草（默认）；batch-api：用服务商的批处理接口（约半价，24 小时内完成）。")] = "live",
    model: ModelOption = None, base_url: BaseUrlOption = None, api_key: ApiKeyOption = None,
    provider: ProviderOption = None,
    concurrency: Annotated[int, typer.Option(
        "--concurrency", help="实时起草时所有文件合计同时发送的请求数。")] = 4,
    max_repairs: Annotated[int, typer.Option("--max-repairs", help="数字核对不通过时请模型修正的最多轮数。")] = 2,
    max_prompt_tokens: Annotated[int, typer.Option("--max-prompt-tokens", help="每节提示词的 token 上限。")] = 8000,
    poll_interval: Annotated[float, typer.Option(
        "--poll-interval", help="批处理：每隔多少秒查询一次进度。")] = 30.0,
    samples: SamplesOption = None,
    force: Annotated[bool, typer.Option(
        "--force", help="重新起草已是最新的草稿，并覆盖不是 drafter 草稿的同名文件。")] = False,
    export_jsonl: Annotated[Path | None, typer.Option(
        "--export-jsonl", help="把这一轮的请求写成 JSONL 文件后停止（给 vllm run-batch 等离线引擎）。")] = None,
    import_jsonl: Annotated[Path | None, typer.Option(
        "--import-jsonl", help="导入离线引擎的结果 JSONL（OpenAI 批处理输出格式，vLLM 的也可以）。")] = None,
    status: Annotated[Path | None, typer.Option(
        "--status", help="查看这个输出文件夹中各个批处理的进度（不起草）。", show_default=False)] = None,
    cancel: Annotated[Path | None, typer.Option(
        "--cancel", help="取消这个输出文件夹中还在进行的批处理（需要与提交时相同的服务和密钥）。",
        show_default=False)] = None,
    timeout: TimeoutOption = 120.0, max_retries: RetriesOption = 2,
    history: HistoryOption = None, no_cache: NoCacheOption = False,
) -> None:
    """批量起草：每个事实文件一份草稿；实时起草，或用服务商的批处理接口（可中断后继续）。"""
    if status is not None or cancel is not None:
        return _status_or_cancel(status, cancel, model, base_url, api_key, provider, timeout, max_retries, history)
    from drafter.batch.jobs import draft_batch
    from drafter.cli.rendering import BatchProgress

    if not facts:
        err_console.print("[red]错误：请给出事实文件或文件夹，例如 drafter batch 事实/ -o 草稿[/red]")
        raise typer.Exit(2)
    if outdir is None:
        err_console.print("[red]错误：请用 -o 指定输出文件夹，例如 -o 草稿[/red]")
        raise typer.Exit(2)
    settings = model_settings(model, base_url, api_key, provider, timeout, max_retries)
    try:
        with BatchProgress(err_console.real()) as progress:
            result = draft_batch(facts, outdir, settings=settings, via=via, concurrency=concurrency,
                                 max_repairs=max_repairs, max_prompt_tokens=max_prompt_tokens,
                                 poll_interval=poll_interval, samples=samples, force=force, history=history,
                                 use_cache=not no_cache, export_jsonl=export_jsonl, import_jsonl=import_jsonl,
                                 listener=progress)
    except KeyboardInterrupt as exc:
        err_console.print(f"[yellow]{escape(_interrupted(exc))}[/yellow]", soft_wrap=True)
        raise typer.Exit(143 if isinstance(exc, Terminated) else 130) from None
    _report(result)


def _report(result) -> None:
    from drafter.cli.rendering import batch_summary

    for f in result.files:
        for line in f.warnings:
            notify(f"{f.label}：{line}")
    for notice in result.notices:
        notify(notice)
    if result.imported is not None:
        notify(f"已导入 {result.imported[0]} 个回答" + (f"，{result.imported[1]} 行失败（会重新请求）"
                                                     if result.imported[1] else ""))
    if result.log.resumed:
        notify(f"继续查询了上次运行提交的 {result.log.resumed} 个批处理，没有重复提交")
    if result.log.resubmitted:
        notify(f"{len(result.log.resubmitted)} 个请求在批处理中失败，已在下一轮重新提交一次："
               + "、".join(result.log.resubmitted[:10]))
    if result.exported is not None:
        _exported(result)
        return
    console.print(batch_summary(result))
    for f in result.files:
        for section, note in f.notes:
            err_console.print(f"[yellow]{escape(f.label)} / {escape(section)}：{escape(note)}[/yellow]", soft_wrap=True)
        if f.error:
            err_console.print(f"[red]{escape(f.label)}：{escape(f.error)}[/red]", soft_wrap=True)
    report = escape(str(result.report))
    if result.ok:
        written = sum(1 for f in result.files if f.state == "drafted")
        current = len(result.files) - written
        done = f"本次写出 {written} 份" + (f"，{current} 份已是最新、未重新起草" if current else "")
        console.print(f"[green]全部 {len(result.files)} 份草稿的所有章节均已核对通过（{done}）。汇总：{report}[/green]",
                      soft_wrap=True)
        return
    bad = [f.label for f in result.files if f.status != "passed"]
    console.print(f"[yellow]以下草稿需要人工核对或有起草失败的章节：{escape('、'.join(bad))}。"
                  f"核对：drafter check 草稿.md；汇总：{report}[/yellow]", soft_wrap=True)
    raise typer.Exit(1)


def _exported(result) -> None:
    path, model = escape(str(result.exported)), escape(result.settings.model)
    console.print(f"第 {result.exported_round} 轮的 {result.exported_requests} 个请求已写入 {path}，起草暂停。\n"
                  f"用离线引擎运行它，例如：vllm run-batch -i {path} -o 结果.jsonl --model {model}\n"
                  "然后运行同一命令，加 --import-jsonl 结果.jsonl（还有下一轮时再加 --export-jsonl 下一轮.jsonl）。",
                  soft_wrap=True)


def _interrupted(exc: KeyboardInterrupt) -> str:
    head = "已被终止（SIGTERM）" if isinstance(exc, Terminated) else "已中断"
    parts = [f"{head}。"]
    written = getattr(exc, "drafts_written", 0)
    parts.append(f"已写出的 {written} 份草稿保留，其余草稿没有改动。" if written else "没有写入或改动任何草稿。")
    open_batches = getattr(exc, "batches_open", 0)
    if open_batches:
        parts.append(f"已提交的 {open_batches} 个批处理仍在服务商处运行：再次运行同一命令会继续查询，不会重复提交"
                     "（drafter batch --status 输出文件夹 查看进度）。")
    if getattr(exc, "answers_kept", 0):
        parts.append("已收到的模型回答保存在缓存中，再次运行同一命令会直接使用。")
    return "".join(parts)


def _status_or_cancel(status, cancel, model, base_url, api_key, provider, timeout, max_retries, history) -> None:
    from drafter.batch.status import batch_status, cancel_batches
    from drafter.cli.rendering import batch_status_table
    from drafter.providers import resolve_settings

    if status is not None and cancel is not None:
        err_console.print("[red]错误：--status 和 --cancel 只能用一个[/red]")
        raise typer.Exit(2)
    # Only the endpoint matters here: the batches name their model themselves.
    settings = resolve_settings(model=model, base_url=base_url, api_key=api_key, provider=provider,
                                timeout=timeout, max_retries=max_retries, require_model=False)
    folder = status if status is not None else cancel
    records = (batch_status(folder, settings, history) if status is not None
               else cancel_batches(folder, settings, history))
    if not records:
        console.print(f"{escape(str(folder))} 中没有提交过批处理。")
        return
    console.print(batch_status_table(records, folder))
    if status is not None and settings.kind != "openai":
        notify("以上是上次查询时的状态；加上提交时的 --provider 或 --base-url（和密钥）可向服务商查询最新进度")
