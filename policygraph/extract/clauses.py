"""Responsibility clauses, found from their cues: （责任单位：…）, （…牵头，…配合）, 牵头单位：… lines, …等负责.

A clause is anchored on a cue — a label with a colon (责任单位：), or a role
word closing a bracketed list or a line (…等负责）, …牵头;…配合) — and the list
after the cue is split into bodies (:mod:`policygraph.extract.lists`). Every
body shaped like one is kept, known to the lexicon or not; a candidate is
rejected only when its items are not bodies (prose such as
（具体办法由省财政厅另行制定）). Without a cue, a bracketed list that closes
its paragraph is a clause only when every item is a body and one is known.
Text such as 建立由科技部门牵头、相关部门配合的联动机制 is policy content: it is
neither bracketed nor a line made only of bodies, so it is left alone.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..model import Clause, Mention, Rejection, Span
from ..normalize import fold
from .grammar import BODY_KINDS, STRONG_KINDS, BodyJudge
from .lists import ListParse, Piece, clause_vocabulary, parse_list, strip

__all__ = ["ClauseScan", "find_clauses", "clause_from_list", "clause_vocabulary"]

_OPEN, _CLOSE = "(", ")"
_MAX_CLAUSE = 800
_BRACKET_OR_NEWLINE = re.compile(r"[()\n]")
_SENTENCE_END = re.compile("[。\n]")


@dataclass(frozen=True)
class ClauseScan:
    """The clauses of a document, the cued candidates that were rejected, and the role rule it states."""

    clauses: tuple[Clause, ...]
    rejected: tuple[Rejection, ...] = ()
    first_listed_leads: bool = False  # 列第一位者为牵头单位，下同


def _bracket_groups(folded: str) -> list[Piece]:
    """Top-level bracket pairs on one line, as body ranges (without the brackets)."""
    groups, stack = [], []
    for m in _BRACKET_OR_NEWLINE.finditer(folded):
        i, ch = m.start(), m.group()
        if ch == _OPEN:
            stack.append(i)
        elif ch == _CLOSE and stack:
            start = stack.pop()
            if not stack:
                groups.append((start + 1, i))
        elif ch == "\n":
            stack = []
    return groups


def _closes_paragraph(folded: str, end: int) -> bool:
    rest = folded[end:end + 3].lstrip(" \t\u3000")
    return not rest or rest[0] in "。；;\n"


def _sentences(folded: str) -> list[Piece]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(folded):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(folded)))
    return out


def _ends_with_role(folded: str, piece: Piece, vocab: dict) -> bool:
    return folded.endswith(vocab["role_endings"], *strip(folded, piece))


def _accepts(parsed: ListParse, cued: bool, strict: bool) -> str | None:
    """None when the parsed list is a clause; else why not."""
    if not parsed.items:
        return "no item is a body" if parsed.rejected else "empty"
    if strict:
        if parsed.rejected:
            return "an item is not a body: " + ", ".join(r for _, r in parsed.rejected[:1])
        if any(i.kind not in STRONG_KINDS for i in parsed.items):
            return "an item is only loosely shaped like a body"
        if not cued and not any(i.kind in ("known", "generic") for i in parsed.items):
            return "no item is a known body"
        return None
    if any(i.kind not in BODY_KINDS for i in parsed.items):
        return "an item is not a body"
    if len(parsed.rejected) > len(parsed.items):
        return "most items are not bodies"
    return None


def clause_from_list(text: str, folded: str, span: Piece, parsed: ListParse, judge: BodyJudge) -> Clause:
    """A :class:`Clause` of the document ``text`` from a parsed list over ``span``."""
    mentions = tuple(
        Mention(surface=text[s:e], span=Span(s, e), role=item.role, generic=item.kind == "generic",
                aliases=tuple(text[a:b] for a, b in item.plates), stated=item.stated)
        for item in parsed.items for s, e in [item.piece]
    )
    start, end = span
    return Clause(text=text[start:end], span=Span(start, end), mentions=mentions)


def find_clauses(text: str, judge: BodyJudge) -> ClauseScan:
    """Find every responsibility clause in a document.

    Examples
    --------
    >>> from policygraph.resolve import Resolver
    >>> scan = find_clauses("（一）任务。（省科技厅牵头，区消防支队配合）", Resolver().judge)
    >>> [(m.surface, m.role) for c in scan.clauses for m in c.mentions]
    [('省科技厅', 'lead'), ('区消防支队', 'support')]
    """
    vocab = clause_vocabulary()
    folded = fold(text)
    bracketed = _bracketed_clauses(text, folded, judge, vocab)
    taken = sorted(piece for piece, _ in bracketed.found)
    written = _sentence_clauses(text, folded, judge, vocab, taken)
    clauses = []
    for piece, parsed in sorted(bracketed.found + written.found, key=lambda f: f[0]):
        if all(i.kind == "generic" for i in parsed.items) and folded[piece[0]] != _OPEN and not parsed.has_label:
            continue
        clauses.append(clause_from_list(text, folded, piece, parsed, judge))
    rejected = sorted(bracketed.rejected + written.rejected, key=lambda r: r.span)
    return ClauseScan(clauses=tuple(clauses), rejected=tuple(rejected),
                      first_listed_leads=bracketed.rule or written.rule)


@dataclass(frozen=True)
class _Found:
    """The clauses one way of reading found (span, parse), those it turned down, and whether one states the rule."""

    found: list[tuple[Piece, ListParse]]
    rejected: list[Rejection]
    rule: bool


def _rejection(text: str, piece: Piece, reason: str) -> Rejection:
    return Rejection(text=text[piece[0]:piece[1]], span=Span(*piece), reason=reason)


def _bracketed_clauses(text: str, folded: str, judge: BodyJudge, vocab: dict) -> _Found:
    """Clauses in brackets (（省科技厅牵头）): one with a role or label cue, or an uncued one closing its paragraph."""
    found, rejected, rule = [], [], False
    for body in _bracket_groups(folded):
        body = strip(folded, body)
        if body[0] >= body[1] or body[1] - body[0] > _MAX_CLAUSE:
            continue
        parsed = parse_list(folded, body, judge, vocab=vocab)
        cued = parsed.has_role or parsed.has_label
        if not cued and (not _closes_paragraph(folded, body[1] + 1)
                         or folded.startswith(vocab["definition_openers"], body[0])):
            continue
        reason = _accepts(parsed, cued, strict=not cued)
        whole = (body[0] - 1, body[1] + 1)
        if reason is None:
            found.append((whole, parsed))
            rule = rule or parsed.states_rule
        elif cued:
            rejected.append(_rejection(text, whole, reason))
    return _Found(found, rejected, rule)


def _sentence_clauses(text: str, folded: str, judge: BodyJudge, vocab: dict, taken: list[Piece]) -> _Found:
    """Clauses written as sentences outside the bracketed ones (``taken``, sorted): after a label, or ending in a role."""
    starts = [s for s, _ in taken]

    def inside(pos: int) -> bool:
        i = bisect.bisect_right(starts, pos) - 1
        return i >= 0 and pos < taken[i][1]

    found, rejected, rule = [], [], False
    for sentence in _sentences(folded):
        sentence = strip(folded, sentence, " \t\u3000")
        if sentence[0] >= sentence[1] or inside(sentence[0]):
            continue
        label = vocab["label_re"].search(folded, sentence[0], sentence[1])
        if label is not None and inside(label.start()):
            label = None
        if label is None and not _ends_with_role(folded, sentence, vocab):
            continue
        start = label.start() if label else sentence[0]
        end = sentence[1]
        if label is None:
            bracket = folded.find(_OPEN, start, end)
            if bracket >= 0 and inside(bracket):
                continue
        if end - start > _MAX_CLAUSE:
            continue
        parsed = parse_list(folded, (start, end), judge, vocab=vocab)
        if not (parsed.has_role or parsed.has_label):
            continue
        reason = _accepts(parsed, cued=True, strict=label is None)
        if reason is None:
            found.append(((start, end), parsed))
            rule = rule or parsed.states_rule
        elif label is not None:
            rejected.append(_rejection(text, (start, end), reason))
    return _Found(found, rejected, rule)
