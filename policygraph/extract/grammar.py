"""The body grammar: whether a list item after a responsibility cue names a body or is prose.

Responsibility lists name agencies the lexicon knows, but also district
bureaus, street offices, companies and task forces it has never seen
(各街镇, 区消防支队, 上港集团, 全区经济运行各专班). Such an item is still a
body when it is shaped like one: short, ending in a body word (局 委 办 政府
街道 公司 …) and free of the marks of a sentence (的, 推进, 。). The words
live in ``resources/bodies.json``; this module only reads them and judges.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from policygraph.knowledge import per_overlay, resource_json

__all__ = ["BodyGrammar", "load_grammar", "BodyJudge", "STRONG_KINDS", "BODY_KINDS"]

#: Item kinds that count as a body in any responsibility list.
STRONG_KINDS = frozenset({"known", "generic", "place", "body"})
#: Item kinds that count as a body after an explicit cue (a label, a role word, a table column).
BODY_KINDS = STRONG_KINDS | {"weak"}

#: A bracket closing a name that qualifies it (各街镇（园区）, 各州(市)), on folded text.
TRAILING_BRACKET = re.compile(r"\([^()]*\)$")


@dataclass(frozen=True)
class BodyGrammar:
    """The shape of a body name, read from ``resources/bodies.json``."""

    strong_endings: tuple[str, ...]
    weak_endings: tuple[str, ...]
    prose_chars: frozenset[str]
    prose_words: re.Pattern[str] | None
    prose_exempt: tuple[str, ...]
    max_length: int
    min_length: int
    plate_endings: tuple[str, ...]
    plate_separator: re.Pattern[str]
    generic_after_etc: tuple[str, ...]
    joiners: tuple[str, ...]

    def is_prose(self, surface: str) -> bool:
        """Whether an item reads as a sentence rather than a name.

        >>> g = load_grammar()
        >>> g.is_prose("具体办法由省财政厅另行制定"), g.is_prose("区住房保障房屋管理局")
        (True, False)
        """
        if any(c in self.prose_chars for c in surface) or len(surface) > self.max_length:
            return True
        if self.prose_words is None:
            return False
        text = surface
        for exempt in self.prose_exempt:
            text = text.replace(exempt, "\x00")
        return bool(self.prose_words.search(text))

    def shape(self, surface: str) -> str | None:
        """``"body"`` for a strong body ending, ``"weak"`` for a weak one, None for anything else.

        A trailing bracket (各街镇（园区）, 各州(市)) does not hide the ending before it.

        >>> g = load_grammar()
        >>> g.shape("区消防支队"), g.shape("区图书馆"), g.shape("各街镇(园区)"), g.shape("海绵城市建设")
        ('body', 'weak', 'body', None)
        """
        if len(surface) < self.min_length or self.is_prose(surface):
            return None
        core = TRAILING_BRACKET.sub("", surface) or surface
        if core.endswith(self.strong_endings) and len(core) > 1:
            return "body"
        if core.endswith(self.weak_endings) and len(core) > 1:
            return "weak"
        return None

    def plates(self, inner: str) -> bool:
        """Whether a bracket's content lists other plates of the body before it (区公务员局, 区文明办)."""
        parts = [p for p in self.plate_separator.split(inner) if p]
        return bool(parts) and all(p.endswith(self.plate_endings) and len(p) >= 3 and not self.is_prose(p)
                                   for p in parts)


def _by_length(words) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=len, reverse=True))


@per_overlay
def load_grammar() -> BodyGrammar:
    """The bundled body grammar (read once).

    The plates in a bracket are split by the responsibility list's own plate
    separators (``clauses.json``), so the grammar judges the parts the list
    reader will cut.
    """
    return grammar_from(resource_json("bodies.json"), resource_json("clauses.json")["list_syntax"]["plate_separators"])


def grammar_from(raw: dict, plate_separators: str) -> BodyGrammar:
    """A :class:`BodyGrammar` from the parsed JSON of ``bodies.json`` and the characters between plates."""
    words = _by_length(raw.get("prose_words", ()))
    return BodyGrammar(
        strong_endings=_by_length(raw["strong_endings"]),
        weak_endings=_by_length(raw.get("weak_endings", ())),
        prose_chars=frozenset(raw.get("prose_chars", "")),
        prose_words=re.compile("|".join(map(re.escape, words))) if words else None,
        prose_exempt=_by_length(raw.get("prose_exempt", ())),
        max_length=int(raw.get("max_length", 32)),
        min_length=int(raw.get("min_length", 2)),
        plate_endings=_by_length(raw.get("plate_endings", ())),
        plate_separator=re.compile("[" + "".join(map(re.escape, plate_separators)) + "]"),
        generic_after_etc=_by_length(raw.get("generic_after_etc", ())),
        joiners=_by_length(raw.get("conjunction_joiners", ())),
    )


@dataclass(frozen=True)
class BodyJudge:
    """What the clause and table readers ask of a list item: its kind, or None when it names no body.

    ``kind`` is one of ``known`` (the lexicon has it), ``generic`` (有关部门),
    ``place`` (a jurisdiction's name, standing for its government), ``body``
    or ``weak`` (shaped like a body, see :class:`BodyGrammar`).
    """

    kind: Callable[[str], str | None]
    generic: Callable[[str], bool]
    grammar: BodyGrammar
