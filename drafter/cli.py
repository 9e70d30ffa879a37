"""Command line: parse options, call one core function, render with rich."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Optional

import typer

from drafter import __version__
from drafter.cli_locale import ChineseCommand, ChineseGroup
from drafter.errors import DrafterError

# Tracebacks with locals could print an API key: keep Python's plain traceback for real bugs.
app = typer.Typer(
    cls=ChineseGroup, help="drafter：根据事实文件起草乡镇工作总结，并核对草稿中的每一个数字。",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
facts_app = typer.Typer(cls=ChineseGroup, help="事实文件：校验、YAML 与 Excel 互相转换。", no_args_is_help=True)
samples_app = typer.Typer(cls=ChineseGroup, help="范文库：列出、查看、导入范文。", invoke_without_command=True)
app.add_typer(facts_app, name="facts")
app.add_typer(samples_app, name="samples")


class _LazyConsole:
    """A rich Console created on first use: `drafter check --format json` never imports rich."""

    def __init__(self, **options):
        self._options = options
        self._console = None

    def real(self):
        """The rich Console itself (for APIs such as Live that need the object)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str):
        return getattr(self.real(), name)


console = _LazyConsole()
err_console = _LazyConsole(stderr=True)


def escape(text: str) -> str:
    """Escape rich markup in user text (file names, facts) before printing it."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def Table(*args, **kwargs):  # noqa: N802 - stands in for rich.table.Table, imported when used
    """A rich Table, imported on first use."""
    from rich.table import Table as RichTable

    return RichTable(*args, **kwargs)


SamplesOption = Annotated[
    Optional[Path],
    typer.Option("--samples", help="范文文件夹（.txt/.md），默认使用内置的五篇范文。"),
]


def reports_errors(func):
    """Turn a DrafterError into one red line on stderr and its exit code (Ctrl-C: a notice, 130)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DrafterError as exc:
            err_console.print(f"[red]错误：{escape(exc.render())}[/red]", soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            # Files are only ever replaced by an atomic rename, so an interrupted run changed nothing.
            err_console.print("[yellow]已中断，没有写入或改动任何文件。[/yellow]")
            raise typer.Exit(130) from None

    return wrapper


def notify(notice: str | None) -> None:
    """Print a notice (e.g. about a file's encoding) on stderr."""
    if notice:
        err_console.print(f"[yellow]{escape(notice)}[/yellow]", soft_wrap=True)


def print_notes(outcomes) -> None:
    """Each section's note (truncation, failure, …) on stderr, one line each."""
    for s in outcomes:
        if s.note:
            err_console.print(f"[yellow]{escape(s.id)}：{escape(s.note)}[/yellow]", soft_wrap=True)


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


@app.command("init", cls=ChineseCommand)
@reports_errors
def init_command(
    path: Annotated[Optional[Path], typer.Argument(help="要生成的事实文件路径（默认 facts.yaml；加 --xlsx 时默认 facts.xlsx）。", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="文件已存在时覆盖。")] = False,
    xlsx: Annotated[bool, typer.Option("--xlsx", help="生成 Excel 模板（.xlsx，工作表“基本信息”和“事实”）而不是 YAML。")] = False,
) -> None:
    """生成一个带中文注释的事实文件模板（YAML，或加 --xlsx 生成 Excel 模板）。"""
    if xlsx:
        from drafter.conversion import write_xlsx_template

        target = write_xlsx_template(path or Path("facts.xlsx"), force=force)
    else:
        from drafter.facts import write_template

        target = write_template(path or Path("facts.yaml"), force=force)
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


@facts_app.command("validate", cls=ChineseCommand)
@reports_errors
def facts_validate_command(
    file: Annotated[Path, typer.Argument(help="事实文件（YAML，UTF-8 或 GBK 编码；或 Excel .xlsx）。")],
) -> None:
    """校验事实文件，列出章节、类型、事实条数和找到的数字。"""
    _validate(file)


@app.command("validate", cls=ChineseCommand)
@reports_errors
def validate_command(
    file: Annotated[Path, typer.Argument(help="事实文件（YAML，UTF-8 或 GBK 编码；或 Excel .xlsx）。")],
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


@app.command("check", cls=ChineseCommand)
@reports_errors
def check_command(
    document: Annotated[Path, typer.Argument(help="要核对的文档（.txt、.md 或 Word .docx；文本文件可为 UTF-8 或 GBK 编码）。")],
    facts: Annotated[Optional[Path], typer.Option("--facts", help="事实文件；草稿的 front matter 写明了事实文件时可省略。")] = None,
    output_format: Annotated[str, typer.Option("--format", help="输出格式：text、json 或 html（网页，数字按结论着色，需配合 -o）。")] = "text",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="把报告写入文件。")] = None,
    section: Annotated[Optional[str], typer.Option("--section", help="只核对草稿中的这一节。")] = None,
    allow_file: Annotated[Optional[Path], typer.Option("--allow-file", help="补充的固定提法列表文件，每行一个短语。")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="表格中也列出“一致”和“非数量”的数字（默认只列有问题的和推算的）。")] = False,
) -> None:
    """核对文档中的每一个数字是否来自事实文件；有问题时退出码为 1。"""
    from drafter.checker import run_check

    if output_format not in ("text", "json", "html"):
        err_console.print(f"[red]错误：--format 只能是 text、json 或 html，而不是 “{escape(output_format)}”[/red]")
        raise typer.Exit(2)
    if output_format == "html" and output is None:
        err_console.print("[red]错误：--format html 需要用 -o 指定网页文件，例如 -o 核对报告.html[/red]")
        raise typer.Exit(2)
    report = run_check(document, facts, allow_file=allow_file, section=section)
    for notice in report.notices:
        notify(notice)
    if output_format == "html":
        from drafter.scope import read_document
        from drafter.htmlreport import render_html

        text = render_html(report, read_document(document).text)
    elif output_format == "json":
        import json

        text = json.dumps(report.to_json_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        from drafter.views import check_report

        from rich.console import Console

        target = Console(record=True, width=160) if output else console
        check_report(target, report, show_all=show_all)
        text = target.export_text() if output else None
    if output:
        from drafter.files import write_atomic

        write_atomic(output, text)
        err_console.print(f"报告已写入 {escape(str(output))}")
    elif text is not None:
        write_json(text)
    if not report.ok:
        raise typer.Exit(1)


ModelOption = Annotated[Optional[str], typer.Option(
    "--model", help="模型名称；offline 表示用内置的离线撰写器。也可用环境变量 DRAFTER_MODEL。")]
BaseUrlOption = Annotated[Optional[str], typer.Option(
    "--base-url", help="OpenAI 兼容接口地址，例如 http://127.0.0.1:8000/v1。也可用 OPENAI_BASE_URL。")]
ApiKeyOption = Annotated[Optional[str], typer.Option(
    "--api-key", help="API 密钥（建议改用环境变量，如 DEEPSEEK_API_KEY）。", show_default=False)]
ProviderOption = Annotated[Optional[str], typer.Option(
    "--provider", help="服务商预设：deepseek、qwen、moonshot、zhipu、ollama、vllm、llamacpp。")]
TimeoutOption = Annotated[float, typer.Option("--timeout", help="单次请求超时（秒）。")]
RetriesOption = Annotated[int, typer.Option("--max-retries", help="网络错误、429、5xx 的重试次数。")]


def _settings(model, base_url, api_key, provider, timeout=120.0, max_retries=2):
    from drafter.providers import resolve_settings

    settings = resolve_settings(model=model, base_url=base_url, api_key=api_key, provider=provider,
                                timeout=timeout, max_retries=max_retries)
    notify(settings.notice)
    return settings


@app.command("draft", cls=ChineseCommand)
@reports_errors
def draft_command(
    facts: Annotated[Path, typer.Argument(help="事实文件（YAML 或 Excel .xlsx）。")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="草稿文件（.md），默认为“事实文件名.draft.md”。")] = None,
    force: Annotated[bool, typer.Option("--force", help="草稿文件已存在时覆盖。")] = False,
    model: ModelOption = None, base_url: BaseUrlOption = None, api_key: ApiKeyOption = None,
    provider: ProviderOption = None,
    concurrency: Annotated[int, typer.Option("--concurrency", help="同时起草的章节数。")] = 4,
    max_repairs: Annotated[int, typer.Option("--max-repairs", help="数字核对不通过时请模型修正的最多轮数。")] = 2,
    max_prompt_tokens: Annotated[int, typer.Option("--max-prompt-tokens", help="每节提示词的 token 上限（超出时先去掉最不相关的范文）。")] = 8000,
    samples: SamplesOption = None, timeout: TimeoutOption = 120.0, max_retries: RetriesOption = 2,
    history: Annotated[Optional[Path], typer.Option("--history", help="历史数据库文件，默认为草稿所在文件夹的 .drafter/history.sqlite（或 $DRAFTER_HOME）。")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="不使用已缓存的模型回答，重新请求模型。")] = False,
) -> None:
    """起草工作总结：逐节起草，逐节核对数字并请模型修正，写出 Markdown 草稿。"""
    from drafter.drafting import draft_document
    from drafter.views import DraftProgress, draft_summary

    settings = _settings(model, base_url, api_key, provider, timeout, max_retries)
    with DraftProgress(err_console.real()) as progress:
        result = draft_document(facts, output, settings=settings, concurrency=concurrency,
                                max_repairs=max_repairs, max_prompt_tokens=max_prompt_tokens,
                                samples=samples, force=force, on_event=progress.update,
                                history=history, use_cache=not no_cache)
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


def main() -> None:
    """Entry point of the `drafter` console script."""
    _never_crash_on_output()
    app(prog_name="drafter")


def _never_crash_on_output() -> None:
    # On Windows, output sent to a file or pipe uses the ANSI code page (GBK), which cannot show
    # every character a document may hold (✔, rare names): print a replacement, never a traceback.
    import sys

    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
        if not encoding.startswith("utf") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def write_json(text: str) -> None:
    """Print JSON as UTF-8 whatever the console's code page (JSON is UTF-8 by definition)."""
    import sys

    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("_", "-")
    if encoding.startswith("utf") or not hasattr(sys.stdout, "buffer"):
        print(text, end="")
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()

from drafter import cli_edit  # noqa: E402,F401  (registers the editors' and deliverables' commands)
