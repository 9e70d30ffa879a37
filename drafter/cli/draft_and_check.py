"""Commands that draft and check: draft, check, prompt, models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drafter.cli.app import app
from drafter.cli.chinese import ChineseCommand
from drafter.cli.console import console, err_console, escape, notify, print_notes, reports_errors, write_json
from drafter.cli.options import (
    ApiKeyOption,
    BaseUrlOption,
    ModelOption,
    ProviderOption,
    RetriesOption,
    SamplesOption,
    TimeoutOption,
    model_settings,
)


@app.command("draft", cls=ChineseCommand)
@reports_errors
def draft_command(
    facts: Annotated[Path, typer.Argument(help="事实文件（YAML 或 Excel .xlsx）。")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="草稿文件（.md），默认为“事实文件名.draft.md”。")] = None,
    force: Annotated[bool, typer.Option("--force", help="草稿文件已存在时覆盖。")] = False,
    model: ModelOption = None, base_url: BaseUrlOption = None, api_key: ApiKeyOption = None,
    provider: ProviderOption = None,
    concurrency: Annotated[int, typer.Option("--concurrency", help="同时起草的章节数。")] = 4,
    max_repairs: Annotated[int, typer.Option("--max-repairs", help="数字核对不通过时请模型修正的最多轮数。")] = 2,
    max_prompt_tokens: Annotated[int, typer.Option(
        "--max-prompt-tokens", help="每节提示词的 token 上限（超出时先去掉最不相关的范文）。")] = 8000,
    samples: SamplesOption = None, timeout: TimeoutOption = 120.0, max_retries: RetriesOption = 2,
    history: Annotated[Path | None, typer.Option(
        "--history",
        help="历史数据库文件，默认为草稿所在文件夹的 .drafter/history.sqlite（或 $DRAFTER_HOME）。")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="不使用已缓存的模型回答，重新请求模型。")] = False,
) -> None:
    """起草工作总结：逐节起草，逐节核对数字并请模型修正，写出 Markdown 草稿。"""
    from drafter.cli.rendering import DraftProgress, draft_summary
    from drafter.drafting import draft_document

    settings = model_settings(model, base_url, api_key, provider, timeout, max_retries)
    with DraftProgress(err_console.real()) as progress:
        result = draft_document(facts, output, settings=settings, concurrency=concurrency,
                                max_repairs=max_repairs, max_prompt_tokens=max_prompt_tokens,
                                samples=samples, force=force, on_event=progress.update,
                                history=history, use_cache=not no_cache)
    for line in result.facts.warning_lines() + result.notices:
        notify(line)
    console.print(draft_summary(result))
    if result.cache_hits:
        notify(f"有 {result.cache_hits} 次模型请求与以前完全相同，直接使用了缓存的回答（加 --no-cache 可重新请求）")
    print_notes(result.sections)
    if result.ok:
        console.print(f"[green]已写出草稿 {escape(str(result.output))}，所有章节的数字均已核对通过。[/green]")
        return
    bad = [s.id for s in result.sections if s.status != "passed"]
    console.print(f"[yellow]已写出草稿 {escape(str(result.output))}，以下章节需要人工核对："
                  f"{escape('、'.join(bad))}。核对：drafter check \"{escape(str(result.output))}\"[/yellow]")
    raise typer.Exit(1)



@app.command("check", cls=ChineseCommand)
@reports_errors
def check_command(
    document: Annotated[Path, typer.Argument(
        help="要核对的文档（.txt、.md 或 Word .docx；文本文件可为 UTF-8 或 GBK 编码）。")],
    facts: Annotated[Path | None, typer.Option(
        "--facts", help="事实文件；草稿的 front matter 写明了事实文件时可省略。")] = None,
    output_format: Annotated[str, typer.Option(
        "--format", help="输出格式：text、json 或 html（网页，数字按结论着色，需配合 -o）。")] = "text",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="把报告写入文件。")] = None,
    section: Annotated[str | None, typer.Option("--section", help="只核对草稿中的这一节。")] = None,
    allow_file: Annotated[Path | None, typer.Option(
        "--allow-file", help="补充的固定提法列表文件，每行一个短语。")] = None,
    show_all: Annotated[bool, typer.Option(
        "--all", help="表格中也列出“一致”和“非数量”的数字（默认只列有问题的和推算的）。")] = False,
    force: Annotated[bool, typer.Option("--force", help="报告文件（-o）已存在时覆盖。")] = False,
    samples: Annotated[Path | None, typer.Option(
        "--samples", help="查照抄时对照的范文文件夹（默认：事实文件中 samples 写的，否则内置范文）。")] = None,
) -> None:
    """核对文档中的每一个数字、地名和名称是否来自事实文件，有没有照抄范文；有问题时退出码为 1。"""
    from drafter.check.engine import run_check
    from drafter.files import refuse_overwrite, write_atomic

    if output_format not in ("text", "json", "html"):
        err_console.print(f"[red]错误：--format 只能是 text、json 或 html，而不是 “{escape(output_format)}”[/red]")
        raise typer.Exit(2)
    if output_format == "html" and output is None:
        err_console.print("[red]错误：--format html 需要用 -o 指定网页文件，例如 -o 核对报告.html[/red]")
        raise typer.Exit(2)
    example = {"html": "核对报告.html", "json": "核对报告.json"}.get(output_format, "核对报告.txt")
    if output is not None:  # before the work, and again once the facts file the draft names is known
        refuse_overwrite(output, force=force, example=example, inputs=(document, facts, allow_file))
    report = run_check(document, facts, allow_file=allow_file, section=section, samples=samples)
    if output is not None:
        refuse_overwrite(output, force=True, example=example, inputs=(Path(report.facts),))
    for notice in report.notices:
        notify(notice)
    if output_format == "html":
        from drafter.check.documents import read_document
        from drafter.check.review_page import render_html

        text = render_html(report, read_document(document).text)
    elif output_format == "json":
        import json

        text = json.dumps(report.to_json_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        from rich.console import Console

        from drafter.cli.rendering import check_report

        target = Console(record=True, width=160) if output else console
        check_report(target, report, show_all=show_all)
        text = target.export_text() if output else None
    if output:
        write_atomic(output, text)
        err_console.print(f"报告已写入 {escape(str(output))}")
    elif text is not None:
        write_json(text)
    if not report.ok:
        raise typer.Exit(1)


@app.command("prompt", cls=ChineseCommand)
@reports_errors
def prompt_command(
    facts: Annotated[Path, typer.Argument(help="事实文件（YAML 或 Excel .xlsx）。")],
    section: Annotated[str, typer.Option("--section", help="章节 ID。")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出消息列表。")] = False,
    max_prompt_tokens: Annotated[int, typer.Option("--max-prompt-tokens", help="提示词的 token 上限。")] = 8000,
    samples: SamplesOption = None,
) -> None:
    """打印某一节的完整提示词消息和 token 数，不调用任何模型。"""
    import json

    from drafter.drafting import frame_sections
    from drafter.facts import load_facts
    from drafter.prompts import build_prompt
    from drafter.references import corpus_for
    from drafter.tokens import TOKEN_NOTE

    loaded = load_facts(facts)
    notify(loaded.notice)
    framed = frame_sections(loaded)
    framed.section(section)
    prompt = build_prompt(framed, section, corpus=corpus_for(loaded, samples), max_prompt_tokens=max_prompt_tokens)
    if as_json:
        write_json(json.dumps({"section": section, "messages": prompt.messages, "tokens": prompt.tokens,
                          "shared_tokens": prompt.shared_tokens, "references": prompt.references,
                          "dropped_references": prompt.dropped_references,
                          "target_chars": prompt.target_chars, "max_tokens": prompt.max_tokens,
                          "token_note": TOKEN_NOTE}, ensure_ascii=False, indent=2) + "\n")
        return
    for i, message in enumerate(prompt.messages, start=1):
        console.rule(f"消息 {i}：{message['role']}", align="left")
        console.print(escape(message["content"]), soft_wrap=True)
    console.rule()
    console.print(f"提示词约 {prompt.tokens} tokens（估计值），其中各节共用的前缀 {prompt.shared_tokens} tokens；"
                  f"参考范文：{escape('、'.join(prompt.references) or '无')}")
    if prompt.dropped_references:
        console.print("因超出 token 上限而去掉的范文：" + escape("、".join(prompt.dropped_references)))
    notify(TOKEN_NOTE)


@app.command("models", cls=ChineseCommand)
@reports_errors
def models_command(
    provider: ProviderOption = None, base_url: BaseUrlOption = None, api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 30.0,
) -> None:
    """列出接口（/v1/models）提供的模型。"""
    import asyncio

    from drafter.backends import list_models
    from drafter.providers import resolve_settings

    settings = resolve_settings(base_url=base_url, api_key=api_key, provider=provider,
                                timeout=timeout, require_model=False)
    for name in asyncio.run(list_models(settings)):
        console.print(escape(name))
