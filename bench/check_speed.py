"""Print how fast `drafter check` is: characters per second in-process, and one CLI run's wall time.

Usage: python bench/check_speed.py [--drafter PATH]
Targets (issue 3): >= 300,000 characters per second; `drafter check` on a ~3,000-character
draft under 0.3 s wall in total; (issue 14) the same rate on a 5 MB document in one line.
Prints figures only; no asserts.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from drafter.check.copies import load_corpus_texts  # noqa: E402
from drafter.check.engine import check_text  # noqa: E402
from drafter.check.mentions import extract_mentions  # noqa: E402
from drafter.facts import load_facts  # noqa: E402

TARGET_CHARS = 1_000_000


def corpus() -> list[tuple[Path, Path | None]]:
    """(sample text, facts file or None): fixture samples, else the shared dev case texts."""
    samples = sorted((REPO / "fixtures" / "samples").glob("*.txt"))
    if samples:
        return [(p, _existing(REPO / "fixtures" / "facts" / f"{p.stem}.yaml")) for p in samples]
    dev = REPO.parent / "shared" / "factcheck-eval" / "dev"
    return [(p, _existing(dev / f"{p.stem}.facts.yaml")) for p in sorted(dev.glob("*.txt"))]


def _existing(path: Path) -> Path | None:
    return path if path.exists() else None


def repeated(text: str, size: int) -> str:
    """text repeated (on paragraph boundaries) to about `size` characters."""
    unit = text.rstrip("\n") + "\n\n"
    count = max(1, size // len(unit))
    return unit * count


def throughput(pairs) -> tuple[float, float, int]:
    """(extraction chars/s, checking chars/s, characters) over the samples repeated to 1 MB."""
    per_sample = TARGET_CHARS // len(pairs)
    texts = [(repeated(p.read_text(encoding="utf-8-sig"), per_sample), f) for p, f in pairs]
    loaded = {f: load_facts(f) for _, f in texts if f is not None}
    chars = sum(len(t) for t, _ in texts)
    extract_mentions("预热：一、共3次")
    start = time.perf_counter()
    for text, _ in texts:
        extract_mentions(text)
    extract_rate = chars / (time.perf_counter() - start)
    checked = [(t, loaded[f]) for t, f in texts if f is not None]
    check_rate = float("nan")
    if checked:
        n = sum(len(t) for t, _ in checked)
        corpus = load_corpus_texts()  # the built-in samples, as `drafter check` uses them for copies
        start = time.perf_counter()
        for text, facts in checked:
            check_text(text, facts, corpus=corpus)
        check_rate = n / (time.perf_counter() - start)
    return extract_rate, check_rate, chars


def one_line_rate(pairs, size: int = 5_000_000) -> float:
    """check_text chars/s on one 5 MB line whose numbers are off by one (every number is looked into)."""
    path, facts = next((p, f) for p, f in pairs if f is not None)
    text = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), path.read_text(encoding="utf-8-sig").replace("\n", ""))
    line = (text * (size // len(text) + 1))[:size]
    loaded = load_facts(facts)
    corpus = load_corpus_texts()
    start = time.perf_counter()
    check_text(line, loaded, corpus=corpus)
    return size / (time.perf_counter() - start)


def cli_wall_time(pairs, drafter: str, output_format: str) -> tuple[float, float, int, int] | None:
    """Best and median wall time of `drafter check DOC --facts FACTS` on ~3,000 characters."""
    with_facts = [(p, f) for p, f in pairs if f is not None]
    if not with_facts:
        return None
    path, facts = min(with_facts, key=lambda pf: abs(len(pf[0].read_text(encoding="utf-8-sig")) - 3000))
    text = path.read_text(encoding="utf-8-sig")
    while len(text) < 2800:
        text += "\n" + text
    # An installed package has its .pyc files; let this run write them as an install would.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "draft.txt"
        doc.write_text(text[:3200], encoding="utf-8")
        cmd = [drafter, "check", str(doc), "--facts", str(facts), "--format", output_format]
        subprocess.run(cmd, capture_output=True, env=env)  # warm the file cache and .pyc files
        runs = []
        code = 0
        for _ in range(7):
            start = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, env=env)
            runs.append(time.perf_counter() - start)
            code = done.returncode
        return min(runs), statistics.median(runs), len(text[:3200]), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = REPO / ".venv" / "bin" / "drafter"
    parser.add_argument("--drafter", default=str(default) if default.exists() else "drafter")
    args = parser.parse_args()
    pairs = corpus()
    if not pairs:
        print("没有找到样本文本（fixtures/samples/*.txt 或 ../shared/factcheck-eval/dev/*.txt）")
        return
    extract_rate, check_rate, chars = throughput(pairs)
    print(f"samples: {len(pairs)} texts repeated to {chars:,} characters")
    print(f"extract_mentions: {extract_rate:,.0f} chars/s")
    print(f"check_text (numbers, names, copies): {check_rate:,.0f} chars/s   (target >= 300,000)")
    print(f"check_text, one 5 MB line with wrong numbers: {one_line_rate(pairs):,.0f} chars/s   (target >= 300,000)")
    for output_format in ("text", "json"):
        wall = cli_wall_time(pairs, args.drafter, output_format)
        if wall is None:
            print("drafter check: no sample with a facts file")
            break
        best, median, size, code = wall
        print(f"drafter check --format {output_format}: {best:.3f} s best, {median:.3f} s median wall "
              f"of 7 runs on {size:,} characters (exit {code}; target < 0.3 s)")


if __name__ == "__main__":
    main()
