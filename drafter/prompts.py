"""Chat messages for drafting one section, ordered so that every section shares a long prefix.

Providers' prefix caches bill repeated leading tokens at a cached rate, so the messages are:
system prompt, all facts plus the shared style references, a fixed acknowledgement (the three
are byte-identical for every section of a facts file), and only then the section's own task.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from drafter.errors import InputError
from drafter.facts import KIND_NAMES, Facts, Section
from drafter.facts.model import topic_phrase
from drafter.references import (
    Reference,
    choose_extras,
    choose_shared,
    default_corpus,
    kind_name,
    mask_numbers,
    of_same_kind,
    topic_index,
)
from drafter.samples import Sample

__all__ = ["Prompt", "build_prompt", "build_prompts", "build_repair_message", "common_prefix_share",
           "first_person", "half_width", "mask_numbers", "render"]

SHARED_MESSAGES = 3  # system, facts + shared references, acknowledgement
MIN_COMPLETION_TOKENS = 1024
# Tokens per character of the answer: about 1.1 for Chinese in cl100k, less for Chinese-trained
# tokenizers; the margin leaves room for a model that writes long or thinks aloud.
COMPLETION_TOKENS_PER_CHAR = 3
# GB/T 15835: Arabic numerals are half-width, whatever the clerk's input method typed (the checker
# reads １２６０ and 1260 alike), so drafts and the facts shown to a model use half-width digits.
_HALF_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_FULL_WIDTH_MARK = re.compile(r"(?<=[0-9])％|(?<=[0-9])．(?=[0-9])")


@dataclass(frozen=True)
class Prompt:
    """The messages for one section and what went into them."""

    section_id: str
    messages: list[dict[str, str]]
    tokens: int
    shared_tokens: int
    references: list[str]
    dropped_references: list[str]
    target_chars: int
    max_tokens: int


@cache
def _environment() -> Any:
    import jinja2

    from drafter.resources import data_dir

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("prompts"))), undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, autoescape=False, keep_trailing_newline=False)


def render(name: str, **context: Any) -> str:
    """Render the template prompts/`name` with `context` (StrictUndefined), stripped."""
    return _environment().get_template(name).render(**context).strip()


def first_person(unit: str) -> str:
    """How the unit names itself: 芦洲乡 → 我乡, 东湖镇 → 我镇, 新华街道 → 我街道."""
    if unit.endswith("街道"):
        return "我街道"
    if unit.endswith("办事处"):
        return "我处"
    if unit and unit[-1] in "乡镇村区县市社":
        return "我" + unit[-1]
    return "我们"


def half_width(text: str) -> str:
    """Arabic digits (and a decimal point or percent sign after them) written half-width."""
    return _FULL_WIDTH_MARK.sub(lambda m: {"．": ".", "％": "%"}[m.group()], text.translate(_HALF_WIDTH))


def _section_view(section: Section) -> dict[str, Any]:
    return {"id": section.id, "title": section.title, "kind": section.kind,
            "kind_name": KIND_NAMES.get(section.kind, section.kind),
            "facts": [half_width(s.text) for s in section.facts]}


def _ref_view(ref: Reference) -> dict[str, str]:
    return {"title": ref.title, "text": ref.text, "kind_name": KIND_NAMES.get(ref.kind, ref.kind)}


def _document_view(facts: Facts, other_kind: bool) -> dict[str, Any]:
    # 创建 is said only for a campaign: the templates choose their words by campaign / topic.
    return {"unit": facts.unit, "period": facts.period, "campaign": facts.campaign,
            "topic": topic_phrase(facts.topic), "title": facts.title, "we": first_person(facts.unit),
            "other_kind": other_kind, "kind_name": kind_name(facts)}


class _Draft:
    """What every section of one facts file shares: the topic index and the shared references."""

    def __init__(self, facts: Facts, corpus: list[Sample] | tuple[Sample, ...] | None):
        from drafter.tokens import count_tokens

        self.facts = facts
        self.count = count_tokens
        samples = default_corpus() if corpus is None else tuple(corpus)
        self.index = topic_index(samples)
        # 范文 of another kind (the built-in ones are all 创建文明城市) teach register, not subject:
        # the prompt says so once, and no section gets extra ones chosen for their topic.
        self.same_kind = of_same_kind(samples, facts)
        self.shared = choose_shared(self.index, facts, count_tokens)
        self.doc = _document_view(facts, other_kind=not self.same_kind)
        self.system = {"role": "system", "content": render("system.j2", **self.doc)}
        self.ack = {"role": "assistant", "content": render("ack.j2", **self.doc)}
        self.facts_text = render("facts.j2", **self.doc, doc_facts=[half_width(s.text) for s in facts.facts],
                                 allow=list(facts.allow),
                                 sections=[_section_view(s) for s in facts.sections])
        self._task_tokens: dict[str, int] | None = None

    def prefix(self, shared: list[Reference]) -> list[dict[str, str]]:
        """The messages identical for every section, with these shared references."""
        refs = render("references.j2", **self.doc, heading="范文片段",
                      references=[_ref_view(r) for r in shared])
        content = self.facts_text + ("\n\n" + refs if refs else "")
        return [self.system, {"role": "user", "content": content}, self.ack]

    def task(self, section: Section, extras: list[Reference], *, instruction: str | None = None,
             other_sections: dict[str, str] | None = None, current_text: str | None = None) -> dict[str, str]:
        """The section-specific message: extra references, the task, editor's input."""
        others = []
        for sec in self.facts.sections:
            text = (other_sections or {}).get(sec.id)
            if sec.id != section.id and text and text.strip():
                others.append({"title": sec.title, "text": text.strip()})
        content = render("section.j2", **self.doc, section=_section_view(section),
                         facts=[half_width(s.text) for s in section.facts],
                         target_chars=self.target_chars(section),
                         references=[_ref_view(r) for r in extras],
                         other_sections=others, instruction=(instruction or "").strip(),
                         current_text=(current_text or "").strip())
        return {"role": "user", "content": content}

    def target_chars(self, section: Section) -> int:
        """Target body length of `section` in characters."""
        return self.index.target_chars(section.kind, len(section.facts))

    def base_task_tokens(self) -> dict[str, int]:
        """Tokens of every section's task without extra references or editor's input."""
        if self._task_tokens is None:
            self._task_tokens = {s.id: self.tokens([self.task(s, [])], reply=False)
                                 for s in self.facts.sections}
        return self._task_tokens

    def tokens(self, messages: list[dict[str, str]], reply: bool = True) -> int:
        """Token count of messages as sent."""
        from drafter.tokens import count_message_tokens

        return count_message_tokens(messages, reply=reply)

    def build(self, section_id: str, max_prompt_tokens: int, **editor: Any) -> Prompt:
        """The prompt of one section, trimmed to `max_prompt_tokens`."""
        section = self.facts.section(section_id)
        task_tokens = dict(self.base_task_tokens())
        task_tokens[section.id] = self.tokens([self.task(section, [], **editor)], reply=False)
        # Shared references stay only if every section fits with them, so that the prefix stays
        # identical across the draft; the least similar go first.
        by_score = sorted(self.shared, key=lambda r: -r.score)
        dropped_shared: list[Reference] = []

        def kept_shared() -> list[Reference]:
            return [r for r in self.shared if r not in dropped_shared]

        while by_score and self.tokens(self.prefix(kept_shared())) + max(task_tokens.values()) \
                > max_prompt_tokens:
            dropped_shared.append(by_score.pop())
        prefix = self.prefix(kept_shared())
        if self.tokens(prefix) + task_tokens[section.id] > max_prompt_tokens:
            raise InputError(
                f"章节“{section.title}”的提示词即使去掉全部范文也超出 token 上限"
                f"（需要约 {self.tokens(prefix) + task_tokens[section.id]}，上限 {max_prompt_tokens}）",
                hint="请调大 --max-prompt-tokens")
        extras = choose_extras(self.index, section, self.shared, self.count) if self.same_kind else []
        dropped_extras: list[Reference] = []
        while True:
            messages = prefix + [self.task(section, extras, **editor)]
            tokens = self.tokens(messages)
            if tokens <= max_prompt_tokens or not extras:
                break
            dropped_extras.append(extras.pop())  # ranked most similar first
        kept = kept_shared() + extras
        target = self.target_chars(section)
        return Prompt(
            section_id=section.id, messages=messages, tokens=tokens,
            shared_tokens=self.tokens(prefix, reply=False), references=[r.id for r in kept],
            dropped_references=[r.id for r in dropped_extras + dropped_shared], target_chars=target,
            max_tokens=max(MIN_COMPLETION_TOKENS,
                           math.ceil(target * COMPLETION_TOKENS_PER_CHAR / 256) * 256))


def build_prompt(facts: Facts, section_id: str, *, corpus: list[Sample] | None = None,
                 max_prompt_tokens: int = 8000, instruction: str | None = None,
                 other_sections: dict[str, str] | None = None,
                 current_text: str | None = None) -> Prompt:
    """Assemble the chat messages for drafting one section (no model is called)."""
    return _Draft(facts, corpus).build(section_id, max_prompt_tokens, instruction=instruction,
                                       other_sections=other_sections, current_text=current_text)


def build_prompts(facts: Facts, *, corpus: list[Sample] | None = None,
                  max_prompt_tokens: int = 8000) -> list[Prompt]:
    """The prompts of every section of a facts file, in order (the shared work done once)."""
    draft = _Draft(facts, corpus)
    return [draft.build(s.id, max_prompt_tokens) for s in facts.sections]


def common_prefix_share(prompts: list[Prompt]) -> float:
    """Share of all prompt tokens that lie in messages identical across every prompt."""
    from drafter.tokens import count_message_tokens

    if not prompts:
        return 0.0
    k = 0
    first = prompts[0].messages
    while k < len(first) and all(len(p.messages) > k and p.messages[k] == first[k] for p in prompts):
        k += 1
    shared = count_message_tokens(first[:k], reply=False)
    total = sum(p.tokens for p in prompts)
    return shared * len(prompts) / total if total else 0.0


def build_repair_message(problems: list[dict], facts: Facts, section_id: str) -> dict[str, str]:
    """The user message that sends flagged numbers back to the model for a rewrite."""
    section = facts.section(section_id)
    items = [{"text": str(p["text"]), "verdict": str(p.get("verdict") or "unsupported"),
              "reason": str(p.get("reason") or "").strip().rstrip("。"),
              "context": str(p.get("context") or "").strip(),
              "nearby_facts": [str(f) for f in p.get("nearby_facts") or ()]} for p in problems]
    content = render("repair.j2", section=_section_view(section), problems=items,
                     facts=[half_width(s.text) for s in section.facts])
    return {"role": "user", "content": content}
