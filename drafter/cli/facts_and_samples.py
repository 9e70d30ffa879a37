"""Commands for the inputs: facts files (init, validate, convert) and the style samples."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drafter.cli.app import app, facts_app, samples_app
from drafter.cli.chinese import ChineseCommand
from drafter.cli.console import Table, console, escape, notify, reports_errors
from drafter.cli.options import (
    SamplesOption,
)


@app.command("init", cls=ChineseCommand)
@reports_errors
def init_command(
    path: Annotated[Path | None, typer.Argument(
        help="要生成的事实文件路径（默认 facts.yaml；加 --xlsx 时默认 facts.xlsx）。", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="文件已存在时覆盖。")] = False,
    xlsx: Annotated[bool, typer.Option(
        "--xlsx", help="生成 Excel 模板（.xlsx，工作表“基本信息”和“事实”）而不是 YAML。")] = False,
    topic: Annotated[str | None, typer.Option(
        "--topic", help="按这类总结的常见章节生成模板，例如 乡村振兴、安全生产、基层党建、河长制、"
                        "文明城市创建、年度工作总结；--list-topics 列出全部。", show_default=False)] = None,
    list_topics: Annotated[bool, typer.Option(
        "--list-topics", help="列出 --topic 可用的总结类型及其章节。")] = False,
) -> None:
    """生成一个带中文注释的事实文件模板（YAML，或加 --xlsx 生成 Excel 模板）。"""
    if list_topics:
        _print_topics()
        return
    notice = None
    if topic is not None:
        from drafter.outlines import choose

        notice = choose(topic).notice  # a typo of a known name fails here, before anything is written
    if xlsx:
        from drafter.facts.conversion import write_xlsx_template

        target = write_xlsx_template(path or Path("facts.xlsx"), force=force, topic=topic)
    else:
        from drafter.facts import write_template

        target = write_template(path or Path("facts.yaml"), force=force, topic=topic)
    notify(notice)
    console.print(f"[green]已生成事实文件模板：{escape(str(target))}[/green]")
    console.print(f"填写后运行：drafter facts validate \"{escape(str(target))}\"")


def _print_topics() -> None:
    from drafter.outlines import SPECIAL, outlines

    table = Table(title="drafter init --topic 可用的总结类型", title_justify="left")
    for column in ("类型", "也可以写", "标题", "章节"):
        table.add_column(column, overflow="fold")
    for o in outlines():
        if o.key == SPECIAL:
            continue
        title = ("{单位}{时间}创建" + o.campaign if o.campaign else "{单位}{时间}" + (o.topic or "")) + "工作总结"
        table.add_row(escape(o.name), escape("、".join(o.aliases[:4])), escape(title),
                      escape("、".join(s.title for s in o.sections)))
    console.print(table)
    special = next(o for o in outlines() if o.key == SPECIAL)
    console.print("其他主题（例如 招商引资、信访维稳）也可以：drafter init --topic 招商引资，"
                  "按专项工作的通用章节（" + escape("、".join(s.title for s in special.sections)) + "）生成。")


def _validate(file: Path) -> None:
    from drafter.facts import KIND_NAMES, load_facts, summarize_numbers
    from drafter.facts.warnings import copied_title_warnings, unit_warnings

    facts = load_facts(file)
    notify(facts.notice)
    more = unit_warnings(facts) + copied_title_warnings(facts)
    for line in facts.warning_lines() + [w.render(facts.path) for w in more]:
        notify(line)
    rows = summarize_numbers(facts)
    console.print(f"[bold]{escape(facts.title)}[/bold]")
    subject = (f"创建：{escape(facts.campaign)}" if facts.campaign else
               f"主题：{escape(facts.topic)}" if facts.topic else "主题：全年综合工作")
    console.print(f"单位：{escape(facts.unit)}　时间：{escape(facts.period)}　{subject}"
                  f"　落款：{escape(facts.author)}　日期：{escape(facts.date or '（未填写）')}")
    if facts.samples:
        console.print(f"范文文件夹：{escape(str(facts.samples_dir))}", soft_wrap=True)
    if facts.allow:
        console.print("允许短语：" + escape("、".join(facts.allow)))
    table = Table(title=f"{len(facts.sections)} 个章节", title_justify="left")
    for column in ("章节", "标题", "类型", "事实", "数字", "找到的数字"):
        table.add_column(column, overflow="fold")
    for row in rows:
        shown = "、".join(row.numbers[:12]) + ("……" if len(row.numbers) > 12 else "")
        table.add_row(escape(row.id), escape(row.title), KIND_NAMES.get(row.kind, row.kind),
                      str(row.statements), str(len(row.numbers)), escape(shown))
    console.print(table)
    empty = [s.id for s in facts.sections if not s.facts]
    if empty:
        notify("提示：这些章节还没有事实，起草时只能写原则性内容：" + "、".join(empty))
    total = sum(len(r.numbers) for r in rows)
    console.print(f"[green]校验通过：{len(facts.sections)} 个章节，"
                  f"{sum(r.statements for r in rows)} 条事实，{total} 个数字。[/green]")


@facts_app.command("validate", cls=ChineseCommand)
@reports_errors
def facts_validate_command(
    file: Annotated[Path, typer.Argument(help="事实文件（YAML，UTF-8 或 GBK 编码；或 Excel .xlsx）。")],
) -> None:
    """校验事实文件，列出章节、类型、事实条数和找到的数字。"""
    _validate(file)


# `drafter validate` is the short form of `drafter facts validate`: one command, two names.
app.command("validate", cls=ChineseCommand, help="校验事实文件（drafter facts validate 的简写）。")(
    facts_validate_command)


@samples_app.callback()
@reports_errors
def samples_command(ctx: typer.Context, samples: SamplesOption = None) -> None:
    """列出范文库：范文、章节、类型、标题、字数。"""
    if ctx.invoked_subcommand is not None:
        return
    from drafter.files import encoding_notice
    from drafter.samples import load_corpus

    corpus = load_corpus(samples)
    for sample in corpus:
        notify(encoding_notice(sample.path, sample.encoding))
    table = Table(title=f"范文库：{len(corpus)} 篇", title_justify="left")
    for column in ("范文", "章节", "类型", "标题", "字数"):
        table.add_column(column, overflow="fold")
    for sample in corpus:
        for sec in sample.sections:
            name = sample.name if sec.index == 0 else ""
            if name and sample.duplicate_of:
                name += f"\n（与{sample.duplicate_of}近乎重复）"
            table.add_row(escape(name), str(sec.index + 1), _kind(sec.kind), escape(sec.title),
                          str(sec.chars))
        table.add_section()
    console.print(table)


def _kind(kind: str) -> str:
    from drafter.facts import KIND_NAMES

    return f"{kind}（{KIND_NAMES.get(kind, kind)}）"


@samples_app.command("show", cls=ChineseCommand)
@reports_errors
def samples_show_command(
    name: Annotated[str, typer.Argument(help="范文名称，例如 篇一。")],
    samples: SamplesOption = None,
) -> None:
    """显示一篇范文，并标出它被切分成的各个部分。"""
    from drafter.samples import find_sample, load_corpus

    sample = find_sample(load_corpus(samples), name)
    console.print(f"[bold]{escape(sample.name)}[/bold]　{escape(str(sample.path))}")
    if sample.duplicate_of:
        console.print(f"[yellow]与{escape(sample.duplicate_of)}近乎重复[/yellow]")
    for sec in sample.sections:
        heading = "（标题由首句生成）" if sec.heading is None else f"原标题：{sec.heading}"
        console.rule(f"[{sec.index + 1}] {_kind(sec.kind)} · {escape(sec.title)}"
                     f" · 第 {sec.line} 行 · {sec.chars} 字", align="left")
        console.print(f"[dim]{escape(heading)}[/dim]")
        console.print(escape(sec.text), soft_wrap=True)


@samples_app.command("import", cls=ChineseCommand)
@reports_errors
def samples_import_command(
    seed: Annotated[Path, typer.Argument(help="含多篇范文（篇一、篇二……）的文本文件。")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出文件夹，每篇范文一个文件。")],
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的同名文件。")] = False,
) -> None:
    """把一个含多篇范文的文件拆分、清理成范文库文件夹。"""
    from drafter.samples import import_seed

    written = import_seed(seed, output, force=force)
    for path in written:
        console.print(f"已写入 {escape(str(path))}")
    console.print(f"[green]共 {len(written)} 篇范文。查看：drafter samples --samples \"{escape(str(output))}\"[/green]")


@facts_app.command("convert", cls=ChineseCommand)
@reports_errors
def facts_convert_command(
    source: Annotated[Path, typer.Argument(help="要转换的事实文件（.yaml 或 .xlsx）。")],
    output: Annotated[Path, typer.Option("-o", "--output", help="转换结果（.xlsx 或 .yaml），方向由扩展名决定。")],
    force: Annotated[bool, typer.Option("--force", help="输出文件已存在时覆盖。")] = False,
) -> None:
    """在 YAML 和 Excel（.xlsx）之间转换事实文件，内容和含义完全相同。"""
    from drafter.facts import load_facts
    from drafter.facts.conversion import convert_facts

    notify(load_facts(source).notice)
    target = convert_facts(source, output, force=force)
    console.print(f"[green]已转换：{escape(str(source))} → {escape(str(target))}[/green]")
    console.print(f"校验：drafter facts validate \"{escape(str(target))}\"")

