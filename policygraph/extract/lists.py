"""Responsibility lists: the text after a cue split into bodies, each with its role and kind.

A list such as ``区建设管理委、区水务局等相关部门，各街镇`` or
``省委宣传部、省民政厅牵头;省总工会配合;各州(市)党委和政府落实`` is split on
its separators; a trailing role word (牵头, 配合, 负责 …) gives the role of the
items before it, a label (牵头单位：) the role of the items after it. Every
item that is shaped like a body is kept — known or not; the items that are
prose are returned as rejected, with the reason, so a caller can decide
whether the list as a whole names bodies at all.

All positions are ranges of the *folded* document text (see
:func:`policygraph.normalize.fold`), so surfaces are sliced from the original.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..knowledge import per_overlay, resource_json
from ..model import RESPONSIBLE
from .grammar import STRONG_KINDS, BodyJudge

__all__ = ["Piece", "ListItem", "ListParse", "clause_vocabulary", "parse_list", "split_items"]

Piece = tuple[int, int]  # [start, end) into the folded document text


@per_overlay
def _syntax() -> dict:
    """The punctuation of a responsibility list (``clauses.json`` ``list_syntax``), under the active overlay."""
    return resource_json("clauses.json")["list_syntax"]


@per_overlay
def _edge():
    return _syntax()["edge"]


_CONJUNCTION_SIDES_MIN = 3


@dataclass(frozen=True)
class ListItem:
    """One body of a responsibility list."""

    piece: Piece
    role: str
    kind: str  # see policygraph.extract.grammar.BodyJudge
    plates: tuple[Piece, ...] = ()  # other plates of the same body, written in brackets after it
    stated: bool = False  # the role was written (a role word or a label), not defaulted


@dataclass(frozen=True)
class ListParse:
    """A parsed list: its bodies, the items that are not bodies, and what it said about roles."""

    items: tuple[ListItem, ...]
    rejected: tuple[tuple[Piece, str], ...] = ()
    has_role: bool = False  # a role word or a label stated a role
    has_label: bool = False
    states_rule: bool = False  # the list carries a document-wide role rule (列第一位者为牵头单位)


@per_overlay
def clause_vocabulary() -> dict:
    """The clause vocabulary (role words, labels, trailers, role rules) from resources/clauses.json."""
    raw = resource_json("clauses.json")
    by_length = lambda d: dict(sorted(d.items(), key=lambda kv: -len(kv[0])))  # noqa: E731
    labels = by_length({**raw["labels"], **{k: None for k in raw.get("other_labels", ())}})
    return {
        "role_words": by_length(raw["role_words"]),
        "role_endings": tuple(raw["role_words"]),
        "labels": labels,
        "role_labels": {k: v for k, v in labels.items() if v is not None},
        "list_trailers": sorted(raw["list_trailers"], key=len, reverse=True),
        "list_leaders": sorted(raw["list_leaders"], key=len, reverse=True),
        "definition_openers": tuple(raw["definition_openers"]),
        "conjunctions": sorted(raw["conjunctions"], key=len, reverse=True),
        "place_fragment": re.compile(raw["split_place_fragments"]),
        "label_re": re.compile("(" + "|".join(map(re.escape, labels)) + r")\s*[" + "".join(map(re.escape, _syntax()["label_colons"])) + "]"),
        "rule_re": re.compile("|".join(raw.get("first_listed_lead_rules", ())) or r"(?!)"),
        "column_headers": {k: tuple(v) for k, v in raw.get("column_headers", {}).items()},
    }


def strip(folded: str, piece: Piece, chars: str | None = None) -> Piece:
    """``piece`` without the ``chars`` (by default the list edge marks of ``clauses.json``) at either end."""
    chars = _edge() if chars is None else chars
    start, end = piece
    while start < end and folded[start] in chars:
        start += 1
    while end > start and folded[end - 1] in chars:
        end -= 1
    return start, end


def split_top_level(folded: str, piece: Piece, separators: str) -> list[Piece]:
    """Split at separators that are not inside brackets; empty parts are dropped."""
    out, depth, start = [], 0, piece[0]
    for i in range(piece[0], piece[1]):
        ch = folded[i]
        if ch in _syntax()["open_brackets"]:
            depth += 1
        elif ch in _syntax()["close_brackets"]:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in separators:
            out.append((start, i))
            start = i + 1
    out.append((start, piece[1]))
    return [p for p in (strip(folded, p) for p in out) if p[0] < p[1]]


def _strip_affixes(folded: str, piece: Piece, vocab: dict) -> Piece:
    start, end = strip(folded, piece)
    for leader in vocab["list_leaders"]:
        if folded.startswith(leader, start, end) and end - start > len(leader) + 1:
            start += len(leader)
            break
    for trailer in vocab["list_trailers"]:
        if folded.endswith(trailer, start, end) and end - start > len(trailer) + 1:
            end -= len(trailer)
            break
    return strip(folded, (start, end))


def _generic_tail(folded: str, piece: Piece, judge: BodyJudge) -> tuple[Piece, Piece | None]:
    """``X等有关部门`` → (X, 有关部门): the set after 等 is a body of its own."""
    start, end = piece
    for word in judge.grammar.generic_after_etc:
        if folded.endswith(word, start, end):
            cut = end - len(word)
            if cut - start > 1 and folded[cut - 1] == _syntax()["etc_mark"]:
                return strip(folded, (start, cut - 1)), (cut, end)
    return piece, None


def _plates(folded: str, piece: Piece, judge: BodyJudge) -> tuple[Piece, tuple[Piece, ...]]:
    """``区委组织部(区公务员局)`` → the department and its other plates."""
    start, end = piece
    if end - start < 4 or folded[end - 1] != ")":
        return piece, ()
    depth, open_at = 0, -1
    for i in range(end - 1, start - 1, -1):
        if folded[i] == ")":
            depth += 1
        elif folded[i] == "(":
            depth -= 1
            if depth == 0:
                open_at = i
                break
    if open_at <= start + 1 or not judge.grammar.plates(folded[open_at + 1:end - 1]):
        return piece, ()
    inner = split_top_level(folded, (open_at + 1, end - 1), _syntax()["plate_separators"])
    return strip(folded, (start, open_at)), tuple(inner)


def _split_conjunction(folded: str, item: Piece, judge: BodyJudge, vocab: dict) -> list[tuple[Piece, str]] | None:
    """``商务委或属地街镇`` → two bodies, when both sides are bodies of their own."""
    text = folded[item[0]:item[1]]
    for conj in [*judge.grammar.joiners, *vocab["conjunctions"]]:
        for m in re.finditer(re.escape(conj), text):
            left = strip(folded, (item[0], item[0] + m.start()))
            right = strip(folded, (item[0] + m.end(), item[1]))
            if left[0] >= left[1] or right[0] >= right[1]:
                continue
            left_text = folded[left[0]:left[1]]
            left_kind = judge.kind(left_text)
            if left_kind not in STRONG_KINDS or (left_kind != "known" and len(left_text) < _CONJUNCTION_SIDES_MIN):
                continue
            right_text = folded[right[0]:right[1]]
            right_kind = judge.kind(right_text)
            if right_kind in STRONG_KINDS and (right_kind == "known" or len(right_text) >= _CONJUNCTION_SIDES_MIN):
                return [(left, left_kind), (right, right_kind)]
            rest = _split_conjunction(folded, right, judge, vocab)
            if rest:
                return [(left, left_kind), *rest]
    return None


def split_items(folded: str, piece: Piece, judge: BodyJudge, vocab: dict | None = None
                ) -> tuple[list[tuple[Piece, str, tuple[Piece, ...]]], list[tuple[Piece, str]]]:
    """Split one group of a list (no role words) into ``(piece, kind, plates)`` bodies and rejected items.

    Examples
    --------
    >>> from policygraph.resolve import Resolver
    >>> judge = Resolver().judge
    >>> text = "区重大办、区财政局等相关部门"
    >>> bodies, rejected = split_items(text, (0, len(text)), judge)
    >>> [(text[s:e], kind) for (s, e), kind, _ in bodies], rejected
    ([('区重大办', 'body'), ('区财政局', 'known'), ('相关部门', 'generic')], [])
    """
    vocab = vocab or clause_vocabulary()
    piece, tail = _generic_tail(folded, strip(folded, piece), judge)
    piece = _strip_affixes(folded, piece, vocab)
    raw = split_top_level(folded, piece, _syntax()["item_separator"])
    merged: list[Piece] = []
    carry: Piece | None = None  # leading fragments of one collective body: 各市、州、县人民政府
    for item in raw:
        if vocab["place_fragment"].match(folded[item[0]:item[1]]):
            carry = (carry[0] if carry else item[0], item[1])
            continue
        merged.append((carry[0], item[1]) if carry else item)
        carry = None
    if carry is not None:
        merged.append(carry)
    bodies: list[tuple[Piece, str, tuple[Piece, ...]]] = []
    rejected: list[tuple[Piece, str]] = []
    for item in merged:
        item = _strip_affixes(folded, item, vocab)
        if item[0] >= item[1]:
            continue
        item, plates = _plates(folded, item, judge)
        surface = folded[item[0]:item[1]]
        kind = judge.kind(surface)
        if kind in ("known", "generic", "place"):
            bodies.append((item, kind, plates))
            continue
        split = _split_conjunction(folded, item, judge, vocab)
        if split:
            bodies.extend((p, k, ()) for p, k in split)
        elif kind is not None:
            bodies.append((item, kind, plates))
        else:
            rejected.append((item, "prose" if judge.grammar.is_prose(surface) else "not shaped like a body"))
    if tail is not None:
        bodies.append((tail, "generic", ()))
    return bodies, rejected


def _trailing_role(folded: str, piece: Piece, vocab: dict) -> tuple[Piece, str | None]:
    start, end = piece
    for word, role in vocab["role_words"].items():
        if folded.endswith(word, start, end) and end - start > len(word):
            return strip(folded, (start, end - len(word))), role
    return piece, None


def _role_groups(folded: str, piece: Piece, judge: BodyJudge, vocab: dict, default_role: str,
                 items: list[ListItem], rejected: list, flags: dict, labelled: bool = False) -> None:
    """Groups separated by ，；。 each ending in an optional role word; unrolled items take the next role stated."""
    pending: list[tuple[Piece, str, tuple[Piece, ...]]] = []
    for group in split_top_level(folded, piece, _syntax()["group_separators"]):
        if vocab["rule_re"].search(folded, group[0], group[1]):
            flags["states_rule"] = True
            continue
        group, role = _trailing_role(folded, group, vocab)
        bodies, bad = split_items(folded, group, judge, vocab)
        rejected.extend(bad)
        pending.extend(bodies)
        if role:
            flags["has_role"] = True
            items.extend(ListItem(p, role, k, pl, True) for p, k, pl in pending)
            pending = []
    items.extend(ListItem(p, default_role, k, pl, labelled) for p, k, pl in pending)


def parse_list(folded: str, piece: Piece, judge: BodyJudge, default_role: str = RESPONSIBLE,
               vocab: dict | None = None) -> ListParse:
    """Parse a responsibility list: labels (责任单位：…；配合单位：…) or role words (…牵头，…配合).

    Examples
    --------
    >>> from policygraph.resolve import Resolver
    >>> text = "省委宣传部、省民政厅牵头;省总工会配合;各州(市)党委和政府落实"
    >>> parsed = parse_list(text, (0, len(text)), Resolver().judge)
    >>> [(text[s:e], i.role) for i in parsed.items for s, e in [i.piece]]
    [('省委宣传部', 'lead'), ('省民政厅', 'lead'), ('省总工会', 'support'), ('各州(市)党委和政府', 'responsible')]
    """
    vocab = vocab or clause_vocabulary()
    piece = strip(folded, piece)
    items: list[ListItem] = []
    rejected: list[tuple[Piece, str]] = []
    flags = {"has_role": False, "states_rule": False}
    labels = list(vocab["label_re"].finditer(folded, piece[0], piece[1]))
    has_label = bool(labels)
    if labels:
        before = strip(folded, (piece[0], labels[0].start()))
        if before[0] < before[1]:
            _role_groups(folded, before, judge, vocab, default_role, items, rejected, flags)
        for i, m in enumerate(labels):
            end = labels[i + 1].start() if i + 1 < len(labels) else piece[1]
            role = vocab["labels"][m.group(1)]
            if role is None:  # a person or a deadline, not a body
                continue
            flags["has_role"] = True
            _role_groups(folded, strip(folded, (m.end(), end)), judge, vocab, role, items, rejected, flags, True)
    else:
        _role_groups(folded, piece, judge, vocab, default_role, items, rejected, flags)
    return ListParse(items=tuple(items), rejected=tuple(rejected), has_role=flags["has_role"],
                     has_label=has_label, states_rule=flags["states_rule"])
