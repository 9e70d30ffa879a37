"""`drafter draft` on a real terminal (a pseudo-terminal): the live progress display works."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import FIXTURES

pytestmark = pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals are POSIX only")


def run_in_pty(args: list[str], cwd) -> tuple[int, str]:
    """Run a command with stdout and stderr on a pseudo-terminal; return exit code and output."""
    import pty

    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("DRAFTER_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY")}
    env.update(COLUMNS="120", LINES="40", TERM="xterm-256color")
    proc = subprocess.Popen(args, stdin=follower, stdout=follower, stderr=follower, cwd=cwd, env=env,
                            close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", errors="replace")


def test_terminal_draft_shows_live_progress(tmp_path):
    out = tmp_path / "draft.md"
    code, output = run_in_pty([sys.executable, "-m", "drafter", "draft", str(FIXTURES / "facts" / "篇二.yaml"),
                               "-o", str(out)], tmp_path)
    assert code == 0, output
    assert "起草进度" in output and "完成" in output  # the live table, drawn on the terminal
    assert "所有章节的数字均已核对通过" in output
    assert out.exists()
