"""Commands beyond draft and check: regenerate, history, restore, diff, export, facts convert, prompt, models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from drafter.cli import (ApiKeyOption, BaseUrlOption, ModelOption, ProviderOption, RetriesOption,
                         SamplesOption, TimeoutOption, _settings, app, console, err_console, escape,
                         facts_app, notify, print_notes, reports_errors, write_json)
from drafter.cli_locale import ChineseCommand

HistoryOption = Annotated[Optional[Path], typer.Option(
    "--history", help="历史数据库文件，默认为草稿所在文件夹的 .drafter/history.sqlite（或 $DRAFTER_HOME）。")]
DraftArgument = Annotated[Path, typer.Argument(help="草稿文件（drafter draft 生成的 .md）。")]
NoCacheOption = Annotated[bool, typer.Option(
    "--no-cache", help="不使用已缓存的模型回答，重新请求模型。")]


@app.command("regenerate", cls=ChineseCommand)
@reports_errors
def regenerate_command(
    draft: DraftArgument,
    section: Annotated[list[str], typer.Option("--section", help="要重新生成的章节 ID，可重复多次。")],
    instruction: Annotated[Optional[str], typer.Option("--instruction", help="修改要求，例如 “更突出志愿服务”“写短一点”。")] = None,
    facts: Annotated[Optional[Path], typer.Option("--facts", help="事实文件，默认用草稿记录的那一个。")] = None,
    keep_failed: Annotated[bool, typer.Option("--keep-failed", help="核对未通过或失败时也写入草稿（默认不改动草稿）。")] = False,
    model: ModelOption = None, base_url: BaseUrlOption = None, api_key: ApiKeyOption = None,
    provider: ProviderOption = None,
    max_repairs: Annotated[int, typer.Option("--max-repairs", help="数字核对不通过时请模型修正的最多轮数。")] = 2,
    max_prompt_tokens: Annotated[int, typer.Option("--max-prompt-tokens", help="每节提示词的 token 上限。")] = 8000,
    samples: SamplesOption = None, timeout: TimeoutOption = 120.0, max_retries: RetriesOption = 2,
    history: HistoryOption = None, no_cache: NoCacheOption = False,
) -> None:
    """重新生成草稿中的一节（或几节），只替换这几节的正文，其余内容一字不动。"""
    from drafter.editing import regenerate_sections
    from drafter.views import DraftProgress, regenerate_summary

    settings = _settings(model, base_url, api_key, provider, timeout, max_retries)
    with DraftProgress(err_console.real()) as progress:
        result = regenerate_sections(draft, section, settings=settings, instruction=instruction,
                                     facts=facts, history=history, use_cache=not no_cache,
                                     keep_failed=keep_failed, max_repairs=max_repairs,
                                     max_prompt_tokens=max_prompt_tokens, samples=samples,
                                     on_event=progress.update)
    for notice in result.notices:
        notify(notice)
    if result.edited:
        notify("这些章节在上次写入后被手工修改过，修改内容已先存为一个版本：" + "、".join(result.edited))
    console.print(regenerate_summary(result))
    if result.cache_hits:
        notify(f"有 {result.cache_hits} 次模型请求与以前完全相同，直接使用了缓存的回答（想要另一种写法请加 --no-cache）")
    print_notes(result.outcomes)
    if result.ok:
        console.print(f"[green]已更新草稿 {escape(str(draft))}：{escape('、'.join(result.written))}，"
                      "数字均已核对通过。[/green]")
        return
    unchanged = [s.id for s in result.outcomes if s.id not in result.written]
    if unchanged:
        console.print(f"[yellow]这些章节没有写入草稿（草稿中仍是原文）：{escape('、'.join(unchanged))}。"
                      f"本次结果已存入历史：drafter history \"{escape(str(draft))}\"[/yellow]")
    else:
        console.print(f"[yellow]已更新草稿 {escape(str(draft))}，但有章节需要人工核对。[/yellow]")
    raise typer.Exit(1)


@app.command("history", cls=ChineseCommand)
@reports_errors
def history_command(
    draft: DraftArgument,
    section: Annotated[Optional[str], typer.Option("--section", help="只列出这一节的版本。")] = None,
    history: HistoryOption = None,
) -> None:
    """列出草稿每一节的所有版本：时间、来源（起草、重新生成、手工修改、恢复）、模型、tokens、核对结果。"""
    from drafter.editing import section_history
    from drafter.views import history_table

    versions = section_history(draft, section, history=history)
    if not versions:
        console.print("还没有历史记录。用 drafter draft 或 drafter regenerate 生成后会自动记录。")
        return
    console.print(history_table(versions, draft))
    console.print(f"查看改动：drafter diff \"{escape(str(draft))}\" --section 章节ID --version 版本号；"
                  f"恢复：drafter restore \"{escape(str(draft))}\" --section 章节ID --version 版本号")


@app.command("restore", cls=ChineseCommand)
@reports_errors
def restore_command(
    draft: DraftArgument,
    section: Annotated[str, typer.Option("--section", help="章节 ID。")],
    version: Annotated[int, typer.Option("--version", help="要恢复的版本号（见 drafter history）。")],
    facts: Annotated[Optional[Path], typer.Option("--facts", help="事实文件（用于核对恢复的文字），默认用草稿记录的那一个。")] = None,
    history: HistoryOption = None,
) -> None:
    """把某一节恢复为以前的一个版本（恢复本身也记为一个新版本）。"""
    from drafter.document import STATUS_NAMES
    from drafter.editing import restore_section

    result = restore_section(draft, section, version, history=history, facts=facts)
    status = STATUS_NAMES.get(result.status, result.status)
    console.print(f"[green]已把 {escape(section)} 恢复为第 {result.restored} 版（记为第 {result.number} 版）"
                  + (f"，数字核对：{status}" if status else "") + "。[/green]")


@app.command("diff", cls=ChineseCommand)
@reports_errors
def diff_command(
    draft: DraftArgument,
    section: Annotated[str, typer.Option("--section", help="章节 ID。")],
    version: Annotated[Optional[int], typer.Option("--version", help="与哪个版本比较，默认为最近一次写入草稿的版本。")] = None,
    history: HistoryOption = None,
) -> None:
    """显示某一节当前文字与历史版本之间的差异（统一 diff 格式，按句分行）。"""
    from drafter.editing import diff_section
    from drafter.views import print_diff

    print_diff(console, diff_section(draft, section, version, history=history))


@app.command("export", cls=ChineseCommand)
@reports_errors
def export_command(
    draft: DraftArgument,
    output: Annotated[Path, typer.Option("-o", "--output", help="Word 文件（.docx）。")],
    force: Annotated[bool, typer.Option("--force", help="Word 文件已存在时覆盖。")] = False,
    mark_review: Annotated[bool, typer.Option("--mark-review", help="把需人工核对和起草失败的章节标黄，并在段首注明。")] = False,
    font_title: Annotated[str, typer.Option("--font-title", help="标题字体。")] = "方正小标宋简体",
    font_body: Annotated[str, typer.Option("--font-body", help="正文字体（本机没有仿宋_GB2312 时可用 仿宋）。")] = "仿宋_GB2312",
    font_heading: Annotated[str, typer.Option("--font-heading", help="一级标题（一、）字体。")] = "黑体",
    font_subheading: Annotated[str, typer.Option("--font-subheading", help="二级标题（（一））字体（本机没有楷体_GB2312 时可用 楷体）。")] = "楷体_GB2312",
) -> None:
    """把草稿导出为 Word 文件，版式按 GB/T 9704-2012《党政机关公文格式》。"""
    from drafter.errors import InputError
    from drafter.word import WordFonts, export_docx

    if output.exists() and not output.is_dir() and not force:
        raise InputError("输出文件已存在，没有覆盖", path=output,
                         hint="如确需覆盖请加 --force，或用 -o 指定其他文件名")
    fonts = WordFonts(title=font_title, body=font_body, heading1=font_heading, heading2=font_subheading)
    result = export_docx(draft, output, fonts=fonts, mark_review=mark_review)
    console.print(f"[green]已导出 {escape(str(result.output))}：{result.sections} 节，"
                  f"{result.paragraphs} 段，约 {result.pages_estimate} 页（A4，每页 22 行、每行 28 字）。[/green]")
    if result.review_marked:
        notify(f"有 {result.review_marked} 节需要人工核对，已在文档中标黄。")
    elif result.needs_review:
        notify(f"这些章节的数字还需要人工核对：{'、'.join(result.needs_review)}（加 --mark-review 可在文档中标黄）")
    elif mark_review:
        console.print("没有需要人工核对的章节。")


@facts_app.command("convert", cls=ChineseCommand)
@reports_errors
def facts_convert_command(
    source: Annotated[Path, typer.Argument(help="要转换的事实文件（.yaml 或 .xlsx）。")],
    output: Annotated[Path, typer.Option("-o", "--output", help="转换结果（.xlsx 或 .yaml），方向由扩展名决定。")],
    force: Annotated[bool, typer.Option("--force", help="输出文件已存在时覆盖。")] = False,
) -> None:
    """在 YAML 和 Excel（.xlsx）之间转换事实文件，内容和含义完全相同。"""
    from drafter.conversion import convert_facts
    from drafter.facts import load_facts

    notify(load_facts(source).notice)
    target = convert_facts(source, output, force=force)
    console.print(f"[green]已转换：{escape(str(source))} → {escape(str(target))}[/green]")
    console.print(f"校验：drafter facts validate \"{escape(str(target))}\"")


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
    from drafter.samples import load_corpus
    from drafter.tokens import TOKEN_NOTE

    loaded = load_facts(facts)
    notify(loaded.notice)
    framed = frame_sections(loaded)
    framed.section(section)
    prompt = build_prompt(framed, section, corpus=load_corpus(samples), max_prompt_tokens=max_prompt_tokens)
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
