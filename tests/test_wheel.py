"""A regular (non-editable) install finds prompts/ and fixtures/: build the wheel, install it fresh."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

# Builds and installs the wheel (about 30 s): run by default and in CI, skippable with -m "not slow".
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheelhouse")
    # No build isolation: the build backend comes from the test environment, not the network.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(REPO)], check=True)
    (path,) = out.glob("drafter-*.whl")
    return path


def test_wheel_ships_prompts_fixtures_and_templates(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "drafter/templates/facts.yaml" in names
    assert "drafter/templates/report.html.j2" in names
    assert "drafter/templates/outline.yaml.j2" in names
    assert {f"drafter/templates/outlines/{key}.yaml" for key in ("rural", "safety", "party", "river", "civility",
                                                                 "general", "special")} <= set(names)
    assert any(n.startswith("drafter/_data/fixtures/samples/") and n.endswith(".txt") for n in names)
    assert any(n.startswith("drafter/_data/fixtures/facts/") for n in names)
    assert any(n.startswith("drafter/_data/prompts/") for n in names)
    # The name checker's gazetteer, its ordinary words and the licence of the data they derive from.
    data = ("gazetteer.txt", "common_words.txt", "straddle_words.txt", "GAZETTEER-LICENSE.txt")
    assert {f"drafter/check/data/{f}" for f in data} <= set(names)


def test_wheel_installed_in_fresh_venv_runs_samples(wheel, tmp_path):
    env_dir = tmp_path / "fresh venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True)
    # Dependencies come from the test environment (no network at test time); a path line in a
    # .pth file does not run that environment's own .pth files, so its editable drafter stays out.
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    where = subprocess.run([str(python), "-c", "import drafter; print(drafter.__file__)"],
                           capture_output=True, text=True, check=True, cwd=outside).stdout
    assert str(env_dir) in where
    drafter_exe = bindir / ("drafter.exe" if os.name == "nt" else "drafter")
    proc = subprocess.run([str(drafter_exe), "samples"], capture_output=True, text=True,
                          encoding="utf-8", cwd=outside, env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    for name in ("篇一", "篇二", "篇三", "篇四", "篇五"):
        assert name in proc.stdout
    proc = subprocess.run([str(drafter_exe), "init", "t.yaml"], capture_output=True, text=True,
                          encoding="utf-8", cwd=outside)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([str(drafter_exe), "facts", "validate", "t.yaml"], capture_output=True,
                          text=True, encoding="utf-8", cwd=outside)
    assert proc.returncode == 0, proc.stderr
    # The offline composer's templates (prompts/offline) and the checker's lexicon ship too.
    env = {k: v for k, v in os.environ.items() if k not in ("DRAFTER_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY")}
    proc = subprocess.run([str(drafter_exe), "draft", "t.yaml", "-o", "t.md"], capture_output=True,
                          text=True, encoding="utf-8", cwd=outside, env=env)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([str(drafter_exe), "check", "t.md"], capture_output=True, text=True,
                          encoding="utf-8", cwd=outside, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "志愿服务队伍共计65人" in (outside / "t.md").read_text(encoding="utf-8")
    # The outlines ship: drafter init --topic writes a template that drafts.
    for args in (["init", "rv.yaml", "--topic", "乡村振兴"], ["draft", "rv.yaml", "-o", "rv.md"]):
        proc = subprocess.run([str(drafter_exe), *args], capture_output=True, text=True, encoding="utf-8",
                              cwd=outside, env=env)
        assert proc.returncode == 0, (args, proc.stdout + proc.stderr)
    assert "××镇20××年乡村振兴工作总结" in (outside / "rv.md").read_text(encoding="utf-8")
    # The HTML report template, the Word export, the Excel template and regeneration work installed.
    for args in (["check", "t.md", "--format", "html", "-o", "t.html"], ["export", "t.md", "-o", "t.docx"],
                 ["init", "--xlsx", "t.xlsx"], ["regenerate", "t.md", "--section", "publicity"],
                 ["history", "t.md"]):
        proc = subprocess.run([str(drafter_exe), *args], capture_output=True, text=True, encoding="utf-8",
                              cwd=outside, env=env)
        assert proc.returncode == 0, (args, proc.stdout + proc.stderr)
    assert "v-ok" in (outside / "t.html").read_text(encoding="utf-8")
    assert (outside / "t.docx").stat().st_size > 5000 and (outside / "t.xlsx").stat().st_size > 3000
