"""Quantified development targets (建成众创空间50家以上) read from a document's text."""
from __future__ import annotations

import heapq
import re
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal

from policygraph.knowledge import alternation as _alternation
from policygraph.knowledge import per_overlay, resource_json
from policygraph.model import Span, Target
from policygraph.normalize import fold
from policygraph.numbers import lexicon, number_pattern, parse_quantity
from policygraph.segment import appendix_starts, segment

__all__ = ["extract_targets"]


@per_overlay
def _syntax() -> dict:
    """The punctuation and particles of a goal sentence (``units.json`` ``syntax``), under the active overlay."""
    return lexicon()["syntax"]


@per_overlay
def _blanks() -> str:
    """The blanks a line is stripped of (``outline.json``), under the active overlay."""
    return resource_json("outline.json")["outline"]["blanks"]


def _chars(chars: str) -> str:
    """A regex character class body matching any of ``chars``."""
    return "".join(re.escape(c) for c in chars)


@per_overlay
def _year_mark():
    return re.escape(_syntax()["year_mark"])


@per_overlay
def _month_mark():
    return re.escape(_syntax()["month_mark"])


@per_overlay
def _year():
    return re.compile(rf"(?:19|20)\d\d\s*{_year_mark()}")


@per_overlay
def _colons():
    return _syntax()["colons"]


@per_overlay
def _item_number():
    return rf"\(?\d{{1,2}}[{_chars(_syntax()['item_number_marks'])}](?!\d)|[{_chars(_syntax()['circled_numbers'])}]"


@per_overlay
def _clause_break():
    return re.compile(rf"[{_chars(_syntax()['clause_marks'])}\n]|(?<!\d),|,(?!\d)")


@per_overlay
def _sentence_break():
    return re.compile(rf"[{_chars(_syntax()['sentence_marks'])}\n]")


@per_overlay
def _numbered_item():
    return re.compile(rf"^\s*(?:{_item_number()})")


@per_overlay
def _name_openers():
    return _syntax()["quote_openers"]


@per_overlay
def _name_marks():
    return _syntax()["name_marks"]


@per_overlay
def _enumeration_trailer():
    return re.compile(rf"(?:{_alternation(_syntax()['enumeration_trailers'])})$")


@per_overlay
def _enumeration_joiner():
    return re.compile(rf"[{_chars(_syntax()['enumeration_joiners'])}]")


@per_overlay
def _item_separator():
    return _syntax()["item_separator"]


@per_overlay
def _attributive():
    return _syntax()["attributive"]


@per_overlay
def _etc():
    return _syntax()["etc_mark"]


@dataclass(frozen=True)
class _Lex:
    quantity: re.Pattern
    non_unit: re.Pattern
    deadline: re.Pattern
    deadline_blockers: tuple
    bare_year: re.Pattern
    bare_openers: tuple
    bare_not_followed: re.Pattern
    goal_verb: re.Pattern
    level_verb: re.Pattern
    exclusion: re.Pattern
    baseline: re.Pattern
    annual: re.Pattern
    suffix_cmp: dict
    prefix_cmp: dict
    prefix_cmp_re: re.Pattern
    conditional: tuple
    headings: tuple
    bullets: tuple
    cn_single_units: frozenset
    strip_prefixes: tuple
    metric_verb: re.Pattern
    keep_words: frozenset
    tail_stop: re.Pattern
    strip_suffixes: tuple
    units: dict
    unit_names: dict
    level_units: frozenset
    dated_units: frozenset
    between_cmp: dict
    exempt_words: re.Pattern | None
    goal_titles: tuple
    table_endings: tuple
    table_headers: tuple
    share_verb: re.Pattern
    postposed_openers: tuple
    postposed_verb: re.Pattern
    ratio: re.Pattern
    min_shared: int
    measure_units: frozenset
    rate_marks: tuple
    baseline_after: tuple
    context_units: frozenset
    min_share_ratio: float
    price_units: frozenset
    blocked_by: dict
    from_cue: re.Pattern
    review_words: tuple
    clause_baseline: re.Pattern
    percent_unit: str
    percent_scope: str


def _exclusion(lx: dict) -> re.Pattern:
    """Parameter cues (补贴, 比例 …), except as an adjective (补贴性) or as the subject of a level (比例达到80%)."""
    exempt = lx["exclusion_exempt"]
    after = _alternation(exempt["after"])
    subjects = set(exempt["level_subjects"])
    plain = [c for c in lx["exclusion_cues"] if c not in subjects]
    return re.compile(
        rf"(?:{_alternation(plain)})(?!{after})"
        rf"|(?:{_alternation(subjects)})(?!{after}|{_alternation(lx['level_verbs'])})"
    )


@per_overlay
def _lex() -> _Lex:
    """Compile the patterns of ``units.json`` once."""
    lx = lexicon()
    units = {fold(u["surface"]): u for u in lx["units"]}
    suffix = lx["comparators"]["suffix"]
    between = lx["comparators"]["between"]
    exempt_words = lx["exclusion_exempt"].get("words") or ()
    dl = lx["deadline"]
    prefix = lx["comparators"]["prefix"]
    return _Lex(
        quantity=_quantity_pattern(lx, units),
        non_unit=re.compile(rf"\s*(?:{_alternation(between)})?(?:{_alternation(lx['non_units'])})"),
        deadline=_deadline_pattern(dl),
        deadline_blockers=tuple(dl.get("blockers", ())),
        bare_year=_year(),
        bare_openers=tuple(sorted((fold(w) for w in dl["bare_openers"]), key=len, reverse=True)),
        bare_not_followed=re.compile("|".join(dl["bare_not_followed_by"])),
        goal_verb=re.compile(_alternation(lx["goal_verbs"])),
        level_verb=re.compile(_alternation(lx["level_verbs"])),
        exclusion=_exclusion(lx),
        baseline=re.compile(_alternation(lx["baseline_cues"])),
        annual=re.compile(_alternation(lx["annual_cues"])),
        suffix_cmp=suffix,
        prefix_cmp=prefix,
        prefix_cmp_re=re.compile(
            rf"(?P<cmp>{_alternation(prefix)})(?:{_alternation(lx['goal_verbs'])}){{0,2}}\s*$"
        ),
        conditional=tuple(lx["conditional_openers"]),
        headings=tuple(lx["heading_openers"]),
        bullets=tuple(lx["bullet_markers"]),
        cn_single_units=frozenset(lx["cn_single_units"]),
        keep_words=frozenset(lx["metric_keep_words"]),
        metric_verb=re.compile(_alternation(lx["metric_verbs"])),
        tail_stop=re.compile(_alternation(lx["metric_tail_stops"])),
        strip_prefixes=tuple(sorted(lx["metric_strip_prefixes"], key=len, reverse=True)),
        strip_suffixes=tuple(sorted(lx["metric_strip_suffixes"], key=len, reverse=True)),
        **_unit_tables(units),
        between_cmp=between,
        exempt_words=re.compile(_alternation(exempt_words)) if exempt_words else None,
        goal_titles=tuple(lx["goal_sections"]["title_endings"]),
        table_endings=tuple(lx["table_titles"]["endings"]),
        table_headers=tuple(lx["table_titles"]["header_starts"]),
        share_verb=re.compile(_alternation(lx["share_verbs"])),
        postposed_openers=tuple(lx["postposed"]["openers"]),
        postposed_verb=re.compile(_alternation(lx["postposed"]["verbs"])),
        ratio=_ratio_pattern(lx, units),
        min_shared=int(lx["restated"]["min_shared"]),
        rate_marks=tuple(lx["rate_marks"]),
        baseline_after=tuple(lx["baseline_after"]),
        min_share_ratio=float(lx["restated"]["min_share_ratio"]),
        from_cue=re.compile(_alternation(lx["from_cues"])),
        review_words=tuple(lx["review_sections"]["title_words"]),
        clause_baseline=re.compile(_alternation(lx["clause_baseline_cues"])),
        percent_unit=lx["percent"]["unit"],
        percent_scope=lx["percent"]["scope"],
    )



def _quantity_pattern(lx: dict, units: dict) -> re.Pattern:
    """A number or range, with its unit and its comparator after it (50家以上, 3-5个, 20%左右)."""
    seps = _alternation(lx["range_separators"])
    num = number_pattern()
    qty = rf"{num}%?(?:\s*(?:{seps})\s*{num}%?)?"
    return re.compile(
        rf"(?P<q>{qty})(?P<mid>\s*(?:{_alternation(lx['comparators']['between'])}))?(?P<unit>{_alternation(units)})?"
        rf"(?P<cmp>{_alternation(lx['comparators']['suffix'])})?"
    )


def _ratio_pattern(lx: dict, units: dict) -> re.Pattern:
    """A ratio of two numbers (原则上按500户配1名), a staffing or provision norm rather than a goal."""
    ratio, num = lx["ratio"], number_pattern()
    return re.compile(
        rf"(?:{_alternation(ratio['before'])})\s*{num}\s*(?:{_alternation(units)})?"
        rf"[^{_chars(_syntax()['ratio_gap_stops'])}]{{0,6}}?"
        rf"(?:{_alternation(ratio['link'])})\s*{num}"
    )


def _deadline_pattern(dl: dict) -> re.Pattern:
    """A deadline: 到2020年, 2020年底前, 2020年6月底前 (the year in group a, b or c)."""
    return re.compile(
        rf"(?:(?:{_alternation(dl['prefix'])})\s*(?P<a>(?:19|20)\d\d)\s*{_year_mark()})"
        rf"|(?:(?P<b>(?:19|20)\d\d)\s*(?:{_alternation(dl['suffix'])}))"
        rf"|(?:(?P<c>(?:19|20)\d\d)\s*{_year_mark()}\s*\d{{1,2}}\s*{_month_mark()}\s*(?:{_alternation(dl['month_suffix'])}))"
    )


def _unit_tables(units: dict) -> dict:
    """The fields of :class:`_Lex` read from the units' own entries: names, the units each cue applies to."""
    return dict(
        units=units,
        unit_names={s: u["unit"] for s, u in units.items() if "unit" in u},
        level_units=frozenset(s for s, u in units.items() if u.get("needs_level_verb")),
        dated_units=frozenset(s for s, u in units.items() if u.get("needs_deadline")),
        measure_units=frozenset(s for s, u in units.items() if u.get("measure")),
        context_units=frozenset(s for s, u in units.items() if u.get("needs_context")),
        price_units=frozenset(s for s, u in units.items() if u.get("price")),
        blocked_by={s: re.compile(_alternation(u["blocked_by"])) for s, u in units.items() if u.get("blocked_by")},
    )

class _Ranges:
    """Sorted, disjoint half-open ranges held as two arrays of offsets.

    A document has a line, sentence and clause range every few characters; as
    tuples in a list they took about 120 bytes each, several times the text.
    """

    __slots__ = ("starts", "ends")

    def __init__(self, starts: array, ends: array):
        self.starts, self.ends = starts, ends

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> tuple[int, int]:
        return self.starts[i], self.ends[i]

    def __iter__(self):
        return zip(self.starts, self.ends)


def _segments(text: str, breaks: re.Pattern) -> _Ranges:
    """Half-open ranges of ``text`` between break characters (breaks excluded)."""
    starts, ends = array("q", [0]), array("q")
    for m in breaks.finditer(text):
        ends.append(m.start())
        starts.append(m.end())
    ends.append(len(text))
    return _Ranges(starts, ends)


def _find(ranges: _Ranges, pos: int) -> int:
    """Index of the range holding ``pos`` (the first when ``pos`` comes before every range)."""
    return max(bisect_right(ranges.starts, pos) - 1, 0)


def _is_bullet(line: str, lex: _Lex) -> bool:
    return line.strip().startswith(lex.bullets)


def _inherited_years(folded: str, lines: _Ranges, deadlines, lex: _Lex) -> dict[int, int]:
    """Deadline year each bullet or listed line takes from the line that introduces it.

    A goal paragraph often states 到2020年 once and lists the goals below it
    as ——/● bullets (or as numbered items after a colon).
    """
    last_year: dict[int, int] = {}
    for start, end, year in deadlines:
        last_year[_find(lines, start)] = year
    inherited: dict[int, int] = {}
    not_bullet = not_numbered = -1  # the last non-blank line that is not a bullet / not a numbered item
    for i, (s, e) in enumerate(lines):
        text = folded[s:e]
        bullet = _is_bullet(text, lex)
        numbered = bool(_numbered_item().match(text))
        j = not_bullet if bullet else not_numbered
        if text.strip():
            not_bullet = not_bullet if bullet else i
            not_numbered = not_numbered if numbered else i
        if not (bullet or numbered) or i in last_year or j not in last_year:
            continue
        intro = folded[lines[j][0]:lines[j][1]].rstrip()
        if bullet or intro.endswith(tuple(_colons())):
            inherited[i] = last_year[j]
    return inherited


@dataclass(frozen=True)
class _Deadlines:
    """Deadlines ``(start, end, year)`` sorted by offset, with their starts for a binary search."""

    items: tuple
    starts: tuple

    def __iter__(self):
        return iter(self.items)

    def starting(self, lo: int, hi: int) -> tuple:
        """The deadlines starting at ``lo`` … ``hi`` (both included), in order."""
        return self.items[bisect_left(self.starts, lo):bisect_right(self.starts, hi)]


def _deadlines(folded: str, lex: _Lex) -> _Deadlines:
    """Deadline years (到2020年, 2020年底前) with their offsets; 截至2016年 is a baseline, not a deadline."""
    out = []
    for m in lex.deadline.finditer(folded):
        head = folded[max(0, m.start() - 2):m.start() + 2]
        if any(b in head for b in lex.deadline_blockers):
            continue
        out.append((m.start(), m.end(), int(m["a"] or m["b"] or m["c"])))
    taken = sorted(s for s, _, _ in out)

    def holds_taken(d) -> bool:
        at = bisect_left(taken, d[0])
        return at < len(taken) and taken[at] < d[1]

    out.extend(d for d in _bare_deadlines(folded, lex) if not holds_taken(d))
    out.sort()
    return _Deadlines(tuple(out), tuple(s for s, _, _ in out))


def _bare_deadlines(folded: str, lex: _Lex) -> list[tuple[int, int, int]]:
    """Years stated without 到 that open a paragraph or clause (2020年，全省… / …，2020年全省开展…).

    A plan written for the current year states its goals that way. Dates
    (2020年5月), periods (2020年以来), baselines (较2020年) and the end of a
    span (2021—2023年) do not open a clause, so they are not deadlines.
    """
    out = []
    for m in lex.bare_year.finditer(folded):
        if lex.bare_not_followed.match(folded, m.end()):
            continue
        head = folded[max(0, m.start() - 8):m.start()]
        line_head = head.rpartition("\n")[2]
        whole_head = "\n" in head or m.start() <= len(head)
        line_start = not line_head.strip() or (whole_head and bool(_outline_number().match(line_head)))
        opener = next((w for w in lex.bare_openers if head.endswith(w)), None)
        if not line_start and opener is None:
            continue
        before = head[: len(head) - len(opener)] if opener else ""
        if before[-1:].isdigit():
            continue
        out.append((m.start(), m.end(), int(m.group(0)[:4])))
    return out


@per_overlay
def _heading_numeral():
    return rf"[{_chars(_syntax()['heading_numerals'])}]{{1,3}}"


@per_overlay
def _outline_number():
    return re.compile(
        rf"^\s*(?:{_heading_numeral()}\s*[{_chars(_syntax()['heading_number_marks'])}]|\({_heading_numeral()}\)|{_item_number()})\s*$"
    )


@per_overlay
def _label():
    return re.compile(rf"[^{_chars(_syntax()['label_stops'])}]{{1,10}}[{_chars(_colons())}]\s*")


@per_overlay
def _date_tail():
    return re.compile(rf"\s*\d{{1,2}}\s*{_month_mark()}")


@per_overlay
def _span_years():
    return re.compile(
        rf"(?:19|20)\d\d\s*{_year_mark()}?\s*[{_chars(_syntax()['year_span_marks'])}]\s*(?:19|20)\d\d"
    )


@per_overlay
def _heading_trim():
    return _blanks() + _syntax()["heading_trim"]


@dataclass(frozen=True)
class _Scopes:
    """Scopes ``(start, end, …)`` with the answer of :func:`_within` for each stretch between their boundaries.

    Every position of a stretch lies in the same scopes, so a lookup is one
    binary search, however many scopes a long document has.
    """

    bounds: tuple  # every start and end, sorted
    innermost: tuple  # the scope holding bounds[k] … bounds[k + 1], or None


def _scopes(scopes) -> _Scopes:
    """Index ``scopes`` with one sweep over their boundaries (a heap keeps the last-starting open scope on top)."""
    scopes = tuple(scopes)
    bounds = sorted({x for scope in scopes for x in scope[:2]})
    order = sorted(range(len(scopes)), key=lambda k: (scopes[k][0], k))
    open_scopes: list[tuple[int, int]] = []
    innermost, taken = [], 0
    for bound in bounds:
        while taken < len(order) and scopes[order[taken]][0] <= bound:
            k = order[taken]
            heapq.heappush(open_scopes, (-scopes[k][0], -k))
            taken += 1
        while open_scopes and scopes[-open_scopes[0][1]][1] <= bound:
            heapq.heappop(open_scopes)
        innermost.append(scopes[-open_scopes[0][1]] if open_scopes else None)
    return _Scopes(tuple(bounds), tuple(innermost))


@dataclass(frozen=True)
class _Context:
    """What the document says around its sentences: deadline headings, goal sections, dated tables, its title's year."""

    heading_years: _Scopes  # (start, end, year): an outline heading's deadline over its subtree
    goal_sections: _Scopes  # (start, end): the text under a 目标 heading
    review_sections: _Scopes  # (start, end): the text under a 回顾 / 现状 heading
    table_years: _Scopes  # (start, end, year): the rows under a dated table title
    tables: _Scopes  # (start, end, year or None): the rows under every table title, dated or not
    annex: int  # offset of the first appendix (len(text) when there is none)
    title_year: int | None


def _single_year(line: str) -> int | None:
    """The one year a title names (2023年重点工作…); None for none, several, or a span (2021—2023年)."""
    years = [y.group(0) for y in _year().finditer(line) if not _date_tail().match(line, y.end())]
    if len(years) != 1 or _span_years().search(line):
        return None
    return int(years[0][:4])


def _next_limit(limits: list[int], pos: int, end: int) -> int:
    """``end``, or the first of the sorted ``limits`` after ``pos`` when it comes sooner."""
    at = bisect_right(limits, pos)
    return min(end, limits[at]) if at < len(limits) else end


def _subtree_end(outline, i: int, limits: list[int], size: int) -> int:
    node = outline[i]
    end = size
    for j in range(i + 1, len(outline)):
        later = outline[j]
        if later.part != node.part or later.level <= node.level:
            end = later.span.start
            break
    return _next_limit(limits, node.span.start, end)


def _context(text: str, folded: str, outline, title: str | None, deadlines, lex: _Lex) -> _Context:
    if outline is None:
        outline = segment(text)
    outline = sorted(outline, key=lambda n: n.span.start)
    limits = sorted(offset for offset, _ in appendix_starts(text))
    headings, goals, reviews = [], [], []
    for i, node in enumerate(outline):
        ts, te = node.title_span.start, node.title_span.end
        line_end = folded.find("\n", ts)
        line_end = len(folded) if line_end < 0 else line_end
        whole_line = not folded[te:line_end].strip(_heading_trim())
        in_title = deadlines.starting(ts, te - 1)
        if in_title:
            ds, _, year = in_title[0]
            lead = folded[ts:ds].strip(_blanks() + _syntax()["heading_lead_trim"])
            if whole_line or not lead or lead in lex.bare_openers:
                headings.append((node.span.start, _subtree_end(outline, i, limits, len(folded)), year))
        heading = folded[ts:te].strip(_heading_trim())
        if heading.endswith(lex.goal_titles):
            goals.append((node.span.start, _subtree_end(outline, i, limits, len(folded))))
        elif len(node.path) <= 2 and any(w in heading for w in lex.review_words):
            reviews.append((node.span.start, _subtree_end(outline, i, limits, len(folded))))
    tables = _tables(folded, limits, lex)
    return _Context(
        heading_years=_scopes(headings),
        goal_sections=_scopes(goals),
        review_sections=_scopes(reviews),
        table_years=_scopes(t for t in tables if t[2] is not None),
        tables=_scopes(tables),
        annex=min(limits, default=len(folded)),
        title_year=_single_year(fold(title)) if title else None,
    )


def _tables(folded: str, limits: list[int], lex: _Lex) -> list[tuple[int, int, int | None]]:
    """The rows under each table title (…工作任务清单 followed by 序号 …) with the title's year, if it states one."""
    lines = _segments(folded, re.compile(r"\n"))
    titles = []
    for k, (start, end) in enumerate(lines):
        t = folded[start:end].strip(_blanks())
        if (not t or len(t) > 80 or any(c in t for c in _syntax()["title_sentence_marks"])
                or not t.rstrip(_colons()).endswith(lex.table_endings)):
            continue
        following = (folded[slice(*lines[j])].strip(_blanks()) for j in range(k + 1, min(k + 4, len(lines))))
        nxt = next((x for x in following if x), "")
        if nxt.startswith(lex.table_headers) or "\t" in nxt:
            titles.append((start, _single_year(t)))
    out = []
    for k, (start, year) in enumerate(titles):
        end = titles[k + 1][0] if k + 1 < len(titles) else len(folded)
        out.append((start, _next_limit(limits, start, end), year))
    return out


def _within(scopes: _Scopes, pos: int):
    """The innermost (last-starting; of equal starts, the last given) scope holding ``pos``, or None."""
    at = bisect_right(scopes.bounds, pos) - 1
    return scopes.innermost[at] if at >= 0 else None


def _opens_sentence(folded: str, pos: int, sentences: _Ranges, lex: _Lex) -> bool:
    """Whether a deadline starts its sentence (到2020年，… or ——到2022年，…), so that it frames the sentences after it."""
    start = sentences[_find(sentences, pos)][0]
    start = _clean_start(folded, start, pos, lex)
    return start >= pos or bool(_label().fullmatch(folded, start, pos))


def _year_for(folded: str, pos: int, sentences: _Ranges, line: tuple[int, int], line_no: int,
              deadlines, inherited, lex: _Lex) -> int | None:
    """The deadline of the sentence, else the one framing the line, else the inherited one.

    Of a line's earlier deadlines, one that opens a sentence (到2020年，… or
    ——到2022年，…) frames the sentences after it; one said mid-sentence
    (…，到2025年，覆盖率达到80%) covers only its own sentence, so a goal of a
    later sentence of the same task paragraph states no year.
    """
    sent = sentences[_find(sentences, pos)]
    before = [y for s, e, y in deadlines.starting(sent[0], pos) if e <= pos]
    if before:
        return before[-1]
    after = [y for s, e, y in deadlines.starting(pos, sent[1]) if e <= sent[1]]
    if after:
        return after[0]
    earlier = [(s, y) for s, e, y in deadlines.starting(line[0], pos) if e <= pos]
    framing = [y for s, y in earlier if _opens_sentence(folded, s, sentences, lex)]
    if framing:
        return framing[-1]
    return inherited.get(line_no)


def _enumerated(prefix: str, value: Decimal, lex: _Lex) -> bool:
    """True for a count that merely totals a list just before it (甲、乙、丙3个大学科技园)."""
    verbs = list(lex.goal_verb.finditer(prefix))
    seg = prefix[verbs[-1].end():] if verbs else prefix
    seg = _enumeration_trailer().sub("", seg.strip())
    if _item_separator() not in seg:
        return False
    items = [x for x in _enumeration_joiner().split(seg) if x]
    return Decimal(len(items)) == value


def _chinese_numeral_ok(q: str, unit: str | None, lex: _Lex, compared: bool = False) -> bool:
    """Chinese numerals count only when clearly a quantity (三十家, 五个, 不少于一场), not a term (二次电池, 一批)."""
    if q[0].isdigit():
        return True
    if len(q) == 1:
        value = lexicon()["numerals"]["digits"].get(q)
        if value == 0 or unit not in lex.cn_single_units:
            return False
        return value != 1 or compared
    return True


def _comparator(m: re.Match, before: str, lex: _Lex) -> str:
    if m["cmp"] and m["cmp"] in lex.suffix_cmp:
        return lex.suffix_cmp[m["cmp"]]
    mid = (m["mid"] or "").strip()
    if mid in lex.between_cmp:
        return lex.between_cmp[mid]
    pm = lex.prefix_cmp_re.search(before)
    if pm:
        return lex.prefix_cmp[pm["cmp"]]
    return "="


def _strip_metric(s: str, lex: _Lex) -> str:
    s = s.strip(_syntax()["metric_edges"])
    changed = True
    while changed and s:
        changed = False
        for p in lex.strip_prefixes:
            if s.startswith(p):
                s, changed = s[len(p):], True
        for p in lex.strip_suffixes:
            if s.endswith(p) and len(s) > len(p):
                s, changed = s[: -len(p)], True
    return s


def _metric(local_prefix: str, after: str, lex: _Lex) -> str | None:
    """What the goal counts: the subject of 达到, else the verb's object, else the noun after the number.

    Best effort and kept short; it labels the target, it is not matched.
    """
    lv = list(lex.level_verb.finditer(local_prefix))
    if lv:
        subject = _strip_metric(lex.annual.sub("", local_prefix[: lv[-1].start()]), lex)
        if subject:
            return subject[-12:]
    mv = list(lex.metric_verb.finditer(local_prefix))
    obj = lex.annual.sub("", local_prefix[mv[-1].end():] if mv else local_prefix)
    fallback = _strip_metric(obj, lex)
    while True:
        lead = lex.goal_verb.match(obj.strip())
        if not lead or lead.group(0) in lex.keep_words:
            break
        obj = obj.strip()[lead.end():]
    obj = _strip_metric(obj.split(_attributive())[-1].split(_etc())[-1], lex)
    if not obj or local_prefix.rstrip().endswith(_etc()):
        tail = after.split(_attributive())[-1]
        stop = lex.tail_stop.search(tail, 1)
        obj = _strip_metric(tail[: stop.start()] if stop else tail, lex)
    return (obj or fallback)[:16] or None


def _clean_start(folded: str, start: int, end: int, lex: _Lex) -> int:
    while start < end:
        rest = folded[start:end]
        if rest[0] in _blanks() + _syntax()["item_lead"]:
            start += 1
            continue
        marker = next((b for b in lex.bullets if rest.startswith(b)), None)
        if marker:
            start += len(marker)
            continue
        numbered = _numbered_item().match(rest)
        if numbered and numbered.end() < end - start:
            start += numbered.end()
            continue
        break
    return start


def extract_targets(text: str, title: str | None = None, outline=None) -> tuple[Target, ...]:
    """Find the quantified goals stated in a document.

    A goal is a count, amount or level with a measure word (家 个 人 项 元 ...)
    or a fraction, stated with a goal verb (建成 培育 达到 ...), inside a goal
    paragraph that names a deadline (到2020年, 2020年底前, or a bare 2020年
    opening a line or clause), under a goal heading (二、工作目标) or a dated
    table title, or listed right after another goal. A duration (3个工作日)
    is a goal only as a level with a deadline.
    Policy parameters (subsidies, caps, tax rates, shares, durations, staffing
    ratios) are rejected by the cues of ``units.json``; so are breakdowns in
    brackets (共计9个（嘉定新城5个…）). A target restated later is kept once.

    Parameters
    ----------
    text : str
        The whole decoded document; full-width digits are fine.
    title : str, optional
        The document's title: a single year in it (2023年重点工作…) is the
        year of the goals that state none.
    outline : tuple of OutlineNode, optional
        The document's outline (:func:`policygraph.segment.segment` of
        ``text`` when not given): a deadline heading (（一）到2019年底) dates
        the goals under it.

    Returns
    -------
    tuple of Target
        Sorted by span; surfaces are sliced from ``text`` as written.

    Examples
    --------
    >>> t = extract_targets("到２０２０年，全省孵化器数量达到５０家以上，聚集创客1万人以上。")
    >>> [(x.value, x.unit, x.comparator, x.year, x.surface) for x in t]
    [(Decimal('50'), '家', '>=', 2020, '全省孵化器数量达到５０家以上'), (Decimal('10000'), '人', '>=', 2020, '聚集创客1万人以上')]
    >>> extract_targets("对新建众创空间给予最高50万元补助。")
    ()
    >>> [(x.value, x.year) for x in extract_targets("1.地区生产总值增长6%左右。", title="2023年重点工作方案")]
    [(Decimal('6'), 2023)]
    """
    lex = _lex()
    folded = fold(text)
    lines = _segments(folded, re.compile(r"\n"))
    sentences = _segments(folded, _sentence_break())
    clauses = _segments(folded, _clause_break())
    deadlines = _deadlines(folded, lex)
    inherited = _inherited_years(folded, lines, deadlines, lex)
    ctx = _context(text, folded, outline, title, deadlines, lex)

    page = _Page(folded, lines, sentences, clauses, deadlines, inherited, ctx, lex)
    accepted: list[tuple[re.Match, int, _Judged]] = []
    prev: _Judged | None = None
    for m in lex.quantity.finditer(folded):
        info = _judge(m, page, prev)
        if info is None:
            continue
        accepted.append((m, _find(clauses, m.start()), info))
        prev = info
    return tuple(_restated(_build(text, folded, accepted, clauses, sentences, lex), ctx, lex))


def _annotation(folded: str, start: int, sent: tuple[int, int]) -> bool:
    """A quantity inside brackets opened mid-sentence annotates what precedes it (共计9个（嘉定新城5个、…）, 远香湖南（4.73平方公里）)."""
    opened = folded.rfind("(", sent[0], start)
    if opened < 0 or folded.find(")", opened, start) >= 0:
        return False
    return bool(folded[sent[0]:opened].strip(_blanks()))


def _named(folded: str, start: int, sent: tuple[int, int]) -> bool:
    """A number inside quotes or title marks (“上门10项便民服务”, 《…十项规定》) is part of a name."""
    for opener, closer in _name_marks().items():
        opened = folded.rfind(opener, sent[0], start)
        if opened >= 0 and folded.find(closer, opened, start) < 0:
            return True
    return False


@dataclass(frozen=True)
class _Page:
    """One document as the judgement of each of its quantities reads it: the folded text, its ranges and scopes.

    Built once per document, so that judging a quantity is a function of the
    quantity, the page and the quantity accepted before it.
    """

    folded: str
    lines: _Ranges
    sentences: _Ranges
    clauses: _Ranges
    deadlines: _Deadlines
    inherited: dict[int, int]  # line number -> the year a deadline above it frames it with
    ctx: _Context
    lex: _Lex


@dataclass(frozen=True)
class _Judged:
    """A quantity accepted as a target: its facts, and the sentence and clause it stands in (by index)."""

    value: Decimal
    value_max: Decimal | None
    unit: str | None
    comparator: str
    year: int | None
    annual: bool
    sentence: int
    clause: int


@dataclass(frozen=True)
class _Dating:
    """When a quantity is due: the year, and whether its text, a deadline heading or a dated table says so."""

    year: int | None
    stated: bool  # its own sentence, line or a deadline heading over it names the year
    dated: bool  # stated, or a dated table holds it


def _judge(m: re.Match, page: _Page, prev: _Judged | None) -> _Judged | None:
    """Decide whether one quantity is a target; return its facts or None.

    The tests run from the cheapest (the characters around the number) to
    the dearest (the deadlines around its sentence), each rejecting what a
    policy parameter, a name, a baseline or a breakdown looks like.
    """
    folded, lex = page.folded, page.lex
    q, unit, start = m["q"], m["unit"], m.start()
    percent = q.endswith("%")
    fraction = "/" in q or lexicon()["numerals"]["fraction_mark"] in q
    if _not_a_measure(m, folded, lex, percent, fraction):
        return None
    ci = _find(page.clauses, start)
    cs, ce = page.clauses[ci]
    prefix, suffix = folded[cs:start], folded[m.end():ce]
    compared = bool(lex.prefix_cmp_re.search(prefix))
    if not _chinese_numeral_ok(q, unit, lex, compared):
        return None
    parsed = parse_quantity(q)
    if parsed is None:
        return None
    value, value_max = parsed
    line_no = _find(page.lines, start)
    si = _find(page.sentences, start)
    sent = page.sentences[si]
    if (_aside(m, page, page.lines[line_no], sent) or _not_counted(m, page, sent, folded[cs:ce], percent)
            or _not_a_goal_by_wording(prefix, suffix, value, compared, lex)):
        return None
    since = max([e for s, e, _ in page.deadlines.starting(sent[0], start) if e <= start], default=sent[0])
    if _a_baseline(m, page, since, prefix, suffix):
        return None
    dating = _dating(page, start, line_no)
    clues = _Clues(prefix=prefix, suffix=suffix, percent=percent, compared=compared,
                   goal=dating.dated or _within(page.ctx.goal_sections, start) is not None, dating=dating,
                   opens_clause=_clean_start(folded, cs, start, lex) >= start,
                   continuation=prev is not None and prev.sentence == si and prev.clause in (ci, ci - 1),
                   previous_unit=prev.unit if prev is not None else None)
    if percent or unit in lex.level_units:
        if not _level_stands(unit, clues, lex):
            return None
    elif not _count_stands(unit, fraction, clues, lex):
        return None
    return _Judged(value=value, value_max=value_max, unit=lex.percent_unit if percent else (unit or None),
                   comparator=_comparator(m, prefix, lex), year=dating.year,
                   annual=bool(lex.annual.search(folded, since, start)), sentence=si, clause=ci)


def _not_a_measure(m: re.Match, folded: str, lex: _Lex, percent: bool, fraction: bool) -> bool:
    """The characters around a number show it measures nothing: part of a code (5G, A3), a rate, a price, no unit."""
    start, unit = m.start(), m["unit"]
    before_char = folded[start - 1] if start else ""
    after_end = folded[m.end("q"):m.end("q") + 1]
    if before_char and (before_char.isascii() and (before_char.isalnum() or before_char in "./")):
        return True
    if after_end.isascii() and after_end.isalpha() and not unit:
        return True  # 5G, 3D; a unit in Latin letters (120MW) is fine
    if before_char in _name_openers() or before_char == _syntax()["ordinal_mark"]:
        return True
    if unit and not percent:
        nu = lex.non_unit.match(folded, m.end("q"))
        if nu and nu.end() >= m.end("unit"):
            return True
    if not unit and not percent and not fraction:
        return True
    if folded.startswith(lex.rate_marks, m.end()) or (unit in lex.measure_units and folded.startswith(_attributive(), m.end())):
        return True
    return bool(unit in lex.price_units and folded[m.end():m.end() + 2].lstrip().startswith("/"))


def _aside(m: re.Match, page: _Page, line: tuple[int, int], sent: tuple[int, int]) -> bool:
    """The number stands apart from the text: a heading, a note, a table cell, a bracketed breakdown or a name."""
    folded, start = page.folded, m.start()
    line_text = folded[line[0]:line[1]].strip(_blanks())
    if line_text.startswith(page.lex.headings) or line_text == folded[start:m.end()].strip(_blanks()):
        return True  # a box heading or note, or a table cell holding nothing but the number
    return _annotation(folded, start, sent) or _named(folded, start, sent)


def _not_counted(m: re.Match, page: _Page, sent: tuple[int, int], clause: str, percent: bool) -> bool:
    """Its sentence or clause says the number is not a goal: a unit's blocking cue, a ratio, an excluding word."""
    folded, lex, start, unit = page.folded, page.lex, m.start(), m["unit"]
    if unit in lex.blocked_by and lex.blocked_by[unit].search(folded, sent[0], start):
        return True
    if any(r.start() <= start < r.end() for r in lex.ratio.finditer(folded, sent[0], sent[1])):
        return True
    wide = (lex.percent_scope if percent else lex.units.get(unit or "", {}).get("scope")) == "sentence"
    scope = folded[sent[0]:sent[1]] if wide else clause
    if lex.exempt_words is not None:
        scope = lex.exempt_words.sub(lambda w: " " * len(w.group(0)), scope)
    return bool(lex.exclusion.search(scope))


def _not_a_goal_by_wording(prefix: str, suffix: str, value: Decimal, compared: bool, lex: _Lex) -> bool:
    """The clause's wording makes the number a condition, an attribute or the total of a list just before it."""
    if prefix.strip().startswith(lex.conditional) and _attributive() in suffix:
        return True
    if suffix.startswith(_attributive()) and (lex.level_verb.search(prefix) or compared):
        return True
    return _enumerated(prefix, value, lex)


def _a_baseline(m: re.Match, page: _Page, since: int, prefix: str, suffix: str) -> bool:
    """The number is where things stand or start (截至…已, 从X降至Y), or stands in a review section."""
    lex = page.lex
    if page.lex.baseline.search(page.folded, since, m.start()) or suffix.lstrip(_blanks()).startswith(lex.baseline_after):
        return True
    if lex.clause_baseline.search(prefix) or _within(page.ctx.review_sections, m.start()) is not None:
        return True
    fc = list(lex.from_cue.finditer(prefix))
    return bool(fc and not lex.level_verb.search(prefix, fc[-1].end()) and lex.level_verb.search(suffix))


def _dating(page: _Page, start: int, line_no: int) -> _Dating:
    """The year a quantity is due: its own text's, else a deadline heading's, a dated table's or the title's."""
    stated = _year_for(page.folded, start, page.sentences, page.lines[line_no], line_no, page.deadlines,
                       page.inherited, page.lex)
    if stated is None:
        heading = _within(page.ctx.heading_years, start)
        stated = heading[2] if heading else None
    table = _within(page.ctx.table_years, start)
    year = stated if stated is not None else table[2] if table else page.ctx.title_year
    return _Dating(year=year, stated=stated is not None, dated=stated is not None or table is not None)


@dataclass(frozen=True)
class _Clues:
    """What a quantity's clause and place say of it, read once for the tests of whether it states a goal."""

    prefix: str  # its clause up to the number
    suffix: str  # its clause after the number
    percent: bool
    compared: bool  # a comparator stands before it (不少于, 超过)
    goal: bool  # dated, or under a goal heading
    dating: _Dating
    opens_clause: bool
    continuation: bool  # the target accepted just before it stands in its sentence, in its clause or the previous one
    previous_unit: str | None  # that target's unit


def _level_stands(unit: str | None, clues: _Clues, lex: _Lex) -> bool:
    """A level (a percentage, a duration) is a goal when a verb sets it, it follows its goal verb, or a list goes on."""
    level = bool(lex.level_verb.search(clues.prefix)) or (clues.compared and clues.goal)
    postposed = clues.percent and clues.opens_clause and bool(lex.goal_verb.search(clues.suffix))
    same_unit = clues.continuation and clues.previous_unit == (lex.percent_unit if clues.percent else unit)
    share = (clues.continuation and clues.percent and bool(lex.share_verb.search(clues.prefix))
             and clues.previous_unit not in (None, lex.percent_unit))
    if not (level or postposed or same_unit or share):
        return False
    return not (unit in lex.dated_units and not clues.dating.dated)


def _count_stands(unit: str | None, fraction: bool, clues: _Clues, lex: _Lex) -> bool:
    """A count or a fraction is a goal when a goal verb, a deadline, a goal section or a list says so."""
    verb = bool(lex.goal_verb.search(clues.prefix))
    if fraction:
        return verb
    if unit in lex.context_units and not (clues.dating.stated or clues.goal or clues.compared
                                          or lex.level_verb.search(clues.prefix)):
        return False
    return bool(verb or clues.dating.stated or clues.continuation or (clues.compared and clues.goal)
                or _postposed(clues.prefix, clues.suffix, lex))


def _postposed(prefix: str, suffix: str, lex: _Lex) -> bool:
    """对全区1918个垃圾箱房进行升级改造: the object is counted before its verb."""
    if not prefix.strip().startswith(lex.postposed_openers):
        return False
    pv = lex.postposed_verb.search(suffix)
    return pv is not None and bool(lex.goal_verb.search(suffix, pv.end()))


def _core(t: Target) -> str:
    """The words of a target's surface without its number, punctuation or quotes."""
    return "".join(ch for ch in fold(t.surface) if "\u4e00" <= ch <= "\u9fff")


def _shared(a: str, b: str) -> int:
    """Length of the longest common substring of two short strings."""
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def _restated(targets: list[Target], ctx: _Context, lex: _Lex) -> list[Target]:
    """Drop a target restated in a later sentence (same amount and unit, what it counts in common).

    The body's wording restated almost word for word is the same target; so
    is a body goal restated in a task table or appendix with other words
    (餐厨垃圾分类量日均高于131吨 / 餐厨垃圾目标任务日均131吨).
    """
    def annexed(t: Target) -> bool:
        return t.span.start >= ctx.annex or _within(ctx.tables, t.span.start) is not None

    def same(k: Target, t: Target) -> bool:
        if (k.value, k.value_max, k.unit) != (t.value, t.value_max, t.unit):
            return False
        if k.sentence_span == t.sentence_span or (k.year is not None and t.year is not None and k.year != t.year):
            return False
        a, b = _core(k), _core(t)
        shared = _shared(a, b)
        if shared < lex.min_shared:
            return False
        if annexed(t) and not annexed(k):
            return True
        return ((k.comparator, k.annual) == (t.comparator, t.annual)
                and shared >= lex.min_share_ratio * min(len(a), len(b)))

    kept: list[Target] = []
    by_amount: dict[tuple, list[Target]] = {}  # only targets of the same amount and unit can be the same
    for t in targets:
        earlier = by_amount.setdefault((t.value, t.value_max, t.unit), [])
        if not any(same(k, t) for k in earlier):
            kept.append(t)
            earlier.append(t)
    return kept


def _build(text, folded, accepted, clauses, sentences, lex):
    """Turn accepted quantities into Targets with surfaces cut at clause and 、 boundaries."""
    out = []
    for k, (m, ci, info) in enumerate(accepted):
        cs, ce = clauses[ci]
        start = cs
        if k and accepted[k - 1][1] == ci:
            pm = accepted[k - 1][0]
            cut = folded.rfind(_item_separator(), pm.end(), m.start())
            start = cut + 1 if cut >= 0 else pm.end()
        end = ce
        if k + 1 < len(accepted) and accepted[k + 1][1] == ci:
            nm = accepted[k + 1][0]
            cut = folded.rfind(_item_separator(), m.end(), nm.start())
            end = cut if cut >= 0 else nm.start()
        start = _clean_start(folded, start, m.start(), lex)
        while end > m.end() and folded[end - 1] in _blanks():
            end -= 1
        ss, se = sentences[info.sentence]
        ss = _clean_start(folded, ss, m.start(), lex)
        while se > m.end() and folded[se - 1] in _blanks():
            se -= 1
        unit = info.unit
        if unit and unit != lex.percent_unit:
            unit = lex.unit_names.get(unit, text[m.start("unit"):m.end("unit")])
        out.append(Target(
            value=info.value,
            unit=unit,
            comparator=info.comparator,
            surface=text[start:end],
            span=Span(start, end),
            sentence=text[ss:se],
            sentence_span=Span(ss, se),
            value_max=info.value_max,
            year=info.year,
            annual=info.annual,
            metric=_metric(folded[start:m.start()], folded[m.end():end], lex),
        ))
    return sorted(out, key=lambda t: (t.span, t.value))
