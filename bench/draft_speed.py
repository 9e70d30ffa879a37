"""Drafting wall time against a loopback OpenAI-compatible server with a fixed latency, and the
share of prompt tokens in the prefix common to all sections of a draft.

Three wall times per concurrency level:
- cold: `drafter draft` as a new process, as a user runs it (includes importing the openai SDK);
- warm: the same drafting through the library API in a process that has already drafted once
  (SDK imported, tokenizer loaded): what concurrency buys, without start-up;
- floor: a bare script that only imports the openai SDK and streams the same N requests
  concurrently; no drafter code at all. Cold drafter time cannot go below it on this machine.

Usage: python bench/draft_speed.py [--sections 5] [--latency 1.0] [--concurrency 1 4 8]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from drafter.drafting import frame_sections
from drafter.facts import load_facts
from drafter.prompts import build_prompts, common_prefix_share
from drafter.samples import load_corpus
from drafter.testing import FakeOpenAIServer, Reply

ROOT = Path(__file__).resolve().parents[1]
TASK = re.compile(r"【写作任务】请撰写章节 (\S+?)“")


def facts_file(folder: Path, sections: int) -> Path:
    """A facts file with N work sections, an intro and a closing (so N model calls in all)."""
    lines = ["unit: 芦洲乡", "period: 2017年", "campaign: 全国文明城市", "sections:"]
    for i in range(sections):
        kind = "intro" if i == 0 else "closing" if i == sections - 1 else "work"
        lines += [f"  - id: s{i}", f"    title: 第{i}项工作", f"    kind: {kind}",
                  "    facts:", f"      - 新建宣传栏{i + 1}个"]
    path = folder / "bench facts.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def reply(latency: float):
    def script(body: dict) -> Reply:
        text = "\n".join(m["content"] for m in body["messages"])
        sid = TASK.search(text).group(1)
        count = int(sid[1:]) + 1
        return Reply(f"我乡扎实推进工作，新建宣传栏{count}个。", delay=latency)
    return script


FLOOR_SCRIPT = """
import asyncio, sys
from openai import AsyncOpenAI

async def main(url, n, concurrency):
    client = AsyncOpenAI(base_url=url, api_key="bench")
    gate = asyncio.Semaphore(concurrency)

    async def one(i):
        async with gate:
            content = "【写作任务】请撰写章节 s%d“" % i
            stream = await client.chat.completions.create(
                model="test-model", messages=[{"role": "user", "content": content}], stream=True)
            async for _ in stream:
                pass

    await asyncio.gather(*(one(i) for i in range(n)))

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""


def timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and exit code of a command run as a new process."""
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    return time.perf_counter() - started, proc.returncode


def warm_wall(facts: Path, out: Path, base_url: str, concurrency: int) -> float:
    """Seconds for one draft_document call in this (already warmed-up) process."""
    from drafter.drafting import draft_document
    from drafter.providers import resolve_settings

    settings = resolve_settings(model="test-model", base_url=base_url, env={})
    started = time.perf_counter()
    draft_document(facts, out, settings=settings, concurrency=concurrency, force=True, use_cache=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sections", type=int, default=5)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    args = parser.parse_args()
    drafter = [sys.executable, "-m", "drafter"]
    # The loopback server reports its slots on /props as llama.cpp does: without that, drafter sends
    # a local server one request at a time and every concurrency level would measure the same.
    with tempfile.TemporaryDirectory() as tmp, FakeOpenAIServer(reply(args.latency),
                                                                total_slots=max(args.concurrency)) as server:
        facts = facts_file(Path(tmp), args.sections)
        print(f"{args.sections} sections, every response delayed {args.latency:.1f} s")
        warm_wall(facts, Path(tmp) / "warm-up.md", server.base_url, 8)  # imports, tokenizer
        for c in args.concurrency:
            out = Path(tmp) / f"draft-{c}.md"
            cold, code = timed(drafter + ["draft", str(facts), "-o", str(out), "--force", "--no-cache",
                                          "--base-url", server.base_url, "--model", "test-model",
                                          "--concurrency", str(c)])
            warm = warm_wall(facts, out, server.base_url, c)
            floor, floor_code = timed([sys.executable, "-c", FLOOR_SCRIPT, server.base_url,
                                       str(args.sections), str(c)])
            print(f"  concurrency {c}: cold {cold:.2f} s (exit {code}), warm {warm:.2f} s, "
                  f"bare-SDK floor {floor:.2f} s (exit {floor_code})")
    corpus = load_corpus()
    print("shared prompt prefix (tokens common to all sections / all prompt tokens):")
    for path in sorted((ROOT / "fixtures" / "facts").glob("*.yaml")):
        prompts = build_prompts(frame_sections(load_facts(path)), corpus=corpus)
        print(f"  {path.name}: {common_prefix_share(prompts):.1%} over {len(prompts)} sections")


if __name__ == "__main__":
    main()
