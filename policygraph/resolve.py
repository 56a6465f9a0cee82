"""Resolution of agency mentions (省科技厅, 甘肃银监局, 各市州政府) to canonical agencies of a jurisdiction.

A mention is cleaned (full-width folded, whitespace and trailing 等/等部门
removed), checked against the generic-body list, then matched against the
patterns of ``agencies.csv``; the most specific pattern wins. Its jurisdiction
is the one the mention names (甘肃银监局, 兰州市政府, 国家发展改革委), else
the one its level word points to from the document's jurisdiction (省 in a
city's document is the province), else the document's own.
"""
from __future__ import annotations

import re
import weakref

from .extract.grammar import TRAILING_BRACKET, BodyGrammar, BodyJudge, load_grammar
from .extract.metadata import JurisdictionName
from .lexicon import AgencyPattern, AgencyRow, JurisdictionInfo, Lexicon, PatternMatch, load_lexicon, match_key
from .model import UNCLASSIFIED, Agency
from .knowledge import per_overlay, resource_json
from .normalize import fold

__all__ = ["clean_surface", "is_generic", "resolve_mention", "looks_like_agency", "canonical_key", "Resolver",
           "resolver_for", "UNCLASSIFIED"]


def _levels() -> dict:
    return resource_json("levels.json")


def _alternation(words) -> str:
    """A regex alternation of ``words``, longest first so a longer word wins over its head."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@per_overlay
def _trailing():
    return re.compile(rf"(?:{_alternation(_levels()['trailing_words'])})+$")


@per_overlay
def _leading():
    return re.compile(rf"^(?:{_alternation(_levels()['leading_words'])})")


_EDGE_PUNCT = ",.;:!?、，。；：！？\"'“”‘’《》<>"


@per_overlay
def _word_en():
    return _levels()["level_words_en"]


@per_overlay
def _level_word():
    return _levels()["level_word_of"]


def clean_surface(surface: str) -> str:
    """The mention as matched: folded, without whitespace, edge punctuation and trailing 等.

    >>> clean_surface("省科协等")
    '省科协'
    >>> clean_surface(" 各市（州）人民政府 ")
    '各市(州)人民政府'
    """
    text = re.sub(r"\s+", "", fold(surface)).strip(_EDGE_PUNCT)
    text = _leading().sub("", _trailing().sub("", text))
    return text.strip(_EDGE_PUNCT)


def is_generic(surface: str, lexicon: Lexicon | None = None) -> bool:
    """Whether a mention names a non-specific body (相关行业主管部门, 有关部门), not an agency.

    >>> is_generic("相关行业主管部门")
    True
    >>> is_generic("各市州政府")
    False
    """
    lex = lexicon or load_lexicon()
    text = clean_surface(surface)
    return bool(text) and (lex.is_generic(text) or lex.is_generic(match_key(text)))


def looks_like_agency(surface: str, lexicon: Lexicon | None = None) -> bool:
    """Whether a list item names a specific agency: a lexicon pattern or an agency-like ending matches.

    Generic bodies are not agencies here (ask :func:`is_generic`); policy words
    such as 众创空间 or 高校 are neither.

    >>> looks_like_agency("省科技厅"), looks_like_agency("众创空间"), looks_like_agency("高校")
    (True, False, False)
    """
    lex = lexicon or load_lexicon()
    text = clean_surface(surface)
    if not text or lex.is_generic(text):
        return False
    return lex.best_match(match_key(text), free_names=not _is_list(text)) is not None


def _is_list(text: str) -> bool:
    """Whether ``text`` holds a list separator outside brackets (省科技厅、省财政厅), so it is no single name."""
    if text.startswith(_levels()["collective_opener"]) and text.endswith(tuple(_levels()["government_words"])):
        return False  # one collective body: 各市、县（区）人民政府
    return bool(re.search(r"[、,;，；]", re.sub(r"\([^()]*\)", "", text)))


def canonical_key(agency: Agency) -> tuple[str, str]:
    """The key an agency's IRI is minted from: (jurisdiction, canonical name)."""
    return (agency.jurisdiction, agency.name)


def _document_jurisdiction(name: str, lex: Lexicon, within: str | None = None) -> JurisdictionInfo:
    """The document's jurisdiction; an unknown name becomes a stand-alone unit rather than an error.

    An unknown town (镇, 乡, 街道) lies in ``within``, the district its document names,
    and takes that district's division code so the levels above it are found.
    """
    found = lex.jurisdiction(name)
    if found is not None:
        return found
    kind = "province"
    words = _levels()
    if name.endswith(tuple(words["town_words"])):
        district = lex.jurisdiction(within) if within else None
        return JurisdictionInfo(name=name, short=name, abbr="", kind="town", prefixes=(), en=name, short_en=name,
                                adj=name, parent=district.name if district else None,
                                adcode=district.adcode if district else "")
    if name.endswith(tuple(words["prefecture_endings"])):
        kind = "prefecture"
    elif name.endswith(tuple(words["county_endings"])) and not name.endswith(tuple(words["county_not_endings"])):
        kind = "county"
    return JurisdictionInfo(name=name, short=name, abbr="", kind=kind, prefixes=(), en="",
                            short_en="", adj="", parent=None)


class _Fmt(dict):
    """Template values; a missing one renders as empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


def _target(m: PatternMatch, doc: JurisdictionInfo, lex: Lexicon) -> tuple[JurisdictionInfo, str | None]:
    """The jurisdiction a match belongs to, and the level word when it is a lower level than the document's."""
    if m.row.level == "central":
        return lex.national, None
    if m.prefix is not None and m.prefix.places:
        places = m.prefix.places
        if m.prefix.level_word:
            level = lex.level_of_word(m.prefix.level_word, doc)
            places = tuple(p for p in places if p.level == level) or places
        return lex.choose_place(places, doc), None
    word = m.prefix.level_word if m.prefix else None
    if word:
        level = lex.level_of_word(word, doc)
    elif m.row.level != "any":
        level = m.row.level
    else:
        level = doc.level
    found = lex.ancestor(doc, level)
    if found is not None:
        return found, None
    return doc, word or _level_word()[level]


def _city(m: PatternMatch, where: JurisdictionInfo, lex: Lexicon) -> tuple[JurisdictionInfo, str, str]:
    """For branches named after a city: (jurisdiction, city as written in the name, its English)."""
    city = m.city
    if city is None:
        if where.level == "municipal":
            city = where
        else:
            province = lex.province_of(where)
            city = lex.capital_of(province) or province
    province = lex.capital_province(city.short)
    if province is not None and (city is province or city.parent == province.name):
        return province, province.capital, province.capital_en or province.capital
    return city, city.name, lex.english(city).short


def _values(j: JurisdictionInfo, m: PatternMatch, j_text: str | None = None) -> _Fmt:
    return _Fmt(J=j_text or j.name, Js=j_text or j.short, X=m.x, M=m.rest)


def _english_values(j: JurisdictionInfo, m: PatternMatch, lex: Lexicon, lower_word: str | None) -> dict:
    """Placeholder → (English, romanised) for a row's ``en`` template; a free name with no English is left out."""
    english = lex.english(j)
    adj = f"{english.adj} {_word_en().get(lower_word, lower_word)}" if lower_word else english.adj
    out = {"Jen": (english.en, english.romanised), "Jadj": (adj, english.romanised),
           "Jsen": (english.short, english.romanised)}
    for key, text in (("X", m.x), ("M", m.rest)):
        found = lex.name_english(text) if text else None
        if found is not None:
            out[key] = found
    return out


def _english_name(template: str, values: dict) -> tuple[str | None, bool]:
    """A row's English name and whether a romanised name is part of it; None when a part has no English."""
    from string import Formatter

    used = {field for _, field, _, _ in Formatter().parse(template) if field}
    if used - values.keys():
        return None, False
    name = template.format_map({k: v[0] for k, v in values.items()}).strip()
    return name or None, any(values[k][1] for k in used)


def _agency(m: PatternMatch, doc: JurisdictionInfo, lex: Lexicon) -> Agency:
    row = m.row
    where, lower_word = _target(m, doc, lex)
    if where.level == "central" and row.level != "central" and lower_word is None:
        central = lex.central_row(row.type)
        if central is not None:
            m = PatternMatch(central, central.patterns[0], central.patterns[0].text)
            row, lower_word = central, None
    j_text = None
    if lower_word:
        j_text = ("" if where.level == "central" else where.name) + _levels()["collective_opener"] + lower_word
    values = _values(where, m, j_text)
    english = _english_values(where, m, lex, lower_word)
    if "{C}" in row.canonical:
        where, c_text, c_en = _city(m, where, lex)
        values = _values(where, m)
        values.update(C=c_text)
        english = _english_values(where, m, lex, None)
        english["Cen"] = (c_en, lex.english(where).romanised if c_text == where.name else False)
    if where.level == "central" and row.level != "central" and "{J}" in row.canonical and not lower_word:
        name = m.key
    else:
        name = row.canonical.format_map(values)
    name_en, romanised = _english_name(row.en, english) if row.en else (None, False)
    return Agency(
        name=name,
        jurisdiction=where.name,
        agency_type=row.type,
        name_en=name_en,
        manages=row.manages.format_map(values) or None if row.manages else None,
        collective=row.collective or bool(lower_word),
        romanised=romanised,
    )


def _at_town(text: str, doc: JurisdictionInfo, lex: Lexicon) -> str:
    """A town's own body as the patterns read it: 镇经发办 in 安亭镇's document is 安亭镇经发办.

    Only in a town's document, and not for names that merely open with the
    word (乡村振兴局, 乡镇). A town no table lists cannot open a pattern, so
    its bodies are read bare (经发办), which puts them in the document's town.
    """
    if doc.level != "town":
        return text
    text = _below_ancestors(text, doc, lex)
    known = lex.jurisdiction(doc.name) is not None
    if text.startswith(doc.name):
        return text if known or len(text) == len(doc.name) else text[len(doc.name):]
    words = _levels()
    if text.startswith(tuple(words["not_town_openings"])):
        return text
    for word in sorted(words["town_words"], key=len, reverse=True):
        if text.startswith(word) and len(text) > len(word):
            return (doc.name if known else "") + text[len(word):]
    return text


def _below_ancestors(text: str, doc: JurisdictionInfo, lex: Lexicon) -> str:
    """A name without the places above ``doc`` that open it: 上海市奉贤区人民政府头桥街道办事处 → 头桥街道办事处."""
    ancestors, up = [], lex.parent(doc)
    while up is not None:
        ancestors.append(up.name)
        up = lex.parent(up)
    rest = text
    while True:
        name = next((a for a in ancestors if rest.startswith(a)), None)
        if name is None:
            break
        rest = rest[len(name):]
        for word in _levels()["government_words"]:
            if rest.startswith(word):
                rest = rest[len(word):]
                break
    return rest if rest.startswith(doc.name) else text


def resolve_mention(surface: str, jurisdiction: str, lexicon: Lexicon | None = None,
                    within: str | None = None) -> Agency | None:
    """The canonical agency a mention names in a document of ``jurisdiction``; None for generic bodies.

    Parameters
    ----------
    surface : str
        The mention as written (省科技厅, 经济和信息化委, 人行兰州中心支行 …).
    jurisdiction : str
        Full name of the document's jurisdiction (甘肃省, 宁夏回族自治区, 兰州市, 吴泾镇, 中华人民共和国).
    lexicon : Lexicon, optional
        Defaults to the bundled lexicon.
    within : str, optional
        For a town no lexicon table lists, the district it lies in.

    Examples
    --------
    >>> resolve_mention("省科技厅", "甘肃省").name
    '甘肃省科学技术厅'
    >>> resolve_mention("经济和信息化委", "宁夏回族自治区").name
    '宁夏回族自治区经济和信息化委员会'
    >>> resolve_mention("发展改革委", "中华人民共和国").name
    '国家发展和改革委员会'
    >>> resolve_mention("有关部门", "甘肃省") is None
    True
    >>> resolve_mention("镇政府", "吴泾镇").name, resolve_mention("区发展改革委", "吴泾镇").name
    ('吴泾镇人民政府', '闵行区发展和改革委员会')
    """
    lex = lexicon or load_lexicon()
    doc = _document_jurisdiction(jurisdiction, lex, within)
    text = _at_town(lex.inner_place_first(clean_surface(surface)), doc, lex)
    if not text or lex.is_generic(text) or lex.is_generic(match_key(text)):
        return None
    match = lex.best_match(match_key(text), free_names=not _is_list(text))
    opener = _levels()["collective_opener"]
    loose = match is None or match.row.type == UNCLASSIFIED or match.x.startswith(opener)
    if loose and text.startswith(opener) and len(text) > len(opener) + 2:
        each = resolve_mention(text[len(opener):], jurisdiction, lex, within)
        if each is not None and each.collective and each.agency_type != UNCLASSIFIED:
            return each  # 各区发展改革委 in 上海市's plan: the districts' commissions, as 区发展改革委 there
    if match is None:
        return None
    return _agency(match, doc, lex)


_UNKNOWN_ROW = AgencyRow(type=UNCLASSIFIED, level="any", canonical="{J}{M}",
                         patterns=(AgencyPattern("{P}{X}", (("P", ""), ("X", "")), 0, True),))


def _leading_prefix(key: str, lex: Lexicon):
    """The longest jurisdiction prefix (区, 上海市, 中共嘉定区) that opens ``key`` and leaves a name after it."""
    for n in range(min(len(key) - 1, 12), 0, -1):
        prefix = lex.parse_prefix(key[:n])
        if prefix is not None and prefix.text:
            return prefix
    return None


class Resolver:
    """Resolution of mentions for one lexicon, remembering its answers.

    Corpora repeat the same few hundred surface forms, so the kind of an item
    and the agency a (surface, jurisdiction) pair resolves to are computed once
    per resolver. A resolver belongs to one lexicon: two lexicons never share answers.

    Examples
    --------
    >>> r = Resolver(load_lexicon())
    >>> r.kind("区重大办"), r.kind("有关部门"), r.kind("省科技厅"), r.kind("加强组织领导")
    ('body', 'generic', 'known', None)
    >>> a = r.resolve("各街镇", "嘉定区", unclassified=True)
    >>> a.name, a.agency_type, a.collective
    ('嘉定区各街道办事处和镇人民政府', 'LocalGovernment', True)
    >>> r.resolve("区城运中心", "嘉定区", unclassified=True).agency_type
    'OtherAgency'
    """

    def __init__(self, lexicon: Lexicon | None = None, grammar: BodyGrammar | None = None) -> None:
        self.lexicon = lexicon or load_lexicon()
        self.grammar = grammar or load_grammar()
        self._kinds: dict[str, str | None] = {}
        self._generic: dict[str, bool] = {}
        self._agencies: dict[tuple[str, str, bool, str | None], Agency | None] = {}
        self.judge = BodyJudge(kind=self.kind, generic=self.is_generic, grammar=self.grammar)
        self._names: tuple | None = None

    def jurisdiction_names(self) -> tuple[tuple[JurisdictionName, ...], tuple[JurisdictionName, ...]]:
        """Provinces (with short names and 文号 abbreviations), and cities and counties by full name."""
        if self._names is None:
            self._names = (
                tuple(JurisdictionName(j.name, j.short, j.abbr) for j in self.lexicon.jurisdictions),
                tuple(JurisdictionName(p.name, abbr=p.abbr, parent=p.parent or "", kind=p.kind)
                      for p in self.lexicon.places if len(p.name) >= 3),
            )
        return self._names

    def is_generic(self, surface: str) -> bool:
        """Whether a mention names a non-specific body (有关部门, 各联席会议成员单位)."""
        if surface not in self._generic:
            self._generic[surface] = is_generic(surface, self.lexicon)
        return self._generic[surface]

    def kind(self, surface: str) -> str | None:
        """``known``, ``generic``, ``place``, ``body``, ``weak`` or None (see :class:`BodyJudge`)."""
        if surface not in self._kinds:
            self._kinds[surface] = self._kind(surface)
        return self._kinds[surface]

    def _kind(self, surface: str) -> str | None:
        text = _core(clean_surface(surface))
        if not text:
            return None
        if self.grammar.is_prose(text):
            return None
        if self.is_generic(surface):
            return "generic"
        match = self.lexicon.best_match(match_key(text), free_names=not _is_list(text))
        if match is not None and match.row.type != UNCLASSIFIED:
            return "known"
        if len(text) >= 2 and self.lexicon.jurisdiction(text) is not None:
            return "place"
        shape = self.grammar.shape(text)
        return shape or ("body" if match is not None else None)

    def place(self, jurisdiction: str, within: str | None = None) -> JurisdictionInfo:
        """The jurisdiction a document's name denotes (an unknown town lies ``within`` its district)."""
        return _document_jurisdiction(jurisdiction, self.lexicon, within)

    def resolve(self, surface: str, jurisdiction: str, unclassified: bool = False,
                within: str | None = None) -> Agency | None:
        """The agency a mention names in a document of ``jurisdiction``.

        None for a generic body. A body no lexicon row describes gives None, or
        with ``unclassified=True`` an agency of type :data:`UNCLASSIFIED` at the
        level its prefix names (区 in a district's document: that district; 镇
        in a town's: that town). ``within`` is the district of a town no table lists.
        """
        key = (surface, jurisdiction, unclassified, within)
        if key not in self._agencies:
            self._agencies[key] = self._resolve(surface, jurisdiction, unclassified, within)
        return self._agencies[key]

    def _resolve(self, surface: str, jurisdiction: str, unclassified: bool, within: str | None) -> Agency | None:
        lex = self.lexicon
        doc = _document_jurisdiction(jurisdiction, lex, within)
        text = _at_town(lex.inner_place_first(_core(clean_surface(surface))), doc, lex)
        if not text or self.is_generic(surface):
            return None
        found = resolve_mention(text, jurisdiction, lex, within)
        if found is not None or not unclassified:
            return found
        place = lex.jurisdiction(text)
        if place is not None:
            government = resolve_mention(text + _levels()["government_words"][0], jurisdiction, lex, within)
            if government is not None:
                return government
        key = match_key(text)
        prefix = _leading_prefix(key, lex)
        match = PatternMatch(_UNKNOWN_ROW, _UNKNOWN_ROW.patterns[0], key, prefix, x=key[len(prefix.text):] if prefix else key)
        agency = _agency(match, doc, lex)
        own = _own_name(key, doc, lex)
        if prefix is not None and prefix.places:
            agency = Agency(name=key, jurisdiction=agency.jurisdiction, agency_type=UNCLASSIFIED)
        elif prefix is None and own:
            agency = Agency(name=key, jurisdiction=own.name, agency_type=UNCLASSIFIED)
        collective = key.startswith(_levels()["collective_opener"]) or agency.collective
        return Agency(name=agency.name, jurisdiction=agency.jurisdiction, agency_type=UNCLASSIFIED,
                      name_en=None, collective=collective)


_RESOLVERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def resolver_for(lexicon: Lexicon) -> Resolver:
    """The resolver of a lexicon: one per lexicon object, so documents of a corpus share its memory."""
    found = _RESOLVERS.get(lexicon)
    if found is None:
        found = _RESOLVERS[lexicon] = Resolver(lexicon)
    return found


def _core(text: str) -> str:
    """A name without a trailing bracket that qualifies it (各街镇（园区） → 各街镇)."""
    core = TRAILING_BRACKET.sub("", text)
    return core if len(core) >= 2 else text


def _own_name(key: str, doc: JurisdictionInfo, lex: Lexicon) -> JurisdictionInfo | None:
    """The document's jurisdiction (or one above it) whose short name opens ``key`` (立山经济开发区 in 立山区)."""
    info: JurisdictionInfo | None = doc
    while info is not None:
        for name in {info.name, info.short, _short(info.name)}:
            if len(name) >= 2 and key.startswith(name) and len(key) > len(name):
                return info
        info = lex.parent(info)
    return None


def _short(name: str) -> str:
    for suffix in _levels()["short_name_suffixes"]:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name
