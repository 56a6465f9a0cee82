"""Responsibility clauses: （责任单位：…）, （…等负责）, （…牵头，…配合）, 责任单位：…；配合单位：… → mentions with roles.

A clause is recognised by its form, not its place: a bracketed list (or a
labelled list, or a last sentence) whose every item looks like an agency and
which carries a role word or label — or, without one, closes the paragraph.
Text such as 建立由科技部门牵头、相关部门配合的联动机制 is policy content: it is
neither bracketed nor a sentence made only of agencies, so it is left alone.
"""
from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from functools import lru_cache
from importlib import resources

from ..model import Clause, Mention, Span
from ..normalize import fold

__all__ = ["find_clauses", "parse_clause_body", "parse_agency_list", "clause_vocabulary"]

Piece = tuple[int, int]  # [start, end) into the folded document text
AgencyTest = Callable[[str], bool]

_OPEN, _CLOSE = "(", ")"
_MAX_CLAUSE = 600


@lru_cache(maxsize=1)
def clause_vocabulary() -> dict:
    """The clause vocabulary (role words, labels, trailers) from resources/clauses.json."""
    raw = json.loads((resources.files("policygraph") / "resources" / "clauses.json").read_text("utf-8"))
    by_length = lambda d: dict(sorted(d.items(), key=lambda kv: -len(kv[0])))  # noqa: E731
    return {
        "role_words": by_length(raw["role_words"]),
        "role_endings": tuple(raw["role_words"]),
        "labels": by_length(raw["labels"]),
        "list_trailers": sorted(raw["list_trailers"], key=len, reverse=True),
        "list_leaders": sorted(raw["list_leaders"], key=len, reverse=True),
        "conjunctions": sorted(raw["conjunctions"], key=len, reverse=True),
        "place_fragment": re.compile(raw["split_place_fragments"]),
        "label_re": re.compile("(" + "|".join(map(re.escape, by_length(raw["labels"]))) + r")\s*[:：]"),
    }


def _strip(folded: str, piece: Piece, chars: str = " \t\u3000\n,，;；。:：、") -> Piece:
    start, end = piece
    while start < end and folded[start] in chars:
        start += 1
    while end > start and folded[end - 1] in chars:
        end -= 1
    return start, end


def _split_top_level(folded: str, piece: Piece, separators: str) -> list[Piece]:
    """Split at separators that are not inside brackets."""
    out, depth, start = [], 0, piece[0]
    for i in range(piece[0], piece[1]):
        ch = folded[i]
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in separators:
            out.append((start, i))
            start = i + 1
    out.append((start, piece[1]))
    return [p for p in (_strip(folded, p) for p in out) if p[0] < p[1]]


def _strip_affixes(folded: str, piece: Piece, vocab: dict) -> Piece:
    start, end = _strip(folded, piece)
    for leader in vocab["list_leaders"]:
        if folded.startswith(leader, start, end) and end - start > len(leader) + 1:
            start += len(leader)
            break
    for trailer in vocab["list_trailers"]:
        if folded.endswith(trailer, start, end) and end - start > len(trailer) + 1:
            end -= len(trailer)
            break
    return _strip(folded, (start, end))


def _items(folded: str, piece: Piece, is_agency: AgencyTest, vocab: dict, separators: str = "、") -> list[Piece] | None:
    """Split a list of agencies into items, or None if some item is not an agency."""
    raw = _split_top_level(folded, _strip_affixes(folded, piece, vocab), separators)
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
    out: list[Piece] = []
    for item in merged:
        item = _strip_affixes(folded, item, vocab)
        if item[0] >= item[1]:
            continue
        surface = folded[item[0]:item[1]]
        if is_agency(surface):
            out.append(item)
            continue
        split = _split_conjunction(folded, item, is_agency, vocab)
        if split is None:
            return None
        out.extend(split)
    return out or None


def parse_agency_list(folded: str, piece: Piece, is_agency: AgencyTest) -> list[Piece] | None:
    """Split a list of agencies (a table cell, a labelled list) into item ranges, or None if one is not an agency."""
    vocab = clause_vocabulary()
    piece = _strip(folded, piece)
    items: list[Piece] = []
    for group in _split_top_level(folded, piece, ",，;；"):
        found = _items(folded, group, is_agency, vocab)
        if found is None:
            return None
        items.extend(found)
    return items


def _split_conjunction(folded: str, item: Piece, is_agency: AgencyTest, vocab: dict) -> list[Piece] | None:
    text = folded[item[0]:item[1]]
    for conj in vocab["conjunctions"]:
        for m in re.finditer(re.escape(conj), text):
            left = _strip(folded, (item[0], item[0] + m.start()))
            right = _strip(folded, (item[0] + m.end(), item[1]))
            if left[0] < left[1] and right[0] < right[1] and is_agency(folded[left[0]:left[1]]):
                rest = _items(folded, right, is_agency, vocab)
                if rest:
                    return [left, *rest]
    return None


def _trailing_role(folded: str, piece: Piece, vocab: dict) -> tuple[Piece, str | None]:
    start, end = piece
    for word, role in vocab["role_words"].items():
        if folded.endswith(word, start, end) and end - start > len(word):
            return _strip(folded, (start, end - len(word))), role
    return piece, None


def parse_clause_body(folded: str, piece: Piece, is_agency: AgencyTest) -> tuple[list[tuple[Piece, str]], bool] | None:
    """Parse the inside of a clause into ``([(item, role), ...], has_role)``, or None.

    ``folded`` is the folded document text and ``piece`` the clause body's
    range in it, so the items come back as ranges of the same text.
    """
    vocab = clause_vocabulary()
    piece = _strip(folded, piece)
    if piece[0] >= piece[1] or piece[1] - piece[0] > _MAX_CLAUSE:
        return None
    labels = list(vocab["label_re"].finditer(folded, piece[0], piece[1]))
    if labels and _strip(folded, (piece[0], labels[0].start()))[0] >= labels[0].start():
        out: list[tuple[Piece, str]] = []
        for i, m in enumerate(labels):
            end = labels[i + 1].start() if i + 1 < len(labels) else piece[1]
            group, role_word = _trailing_role(folded, _strip(folded, (m.end(), end)), vocab)
            items = _items(folded, group, is_agency, vocab, "、,")
            if items is None:
                return None
            out.extend((item, vocab["labels"][m.group(1)]) for item in items)
        return out, True
    out, pending, has_role = [], [], False
    for group in _split_top_level(folded, piece, ",，;；"):
        group, role = _trailing_role(folded, group, vocab)
        items = _items(folded, group, is_agency, vocab)
        if items is None:
            return None
        pending.extend(items)
        if role:
            has_role = True
            out.extend((item, role) for item in pending)
            pending = []
    out.extend((item, "responsible") for item in pending)
    return (out, has_role) if out else None


_BRACKET_OR_NEWLINE = re.compile(f"[{re.escape(_OPEN + _CLOSE)}\n]")
_SENTENCE_END = re.compile("[。\n]")


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


def find_clauses(text: str, is_agency: AgencyTest, is_generic: Callable[[str], bool]) -> tuple[Clause, ...]:
    """Find every responsibility clause in a document.

    ``is_agency`` says whether a list item names an agency or a non-specific
    body; ``is_generic`` whether it names a non-specific one (相关行业主管部门).

    Examples
    --------
    >>> looks = lambda s: s.endswith(("厅", "委", "局", "部门", "政府"))
    >>> generic = lambda s: s.startswith(("相关", "有关"))
    >>> [c.mentions[0].role for c in find_clauses("（一）任务。（省科技厅牵头，省财政厅配合）", looks, generic)]
    ['lead']
    """
    folded = fold(text)
    found: list[tuple[Piece, list[tuple[Piece, str]]]] = []
    taken: list[Piece] = []
    for body in _bracket_groups(folded):
        parsed = parse_clause_body(folded, body, is_agency)
        if parsed is None:
            continue
        items, has_role = parsed
        if has_role or _closes_paragraph(folded, body[1] + 1):
            found.append(((body[0] - 1, body[1] + 1), items))
            taken.append((body[0] - 1, body[1] + 1))
    starts = [s for s, _ in taken]

    def inside(pos: int) -> bool:
        i = bisect.bisect_right(starts, pos) - 1
        return i >= 0 and pos < taken[i][1]

    vocab = clause_vocabulary()
    for sentence in _sentences(folded):
        sentence = _strip(folded, sentence, " \t\u3000")
        if sentence[0] >= sentence[1] or inside(sentence[0]):
            continue
        label = vocab["label_re"].search(folded, sentence[0], sentence[1])
        start = label.start() if label and not inside(label.start()) else sentence[0]
        if label is None and not _ends_with_role(folded, sentence, vocab):
            continue
        parsed = parse_clause_body(folded, (start, sentence[1]), is_agency)
        if parsed is None or not parsed[1]:
            continue
        found.append(((start, sentence[1]), parsed[0]))
    clauses = []
    for (start, end), items in sorted(found, key=lambda f: f[0]):
        mentions = tuple(
            Mention(surface=text[s:e], span=Span(s, e), role=role, generic=is_generic(folded[s:e]))
            for (s, e), role in items
        )
        if all(m.generic for m in mentions) and not _is_bracketed(folded, start):
            continue
        clauses.append(Clause(text=text[start:end], span=Span(start, end), mentions=mentions))
    return tuple(clauses)


def _ends_with_role(folded: str, piece: Piece, vocab: dict) -> bool:
    return folded.endswith(vocab["role_endings"], *_strip(folded, piece))


def _is_bracketed(folded: str, start: int) -> bool:
    return folded[start] == _OPEN
