"""The agency lexicon: agency patterns, jurisdictions, places and generic bodies, loaded once from data files.

Knowledge lives in ``policygraph/resources/`` (``agencies.csv``, ``jurisdictions.csv``,
``places.tsv``, ``towns.csv``, ``generic_bodies.txt``) and in ``ontology/agency-types.ttl``; this
module only reads it and answers look-ups: which jurisdiction a name denotes,
whether a prefix such as 省政府 or 宁夏回族自治区 is a jurisdiction prefix, and
which agency patterns match a mention. Users add rows for other provinces'
bodies in their own directory (:func:`load_lexicon` ``extra_dirs``) without
touching code.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import SKOS

from .knowledge import Row, overlay_key, per_overlay, resource_json, resource_lines, resource_rows, using_overlay

from .errors import OntologyError, ResourceError
from .ontology import ontology_dir
from .romanise import PlaceEnglish, designation_english, place_english
from .vocab import PG, PG_NS

__all__ = [
    "JurisdictionInfo",
    "Prefix",
    "AgencyPattern",
    "AgencyRow",
    "PatternMatch",
    "Lexicon",
    "load_lexicon",
    "match_key",
    "LEVELS",
]

#: Administrative levels from the top; a jurisdiction's ``level`` is one of them.
LEVELS = ("central", "provincial", "municipal", "county", "town")

_RANK = {level: i for i, level in enumerate(LEVELS)}



def _levels() -> dict:
    return resource_json("levels.json")


@per_overlay
def _level_words() -> tuple[tuple[str, str], ...]:
    """Level words that may open an agency name, longest first, with the level they name.

    ``市`` is resolved against the document: province level in a municipality.
    """
    return tuple(sorted(((w, level) for w, level in _levels()["level_words"]), key=lambda wl: -len(wl[0])))


@per_overlay
def _central_words() -> tuple[str, ...]:
    return tuple(_levels()["central_words"])


@per_overlay
def _government_words() -> tuple[str, ...]:
    return tuple(_levels()["government_words"])


def _party_word() -> str:
    return _levels()["party_word"]

#: Characters dropped before matching, so 各市（州）人民政府 and 各市州政府 compare equal.
_DROP = str.maketrans("", "", "、()（）·•《》“”\"' \t\u3000")

@per_overlay
def _not_places() -> frozenset[str]:
    """Prefecture-level names that are not places (rows of the division table for grouping only)."""
    return frozenset(_levels()["not_places"])

_KIND_LEVEL = {"national": "central", "province": "provincial", "autonomous-region": "provincial",
               "municipality": "provincial", "sar": "provincial", "prefecture": "municipal",
               "county": "county", "town": "town", "township": "town", "subdistrict": "town"}

#: The kinds of ``towns.csv`` rows: units below a district or county.
TOWN_KINDS = ("town", "township", "subdistrict")


def match_key(text: str) -> str:
    """The form of a (folded) mention or pattern literal that matching compares.

    >>> match_key("各市、县(区)人民政府")
    '各市县区人民政府'
    """
    return text.translate(_DROP)


@dataclass(frozen=True)
class JurisdictionInfo:
    """A province-level unit, the nation, or a city or county from ``places.tsv``."""

    name: str  # full name: 甘肃省, 宁夏回族自治区, 兰州市, 中华人民共和国
    short: str  # 甘肃, 宁夏, 兰州, 中国
    abbr: str  # 文号 abbreviation: one character for a province (甘), |-separated ones for a town (闵吴); else empty
    kind: str  # province | autonomous-region | municipality | sar | national | prefecture | county | town | township | subdistrict
    prefixes: tuple[str, ...]  # level words its agencies use (省, 自治区, 市)
    en: str  # Gansu Province; empty for a place whose English is formed on demand (Lexicon.english)
    short_en: str  # Gansu
    adj: str  # Gansu Provincial
    capital: str = ""  # short name of the capital city (兰州)
    capital_en: str = ""
    parent: str | None = None  # full name of the parent jurisdiction
    adcode: str = ""

    @property
    def level(self) -> str:
        """One of :data:`LEVELS`."""
        return _KIND_LEVEL.get(self.kind, "provincial")


@dataclass(frozen=True)
class Prefix:
    """A parsed jurisdiction prefix such as 省政府, 宁夏回族自治区, 中共甘肃省 or empty."""

    text: str
    places: tuple[JurisdictionInfo, ...] = ()  # the jurisdictions a written name may denote
    level_word: str | None = None  # 省, 自治区, 市, 国家 …


@dataclass(frozen=True)
class AgencyPattern:
    """One surface pattern, split into literal and placeholder tokens."""

    text: str
    tokens: tuple[tuple[str, str], ...]  # ("lit", text) | ("P", "") | ("C", "") | ("X", "")
    literal_len: int
    has_x: bool


@dataclass(frozen=True)
class AgencyRow:
    """One row of ``agencies.csv``."""

    type: str
    level: str
    canonical: str
    patterns: tuple[AgencyPattern, ...]
    en: str = ""
    manages: str = ""
    collective: bool = False
    order: int = 0
    user: bool = False  # from an extra (user) table: wins ties


@dataclass(frozen=True)
class PatternMatch:
    """A row whose pattern matches a whole mention, with what the placeholders captured."""

    row: AgencyRow
    pattern: AgencyPattern
    key: str  # the matched mention (see :func:`match_key`)
    prefix: Prefix | None = None
    city: JurisdictionInfo | None = None
    city_text: str = ""
    x: str = ""

    @property
    def rest(self) -> str:
        """The mention without its leading jurisdiction prefix."""
        return self.key[len(self.prefix.text):] if self.prefix and self.key.startswith(self.prefix.text) else self.key

    def score(self) -> tuple:
        """Most specific first: more literal text, no free name, user rows, longer prefix, earlier row."""
        return (self.pattern.literal_len, not self.pattern.has_x, self.row.user,
                len(self.prefix.text) if self.prefix else 0, -self.row.order)


_PLACEHOLDER = re.compile(r"\{([PCX])\}")


def _compile_pattern(text: str) -> AgencyPattern:
    tokens: list[tuple[str, str]] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(text):
        if m.start() > pos:
            tokens.append(("lit", match_key(text[pos:m.start()])))
        tokens.append((m[1], ""))
        pos = m.end()
    if pos < len(text):
        tokens.append(("lit", match_key(text[pos:])))
    tokens = [t for t in tokens if t != ("lit", "")]
    literal = sum(len(v) for k, v in tokens if k == "lit")
    return AgencyPattern(text, tuple(tokens), literal, any(k == "X" for k, _ in tokens))


def _parse_agencies(rows: Sequence[Row], start: int) -> list[AgencyRow]:
    """``agencies.csv`` rows; ``start`` numbers them after the rows already read (their order breaks ties)."""
    out = []
    for i, row in enumerate(rows):
        rec = row.fields
        missing = [c for c in ("type", "canonical", "patterns") if not rec.get(c)]
        if missing:
            raise ResourceError(row.source, f"lacks {', '.join(missing)}; every row needs type, canonical and patterns",
                                line=row.line)
        level = rec.get("level") or "any"
        if level not in LEVELS + ("any",):
            raise ResourceError(row.source, f"has level {level!r}; use one of {', '.join(LEVELS)} or any", line=row.line)
        out.append(AgencyRow(
            type=rec["type"], level=level, canonical=rec["canonical"],
            patterns=tuple(_compile_pattern(p.strip()) for p in rec["patterns"].split("|") if p.strip()),
            en=rec.get("en", ""), manages=rec.get("manages", ""),
            collective=rec.get("collective", "").lower() in ("true", "1", "yes"),
            order=start + i, user=not row.packaged,
        ))
    return out


def _parse_jurisdictions(rows: Sequence[Row]) -> list[JurisdictionInfo]:
    out = []
    for row in rows:
        rec = row.fields
        if not rec.get("name"):
            raise ResourceError(row.source, "lacks its name", line=row.line)
        kind = rec.get("kind") or "province"
        out.append(JurisdictionInfo(
            name=rec["name"], short=rec.get("short") or rec["name"], abbr=rec.get("abbr", ""), kind=kind,
            prefixes=tuple(p for p in rec.get("prefixes", "").split("|") if p),
            en=rec.get("en") or rec["name"], short_en=rec.get("short_en") or rec.get("en") or rec["name"],
            adj=rec.get("adj") or rec.get("en") or rec["name"], capital=rec.get("capital", ""),
            capital_en=rec.get("capital_en", ""),
            parent=None if kind == "national" else _levels()["national"],
        ))
    return out


def _short_place_name(name: str, level: str) -> str:
    """The short form of a prefecture's name (兰州市 → 兰州, 临夏回族自治州 → 临夏); counties keep theirs."""
    if level != "prefecture":
        return name
    if name.endswith(_levels()["autonomous_prefecture_suffix"]):
        return name[:2]
    for suffix in _levels()["prefecture_suffixes"]:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _division_rows(rows: Sequence[Row]) -> list[tuple[str, str, str]]:
    """(code, name, level) of the ``places.tsv`` rows; a row without a numeric code or a level is an error."""
    out = []
    for row in rows:
        rec = row.fields
        code, name, level = rec.get("adcode", ""), rec.get("name", ""), rec.get("level", "")
        if not code.isdigit() or not name or not level:
            raise ResourceError(row.source, "needs a numeric adcode, a name and a level", line=row.line)
        out.append((code, name, level))
    return out


def _parse_places(rows: Sequence[tuple[str, str, str]], provinces: dict[str, JurisdictionInfo]) -> list[JurisdictionInfo]:
    province_by_code = {r[0][:2]: r[1] for r in rows if r[2] == "province"}
    prefectures = {r[0]: r[1] for r in rows if r[2] == "prefecture" and r[1] not in _not_places()}
    capitals = {j.capital: j for j in provinces.values() if j.capital}
    out = []
    for code, name, level in rows:
        if level == "province" or name in _not_places():
            continue
        province = province_by_code.get(code[:2])
        if level == "county":
            parent = prefectures.get(code[:4] + "00", province)
        else:
            parent = province
        short = _short_place_name(name, level)
        cap = capitals.get(short)
        is_capital = level == "prefecture" and cap is not None and cap.name == province
        out.append(JurisdictionInfo(
            name=name, short=short, abbr="", kind=level, prefixes=(name[-1],),
            en=f"{cap.capital_en} City" if is_capital else "", short_en=cap.capital_en if is_capital else "",
            adj=f"{cap.capital_en} Municipal" if is_capital else "",
            parent=parent, adcode=code,
        ))
    return out


def _parse_towns(rows: Sequence[Row], places: Sequence[JurisdictionInfo],
                 provinces: dict[str, JurisdictionInfo]) -> list[JurisdictionInfo]:
    """Rows of ``towns.csv``: towns, townships and subdistricts, each inside a district of ``places``.

    A town takes its district's division code, so the province and district
    above it are found the way a county's city is.
    """
    out = []
    for row in rows:
        rec = row.fields
        missing = [c for c in ("name", "kind", "district") if not rec.get(c)]
        if missing:
            raise ResourceError(row.source, f"lacks {', '.join(missing)}; every row needs name, kind and district",
                                line=row.line)
        if rec["kind"] not in TOWN_KINDS:
            raise ResourceError(row.source, f"has kind {rec['kind']!r}; use one of {', '.join(TOWN_KINDS)}",
                                line=row.line)
        code = provinces[rec["province"]].adcode[:2] if rec.get("province") in provinces else ""
        district = [p for p in places if p.name == rec["district"] and p.kind == "county" and p.adcode.startswith(code)]
        if not district:
            raise ResourceError(row.source, f"names district {rec['district']!r}, which places.tsv does not hold",
                                line=row.line)
        en = rec.get("en") or rec["name"]
        out.append(JurisdictionInfo(
            name=rec["name"], short=rec["name"], abbr=rec.get("abbr", ""), kind=rec["kind"], prefixes=(),
            en=en, short_en=en, adj=en, parent=district[0].name, adcode=district[0].adcode,
        ))
    return out


def _agency_types_file() -> Path:
    try:
        return ontology_dir() / "agency-types.ttl"
    except OntologyError:
        here = Path(__file__).resolve().parent
        for cand in (here / "_embedded" / "ontology", here.parent / "ontology"):
            if (cand / "agency-types.ttl").is_file():
                return cand / "agency-types.ttl"
        raise OntologyError("ontology/agency-types.ttl not found beside the policygraph package")


@dataclass(eq=False)
class Lexicon:
    """Loaded lexicon tables and the look-ups resolution needs.

    Build it with :func:`load_lexicon`; it is read-only after loading.
    """

    rows: tuple[AgencyRow, ...]
    jurisdictions: list[JurisdictionInfo]
    places: list[JurisdictionInfo]
    generic_patterns: tuple[re.Pattern[str], ...]
    types_file: Path | None = None
    overlay: tuple[Path, ...] = ()  # the --lexicon folders it was loaded with; extraction reads the other files with them
    _by_name: dict[str, JurisdictionInfo] = field(default_factory=dict, repr=False)
    _places_by_name: dict[str, list[JurisdictionInfo]] = field(default_factory=dict, repr=False)
    _prefix_cache: dict[str, Prefix | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for j in self.jurisdictions:
            self._by_name.setdefault(j.name, j)
        for j in self.jurisdictions:
            self._by_name.setdefault(j.short, j)
        for p in self.places:
            self._places_by_name.setdefault(p.name, []).append(p)
            if p.short != p.name:
                self._places_by_name.setdefault(p.short, []).append(p)
        self._max_name = max([len(n) for n in self._by_name] + [len(n) for n in self._places_by_name] + [1])

    # -- jurisdictions -------------------------------------------------------------------------

    def english(self, info: JurisdictionInfo) -> PlaceEnglish:
        """The English of a jurisdiction: its table entry, else its name romanised (see ``policygraph.romanise``).

        >>> lx = load_lexicon()
        >>> lx.english(lx.jurisdiction("甘肃省")).adj, lx.english(lx.jurisdiction("白银市")).adj
        ('Gansu Provincial', 'Baiyin Municipal')
        """
        if info.en:
            return PlaceEnglish(info.en, info.short_en, info.adj)
        return place_english(info.name)

    def name_english(self, text: str) -> tuple[str, bool] | None:
        """The English (adjective form) of a free name in an agency's name (白银市, 兰州新区), and whether it was
        romanised; None when it is neither a known place nor an area named after one.

        >>> load_lexicon().name_english("兰州新区")
        ('Lanzhou New Area', False)
        """
        place = self.jurisdiction(text)
        if place is not None:
            english = self.english(place)
            return english.adj, english.romanised

        def head(name: str) -> tuple[str, bool] | None:
            found = self.jurisdiction(name) or self.city(name)
            if found is None:
                return None
            english = self.english(found)
            return english.short, english.romanised

        return designation_english(text, head)


    def jurisdiction(self, name: str) -> JurisdictionInfo | None:
        """The jurisdiction a full or short name denotes (provinces first, then cities and counties).

        >>> load_lexicon().jurisdiction("宁夏").name
        '宁夏回族自治区'
        >>> load_lexicon().jurisdiction("兰州市").parent
        '甘肃省'
        """
        if name in self._by_name:
            return self._by_name[name]
        cands = [p for p in self._places_by_name.get(name, ()) if p.name == name]
        cands.sort(key=lambda p: (p.kind != "prefecture", p.adcode))
        return cands[0] if cands else None

    @property
    def national(self) -> JurisdictionInfo:
        """The nation (the ``national`` row of ``jurisdictions.csv``)."""
        for j in self.jurisdictions:
            if j.kind == "national":
                return j
        raise OntologyError("jurisdictions.csv has no national row")

    def parent(self, info: JurisdictionInfo) -> JurisdictionInfo | None:
        """The jurisdiction directly above ``info`` (a county's city, a city's province)."""
        if not info.parent:
            return None
        if info.adcode and info.kind in TOWN_KINDS:
            for p in self._places_by_name.get(info.parent, ()):
                if p.kind == "county" and p.adcode == info.adcode:
                    return p
        if info.adcode and info.kind == "county":
            for p in self._places_by_name.get(info.parent, ()):
                if p.adcode[:4] == info.adcode[:4]:
                    return p
        return self.jurisdiction(info.parent)

    def province_of(self, info: JurisdictionInfo) -> JurisdictionInfo:
        """The province-level unit containing ``info`` (itself for a province, the nation for the nation)."""
        while info.level not in ("provincial", "central"):
            up = self.parent(info)
            if up is None:
                return info
            info = up
        return info

    def ancestor(self, info: JurisdictionInfo, level: str) -> JurisdictionInfo | None:
        """``info`` or the unit above it at ``level``; None when ``level`` is below ``info``'s."""
        cur: JurisdictionInfo | None = info
        while cur is not None and _RANK[cur.level] > _RANK[level]:
            cur = self.parent(cur)
        if cur is None or _RANK[cur.level] < _RANK[level]:
            return None
        return cur

    def choose_place(self, candidates: Sequence[JurisdictionInfo], near: JurisdictionInfo) -> JurisdictionInfo:
        """Of the units a written name may denote, the one in ``near``'s province (else the first)."""
        province = self.province_of(near)
        code = province.adcode[:2] if province.adcode else ""
        for c in candidates:
            if c.kind in ("national", "province", "autonomous-region", "municipality", "sar"):
                return c
        for c in candidates:
            if (code and c.adcode.startswith(code)) or self.province_of(c).name == province.name:
                return c
        return candidates[0]

    def capital_of(self, province: JurisdictionInfo) -> JurisdictionInfo | None:
        """The capital city of a province-level unit as a place (兰州市 for 甘肃省)."""
        for p in self._places_by_name.get(province.capital, ()):
            if p.kind == "prefecture" and p.parent == province.name:
                return p
        return None

    def capital_province(self, city_short: str) -> JurisdictionInfo | None:
        """The province-level unit whose capital is ``city_short`` (兰州 → 甘肃省)."""
        for j in self.jurisdictions:
            if j.capital and j.capital == city_short and j.kind != "national":
                return j
        return None

    def level_name(self, info: JurisdictionInfo) -> str:
        """The level of ``info`` as ``pg:JurisdictionLevels`` names it: nation, province, city, district, county or town.

        >>> lx = load_lexicon()
        >>> [lx.level_name(lx.jurisdiction(n)) for n in ("上海市", "嘉定区", "大竹县", "安亭镇", "新虹街道")]
        ['province', 'district', 'county', 'town', 'town']
        """
        words = _levels()
        if info.level == "county" and info.name.endswith(tuple(words["district_endings"])):
            return "district"
        return words["level_names"][info.level]

    def level_of_word(self, word: str, near: JurisdictionInfo) -> str:
        """The level a prefix word names for a document of ``near``.

        市 is provincial in 北京市's documents and 区 in an autonomous region's (区科技厅 in Guangxi).
        """
        for w, level in _level_words():
            if w == word:
                if w == _levels()["municipality_word"] and self.province_of(near).kind == "municipality":
                    return "provincial"
                if w == _levels()["region_word"] and near.kind == "autonomous-region":
                    return "provincial"
                return level
        return near.level

    # -- prefixes and patterns -----------------------------------------------------------------

    def _names_at(self, text: str) -> Iterator[tuple[str, tuple[JurisdictionInfo, ...]]]:
        """Jurisdiction names that open ``text``, longest first."""
        for n in range(min(len(text), self._max_name), 0, -1):
            head = text[:n]
            found: list[JurisdictionInfo] = []
            if head in self._by_name:
                found.append(self._by_name[head])
            found.extend(self._places_by_name.get(head, ()))
            if found:
                yield head, tuple(found)

    def inner_place_first(self, text: str) -> str:
        """``text`` without the places that open it above the place it names next.

        A body named with its whole chain of places is the inner place's body:
        上海市嘉定区发展和改革委员会 is 嘉定区's commission, 甘肃省兰州市科学技术局 is 兰州市's
        bureau. The inner place must lie within the outer one, so a name that only
        opens with two place words (a province and a body named after a city) is kept.

        >>> lx = load_lexicon()
        >>> lx.inner_place_first("上海市嘉定区发展和改革委员会"), lx.inner_place_first("上海市人民政府办公厅")
        ('嘉定区发展和改革委员会', '上海市人民政府办公厅')
        """
        rest = text
        while True:
            inner = self._inner_after_outer(rest)
            if inner is None:
                return rest
            rest = inner

    def _inner_after_outer(self, text: str) -> str | None:
        for name, outers in self._names_at(text):
            after = text[len(name):]
            for word in ("", *_government_words()):
                if word and not after.startswith(word):
                    continue
                rest = after[len(word):]
                for inner_name, inners in self._names_at(rest):
                    if len(inner_name) < 2 or len(rest) == len(inner_name) and word:
                        continue
                    if any(self._within(inner, outer) for inner in inners for outer in outers):
                        return rest
        return None

    def _within(self, inner: JurisdictionInfo, outer: JurisdictionInfo) -> bool:
        """Whether ``outer`` is above ``inner`` in the division tables."""
        up = self.parent(inner)
        while up is not None:
            if up.name == outer.name and up.level == outer.level:
                return True
            up = self.parent(up)
        return False

    def parse_prefix(self, text: str) -> Prefix | None:
        """Parse a jurisdiction prefix (中共? name? level-word? 政府?), or None if ``text`` is not one.

        >>> lx = load_lexicon()
        >>> lx.parse_prefix("省政府").level_word
        '省'
        >>> lx.parse_prefix("宁夏回族自治区").places[0].name
        '宁夏回族自治区'
        >>> lx.parse_prefix("团省") is None
        True
        """
        if text in self._prefix_cache:
            return self._prefix_cache[text]
        result = self._parse_prefix(text)
        self._prefix_cache[text] = result
        return result

    def _parse_prefix(self, text: str) -> Prefix | None:
        if text == "":
            return Prefix("")
        body = text[len(_party_word()):] if text.startswith(_party_word()) else text
        options: list[tuple[str, tuple[JurisdictionInfo, ...]]] = list(self._names_at(body)) + [("", ())]
        for name, places in options:
            rest = body[len(name):]
            word = None
            for w, _level in _level_words():
                if rest.startswith(w) and not (name and w in _central_words()):
                    word, rest = w, rest[len(w):]
                    break
            for g in _government_words():
                if rest.startswith(g):
                    rest = rest[len(g):]
                    break
            if rest == "" and (name or word):
                return Prefix(text, places, word)
        return None

    def city(self, text: str) -> JurisdictionInfo | None:
        """A city named in a branch's name (兰州, 兰州市, 西宁): a prefecture, or the capital of a province."""
        prov = self.capital_province(text)
        if prov is not None:
            return self.capital_of(prov) or prov
        cands = [p for p in self._places_by_name.get(text, ()) if p.kind == "prefecture"]
        return cands[0] if cands else None

    def matches(self, key: str) -> list[PatternMatch]:
        """Every row pattern that matches the whole ``key`` (see :func:`match_key`)."""
        found = []
        for row in self.rows:
            for pat in row.patterns:
                first, last = pat.tokens[0], pat.tokens[-1]
                if first[0] == "lit" and not key.startswith(first[1]):
                    continue
                if last[0] == "lit" and not key.endswith(last[1]):
                    continue
                for groups in self._match(pat.tokens, key, 0, {}):
                    found.append(PatternMatch(row, pat, key, groups.get("P"), groups.get("C"),
                                              groups.get("Ctext", ""), groups.get("X", "")))
        return found

    def best_match(self, key: str, free_names: bool = True) -> PatternMatch | None:
        """The most specific pattern match for ``key``, or None.

        ``free_names=False`` leaves out patterns with a free name ``{X}``: a
        list such as 省科技厅、省财政厅 must not pass as one unknown agency.
        """
        found = [m for m in self.matches(key) if free_names or not m.pattern.has_x]
        return max(found, key=PatternMatch.score) if found else None

    def _match(self, tokens, s: str, i: int, groups: dict) -> Iterator[dict]:
        if not tokens:
            if i == len(s):
                yield groups
            return
        kind, value = tokens[0]
        if kind == "lit":
            if s.startswith(value, i):
                yield from self._match(tokens[1:], s, i + len(value), groups)
            return
        start = i if kind == "P" else i + 1
        for j in range(start, len(s) + 1):
            piece = s[i:j]
            if kind == "P":
                prefix = self.parse_prefix(piece)
                if prefix is not None:
                    yield from self._match(tokens[1:], s, j, {**groups, "P": prefix})
            elif kind == "C":
                city = self.city(piece)
                if city is not None:
                    yield from self._match(tokens[1:], s, j, {**groups, "C": city, "Ctext": piece})
            elif kind == "X":
                if len(piece) >= (1 if "P" in groups else 2):
                    yield from self._match(tokens[1:], s, j, {**groups, "X": piece})

    def central_row(self, agency_type: str) -> AgencyRow | None:
        """The first central row of a type: what a bare 发展改革委 means in a national document."""
        for row in self.rows:
            if row.type == agency_type and row.level == "central":
                return row
        return None

    # -- generic bodies and types --------------------------------------------------------------

    def is_generic(self, key: str) -> bool:
        """Whether a cleaned mention is a non-specific body (有关部门)."""
        return any(p.fullmatch(key) for p in self.generic_patterns)

    @functools.cached_property
    def agency_types(self) -> dict[str, tuple[str, str]]:
        """Agency-type concepts of ``pg:AgencyTypes``: local name → (zh label, en label)."""
        path = self.types_file or _agency_types_file()
        graph = Graph().parse(path, format="turtle")
        out: dict[str, tuple[str, str]] = {}
        for concept in graph.subjects(SKOS.inScheme, PG.AgencyTypes):
            labels = {lit.language: str(lit) for lit in graph.objects(concept, SKOS.prefLabel) if isinstance(lit, Literal)}
            out[str(concept)[len(PG_NS):]] = (labels.get("zh", ""), labels.get("en", ""))
        return dict(sorted(out.items()))


def _user_first(rows: Sequence[Row]) -> list[Row]:
    """An overlay's rows before the packaged ones: they win where both describe the same thing."""
    return [r for r in rows if not r.packaged] + [r for r in rows if r.packaged]


def _overriding(rows: Sequence[Row], parse) -> list[JurisdictionInfo]:
    """Parsed overlay rows, then the packaged ones whose name no overlay row takes: an overlay's row replaces them."""
    user = parse([r for r in rows if not r.packaged])
    names = {j.name for j in user}
    return user + [j for j in parse([r for r in rows if r.packaged]) if j.name not in names]


def _generic_patterns(lines: Sequence[Row]) -> tuple[re.Pattern[str], ...]:
    out = []
    for line in lines:
        try:
            out.append(re.compile(line.fields))
        except re.error as exc:
            raise ResourceError(line.source, f"is not a valid regular expression ({exc})", line=line.line) from exc
    return tuple(out)


def _build(extra_dirs: tuple[Path, ...]) -> Lexicon:
    with using_overlay(extra_dirs):
        agencies = _user_first(resource_rows("agencies.csv"))
        rows = _parse_agencies(agencies, 0)
        juris = _overriding(resource_rows("jurisdictions.csv"), _parse_jurisdictions)
        provinces = {j.name: j for j in juris}
        divisions = _division_rows(resource_rows("places.tsv"))
        codes = {name: code for code, name, level in divisions if level == "province"}
        juris = [JurisdictionInfo(**{**j.__dict__, "adcode": j.adcode or codes.get(j.name, "")}) for j in juris]
        compiled = _generic_patterns(_user_first(resource_lines("generic_bodies.txt")))
        places = _parse_places(divisions, provinces)
        by_name = {j.name: j for j in juris}
        towns = _overriding(resource_rows("towns.csv"), lambda rows: _parse_towns(rows, places, by_name))
        return Lexicon(tuple(rows), juris, places + towns, compiled, overlay=extra_dirs)


@functools.lru_cache(maxsize=8)
def _cached(extra_dirs: tuple[Path, ...]) -> Lexicon:
    return _build(extra_dirs)


def load_lexicon(extra_dirs: Sequence[Path] = ()) -> Lexicon:
    """Load the bundled lexicon plus the tables found in ``extra_dirs`` (cached).

    Each extra directory may hold any file of ``policygraph/resources/`` in the bundled
    format (see :mod:`policygraph.knowledge`); its rows are added, and in ``agencies.csv``,
    ``jurisdictions.csv`` and ``towns.csv`` they win over bundled rows, so a user can teach
    the resolver a new body without touching code. The lexicon keeps the folders as
    ``overlay``, and extraction with it reads every other knowledge file through them.

    >>> lx = load_lexicon()
    >>> lx.jurisdiction("甘肃省").capital
    '兰州'
    """
    return _cached(overlay_key(extra_dirs))
