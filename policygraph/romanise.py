"""English forms of Chinese place names: the English table where it has an entry, else Hanyu Pinyin (pypinyin).

The suffix, ethnic-group and English-name tables are data (``resources/place_names.json``); this
module only splits a name (白银市 → 白银 + 市), looks its head up and, when the table has no
English for it, spells it in pinyin, saying so (``romanised``) so the graph can tell a known
English name from a spelled one. pypinyin is imported only when a name needs spelling.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from .knowledge import active_overlay, resource_json

__all__ = ["PlaceEnglish", "pinyin_name", "place_english", "designation_english", "is_han"]


@dataclass(frozen=True)
class PlaceEnglish:
    """A place's English noun (Baiyin City), short name (Baiyin) and adjective before a body's name (Baiyin Municipal)."""

    en: str
    short: str
    adj: str
    romanised: bool = False  # the head has no English entry: it is spelled in pinyin


def _table() -> dict:
    return resource_json("place_names.json")


def is_han(text: str) -> bool:
    """True when every character of a non-empty ``text`` is a CJK ideograph.

    >>> is_han("白银"), is_han("白银2"), is_han("")
    (True, False, False)
    """
    return bool(text) and all("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


@cache
def pinyin_name(text: str) -> str:
    """``text`` in Hanyu Pinyin written as one capitalised word, with an apostrophe before a, o, e syllables.

    Examples
    --------
    >>> pinyin_name("白银"), pinyin_name("石嘴山"), pinyin_name("西安")
    ('Baiyin', 'Shizuishan', "Xi'an")
    """
    from pypinyin import Style, lazy_pinyin

    syllables = [s for s in lazy_pinyin(text, style=Style.NORMAL, v_to_u=True) if s]
    word = "".join(("'" + s) if i and s[0] in "aoe" else s for i, s in enumerate(syllables))
    return word[:1].upper() + word[1:]


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {_table()['and']} {words[-1]}"


def _split(name: str) -> tuple[str, list[str], tuple[str, str, str] | None]:
    """(head, ethnic groups in English, suffix row) of a place name; a suffix never leaves nothing but itself."""
    suffix = None
    rest = name
    for row in sorted(_table()["suffixes"], key=lambda r: -len(r[0])):
        if name.endswith(row[0]) and len(name) > len(row[0]):
            suffix, rest = tuple(row), name[: -len(row[0])]
            break
    groups: list[str] = []
    if suffix is not None and suffix[0].startswith("自治"):
        ethnic = sorted(_table()["ethnic_groups"].items(), key=lambda kv: -len(kv[0]))
        while True:
            found = next(((zh, en) for zh, en in ethnic if rest.endswith(zh) and len(rest) >= len(zh)), None)
            if found is None:
                break
            groups.insert(0, found[1])
            rest = rest[: -len(found[0])]
    return rest, groups, suffix


def _head(head: str) -> tuple[str, bool]:
    english = _table()["names"].get(head)
    if english:
        return english, False
    return (pinyin_name(head), True) if is_han(head) else (head, False)


def place_english(name: str) -> PlaceEnglish:
    """The English of a place name with no English entry of its own (a city, county, district or town).

    Examples
    --------
    >>> place_english("白银市")
    PlaceEnglish(en='Baiyin City', short='Baiyin', adj='Baiyin Municipal', romanised=True)
    >>> place_english("临夏回族自治州").en, place_english("嘉定区").adj, place_english("喀什地区").en
    ('Linxia Hui Autonomous Prefecture', 'Jiading District', 'Kashgar Prefecture')
    """
    return _place_english(name, active_overlay())


@cache
def _place_english(name: str, overlay) -> PlaceEnglish:
    """:func:`place_english` with the ``place_names.json`` of ``overlay``, remembered per name and overlay."""
    head, groups, suffix = _split(name)
    head_en, romanised = _head(head) if head else ("", False)
    ethnic = _join(groups)
    noun = suffix[1] if suffix else ""
    adj = (suffix[2] or suffix[1]) if suffix else ""
    words = [w for w in (head_en, ethnic) if w]
    return PlaceEnglish(en=" ".join(words + [noun]).strip(), short=head_en or ethnic,
                        adj=" ".join(words + [adj]).strip(), romanised=romanised)


def designation_english(text: str, head_english: Callable[[str], tuple[str, bool] | None]) -> tuple[str, bool] | None:
    """The English of an area named after a place (兰州新区 → Lanzhou New Area), and whether it was romanised.

    ``head_english`` gives the English short name of a known place (兰州 → Lanzhou) or None. A head
    that is neither a known place nor an entry of the English table is spelled in pinyin when it is
    short enough to be a name; otherwise there is no English (None), rather than a phrase spelled
    out syllable by syllable.

    Examples
    --------
    >>> designation_english("石嘴山国家高新区", lambda head: None)
    ('Shizuishan National High-tech Zone', True)
    >>> designation_english("柴达木循环经济试验区", lambda head: None)
    ('Qaidam Circular Economy Pilot Zone', False)
    >>> designation_english("兰白科技创新改革试验区", lambda head: None) is None
    True
    """
    for zh, en in sorted(_table()["designations"], key=lambda r: -len(r[0])):
        if not text.endswith(zh) or len(text) == len(zh):
            continue
        head = text[: -len(zh)]
        known = head_english(head)
        if known is None and head in _table()["names"]:
            known = (_table()["names"][head], False)
        if known is None and is_han(head) and len(head) <= _table()["max_romanised_head"]:
            known = (pinyin_name(head), True)
        return (f"{known[0]} {en}", known[1]) if known else None
    return None
