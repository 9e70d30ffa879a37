"""`drafter batch` live against a loopback OpenAI-compatible server with a fixed latency: wall time
against the ideal, and the share of each file's prompt tokens in its shared prefix.

50 facts files are generated (each township with its own numbers, three work sections, so five
requests a file with the opening and closing drafting adds); every answer is right the first time,
so the requests are exactly files × sections. The ideal wall time is requests × latency ÷
concurrency: what one shared concurrency limit kept full for the whole run would take. The
loopback server reports that many slots on /props, as llama.cpp does, so the limit is drafter's.

Usage: python bench/batch_speed.py [--files 50] [--latency 0.2] [--concurrency 8]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from drafter.batch.events import Listener
from drafter.batch.jobs import draft_batch
from drafter.drafting import frame_sections
from drafter.facts import load_facts
from drafter.prompts import build_prompts, common_prefix_share, first_person
from drafter.providers import resolve_settings
from drafter.samples import load_corpus
from drafter.testing import FakeOpenAIServer, Reply

HEADS = "青山 白沙 石门 柳河 桃源 梅岭 松林 竹溪 金坪 银湖".split()
TAILS = ("乡", "镇", "街道", "乡", "镇")
WORK = (("industry", "产业发展", "新建蔬菜大棚{}个"), ("roads", "道路建设", "硬化村组道路{}公里"),
        ("people", "民生保障", "发放救助资金{}万元"))
TASK = re.compile(r"【写作任务】请撰写章节 (\S+?)“")
FACT_LINE = re.compile(r"^- (.+)$", re.M)
UNIT = re.compile(r"你是(\S+?)党政办公室")
# A paragraph, as a section is: a one-line answer would be sent back as too short.
PAD = "坚持高标准谋划、高质量推进，加强统筹协调，压实工作责任，确保各项任务落到实处、取得实效。"


def units(count: int) -> list[str]:
    """Distinct township names: 青山乡, 白沙镇, …"""
    names = [f"{head}{n or ''}{tail}" for n in range(count) for head, tail in zip(HEADS, TAILS * 2, strict=True)]
    return names[:count]


def facts_files(folder: Path, count: int) -> list[Path]:
    """One facts file a township, each with its own numbers."""
    paths = []
    for i, unit in enumerate(units(count)):
        lines = [f"unit: {unit}", "period: 2023年", "topic: 乡村振兴", "sections:"]
        for j, (sid, title, fact) in enumerate(WORK):
            lines += [f"  - id: {sid}", f"    title: {title}", "    facts:", f"      - {fact.format(i + j + 2)}"]
        path = folder / f"{i:02d}-{unit}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def answer(latency: float):
    """A model that writes each section from its own facts, after `latency` seconds."""
    def script(body: dict) -> Reply:
        task = body["messages"][-1]["content"]
        section = TASK.search(task).group(1)
        we = first_person(UNIT.search(body["messages"][0]["content"]).group(1))
        if section == "_opening":
            text = f"2023年，{we}{PAD}扎实推进乡村振兴各项工作，现将有关情况总结如下："
        elif section == "_closing":
            text = f"下一步，{we}将继续扎实推进乡村振兴各项工作，{PAD}"
        else:
            text = f"{we}狠抓落实，{FACT_LINE.search(task.split('本节事实', 1)[1]).group(1)}。{PAD}"
        return Reply(text, delay=latency)
    return script


class _Clock(Listener):
    """Notes when planning ended: every facts file loaded and every prompt built, no request yet."""

    def planned(self, files) -> None:
        self.at = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            FakeOpenAIServer(answer(args.latency), total_slots=args.concurrency) as server:
        paths = facts_files(Path(tmp), args.files)
        settings = resolve_settings(model="test-model", base_url=server.base_url, env={})
        started = time.perf_counter()
        clock = _Clock()
        result = draft_batch(paths, Path(tmp) / "out", settings=settings, concurrency=args.concurrency,
                             listener=clock)
        wall = time.perf_counter() - started
        planning = clock.at - started
        requests = len(server.chat_requests)
        peak = server.peak_in_flight
        corpus = load_corpus()
        shares = [(path.stem, common_prefix_share(build_prompts(frame_sections(load_facts(path)), corpus=corpus)))
                  for path in paths]
    ideal = requests * args.latency / args.concurrency
    totals = result.totals()
    print(f"{args.files} facts files, {requests} requests, every answer delayed {args.latency:.2f} s, "
          f"--concurrency {args.concurrency} (peak in flight at the server {peak})")
    print(f"  wall {wall:.2f} s; ideal {ideal:.2f} s (requests × latency ÷ concurrency); "
          f"overhead {wall - ideal:+.2f} s ({wall / ideal:.2f}× the ideal), of which {planning:.2f} s before the "
          "first request (loading and checking every facts file, building every prompt)")
    print(f"  drafts: {totals['passed']} passed, {totals['needs-review']} need review, {totals['failed']} failed")
    values = [share for _, share in shares]
    print("shared prompt prefix of each file (tokens common to all its sections / all its prompt tokens): "
          f"min {min(values):.1%}, median {statistics.median(values):.1%}, max {max(values):.1%}")
    for i in range(0, len(shares), 5):
        print("  " + "  ".join(f"{stem} {share:.1%}" for stem, share in shares[i:i + 5]))


if __name__ == "__main__":
    main()
