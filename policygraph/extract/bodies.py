"""Agencies named outside responsibility clauses: coordination bodies, the government itself, and 以下简称 aliases.

A plan often sets up a coordination body (…部门联席会议, …领导小组) and
refers to it by a short name afterwards (（以下简称联席会议）), and speaks of
its own government as 省政府. These surface forms belong to agencies too, so
they are collected as extra mentions of the document.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from ..knowledge import active_overlay, alternation, per_overlay, resource_json
from ..model import Agency, Span
from ..normalize import fold

__all__ = ["find_body_mentions"]


def _char_class(chars: str) -> str:
    return "".join(re.escape(c) for c in chars)


def _lexicon() -> dict:
    return resource_json("bodies.json")["mentions"]


@per_overlay
def _short_name() -> re.Pattern[str]:
    lex = _lexicon()
    close = _char_class(lex["short_name_close_quotes"])
    return re.compile(
        rf"\(\s*(?:{alternation(lex['short_name_cues'])})\s*[{_char_class(lex['short_name_colons'])}]?"
        rf"\s*[{_char_class(lex['short_name_open_quotes'])}]?"
        rf"([^){close}{_char_class(lex['short_name_ends'])}]{{2,20}})[{close}]?\s*\)")


def _patterns(jurisdiction_names: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    return _patterns_in(jurisdiction_names, active_overlay())


@cache
def _patterns_in(jurisdiction_names: tuple[str, ...], overlay) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The body and government patterns for these jurisdiction names, built from ``bodies.json`` under ``overlay``."""
    lex = _lexicon()
    level = alternation(lex["level_words"])
    names = alternation(n for n in jurisdiction_names if n)
    prefix = f"(?:(?:{names})(?:{level})?|{level})" if names else f"(?:{level})"
    body = re.compile(f"({prefix}[^{_char_class(lex['not_in_name'])}\\s]{{2,30}}?"
                      f"(?:{alternation(lex['coordination_endings'])}))"
                      f"(?!{alternation(lex['not_after_coordination'])})")
    government = re.compile(f"({prefix}(?:{alternation(lex['government_names'])}))"
                            f"(?!{alternation(lex['not_after_government'])})")
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
    for m in _short_name().finditer(folded):
        agency = next((by_end[m.start() - gap] for gap in (0, 1, 2) if m.start() - gap in by_end), None)
        if agency is not None:
            start, end = m.span(1)
            found.append((text[start:end], Span(start, end), agency))
    return sorted(found, key=lambda f: f[1])
