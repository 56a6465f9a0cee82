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

_LEVEL = "省|自治区|市|县|区|州|盟|旗"
_NOT_IN_NAME = "的等和及与或对将把被做在、，,。；;：:（）()“”"
_BODY_SUFFIX = "部门联席会议|联席会议|工作领导小组|领导小组"
_GOVERNMENT_TAIL = "(?!办公厅|办公室|各部门|有关部门|部门|工作报告|令|各委|研究室|参事室|督查室)"
_SHORT_NAME = re.compile(r"\(\s*以下(?:简称|称)\s*[:：]?\s*[“\"']?([^)”\"'，,。]{2,20})[”\"']?\s*\)")


def _patterns(jurisdiction_names: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    names = "|".join(re.escape(n) for n in sorted(jurisdiction_names, key=len, reverse=True) if n)
    prefix = f"(?:(?:{names})(?:{_LEVEL})?|{_LEVEL})" if names else f"(?:{_LEVEL})"
    body = re.compile(f"({prefix}[^{_NOT_IN_NAME}\\s]{{2,30}}?(?:{_BODY_SUFFIX}))(?!成员|办公室)")
    government = re.compile(f"({prefix}(?:人民)?政府){_GOVERNMENT_TAIL}")
    return body, government

Resolver = Callable[[str], "Agency | None"]


def find_body_mentions(text: str, resolve: Resolver, known: set[str] = frozenset(),
                       jurisdiction_names: tuple[str, ...] = ()) -> list[tuple[str, Span, Agency]]:
    """Mentions of coordination bodies, of the document's own government and their 以下简称 short names.

    ``resolve`` maps a surface form to an agency of the document's jurisdiction;
    a government is kept only when it is among the ``known`` agency names
    (the issuer, or one named in a clause), so 各市人民政府 never becomes a body.
    A name must start with the jurisdiction (``jurisdiction_names``: 甘肃省,
    甘肃) or a level word (省, 自治区, 市 …), as these bodies' names do.
    """
    folded = fold(text)
    body_re, government_re = _patterns(tuple(jurisdiction_names))
    found: list[tuple[str, Span, Agency]] = []
    for m in body_re.finditer(folded):
        start, end = m.span(1)
        agency = resolve(folded[start:end])
        if agency is not None:
            found.append((text[start:end], Span(start, end), agency))
    for m in government_re.finditer(folded):
        agency = resolve(m.group(1))
        if agency is not None and agency.name in known:
            found.append((text[m.start(1):m.end(1)], Span(m.start(1), m.end(1)), agency))
    by_end = {span.end: agency for _, span, agency in found}
    for m in _SHORT_NAME.finditer(folded):
        agency = next((by_end[m.start() - gap] for gap in (0, 1, 2) if m.start() - gap in by_end), None)
        if agency is not None:
            start, end = m.span(1)
            found.append((text[start:end], Span(start, end), agency))
    return sorted(found, key=lambda f: f[1])
