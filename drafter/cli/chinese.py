"""Chinese for the words typer's vendored click prints itself: help headings and usage errors.

Click has these strings hard-coded in English ("Usage:", "Missing option"); our users read Chinese.
Help text is translated as a whole page; usage errors are rebuilt from the exception's fields
(which option, which value) into one Chinese line, exit code 2 as click gives.
"""

from __future__ import annotations

import re
import sys

from typer.core import TyperCommand, TyperGroup
from typer.exceptions import Abort

# Help text is wrapped to the terminal width, so words may be split by a newline and indentation.
_HELP_WORDS = tuple((re.compile(pattern, re.MULTILINE), chinese) for pattern, chinese in (
    (r"^Usage: ", "用法："),
    (r"^Arguments:$", "参数："),
    (r"^Options:$", "选项："),
    (r"^Commands:$", "命令："),
    (r"Show\s+this\s+message\s+and\s+exit\.", "显示本帮助并退出。"),
    (r"\[default:\s+", "[默认："),
    (r"\[required\]", "[必填]"),
    (r"\[ARGS\]\.\.\.", "[参数]..."),
    (r"\[OPTIONS\]", "[选项]"),
    (r"(?<= )COMMAND(?= )", "命令"),
))
_KINDS = {"int": "整数", "integer": "整数", "float": "数字", "boolean": "是/否（true/false）"}


def translate_help(text: str) -> str:
    """A help page with click's English headings and notes in Chinese."""
    for english, chinese in _HELP_WORDS:
        text = english.sub(chinese, text)
    return text


def explain(exc) -> str:
    """One Chinese sentence for a click usage error, from its fields rather than its English text."""
    from typer._click import exceptions as ce

    message = exc.format_message() if not isinstance(exc, ce.UsageError) else exc.message
    if isinstance(exc, ce.NoSuchOption):
        text = f"没有选项 {exc.option_name}"
        if exc.possibilities:
            text += f"，是不是想用 {'、'.join(sorted(exc.possibilities))}？"
        return text
    if isinstance(exc, ce.MissingParameter):
        name = _param_name(exc)
        kind = getattr(exc.param, "param_type_name", None) or exc.param_type
        return f"缺少参数 {name}" if kind == "argument" else f"缺少选项 {name}"
    if isinstance(exc, ce.BadParameter):
        return f"{_param_name(exc)} 的值不对：{_value_problem(exc.message)}"
    if isinstance(exc, ce.BadOptionUsage):
        if "requires" in message:
            return f"选项 {exc.option_name} 后面要跟一个值"
        if "does not take a value" in message:
            return f"选项 {exc.option_name} 不带值"
    found = re.match(r"No such command '(.*)'\.", message)
    if found:
        return f"没有命令 “{found.group(1)}”"
    found = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message)
    if found:
        return f"多余的参数：{found.group(1)}（路径含空格时请加引号）"
    return message


def _param_name(exc) -> str:
    hint = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx)
    if isinstance(hint, (list, tuple)):
        hint = " / ".join(hint)
    return (hint or "").replace("'", "")


# typer's own path checks ("Path 'x.yaml' is not readable."), in Chinese.
_PATH_PROBLEMS = {"does not exist": "不存在", "is a file": "是文件，不是文件夹", "is a directory": "是文件夹，不是文件",
                  "is not readable": "没有读取权限（请检查文件的权限）",
                  "is not writable": "没有写入权限（请检查文件的权限）"}
_PATH_MESSAGE = re.compile(r"(?:File|Directory|Path) (?P<path>(?P<q>['\"]).*(?P=q)) (?P<problem>"
                           + "|".join(_PATH_PROBLEMS) + r")\.$", re.S)


def _path_problem(message: str) -> str | None:
    found = _PATH_MESSAGE.match(message)
    if not found:
        return None
    import ast

    try:
        path = ast.literal_eval(found.group("path"))  # the repr of the path, as typer wrote it
    except (ValueError, SyntaxError):
        path = found.group("path")[1:-1]
    return f"“{path}” {_PATH_PROBLEMS[found.group('problem')]}"


def _value_problem(message: str) -> str:
    path = _path_problem(message)
    if path:
        return path
    found = re.match(r"'?(.*?)'? is not a valid (\w+)", message)
    if found and found.group(2) in _KINDS:
        return f"“{found.group(1)}” 不是{_KINDS[found.group(2)]}"
    found = re.match(r"(.*) is not in the range (.*)\.", message)
    if found:
        return f"{found.group(1)} 超出范围 {found.group(2)}"
    return message


def _run(command, super_main, args, prog_name, complete_var, standalone_mode, extra):
    from typer._click import exceptions as ce

    if not standalone_mode:
        return super_main(args, prog_name, complete_var, standalone_mode=False, **extra)
    try:
        rv = super_main(args, prog_name, complete_var, standalone_mode=False, **extra)
    except ce.NoArgsIsHelpError as exc:
        print(exc.format_message(), file=sys.stderr)
        sys.exit(exc.exit_code)
    except ce.UsageError as exc:
        path = exc.ctx.command_path if exc.ctx is not None else (prog_name or "drafter")
        usage = translate_help(exc.ctx.get_usage()) if exc.ctx is not None else ""
        if usage:
            print(usage, file=sys.stderr)
        _print_error(f"错误：{explain(exc)}（查看用法：{path} --help）")
        sys.exit(exc.exit_code)
    except ce.ClickException as exc:
        _print_error(f"错误：{exc.format_message()}")
        sys.exit(exc.exit_code)
    except Abort:
        _print_error("已取消。")
        sys.exit(1)
    sys.exit(rv if isinstance(rv, int) else 0)


def _print_error(line: str) -> None:
    from drafter.cli.console import err_console, escape

    err_console.print(f"[red]{escape(line)}[/red]", soft_wrap=True)


class ChineseGroup(TyperGroup):
    """A typer group whose help page and usage errors are in Chinese."""

    def get_help(self, ctx) -> str:
        """The help page, click's own words translated."""
        return translate_help(super().get_help(ctx))

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Run; usage errors become one Chinese line and exit code 2."""
        return _run(self, super().main, args, prog_name, complete_var, standalone_mode, extra)


class ChineseCommand(TyperCommand):
    """A typer command whose help page is in Chinese."""

    def get_help(self, ctx) -> str:
        """The help page, click's own words translated."""
        return translate_help(super().get_help(ctx))

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Run; usage errors become one Chinese line and exit code 2."""
        return _run(self, super().main, args, prog_name, complete_var, standalone_mode, extra)
