"""Commands for editors and deliverables: regenerate, history, restore, diff, export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drafter.cli.app import app
from drafter.cli.chinese import ChineseCommand
from drafter.cli.console import console, err_console, escape, notify, print_notes, reports_errors
from drafter.cli.options import (
    ApiKeyOption,
    BaseUrlOption,
    DraftArgument,
    HistoryOption,
    ModelOption,
    NoCacheOption,
    ProviderOption,
    RetriesOption,
    SamplesOption,
    TimeoutOption,
    model_settings,
)


@app.command("regenerate", cls=ChineseCommand)
@reports_errors
def regenerate_command(
    draft: DraftArgument,
    section: Annotated[list[str], typer.Option("--section", help="要重新生成的章节 ID，可重复多次。")],
    instruction: Annotated[str | None, typer.Option(
        "--instruction", help="修改要求，例如 “更突出志愿服务”“写短一点”。")] = None,
    facts: Annotated[Path | None, typer.Option("--facts", help="事实文件，默认用草稿记录的那一个。")] = None,
    keep_failed: Annotated[bool, typer.Option(
        "--keep-failed", help="核对未通过或失败时也写入草稿（默认不改动草稿）。")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="离线撰写器会用它以前写过的原文覆盖手工修改时，仍然写入（默认拒绝，草稿不动）。")] = False,
    model: ModelOption = None, base_url: BaseUrlOption = None, api_key: ApiKeyOption = None,
    provider: ProviderOption = None,
    max_repairs: Annotated[int, typer.Option("--max-repairs", help="数字核对不通过时请模型修正的最多轮数。")] = 2,
    max_prompt_tokens: Annotated[int, typer.Option("--max-prompt-tokens", help="每节提示词的 token 上限。")] = 8000,
    samples: SamplesOption = None, timeout: TimeoutOption = 120.0, max_retries: RetriesOption = 2,
    history: HistoryOption = None, no_cache: NoCacheOption = False,
) -> None:
    """重新生成草稿中的一节（或几节），只替换这几节的正文，其余内容一字不动。"""
    from drafter.cli.rendering import DraftProgress, regenerate_summary
    from drafter.editing import regenerate_sections

    settings = model_settings(model, base_url, api_key, provider, timeout, max_retries)
    with DraftProgress(err_console.real()) as progress:
        result = regenerate_sections(draft, section, settings=settings, instruction=instruction,
                                     facts=facts, history=history, use_cache=not no_cache,
                                     keep_failed=keep_failed, max_repairs=max_repairs,
                                     max_prompt_tokens=max_prompt_tokens, samples=samples,
                                     on_event=progress.update, force=force)
    for notice in result.notices:
        notify(notice)
    if result.edited:
        notify("这些章节在上次写入后被手工修改过，修改内容已先存为一个版本：" + "、".join(result.edited))
    for sid, number in result.reverted.items():
        notify(f"{sid} 的手工修改已被离线撰写器的原文替换（--force）；手工修改保存在第 {number} 版，"
               f"恢复：drafter restore \"{draft}\" --section {sid} --version {number}")
    console.print(regenerate_summary(result))
    if result.cache_hits:
        notify(f"有 {result.cache_hits} 次模型请求与以前完全相同，"
               "直接使用了缓存的回答（想要另一种写法请加 --no-cache）")
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
    section: Annotated[str | None, typer.Option("--section", help="只列出这一节的版本。")] = None,
    history: HistoryOption = None,
) -> None:
    """列出草稿每一节的所有版本：时间、来源（起草、重新生成、手工修改、恢复）、模型、tokens、核对结果。"""
    from drafter.cli.rendering import history_table
    from drafter.editing import section_history

    versions = section_history(draft, section, history=history)
    if not versions:
        console.print("还没有历史记录。用 drafter draft 或 drafter regenerate 生成后会自动记录。")
        return
    console.print(history_table(versions, draft, console.width))
    # One command a line, left to the terminal to wrap: copied, it is still one command.
    console.print(f"查看改动：drafter diff \"{escape(str(draft))}\" --section 章节ID --version 版本号",
                  soft_wrap=True)
    console.print(f"恢复：drafter restore \"{escape(str(draft))}\" --section 章节ID --version 版本号",
                  soft_wrap=True)


@app.command("restore", cls=ChineseCommand)
@reports_errors
def restore_command(
    draft: DraftArgument,
    section: Annotated[str, typer.Option("--section", help="章节 ID。")],
    version: Annotated[int, typer.Option("--version", help="要恢复的版本号（见 drafter history）。")],
    facts: Annotated[Path | None, typer.Option(
        "--facts", help="事实文件（用于核对恢复的文字），默认用草稿记录的那一个。")] = None,
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
    version: Annotated[int | None, typer.Option(
        "--version", help="与哪个版本比较，默认为最近一次写入草稿的版本。")] = None,
    history: HistoryOption = None,
) -> None:
    """显示某一节当前文字与历史版本之间的差异（统一 diff 格式，按句分行）。"""
    from drafter.cli.rendering import print_diff
    from drafter.editing import diff_section

    print_diff(console, diff_section(draft, section, version, history=history))


@app.command("export", cls=ChineseCommand)
@reports_errors
def export_command(
    draft: DraftArgument,
    output: Annotated[Path, typer.Option("-o", "--output", help="Word 文件（.docx）。")],
    force: Annotated[bool, typer.Option("--force", help="Word 文件已存在时覆盖。")] = False,
    mark_review: Annotated[bool, typer.Option(
        "--mark-review", help="把需人工核对和起草失败的章节标黄，并在段首注明。")] = False,
    font_title: Annotated[str, typer.Option("--font-title", help="标题字体。")] = "方正小标宋简体",
    font_body: Annotated[str, typer.Option(
        "--font-body", help="正文字体（本机没有仿宋_GB2312 时可用 仿宋）。")] = "仿宋_GB2312",
    font_heading: Annotated[str, typer.Option("--font-heading", help="一级标题（一、）字体。")] = "黑体",
    font_subheading: Annotated[str, typer.Option(
        "--font-subheading", help="二级标题（（一））字体（本机没有楷体_GB2312 时可用 楷体）。")] = "楷体_GB2312",
) -> None:
    """把草稿导出为 Word 文件，版式按 GB/T 9704-2012《党政机关公文格式》。"""
    from drafter.word import WordFonts, export_docx

    fonts = WordFonts(title=font_title, body=font_body, heading1=font_heading, heading2=font_subheading)
    result = export_docx(draft, output, fonts=fonts, mark_review=mark_review, force=force)
    console.print(f"[green]已导出 {escape(str(result.output))}：{result.sections} 节，"
                  f"{result.paragraphs} 段，约 {result.pages_estimate} 页（A4，每页 22 行、每行 28 字）。[/green]")
    if result.missing_fonts:
        notify(f"本机没有这些字体：{'、'.join(result.missing_fonts)}。文件仍按它们设置，在装有这些字体的电脑上显示正常；"
               "本机打开时标题、正文会换成别的字体。要换用本机已有的字体，可用 --font-title、--font-body、"
               "--font-heading、--font-subheading，例如 --font-body 仿宋 --font-subheading 楷体")
    if result.review_marked:
        notify(f"有 {result.review_marked} 节需要人工核对，已在文档中标黄。")
    elif result.needs_review:
        notify(f"这些章节的数字还需要人工核对：{'、'.join(result.needs_review)}（加 --mark-review 可在文档中标黄）")
    elif mark_review:
        console.print("没有需要人工核对的章节。")

