"""`drafter check`: give every number mention in a document a verdict against the facts file.

Verdicts: ok, derived, ignored, unsupported, mismatch, misattributed (the last three are
flagged). Attribution follows the RotoWire relation-generation idea: a number is not supported
by a bare equal value, but by an equal value whose surrounding words (the counted noun) are the
ones the text uses; when the words point at another supplied number, the mention is flagged.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from drafter.check import explanations as describe
from drafter.check.attribution import YEAR_TOKEN, Neighbors, counted_noun, counts, quoted, words_before
from drafter.check.documents import Doc, facts_from_front_matter, prepare
from drafter.check.matching import Relation, date_matches, grams, group, relate, same_written_number
from drafter.check.mentions import Mention, extract_mentions, find_placeholders
from drafter.check.not_quantities import CONDITIONAL, NotQuantity, quoted_names
from drafter.check.plans import PlanRegions, planned_statement
from drafter.check.report import FLAGGED, VERDICTS, CheckedMention, PlaceholderAt, Report, UnusedFact, fact_location

__all__ = ["FLAGGED", "VERDICTS", "CheckedMention", "Report", "check_text", "run_check"]

_SENTENCE_END = re.compile(r"[。！!？?\n]")
_SENTENCE_REACH = 200    # characters a sentence may run back from a number
_PARAGRAPH_REACH = 1500  # characters a paragraph may run on either side of a number
_RATIO_SIDES = re.compile(r"(?P<a>[\u4e00-\u9fff]{1,8})[与和同跟对](?P<b>[\u4e00-\u9fff]{1,8}?)"
                          r"(?:按|的比例|比例|之比|为|是)*\Z")
_PERIOD_GRAM = re.compile(r"[每月周天日年季度旬晚夜]")
_CLAUSE_STOP = re.compile(r"[。；;！!？?\n，,：:]")


class FactNumber:
    """A number in the facts file, with its statement and the words around it."""

    __slots__ = ("mention", "statement", "context", "group", "weak", "words", "overview", "planned")

    def __init__(self, mention: Mention, statement, context: frozenset[str], group: int,
                 weak: bool = False, words: str = "", overview: bool = False):
        self.mention = mention
        self.statement = statement  # drafter.facts.Statement
        self.context = context
        self.group = group  # index of the statement: numbers of one statement share it
        self.weak = weak  # 一个/一支 in a statement: usable for matching, not listed as unused
        self.words = words  # the words before the number in its statement, for messages
        self.overview = overview  # a fact about the whole unit (全镇辖11个行政村), usable in any section
        self.planned = False  # a target for the next period (2025年新建高标准农田4000亩), not a result


def check_text(text: str, facts, *, allow: Iterable[str] = (), section: str | None = None,
               document: str = "", kind: str | None = None, with_names: bool = True, corpus=None) -> Report:
    """Check every number, name and copied passage in `text` against `facts`; offsets are into `text`.

    `kind` is the kind of section the whole text is, when drafting checks one section on its own
    (a plans section has no heading to say so). `corpus` (copies.Corpus) is the style corpus in use,
    for copied sentences and the samples' own unit names; echoed prompt text is found without it.
    """
    doc = prepare(text, section, document)
    allowed = list(facts.allow) + [a for a in allow if a]
    numbers, names, years = _supplied(facts, tuple(allowed))
    mentions = [m for m in extract_mentions(doc.work, allowed, names=names)]
    kinds = {sec.id: sec.kind for sec in facts.sections}
    checker = _Checker(doc, numbers, years, facts.path, PlanRegions(doc.text, years, kinds, doc.sections, kind))
    checked = checker.run(mentions)
    unused = [UnusedFact(f.statement.text, f.mention.value, f.mention.unit, f.statement.section,
                         f.statement.line, f.mention.text, fact_location(facts.path, f.statement))
              for f in numbers if not f.weak and id(f) not in checker.used
              and (section is None or f.statement.section == section)]
    placeholders = [PlaceholderAt(p.text, p.start, p.end, doc.line(p.start))
                    for p in find_placeholders(doc.work)]
    found_names, copies = (), ()
    if with_names:
        from drafter.check.copies import find_copies
        from drafter.check.names import check_names

        found_names = tuple(check_names(doc, facts, corpus.units if corpus is not None else tuple, tuple(allowed)))
        copies = tuple(find_copies(doc, corpus, "\n".join(st.text for st in facts.statements()), facts.unit))
    return Report(document, str(facts.path), checked, unused, placeholders, section,
                  names=found_names, copies=copies)


@lru_cache(maxsize=8)
def _supplied(facts, allowed: tuple[str, ...]) -> tuple[list[FactNumber], list[str], frozenset[int]]:
    """The facts' numbers with their words, the names quoted in the facts, and the reporting years.

    Read once per facts file and allow list: drafting checks every section, every repair round,
    against the same facts. The FactNumbers are never changed by a check (what a check uses is kept
    by the checker, keyed by id).
    """
    names = sorted({n for st in facts.statements() for n in quoted_names(st.text)})
    numbers = _fact_numbers(facts, list(allowed), names)
    years = frozenset(p[1] for f in numbers if f.statement.section is None
                      for p in f.mention.parts if p[0] == "年")
    kinds = {sec.id: sec.kind for sec in facts.sections}
    for f in numbers:
        f.planned = planned_statement(f.statement.text, kinds.get(f.statement.section), years)
    return numbers, names, years


def _fact_numbers(facts, allowed: list[str], names: list[str]) -> list[FactNumber]:
    out = []
    overview = {None} | {sec.id for sec in facts.sections if sec.kind == "intro"}
    for index, st in enumerate(facts.statements()):
        found = [m for m in extract_mentions(st.text, allowed, names=names)
                 if m.ignored is None or m.ignored in CONDITIONAL]
        near = Neighbors([m for m in found if m.ignored is None])
        for m in found:
            ctx, words = near.context(st.text, m), words_before(st.text, m, near)
            out.append(FactNumber(m, st, ctx, index, weak=m.ignored is not None, words=words,
                                  overview=st.section in overview))
    return out


class _Checker:
    """Holds the facts index while verdicts are given, and remembers which facts were used."""

    def __init__(self, doc: Doc, numbers: list[FactNumber], years: frozenset[int], facts_path="",
                 plans: PlanRegions | None = None):
        self.doc = doc
        self.plans = plans
        self.facts_path = facts_path
        self.numbers = numbers
        self.years = years
        self.used: set[int] = set()
        self._stray: dict[int, FactNumber] = {}  # mention id -> the equal fact it is unrelated to
        self._support: dict[int, FactNumber] = {}  # mention id -> the fact that supports it
        self._grams_cache: dict[int, frozenset[str]] = {}
        self._operands: list | None = None
        self.by_group: dict[object, list[FactNumber]] = {}
        for f in numbers:
            self.by_group.setdefault(group(f.mention), []).append(f)

    def run(self, mentions: list[Mention]) -> list[CheckedMention]:
        claims = [m for m in mentions if m.ignored is None]
        self._near = Neighbors(claims)
        self._starts = [m.start for m in mentions]
        self._mentions = mentions
        results: dict[int, CheckedMention] = {}
        pending = []
        for m in mentions:
            if m.ignored is not None and m.ignored not in CONDITIONAL:
                results[id(m)] = self._result(m, "ignored", describe.ignored(m))
                continue
            ctx = self._near.context(self.doc.text, m)
            verdict = self._direct(m, ctx)
            if verdict is None:
                pending.append((m, ctx))
            else:
                results[id(m)] = verdict
        for m, ctx in pending:
            results[id(m)] = self._indirect(m, ctx, mentions, results)
        return [results[id(m)] for m in mentions]

    # -- direct support ----------------------------------------------------------------------

    def _direct(self, m: Mention, ctx: frozenset[str]) -> CheckedMention | None:
        if m.kind in ("date", "time"):
            return self._direct_date(m, ctx)
        if m.ignored in (NotQuantity.TIER, NotQuantity.PERIOD, NotQuantity.PHASE):
            return self._like(m, ctx)
        candidates = self._comparable(m)
        # A bare 每周 in the facts supports only a bare frequency, never a count.
        same = [f for f in candidates if (relate(m, f.mention) is Relation.SAME or self._reversed_ratio(m, f))
                and f.mention.ignored != NotQuantity.PERIOD]
        if m.ignored == NotQuantity.ARTICLE:
            # 一个 is only a count when a real count of the same thing is supplied.
            same = [f for f in same if not f.weak and ctx & f.context]
        if not same:
            return None
        if self.plans is not None:
            # A planned number from the plans, a result from the results, when the facts give one.
            planned = self.plans.planned(m.start)
            same = [f for f in same if f.overview or f.planned == planned] or same
        best = self._best(same, ctx, m)
        if self._unrelated(m, ctx, best):
            self._stray[id(m)] = best
            return None
        other_side = self._other_side(m, ctx, best, candidates)
        if other_side is not None:
            return self._misattributed(m, best, other_side)
        rival = self._rival(m, ctx, best, [f for f in candidates if relate(m, f.mention) is not Relation.SAME])
        if rival is None:
            rival = self._rival_of_other_unit(m, ctx, best)
        if rival is not None:
            if relate(m, rival.mention) is not Relation.DIFFERENT:
                # 近8000人次 fits another fact's 6800, but its own item says 8000余: wrong direction.
                return self._result(m, "mismatch", describe.approx_mismatch(m, rival), rival)
            return self._misattributed(m, best, rival)
        self.used.add(id(best))
        self._support[id(m)] = best
        return self._result(m, "ok", describe.ok(m, best), best)

    def _direct_date(self, m: Mention, ctx: frozenset[str]) -> CheckedMention | None:
        hits = [f for f in self.numbers if f.mention.kind in ("date", "time")
                and date_matches(m, f.mention, self.years)]
        if not hits:
            return None
        best = self._best(hits, ctx, m)
        # 12月6日召开动员会 when the facts hold the meeting on 12月2日: dates are attributed too.
        others = [f for f in self.numbers if f.mention.kind in ("date", "time") and f not in hits]
        # A bare year is the reporting frame (2017年以来), not the date of one event.
        rival = self._rival(m, ctx, best, others) if dict(m.parts).keys() - {"年", "年代"} else None
        if rival is not None:
            return self._misattributed(m, best, rival)
        self.used.add(id(best))
        return self._result(m, "ok", describe.ok(m, best), best)

    def _reversed_ratio(self, m: Mention, f: FactNumber) -> bool:
        """群众与干部3∶1 states the facts' 干部与群众1∶3: the sides and the ratio both reversed."""
        if m.kind != "ratio" or f.mention.kind != "ratio" or abs(m.value * f.mention.value - 1) > 1e-9:
            return False
        ours = _RATIO_SIDES.search(self.doc.text, max(0, m.start - 24), m.start)
        theirs = _RATIO_SIDES.search(f.statement.text, max(0, f.mention.start - 24), f.mention.start)
        return bool(ours and theirs) and theirs.group("b") in ours.group("a") and ours.group("b") in theirs.group("a")

    def _like(self, m: Mention, ctx: frozenset[str]) -> CheckedMention:
        """A tier (二级巡防) or a bare frequency (每周上门): checked only against the facts' own."""
        like = [f for f in self.numbers if self._same_thing(m, ctx, f)]
        if not like:
            return self._result(m, "ignored", describe.ignored(m))
        agree = [f for f in like if relate(m, f.mention) is Relation.SAME]
        best = max(agree or like, key=lambda f: len(ctx & f.context))
        if agree:
            return self._result(m, "ok", describe.like_agrees(m, best), best)
        return self._result(m, "mismatch", describe.like_differs(m, best), best)

    def _same_thing(self, m: Mention, ctx: frozenset[str], f: FactNumber) -> bool:
        if m.ignored in (NotQuantity.TIER, NotQuantity.PHASE):
            # 一级巡防 against the facts' 二级巡防 (or Ⅱ级巡防), 三期工程 against 二期工程: the thing named
            # after the grade or phase.
            named = self.doc.text[m.end:m.end + 2]
            return (f.mention.ignored == m.ignored or f.mention.kind == "grade") \
                and f.mention.unit == m.unit and f.statement.text[f.mention.end:f.mention.end + 2] == named
        if f.mention.ignored != NotQuantity.PERIOD:
            return False
        ours = frozenset(g for g in ctx if not _PERIOD_GRAM.search(g))
        theirs = frozenset(g for g in f.context if not _PERIOD_GRAM.search(g))
        return len(ours & theirs) >= max(2, len(theirs) // 2)

    def _other_side(self, m: Mention, ctx: frozenset[str], best: FactNumber,
                    candidates: list[FactNumber]) -> FactNumber | None:
        """A plan's number taken from this year's results (or the reverse), where the facts give both."""
        if self.plans is None or best.overview:
            return None
        planned = self.plans.planned(m.start)
        if best.planned == planned:
            return None
        same_side = [f for f in candidates if f.planned == planned and not f.weak and ctx & f.context
                     and relate(m, f.mention) is not Relation.SAME]
        return max(same_side, key=lambda f: len(ctx & f.context)) if same_side else None

    def _rival_of_other_unit(self, m: Mention, ctx: frozenset[str], best: FactNumber) -> FactNumber | None:
        # 参加志愿服务活动65人: the words are those of 90人次, the number is the team's 65人.
        key = group(m)
        others = [f for f in self.numbers if f.mention.kind not in ("date", "time")
                  and group(f.mention) not in (key, None)]
        rival = self._rival(m, ctx, best, others)
        if rival is None:
            return None
        shared = len(ctx & rival.context)
        return rival if shared >= 3 and shared >= 0.6 * len(rival.context) else None

    def _misattributed(self, m: Mention, best: FactNumber, rival: FactNumber) -> CheckedMention:
        words = words_before(self.doc.text, m, self._near)
        shown = quoted(self.doc.text, m, self._near)
        return self._result(m, "misattributed", describe.misattributed(m, words, best, rival, shown), rival)

    def _unrelated(self, m: Mention, ctx: frozenset[str], best: FactNumber) -> bool:
        """An equal number in a clause that shares no word with its statement (a stray claim).

        RotoWire-style: the value alone does not support a claim, so 开展专题培训2次 is not
        supported by 召开动员大会两次. A number chained to the previous one (1286户4310人,
        由980万元增加到1150万元) shares its words through that number's statement.
        """
        if m.ignored is not None or len(ctx) < 2 or best.weak:
            return False
        if ctx & best.context or ctx & self._statement_grams(best):
            return False
        noun = counted_noun(self.doc.text, m)
        if noun and counts(noun, best.statement.text, best.mention, best.context):
            return False  # 在13个村各建…: the unit's own villages, counted in the facts
        i = bisect.bisect_left(self._near.starts, m.start)
        if i > 0:
            prev = self._near.bounds[i - 1]
            support = self._support.get(id(prev))
            if support is not None and support.group == best.group \
                    and not _CLAUSE_STOP.search(self.doc.text, prev.end, m.start):
                return False
        return True

    def _comparable(self, m: Mention) -> list[FactNumber]:
        key = group(m)
        if key is None:
            return []
        if not key[1]:  # a bare number (2400, 7.8万): compare with any quantity of the same value
            return [f for fam, fs in self.by_group.items() if fam and fam[0] == key[0] for f in fs]
        return self.by_group.get(key, []) + self.by_group.get((key[0], None), [])

    def _best(self, facts: list[FactNumber], ctx: frozenset[str], m: Mention) -> FactNumber:
        section = self.doc.section_at(m.start)
        if len(facts) == 1:
            return facts[0]
        sentence = grams(self.doc.text[_bounds(self.doc.text, m.start, m.end)[0]:
                                       _sentence_end(self.doc.text, m.end)])

        planned = self.plans.planned(m.start) if self.plans is not None else False

        def score(f: FactNumber) -> tuple:
            # The words next to the number first, then plan or result, the section, the whole sentence.
            return (len(ctx & f.context), f.planned == planned,
                    f.statement.section == section and section is not None,
                    len(sentence & self._statement_grams(f)), not f.weak)
        return max(facts, key=score)

    def _statement_grams(self, f: FactNumber) -> frozenset[str]:
        key = id(f.statement)
        if key not in self._grams_cache:
            self._grams_cache[key] = grams(f.statement.text)
        return self._grams_cache[key]

    def _rival(self, m: Mention, ctx: frozenset[str], best: FactNumber,
               candidates: list[FactNumber]) -> FactNumber | None:
        """Another supplied number (not equal to m) the words around m point to, more than to best."""
        if m.ignored is not None:
            return None
        others = [f for f in candidates if not f.weak and f.context]
        if self.plans is not None:
            # A plan is no rival for a result (签约率82.4% vs the target 签约率达到85%): _other_side
            # compares across the two.
            planned = self.plans.planned(m.start)
            others = [f for f in others if f.overview or f.planned == planned]
        if not others:
            return None
        if m.per is not None:
            # 村级河长每月巡河1次: the period is compared on its own (same_claim); as words it would
            # tie the number to whichever fact shares the period, not the subject.
            ctx = frozenset(g for g in ctx if not _PERIOD_GRAM.search(g))
        baseline = self._baseline(ctx)
        if baseline:
            # 比2020年翻一番: a year named beside a change or multiple tells which item it is.
            named = [f for f in others if baseline & f.context]
            if named and not baseline & best.context:
                return max(named, key=lambda f: len(ctx & f.context))
        rival = max(others, key=lambda f: len(ctx & f.context))
        own = ctx & best.context
        theirs = ctx & rival.context
        if len(theirs) <= len(own):
            return None
        noun = counted_noun(self.doc.text, m)
        if noun and counts(noun, best.statement.text, best.mention, best.context) and (
                best.overview or not counts(noun, rival.statement.text, rival.mention, rival.context)):
            # 8个行政村修订村规民约8部: the noun right after the count is what it counts, and the
            # unit's own villages (全乡辖13个行政村) are counted in every section.
            return None
        # Only words that tell the two facts apart count (市级 vs 省级, not 媒体).
        for_rival = ctx & (rival.context - best.context)
        for_best = ctx & (best.context - rival.context)
        if for_rival and len(for_rival) > 2 * len(for_best):
            return rival
        return None

    def _baseline(self, ctx: frozenset[str]) -> frozenset[str]:
        """Years named before a number, other than the reporting years (2020 in 比2020年翻一番)."""
        return frozenset(g for g in ctx if g.startswith(YEAR_TOKEN) and int(g[len(YEAR_TOKEN):]) not in self.years)

    # -- derived, mismatch, unsupported ------------------------------------------------------

    def _indirect(self, m: Mention, ctx: frozenset[str], mentions: list[Mention],
                  results: dict[int, CheckedMention]) -> CheckedMention:
        if m.ignored == NotQuantity.ARTICLE:
            return self._article(m, ctx)
        candidates = self._comparable(m)
        stated = self._stated_otherwise(m, ctx, candidates)
        if stated is not None:
            return self._against_stated(m, stated, mentions, results)
        if m.kind not in ("date", "time", "ordinal", "code"):
            from drafter.check.derivation import enumerated
            found = enumerated(self.doc.text, m) or self._derive(m, mentions, results)
            if found is not None:
                return self._derived(m, found)
        mismatch = self._mismatch(m, ctx, candidates)
        if mismatch is not None:
            return mismatch
        return self._unsupported(m, ctx, candidates)

    def _article(self, m: Mention, ctx: frozenset[str]) -> CheckedMention:
        conflict = self._article_conflict(m, ctx)
        if conflict is None:
            return self._result(m, "ignored", describe.ignored(m))
        return self._result(m, "unsupported", describe.article_conflict(m, conflict), conflict)

    def _against_stated(self, m: Mention, stated: FactNumber, mentions: list[Mention],
                        results: dict[int, CheckedMention]) -> CheckedMention:
        if m.kind not in ("date", "time", "ordinal", "code"):
            # 12个行政村、2个社区，合计14个: the fact sharing the words is an operand, not a rival.
            found = self._derive(m, mentions, results)
            if found is not None and any(_fact_of(op) is stated for op in found.operands):
                return self._derived(m, found)
        # The facts name this very item with another value: a mismatch with that fact, whatever the cause.
        if relate(m, stated.mention) is Relation.DIFFERENT:
            return self._result(m, "mismatch", describe.stated_otherwise(m, stated), stated)
        return self._result(m, "mismatch", describe.approx_mismatch(m, stated), stated)

    def _mismatch(self, m: Mention, ctx: frozenset[str], candidates: list[FactNumber]) -> CheckedMention | None:
        near = [f for f in candidates if relate(m, f.mention) in (Relation.INVENTED, Relation.CONFLICT)]
        if near:
            best = self._best(near, ctx, m)
            return self._result(m, "mismatch", describe.approx_mismatch(m, best), best)
        if m.kind not in ("date", "time"):
            units = [f for f in self.numbers if not f.weak and group(f.mention) != group(m)
                     and same_written_number(m, f.mention)]
            if units:
                best = self._best(units, ctx, m)
                return self._result(m, "mismatch", describe.unit_mismatch(m, best), best)
        return None

    def _unsupported(self, m: Mention, ctx: frozenset[str], candidates: list[FactNumber]) -> CheckedMention:
        pool = candidates if m.kind not in ("date", "time") else [
            f for f in self.numbers if f.mention.kind in ("date", "time")]
        # Only a fact about the same thing is worth naming: 600余户 is not explained against 近百户.
        pool = [f for f in pool if not f.weak and ctx & f.context]
        nearest = self._best(pool, ctx, m) if pool else None
        cue = None
        if m.kind not in ("date", "time", "ordinal", "code"):
            from drafter.check.derivation import cue_word
            cue = cue_word(self.doc.text, m)
        stray = self._stray.get(id(m))
        if stray is not None:
            return self._result(m, "unsupported", describe.stray(m, stray), stray)
        return self._result(m, "unsupported", describe.unsupported(m, nearest, cue), nearest)

    def _stated_otherwise(self, m: Mention, ctx: frozenset[str],
                          candidates: list[FactNumber]) -> FactNumber | None:
        # The facts state this very item (人均…小时) with another value: no formula may override it.
        if not ctx:
            return None
        strong = [f for f in candidates if not f.weak and f.context and len(ctx & f.context) >= 1
                  and len(ctx & f.context) >= 0.6 * len(f.context)
                  and relate(m, f.mention) is not Relation.SAME]
        return max(strong, key=lambda f: len(ctx & f.context)) if strong else None

    def _article_conflict(self, m: Mention, ctx: frozenset[str]) -> FactNumber | None:
        # 一个 is an article unless the facts count the same noun with another number.
        candidates = [f for f in self._comparable(m) if not f.weak]
        if any(relate(m, f.mention) is Relation.SAME for f in candidates):
            return None
        # The text must repeat most of the fact's words (安装了一个地面卫星接收设备 vs 270个):
        # sharing a word or two (一个卫星接收站) is another thing, not a wrong count.
        strong = [f for f in candidates
                  if len(ctx & f.context) >= 3 and len(ctx & f.context) >= 0.6 * len(f.context)]
        return max(strong, key=lambda f: len(ctx & f.context)) if strong else None

    def _derive(self, m: Mention, mentions: list[Mention], results: dict[int, CheckedMention]):
        # Imported here: most documents have no number left to derive, and startup time counts.
        from drafter.check.derivation import derive, operand

        text = self.doc.text
        sentence_lo, paragraph_lo, paragraph_hi = _bounds(text, m.start, m.end)
        verified = []
        lo = bisect.bisect_left(self._starts, paragraph_lo)
        hi = bisect.bisect_left(self._starts, paragraph_hi)
        for other in self._mentions[lo:hi]:
            r = results.get(id(other))
            if r is None or r.verdict != "ok" or other is m:
                continue
            fact = r.fact_number
            op = operand(other, r, fact.context if fact else frozenset())
            if op is None and fact is not None and not fact.weak:
                # 约2400份 cites the supplied 2400份: compute with the supplied number.
                supplied = operand(fact.mention, r, fact.context)
                op = supplied._replace(mention=other) if supplied is not None else None
            if op is not None and paragraph_lo <= other.start < paragraph_hi:
                verified.append(op)
        sentence = [op for op in verified if sentence_lo <= op.mention.start < m.start]
        if self._operands is None:
            self._operands = [op for f in self.numbers
                              if (op := operand(f.mention, f, f.context, f.group)) is not None]
        return derive(text, m, sentence, verified, self._operands)

    def _derived(self, m: Mention, found) -> CheckedMention:
        for op in found.operands:
            if isinstance(op.origin, FactNumber):
                self.used.add(id(op.origin))
        return self._result(m, "derived", describe.derived(m, found), _origin_fact(found))

    def _result(self, m: Mention, verdict: str, reason: str, fact: FactNumber | None = None) -> CheckedMention:
        st = fact.statement if fact is not None else None
        return CheckedMention(m, self.doc.line(m.start), verdict, reason,
                              st.text if st is not None else None,
                              st.line if st is not None else None,
                              self.doc.snippet(m), fact,
                              fact_location(self.facts_path, st) if st is not None else None)


def _fact_of(op) -> FactNumber | None:
    """The supplied number behind an operand (a fact itself, or the fact a cited number matched)."""
    if isinstance(op.origin, FactNumber):
        return op.origin
    return getattr(op.origin, "fact_number", None)


def _origin_fact(found) -> FactNumber | None:
    return next((f for f in map(_fact_of, found.operands) if f is not None), None)


def _sentence_end(text: str, end: int) -> int:
    stop = _SENTENCE_END.search(text, end, end + 200)
    return stop.end() if stop else min(len(text), end + 200)


def _bounds(text: str, start: int, end: int) -> tuple[int, int, int]:
    # Bounded reach: a document in one line (or a sentence with no stop) must not make every
    # number look at the whole text, which turns checking quadratic.
    sentence_lo = max(0, start - _SENTENCE_REACH)
    for stop in _SENTENCE_END.finditer(text, sentence_lo, start):
        sentence_lo = stop.end()
    paragraph_lo = max(text.rfind("\n", max(0, start - _PARAGRAPH_REACH), start) + 1, start - _PARAGRAPH_REACH, 0)
    paragraph_hi = text.find("\n", end, end + _PARAGRAPH_REACH)
    return sentence_lo, paragraph_lo, paragraph_hi if paragraph_hi >= 0 else min(len(text), end + _PARAGRAPH_REACH)


def _corpus(samples: Path | None, facts):
    """The style corpus a document is checked against for copies (see run_check)."""
    from drafter.check.copies import load_corpus_texts
    from drafter.errors import SampleError

    folder = samples if samples is not None else facts.samples_dir
    if folder is not None and not Path(folder).is_dir():
        raise SampleError("范文文件夹不存在", path=folder, hint="请检查 --samples 或事实文件中 samples 的路径")
    return load_corpus_texts(folder)


def run_check(document: Path, facts: Path | None, *, allow_file: Path | None = None,
              section: str | None = None, samples: Path | None = None) -> Report:
    """Read a document and its facts file (from --facts or the draft's front matter) and check it.

    Copies are looked for in the 范文 in use: `samples`, else the folder the facts file names, else
    the built-in samples.
    """
    from drafter.check.documents import read_document
    from drafter.check.not_quantities import read_phrases
    from drafter.errors import InputError
    from drafter.facts import load_facts
    from drafter.files import read_text

    decoded = read_document(document)
    if facts is None:
        facts = facts_from_front_matter(decoded.text, Path(document))
        if facts is None:
            raise InputError("没有指定事实文件", path=document,
                             hint="请用 --facts 指定事实文件（YAML），例如 drafter check 文档.txt --facts facts.yaml")
    allow: list[str] = []
    if allow_file is not None:
        lines = read_text(allow_file, what="允许短语文件").text.splitlines()
        allow = [phrase for phrase, _ in read_phrases(lines, NotQuantity.ALLOWED)]
    loaded = load_facts(facts)
    corpus = _corpus(samples, loaded)
    report = check_text(decoded.text, loaded, allow=allow, section=section, document=str(document),
                        corpus=corpus)
    notices = tuple(n for n in (decoded.notice, loaded.notice) if n)
    return dataclasses.replace(report, notices=notices) if notices else report
