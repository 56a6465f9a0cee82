"""Outline parsing: numbered headings 一、 （一） 1. （1） ① into :class:`OutlineNode` s with "三/二/1" paths.

Policy plans number their sections with a fixed family of styles. The level of
a heading comes from its style's rank, not from indentation, so a document
that jumps from 一、 straight to 1. still nests correctly. An appendix (附件)
restarts the numbering; its nodes carry ``part="附件"`` so their paths never
collide with the main text's. A top-level number seen twice in one part (two
plans printed in one file) starts an implicit part, ``"部分2"``. A box (专栏) interrupts the outline: the numbered
lines inside it are the box's list, not sub-items of the surrounding item.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from .knowledge import per_overlay, resource_json, using_overlay
from .model import OutlineNode, Span
from .normalize import fold

__all__ = ["segment", "distinct_paths", "iter_lines", "appendix_part", "appendix_starts", "heading_styles", "HEADING_STYLES"]


@per_overlay
def _outline() -> dict:
    """The outline vocabulary (``outline.json`` ``outline``) under the active overlay; patterns built from it are cached per overlay."""
    return resource_json("outline.json")["outline"]


def _chars(key: str) -> str:
    """A regex character-class body of the characters of outline entry ``key``."""
    return "".join(re.escape(c) for c in _outline()[key])


@per_overlay
def _cn_num():
    return _chars("heading_numerals")


@per_overlay
def _blanks():
    return _outline()["blanks"]


@per_overlay
def _appendix():
    return _outline()["appendix_word"]


@per_overlay
def heading_styles() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Heading styles in rank order (outermost first): (name, pattern on folded, left-stripped line), per overlay."""
    return (
        ("section", re.compile(rf"([{_cn_num()}]{{1,4}})\s*[{_chars('section_separators')}]")),
        ("item", re.compile(rf"\(([{_cn_num()}]{{1,4}})\)\s*")),
        ("subitem", re.compile(rf"(\d{{1,2}})\s*(?:[{_chars('subitem_separator')}]|\.(?!\d))")),
        ("subsubitem", re.compile(r"\((\d{1,2})\)\s*")),
        ("circled", re.compile(r"([\u2460-\u2473])")),
    )


with using_overlay(()):
    #: The packaged heading styles (:func:`heading_styles` gives those of the active overlay).
    HEADING_STYLES = heading_styles()


@per_overlay
def _rank():
    return {name: i for i, (name, _) in enumerate(heading_styles())}


@per_overlay
def _appendix_word():
    return r"\s*".join(re.escape(c) for c in _appendix())


@per_overlay
def _appendix_re():
    return re.compile(rf"{_appendix_word()}\s*(\d*)\s*[{_chars('colons')}]?\s*$"
                              rf"|{_appendix_word()}\s*(\d*)\s*[{_chars('colons')}]")


@per_overlay
def _box_re():
    return re.compile(rf"{re.escape(_outline()['box_word'])}(?:\s*[\d{_chars('box_numerals')}]+|\s*[{_chars('colons')}]|\s)")


@per_overlay
def _title_end_re():
    return re.compile(rf"[{_chars('title_end')}\n]")


@per_overlay
def _trailing_punct():
    return _outline()["trailing_punct"]


def line_number(text: str, offset: int) -> int:
    """The 1-based line of ``text`` that holds ``offset`` (for messages a user checks against the file).

    >>> line_number("一\\n二\\n三", 2)
    2
    """
    return text.count("\n", 0, offset) + 1


def line_numbers(text: str, offsets) -> dict[int, int]:
    """:func:`line_number` of each of ``offsets``, counting the newlines of ``text`` once rather than once per offset.

    >>> line_numbers("一\\n二\\n三", [4, 2, 0])
    {0: 1, 2: 2, 4: 3}
    """
    out, line, counted = {}, 1, 0
    for offset in sorted(set(offsets)):
        line += text.count("\n", counted, offset)
        counted = offset
        out[offset] = line
    return out


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(offset, line)`` for each line of ``text`` (without the newline).

    One line at a time, not a list of them all: the list was a second copy of
    the document, made by every stage that reads it line by line.

    >>> list(iter_lines("一\\n\\n二"))
    [(0, '一'), (2, ''), (3, '二')]
    """
    pos = 0
    while True:
        end = text.find("\n", pos)
        if end < 0:
            yield pos, text[pos:]
            return
        yield pos, text[pos:end]
        pos = end + 1


def _heading(folded_line: str) -> tuple[str, str, int] | None:
    """Match a heading at the start of a (left-stripped, folded) line: (style, number, end)."""
    for style, pattern in heading_styles():
        m = pattern.match(folded_line)
        if m:
            rest = folded_line[m.end():].strip()
            if not rest or rest[0] in _outline()["after_number"]:
                return None
            return style, m.group(1), m.end()
    return None


def _is_box_heading(folded_line: str) -> bool:
    """A 专栏 line: the word, an optional number, then a short title without sentence punctuation."""
    return bool(_box_re().match(folded_line)) and len(folded_line) <= 40 and not any(c in folded_line for c in _outline()["sentence_marks"])


def _resumes(stack: list[tuple[str, str]], style: str, number: str, box: list[str]) -> bool:
    """Whether a numbered line inside a box continues the outline's own list after the box.

    Box lists restart at 1, so a line continues the outline only when its number
    follows the last outline number of that style and is not the box's next number.
    """
    last = next((n for s, n in reversed(stack) if s == style), None)
    if last is None or not (last.isdigit() and number.isdigit()):
        return False
    box_next = int(box[-1]) + 1 if box and box[-1].isdigit() else 1
    return int(number) == int(last) + 1 and int(number) != box_next


@per_overlay
def _attachment_list_re():
    return re.compile(rf"\s*\d{{1,2}}\s*[{_chars('section_separators')}]")


_MAX_APPENDIX_HEADING = 60


def appendix_part(folded_line: str) -> str | None:
    """The part an appendix heading line opens ("附件", "附件2"), or None for any other line.

    A caption may follow on the same line (附件：嘉定区…重点任务分解表); the list
    of attachments in an issuing notice (附件：1.… 2.…) opens no part.

    >>> appendix_part("附件2：重点任务分工表"), appendix_part("附件："), appendix_part("附件：1.实施方案")
    ('附件2', '附件', None)
    """
    stripped = folded_line.strip(_blanks())
    m = _appendix_re().match(stripped)
    if m is None or len(stripped) > _MAX_APPENDIX_HEADING or any(c in stripped for c in _outline()["appendix_sentence_marks"]):
        return None
    if _attachment_list_re().match(stripped[m.end():]):
        return None
    return _appendix() + (m.group(1) or m.group(2) or "")


def appendix_starts(text: str) -> list[tuple[int, str]]:
    """``(offset, part)`` of every appendix heading line, in order.

    Numbers are kept only where they tell appendices apart: a document whose
    only appendix is 附件1 calls it 附件.

    >>> appendix_starts("正文\\n附件1\\n表\\n")
    [(3, '附件')]
    """
    folded = fold(text)
    found = []
    for offset, line in iter_lines(folded):
        part = appendix_part(line.lstrip(_blanks()))
        if part is not None:
            found.append((offset, part))
    numbered = {part for _, part in found if part != _appendix()}
    if len(numbered) == 1:
        found = [(offset, _appendix()) for offset, _ in found]
    return found


def _title(text: str, start: int, line_end: int) -> tuple[str, Span]:
    """The heading words after the number: up to the first 。 or the end of the line."""
    m = _title_end_re().search(text, start, line_end + 1)
    end = m.start() if m else line_end
    while end > start and text[end - 1] in _trailing_punct():
        end -= 1
    while start < end and text[start] in _blanks():
        start += 1
    return text[start:end], Span(start, end)


def segment(text: str) -> tuple[OutlineNode, ...]:
    """Parse the outline of a document.

    Examples
    --------
    >>> doc = "二、重点任务\\n（一）加快构建众创空间。内容。\\n1.优化布局。内容\\n"
    >>> [(n.outline, n.title) for n in segment(doc)]
    [('二', '重点任务'), ('二/一', '加快构建众创空间'), ('二/一/1', '优化布局')]
    """
    folded = fold(text)
    stack: list[tuple[str, str]] = []  # (style, number)
    part = ""
    seen_sections: set[str] = set()
    restarts = 0
    starts: list[tuple[int, tuple[str, ...], int, str, Span, str]] = []
    boundaries: list[int] = []
    box: list[str] | None = None  # numbers seen inside the current 专栏 box, None outside one
    appendices = dict(appendix_starts(text))
    for offset, line in iter_lines(folded):
        stripped = line.lstrip(_blanks())
        indent = len(line) - len(stripped)
        if _is_box_heading(stripped):
            box = []
            continue
        appendix = appendices.get(offset)
        if appendix is not None:
            part = appendix
            stack = []
            seen_sections = set()
            boundaries.append(offset)
            continue
        found = _heading(stripped)
        if not found:
            continue
        style, number, end = found
        rank = _rank()[style]
        if rank == 0:
            if number in seen_sections:
                restarts += 1
                part = f"{_outline()['implicit_part_prefix']}{restarts + 1}"
                seen_sections = set()
                stack = []
            seen_sections.add(number)
        if box is not None:
            if rank > _rank()["item"] and not _resumes(stack, style, number, box):
                box.append(number)
                continue
            box = None
        while stack and _rank()[stack[-1][0]] >= rank:
            stack.pop()
        stack.append((style, number))
        title, title_span = _title(text, offset + indent + end, offset + len(line))
        starts.append((offset + indent, tuple(n for _, n in stack), len(stack), title, title_span, part))
    return _outline_nodes(text, starts, boundaries)


def _outline_nodes(text: str, starts: list[tuple[int, tuple[str, ...], int, str, Span, str]],
                   boundaries: list[int]) -> tuple[OutlineNode, ...]:
    """The headings found, each spanning up to the next heading or part boundary, trailing blanks left out."""
    nodes = []
    cut_points = sorted({s[0] for s in starts} | set(boundaries) | {len(text)})
    for start, path, level, title, title_span, node_part in starts:
        end = cut_points[bisect_right(cut_points, start)]
        while end > start and text[end - 1] in "\n" + _blanks():
            end -= 1
        nodes.append(OutlineNode(path=path, level=level, title=title, title_span=title_span,
                                 span=Span(start, end), part=node_part))
    return tuple(nodes)


def distinct_paths(nodes) -> list[OutlineNode]:
    """``nodes`` (in document order) with every (part, path) told apart by its occurrence.

    Tasks, clauses and outline items are keyed by part and path, so a node
    whose path an earlier node of its part already holds (a compilation that
    prints the same plan twice, an item list that restarts under one heading, a
    task table repeated) would merge with it. Such a node gets its number's
    occurrence (``二#2``), and the nodes under it follow it; a node whose path
    is new, and everything under it, keeps its path unchanged.

    >>> span = Span(0, 1)
    >>> nodes = [OutlineNode(p, len(p), "", span, span) for p in [("一",), ("一", "1"), ("一",), ("一", "1"), ("二",)]]
    >>> [n.outline for n in distinct_paths(nodes)]
    ['一', '一/1', '一#2', '一#2/1', '二']
    """
    from dataclasses import replace

    mark = _outline()["occurrence_mark"]
    used: set[tuple[str, tuple[str, ...]]] = set()
    latest: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}
    out = []
    for node in nodes:
        parent = node.path[:-1]
        path = latest.get((node.part, parent), parent) + node.path[-1:]
        occurrence = 1
        while (node.part, path) in used:
            occurrence += 1
            path = path[:-1] + (f"{node.path[-1]}{mark}{occurrence}",)
        used.add((node.part, path))
        latest[(node.part, node.path)] = path
        out.append(node if path == node.path else replace(node, path=path))
    return out
