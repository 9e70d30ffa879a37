"""Command line: parse options, call one core function, render with rich."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drafter import __version__
from drafter.errors import DrafterError

# Tracebacks with locals could print an API key: keep Python's plain traceback for real bugs.
app = typer.Typer(
    help="drafter：根据事实文件起草乡镇工作总结，并核对草稿中的每一个数字。",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
facts_app = typer.Typer(help="事实文件：校验等。", no_args_is_help=True)
samples_app = typer.Typer(help="范文库：列出、查看、导入范文。", invoke_without_command=True)
app.add_typer(facts_app, name="facts")
app.add_typer(samples_app, name="samples")

console = Console()
err_console = Console(stderr=True)

SamplesOption = Annotated[
    Optional[Path],
    typer.Option("--samples", help="范文文件夹（.txt/.md），默认使用内置的五篇范文。"),
]


def reports_errors(func):
    """Turn a DrafterError into one red line on stderr and its exit code."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DrafterError as exc:
            err_console.print(f"[red]错误：{escape(exc.render())}[/red]", soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def notify(notice: str | None) -> None:
    """Print a notice (e.g. about a file's encoding) on stderr."""
    if notice:
        err_console.print(f"[yellow]{escape(notice)}[/yellow]", soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        console.print(f"drafter {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="显示版本号并退出。")] = False,
) -> None:
    """drafter：根据事实文件起草乡镇工作总结，并核对草稿中的每一个数字。"""


@app.command("init")
@reports_errors
def init_command(
    path: Annotated[Path, typer.Argument(help="要生成的事实文件路径（默认 facts.yaml）。")] = Path("facts.yaml"),
    force: Annotated[bool, typer.Option("--force", help="文件已存在时覆盖。")] = False,
) -> None:
    """生成一个带中文注释的事实文件模板。"""
    from drafter.facts import write_template

    target = write_template(path, force=force)
    console.print(f"[green]已生成事实文件模板：{escape(str(target))}[/green]")
    console.print(f"填写后运行：drafter facts validate \"{escape(str(target))}\"")


def _validate(file: Path) -> None:
    from drafter.facts import KIND_NAMES, load_facts, summarize_numbers

    facts = load_facts(file)
    notify(facts.notice)
    rows = summarize_numbers(facts)
    console.print(f"[bold]{escape(facts.title)}[/bold]")
    console.print(f"单位：{escape(facts.unit)}　时间：{escape(facts.period)}　创建：{escape(facts.campaign)}"
                  f"　落款：{escape(facts.author)}　日期：{escape(facts.date or '（未填写）')}")
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


@facts_app.command("validate")
@reports_errors
def facts_validate_command(
    file: Annotated[Path, typer.Argument(help="事实文件（YAML，UTF-8 或 GBK 编码）。")],
) -> None:
    """校验事实文件，列出章节、类型、事实条数和找到的数字。"""
    _validate(file)


@app.command("validate")
@reports_errors
def validate_command(
    file: Annotated[Path, typer.Argument(help="事实文件（YAML，UTF-8 或 GBK 编码）。")],
) -> None:
    """校验事实文件（drafter facts validate 的简写）。"""
    _validate(file)


@samples_app.callback()
@reports_errors
def samples_command(ctx: typer.Context, samples: SamplesOption = None) -> None:
    """列出范文库：范文、章节、类型、标题、字数。"""
    if ctx.invoked_subcommand is not None:
        return
    from drafter.samples import load_corpus

    from drafter.files import encoding_notice

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


@samples_app.command("show")
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


@samples_app.command("import")
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


def main() -> None:
    """Entry point of the `drafter` console script."""
    app(prog_name="drafter")
