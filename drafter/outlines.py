"""Outlines of the common kinds of work summary (乡村振兴, 安全生产, 基层党建…), read from data files.

Each file in drafter/templates/outlines/ names a kind, the words that recognise it in a topic, a
campaign or a 范文, its usual sections with what facts belong in each, and the lead sentences and
closing aim the offline composer may use for it. `drafter init --topic` renders one as a facts
template (drafter/templates/outline.yaml.j2).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from drafter.errors import InputError
from drafter.facts.model import is_campaign_target, topic_phrase
from drafter.suggestions import closest

# A topic typed close to an outline's name is a typo (乡村振新); a looser match is another topic
# (党风廉政建设 is not 基层党建), which gets the general outline for special work.
TYPO_CUTOFF = 0.6
GENERAL, SPECIAL = "general", "special"
SAMPLE_KIND_MIN_HITS = 3  # a 范文 is of a kind when its words occur this often, and twice as often as another's


@dataclass(frozen=True)
class OutlineSection:
    """One usual section of a kind of summary."""

    id: str
    title: str
    kind: str
    hint: str
    lead: str | None
    match: tuple[str, ...]
    optional: bool

    def fits(self, title: str) -> bool:
        """Whether a section with this title is this outline section (its words are in the title)."""
        return any(word in title for word in (self.title, *self.match))


@dataclass(frozen=True)
class Outline:
    """A kind of work summary: how it is recognised, its usual sections, its closing aim."""

    key: str
    name: str
    aliases: tuple[str, ...]
    keywords: tuple[str, ...]
    topic: str | None
    campaign: str | None
    goal: str | None
    under: str | None  # whose leadership the opening names, when not 上级党委、政府
    facts_hint: str
    sections: tuple[OutlineSection, ...]

    def lead(self, title: str) -> str | None:
        """The lead sentence for a work section with this title, when this outline has one for it."""
        return next((s.lead for s in self.sections if s.kind == "work" and s.lead and s.fits(title)), None)

    def hits(self, text: str) -> int:
        """How often this kind's words occur in `text`."""
        return sum(text.count(word) for word in self.keywords)


@dataclass(frozen=True)
class OutlineChoice:
    """What `drafter init --topic NAME` writes: an outline, and the topic or campaign of the template."""

    outline: Outline
    topic: str | None
    campaign: str | None
    notice: str | None = None


def _outline(key: str, data: dict[str, Any]) -> Outline:
    sections = tuple(OutlineSection(s["id"], s["title"], s.get("kind", "work"), s.get("hint", ""),
                                    s.get("lead"), tuple(s.get("match") or ()), bool(s.get("optional")))
                     for s in data["sections"])
    return Outline(key, data["name"], tuple(data.get("aliases") or ()), tuple(data.get("keywords") or ()),
                   data.get("topic"), data.get("campaign"), data.get("goal"), data.get("under"),
                   data.get("facts_hint", ""), sections)


@cache
def outlines() -> tuple[Outline, ...]:
    """Every shipped outline, in the order `drafter init --list-topics` shows them."""
    import yaml

    from drafter.resources import template_path

    loaded = []
    for path in template_path("outlines").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        loaded.append((data.get("order", 99), _outline(path.stem, data)))
    return tuple(o for _, o in sorted(loaded, key=lambda pair: pair[0]))


def outline(key: str) -> Outline:
    """The outline stored as `key`.yaml."""
    return next(o for o in outlines() if o.key == key)


def outline_for(campaign: str | None, topic: str | None) -> Outline | None:
    """The kind of a summary with this campaign or topic (None: a campaign no outline knows)."""
    subject = campaign or topic
    if not subject:
        return outline(GENERAL)
    for o in outlines():
        if o.keywords and any(word in subject for word in o.keywords):
            return o
    return None if campaign else outline(SPECIAL)


def sample_kind(text: str) -> str:
    """The outline key a 范文 is of: the kind whose words clearly dominate it, else the general kind."""
    counts = sorted(((o.hits(text), o.key) for o in outlines() if o.keywords), reverse=True)
    (best, key), (second, _) = counts[0], counts[1]
    return key if best >= SAMPLE_KIND_MIN_HITS and best >= 2 * second else GENERAL


def choose(name: str) -> OutlineChoice:
    """The outline for `drafter init --topic NAME`; a near miss of a known name is an error."""
    wanted = name.strip()
    if not wanted:
        raise InputError("--topic 后面要写总结的主题",
                         hint="例如 --topic 乡村振兴；drafter init --list-topics 列出已有的提纲")
    for o in outlines():
        if wanted == o.name or wanted in o.aliases or (o.keywords and any(w in wanted for w in o.keywords)):
            return _choice(o, wanted)
    names = [n for o in outlines() if o.key != SPECIAL for n in (o.name, *o.aliases)]
    near = closest(wanted, names, cutoff=TYPO_CUTOFF)
    if near is not None:
        raise InputError(f"没有“{wanted}”这个提纲，是不是想写 {near}？",
                         hint="drafter init --list-topics 列出已有的提纲")
    notice = (f"没有“{wanted}”的专门提纲，已按专项工作总结的通用章节生成，请按实际工作修改章节"
              "（drafter init --list-topics 列出已有的提纲）")
    if is_campaign_target(wanted):  # 国家卫生城市: a campaign, not a topic
        return OutlineChoice(outline(SPECIAL), None, wanted, notice)
    return OutlineChoice(outline(SPECIAL), topic_phrase(wanted), None, notice)


def _choice(o: Outline, wanted: str) -> OutlineChoice:
    if o.key == GENERAL:
        return OutlineChoice(o, None, None)
    if o.campaign:
        return OutlineChoice(o, None, wanted if is_campaign_target(wanted) else o.campaign)
    return OutlineChoice(o, o.topic if wanted == o.name else topic_phrase(wanted), None)


def render_template(name: str) -> str:
    """The commented facts template of the outline for `name`."""
    import jinja2

    from drafter.resources import template_path

    picked = choose(name)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_path(""))),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["scalar"] = _scalar
    subject = picked.topic or (f"创建{picked.campaign}" if picked.campaign else None)
    return env.get_template("outline.yaml.j2").render(
        kind_title=f"{subject}工作总结" if subject else "年度工作总结", campaign=picked.campaign,
        topic=picked.topic, topic_phrase=topic_phrase(picked.topic) or "",
        samples_folder=picked.topic or picked.campaign or picked.outline.name,
        facts_hint=picked.outline.facts_hint, sections=picked.outline.sections)


def _scalar(text: str) -> str:
    # Plain when YAML reads it back as the same text; otherwise a JSON string (valid YAML).
    if re.fullmatch(r"[\w\u3400-\u9fff（）()、·—\-]+", text) and not text[0].isdigit():
        return text
    return json.dumps(text, ensure_ascii=False)
