"""The Typer application and its command groups; command modules add their commands to them."""

from __future__ import annotations

from typing import Annotated

import typer

from drafter import __version__
from drafter.cli.chinese import ChineseGroup
from drafter.cli.console import console

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

