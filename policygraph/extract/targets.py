"""Quantified development targets (建成众创空间50家以上) read from a document's text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from policygraph.model import Span, Target
from policygraph.normalize import fold
from policygraph.numbers import lexicon, number_pattern, parse_quantity

__all__ = ["extract_targets"]

_CLAUSE_BREAK = re.compile(r"[，；。：！？;:!?\n]|(?<!\d),|,(?!\d)")
_SENTENCE_BREAK = re.compile(r"[。；;！？!?\n]")
_NUMBERED_ITEM = re.compile(r"^\s*(?:\(?\d{1,2}[.)、](?!\d)|[①-⑳])")
_NAME_OPENERS = "“‘《「『\"'"


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


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


@lru_cache(maxsize=1)
def _lex() -> _Lex:
    """Compile the patterns of ``units.json`` once."""
    lx = lexicon()
    units = {fold(u["surface"]): u for u in lx["units"]}
    seps = _alternation(lx["range_separators"])
    num = number_pattern()
    qty = rf"{num}%?(?:\s*(?:{seps})\s*{num}%?)?"
    suffix = lx["comparators"]["suffix"]
    quantity = re.compile(
        rf"(?P<q>{qty})(?P<mid>\s*(?:以上|以下|以内))?(?P<unit>{_alternation(units)})?"
        rf"(?P<cmp>{_alternation(suffix)})?"
    )
    dl = lx["deadline"]
    deadline = re.compile(
        rf"(?:(?:{_alternation(dl['prefix'])})\s*(?P<a>(?:19|20)\d\d)\s*年)"
        rf"|(?:(?P<b>(?:19|20)\d\d)\s*(?:{_alternation(dl['suffix'])}))"
    )
    prefix = lx["comparators"]["prefix"]
    return _Lex(
        quantity=quantity,
        non_unit=re.compile(rf"\s*(?:以上|以下|以内)?(?:{_alternation(lx['non_units'])})"),
        deadline=deadline,
        deadline_blockers=tuple(dl.get("blockers", ())),
        bare_year=re.compile(r"(?:19|20)\d\d\s*年"),
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
        units=units,
        unit_names={s: u["unit"] for s, u in units.items() if "unit" in u},
        level_units=frozenset(s for s, u in units.items() if u.get("needs_level_verb")),
        dated_units=frozenset(s for s, u in units.items() if u.get("needs_deadline")),
    )


def _segments(text: str, breaks: re.Pattern) -> list[tuple[int, int]]:
    """Half-open ranges of ``text`` between break characters (breaks excluded)."""
    out, start = [], 0
    for m in breaks.finditer(text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return out


def _find(ranges: list[tuple[int, int]], pos: int) -> int:
    """Index of the range holding ``pos`` (ranges are sorted and disjoint)."""
    lo, hi = 0, len(ranges) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if ranges[mid][0] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _is_bullet(line: str, lex: _Lex) -> bool:
    return line.strip().startswith(lex.bullets)


def _inherited_years(folded: str, lines: list[tuple[int, int]], deadlines, lex: _Lex) -> dict[int, int]:
    """Deadline year each bullet or listed line takes from the line that introduces it.

    A goal paragraph often states 到2020年 once and lists the goals below it
    as ——/● bullets (or as numbered items after a colon).
    """
    last_year: dict[int, int] = {}
    for start, end, year in deadlines:
        last_year[_find(lines, start)] = year
    inherited: dict[int, int] = {}
    for i, (s, e) in enumerate(lines):
        text = folded[s:e]
        bullet = _is_bullet(text, lex)
        numbered = bool(_NUMBERED_ITEM.match(text))
        if not (bullet or numbered) or i in last_year:
            continue
        j = i - 1
        while j >= 0:
            t = folded[lines[j][0]:lines[j][1]]
            same_kind = _is_bullet(t, lex) if bullet else bool(_NUMBERED_ITEM.match(t))
            if t.strip() and not same_kind:
                break
            j -= 1
        if j < 0 or j not in last_year:
            continue
        intro = folded[lines[j][0]:lines[j][1]].rstrip()
        if bullet or intro.endswith((":", "：")):
            inherited[i] = last_year[j]
    return inherited


def _deadlines(folded: str, lex: _Lex) -> list[tuple[int, int, int]]:
    """Deadline years (到2020年, 2020年底前) with their offsets; 截至2016年 is a baseline, not a deadline."""
    out = []
    for m in lex.deadline.finditer(folded):
        head = folded[max(0, m.start() - 2):m.start() + 2]
        if any(b in head for b in lex.deadline_blockers):
            continue
        out.append((m.start(), m.end(), int(m["a"] or m["b"])))
    taken = {s for s, _, _ in out}
    out.extend(d for d in _bare_deadlines(folded, lex) if not any(d[0] <= s < d[1] for s in taken))
    return sorted(out)


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
        line_start = not head.rpartition("\n")[2].strip()
        opener = next((w for w in lex.bare_openers if head.endswith(w)), None)
        if not line_start and opener is None:
            continue
        before = head[: len(head) - len(opener)] if opener else ""
        if before[-1:].isdigit():
            continue
        out.append((m.start(), m.end(), int(m.group(0)[:4])))
    return out


def _opens_sentence(folded: str, pos: int, sentences: list[tuple[int, int]], lex: _Lex) -> bool:
    """Whether a deadline starts its sentence (到2020年，… or ——到2022年，…), so that it frames the sentences after it."""
    start = sentences[_find(sentences, pos)][0]
    return _clean_start(folded, start, pos, lex) >= pos


def _year_for(folded: str, pos: int, sentences: list[tuple[int, int]], line: tuple[int, int], line_no: int,
              deadlines, inherited, lex: _Lex) -> int | None:
    """The deadline of the sentence, else the one framing the line, else the inherited one.

    Of a line's earlier deadlines, one that opens a sentence (到2020年，… or
    ——到2022年，…) frames the sentences after it; one said mid-sentence
    (…，到2025年，覆盖率达到80%) covers only its own sentence, so a goal of a
    later sentence of the same task paragraph states no year.
    """
    sent = sentences[_find(sentences, pos)]
    before = [y for s, e, y in deadlines if sent[0] <= s and e <= pos]
    if before:
        return before[-1]
    after = [y for s, e, y in deadlines if pos <= s and e <= sent[1]]
    if after:
        return after[0]
    earlier = [(s, y) for s, e, y in deadlines if line[0] <= s and e <= pos]
    framing = [y for s, y in earlier if _opens_sentence(folded, s, sentences, lex)]
    if framing:
        return framing[-1]
    return inherited.get(line_no)


def _enumerated(prefix: str, value: Decimal, lex: _Lex) -> bool:
    """True for a count that merely totals a list just before it (甲、乙、丙3个大学科技园)."""
    verbs = list(lex.goal_verb.finditer(prefix))
    seg = prefix[verbs[-1].end():] if verbs else prefix
    seg = re.sub(r"(?:等等|等|共)$", "", seg.strip())
    if "、" not in seg:
        return False
    items = [x for x in re.split(r"[、和及与]", seg) if x]
    return Decimal(len(items)) == value


def _chinese_numeral_ok(q: str, unit: str | None, lex: _Lex) -> bool:
    """Chinese numerals count only when clearly a quantity (三十家, 五个), not a term (二次电池, 一批)."""
    if q[0].isdigit():
        return True
    if len(q) == 1:
        return q not in "一〇零" and unit in lex.cn_single_units
    return True


def _comparator(m: re.Match, before: str, lex: _Lex) -> str:
    for word in (m["cmp"], (m["mid"] or "").strip()):
        if word and word in lex.suffix_cmp:
            return lex.suffix_cmp[word]
    pm = lex.prefix_cmp_re.search(before)
    if pm:
        return lex.prefix_cmp[pm["cmp"]]
    return "="


def _strip_metric(s: str, lex: _Lex) -> str:
    s = s.strip(" 、，的")
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
    obj = _strip_metric(obj.split("的")[-1].split("等")[-1], lex)
    if not obj or local_prefix.rstrip().endswith("等"):
        tail = after.split("的")[-1]
        stop = lex.tail_stop.search(tail, 1)
        obj = _strip_metric(tail[: stop.start()] if stop else tail, lex)
    return (obj or fallback)[:16] or None


def _clean_start(folded: str, start: int, end: int, lex: _Lex) -> int:
    while start < end:
        rest = folded[start:end]
        if rest[0] in " \t\u3000、,":
            start += 1
            continue
        marker = next((b for b in lex.bullets if rest.startswith(b)), None)
        if marker:
            start += len(marker)
            continue
        numbered = _NUMBERED_ITEM.match(rest)
        if numbered and numbered.end() < end - start:
            start += numbered.end()
            continue
        break
    return start


def extract_targets(text: str) -> tuple[Target, ...]:
    """Find the quantified goals stated in a document.

    A goal is a count, amount or level with a measure word (家 个 人 项 元 ...)
    or a fraction, stated with a goal verb (建成 培育 达到 ...), inside a goal
    paragraph that names a deadline (到2020年, 2020年底前, or a bare 2020年
    opening a line or clause), or listed right after another goal. A duration
    (3个工作日) is a goal only as a level with a deadline.
    Policy parameters (subsidies, caps, tax rates, shares, durations) are
    rejected by the exclusion cues of ``units.json``.

    Parameters
    ----------
    text : str
        The whole decoded document; full-width digits are fine.

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
    """
    lex = _lex()
    folded = fold(text)
    lines = _segments(folded, re.compile(r"\n"))
    sentences = _segments(folded, _SENTENCE_BREAK)
    clauses = _segments(folded, _CLAUSE_BREAK)
    deadlines = _deadlines(folded, lex)
    inherited = _inherited_years(folded, lines, deadlines, lex)

    accepted: list[tuple[re.Match, int, dict]] = []
    prev: dict | None = None
    for m in lex.quantity.finditer(folded):
        info = _judge(m, folded, lines, sentences, clauses, deadlines, inherited, prev, lex)
        if info is None:
            continue
        accepted.append((m, _find(clauses, m.start()), info))
        prev = info
    return tuple(_build(text, folded, accepted, clauses, sentences, lex))


def _judge(m, folded, lines, sentences, clauses, deadlines, inherited, prev, lex) -> dict | None:
    """Decide whether one quantity is a target; return its facts or None."""
    q = m["q"]
    start = m.start()
    before_char = folded[start - 1] if start else ""
    after_end = folded[m.end("q"):m.end("q") + 1]
    if before_char and (before_char.isascii() and (before_char.isalnum() or before_char in "./")):
        return None
    if after_end.isascii() and after_end.isalpha():
        return None
    if before_char in _NAME_OPENERS or before_char in "第":
        return None
    percent = q.endswith("%")
    fraction = "/" in q or "分之" in q
    unit = m["unit"]
    if unit and not percent:
        nu = lex.non_unit.match(folded, m.end("q"))
        if nu and nu.end() >= m.end("unit"):
            return None
    if not unit and not percent and not fraction:
        return None
    if not _chinese_numeral_ok(q, unit, lex):
        return None
    parsed = parse_quantity(q)
    if parsed is None:
        return None
    value, value_max = parsed

    ci = _find(clauses, start)
    cs, ce = clauses[ci]
    clause = folded[cs:ce]
    prefix = folded[cs:start]
    line_no = _find(lines, start)
    line = lines[line_no]
    if folded[line[0]:line[1]].strip().startswith(lex.headings):
        return None
    si = _find(sentences, start)
    sent = sentences[si]
    wide = percent or lex.units.get(unit or "", {}).get("scope") == "sentence"
    scope = folded[sent[0]:sent[1]] if wide else clause
    if lex.exclusion.search(scope):
        return None
    suffix = folded[m.end():ce]
    if prefix.strip().startswith(lex.conditional) and "的" in suffix:
        return None
    if suffix.startswith("的") and (lex.level_verb.search(prefix) or lex.prefix_cmp_re.search(prefix)):
        return None
    if _enumerated(prefix, value, lex):
        return None

    since = max([e for s, e, _ in deadlines if sent[0] <= s and e <= start], default=sent[0])
    if lex.baseline.search(folded, since, start):
        return None
    year = _year_for(folded, start, sentences, line, line_no, deadlines, inherited, lex)
    verb = bool(lex.goal_verb.search(prefix))
    continuation = (
        prev is not None and prev["sentence"] == si and prev["clause"] in (ci, ci - 1)
    )
    if percent or unit in lex.level_units:
        if not lex.level_verb.search(prefix):
            return None
        if unit in lex.dated_units and year is None:
            return None
    elif fraction:
        if not verb:
            return None
    elif not (verb or year is not None or continuation):
        return None

    annual = bool(lex.annual.search(folded, since, start))
    return {
        "value": value,
        "value_max": value_max,
        "unit": "%" if percent else (unit or None),
        "comparator": _comparator(m, prefix, lex),
        "year": year,
        "annual": annual,
        "sentence": si,
        "clause": ci,
    }


def _build(text, folded, accepted, clauses, sentences, lex):
    """Turn accepted quantities into Targets with surfaces cut at clause and 、 boundaries."""
    out = []
    for k, (m, ci, info) in enumerate(accepted):
        cs, ce = clauses[ci]
        start = cs
        if k and accepted[k - 1][1] == ci:
            pm = accepted[k - 1][0]
            cut = folded.rfind("、", pm.end(), m.start())
            start = cut + 1 if cut >= 0 else pm.end()
        end = ce
        if k + 1 < len(accepted) and accepted[k + 1][1] == ci:
            nm = accepted[k + 1][0]
            cut = folded.rfind("、", m.end(), nm.start())
            end = cut if cut >= 0 else nm.start()
        start = _clean_start(folded, start, m.start(), lex)
        while end > m.end() and folded[end - 1] in " \t\u3000":
            end -= 1
        ss, se = sentences[info["sentence"]]
        ss = _clean_start(folded, ss, m.start(), lex)
        while se > m.end() and folded[se - 1] in " \t\u3000":
            se -= 1
        unit = info["unit"]
        if unit and unit != "%":
            unit = lex.unit_names.get(unit, text[m.start("unit"):m.end("unit")])
        out.append(Target(
            value=info["value"],
            unit=unit,
            comparator=info["comparator"],
            surface=text[start:end],
            span=Span(start, end),
            sentence=text[ss:se],
            sentence_span=Span(ss, se),
            value_max=info["value_max"],
            year=info["year"],
            annual=info["annual"],
            metric=_metric(folded[start:m.start()], folded[m.end():end], lex),
        ))
    return sorted(out, key=lambda t: (t.span, t.value))
