from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drafter.cli import app

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
# CI clones the repository with shared/ beside it; tests that read it skip when it is absent.
SHARED = REPO.parent / "shared"


@pytest.fixture
def run():
    """Run the drafter CLI in-process and return click's Result (stdout and stderr apart)."""
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args])

    return invoke


MODEL_ENV = ("DRAFTER_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY", "DEEPSEEK_API_KEY",
             "DASHSCOPE_API_KEY", "MOONSHOT_API_KEY", "ZHIPUAI_API_KEY", "DRAFTER_HOME")


@pytest.fixture(autouse=True)
def no_model_env(monkeypatch):
    """Tests never see the developer's model configuration or keys."""
    for name in MODEL_ENV:
        monkeypatch.delenv(name, raising=False)


# A shell starts background jobs (`pytest &`, many CI runners) with SIGINT ignored, and children
# inherit that: a SIGINT sent to drafter would then never arrive. Start drafter as a terminal
# starts its foreground job, where Ctrl-C reaches the program.
_INTERRUPTIBLE = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                  "sys.argv[0] = 'drafter'; from drafter.cli import main; main()")


def start_interruptible(*args) -> subprocess.Popen:
    """Start `drafter ARGS` in a new process that Ctrl-C (SIGINT) reaches; output captured as text."""
    return subprocess.Popen([sys.executable, "-c", _INTERRUPTIBLE, *[str(a) for a in args]],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
