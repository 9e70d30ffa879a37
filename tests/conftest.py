from __future__ import annotations

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
