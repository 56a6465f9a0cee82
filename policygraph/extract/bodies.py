"""Agencies named outside responsibility clauses: coordination bodies, the government itself, and 以下简称 aliases.

A plan often sets up a coordination body (…部门联席会议, …领导小组) and
refers to it by a short name afterwards (（以下简称联席会议）), and speaks of
its own government as 省政府. These surface forms belong to agencies too, so
they are collected as extra mentions of the document.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from ..model import Agency, Span
from ..normalize import fold

__all__ = ["find_body_mentions"]

_LEADING_VERBS = re.compile(r"^(?:建立健全|建立|成立|设立|组建|健全|完善|在|由|经|报|请|向|按照|根据|加强|发挥)+")
_COORDINATION = re.compile(
    r"((?:[\u4e00-\u9fff]{0,8}?(?:省|自治区|市|县|区))?[\u4e00-\u9fff]{2,30}?(?:部门联席会议|联席会议|工作领导小组|领导小组))"
    r"(?!成员|办公室|制度的|的成员)"
)
_GOVERNMENT = re.compile(r"((?:省|自治区|市|县)(?:人民)?政府)(?!办公厅|办公室|各部门|有关部门|部门|工作报告|令|各委)")
_SHORT_NAME = re.compile(r"\(\s*以下(?:简称|称)\s*[:：]?\s*[“\"']?([^)”\"'，,。]{2,20})[”\"']?\s*\)")

Resolver = Callable[[str], "Agency | None"]


def find_body_mentions(text: str, resolve: Resolver, known: set[str] = frozenset()) -> list[tuple[str, Span, Agency]]:
    """Mentions of coordination bodies, of the document's own government and their 以下简称 short names.

    ``resolve`` maps a surface form to an agency of the document's jurisdiction;
    a government is kept only when it is among the ``known`` agency names
    (the issuer, or one named in a clause), so 各市人民政府 never becomes a body.
    """
    folded = fold(text)
    found: list[tuple[str, Span, Agency]] = []
    for m in _COORDINATION.finditer(folded):
        start, end = m.span(1)
        lead = _LEADING_VERBS.match(folded, start, end)
        if lead:
            start = lead.end()
        if end - start < 4:
            continue
        agency = resolve(folded[start:end])
        if agency is not None:
            found.append((text[start:end], Span(start, end), agency))
    for m in _GOVERNMENT.finditer(folded):
        agency = resolve(m.group(1))
        if agency is not None and agency.name in known:
            found.append((text[m.start(1):m.end(1)], Span(m.start(1), m.end(1)), agency))
    for m in _SHORT_NAME.finditer(folded):
        before = [f for f in found if 0 <= m.start() - f[1].end <= 2]
        if before:
            start, end = m.span(1)
            found.append((text[start:end], Span(start, end), before[-1][2]))
    return sorted(found, key=lambda f: f[1])
