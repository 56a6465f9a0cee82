"""Named parks, funds and programs: candidates ending in a type word, kept only when they have a proper name."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from ..knowledge import per_overlay, resource_json, resource_rows
from ..model import NamedEntity, Span
from ..normalize import entity_key, fold

__all__ = ["extract_named", "entity_key", "Vocabulary", "load_vocabulary", "is_named"]

def _syntax() -> dict:
    """The marks around named things (``named.json`` ``syntax``), under the active overlay."""
    return resource_json("named.json")["syntax"]


def _quote_pairs() -> dict[str, str]:
    return _syntax()["quote_pairs"]


@per_overlay
def _open_quotes() -> frozenset[str]:
    return frozenset(_quote_pairs().values())


_MAX_NAME = 40


def _is_name_char(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch == "·" or ch.isascii() and (ch.isalnum() or ch == "+")


@dataclass(frozen=True)
class Vocabulary:
    """The word lists of ``resources/named.json`` and the gazetteer, ready for matching."""

    suffix_kind: dict[str, str]
    suffixes: tuple[str, ...]  # longest first
    false_suffix_starts: dict[str, tuple[str, ...]]  # 创 before 新区: 创新 + 区, not a new area
    plural_park_types: frozenset[str]
    formal_park_types: tuple[str, ...]  # longest first
    park_patterns: tuple[re.Pattern, ...]
    open_end_suffixes: frozenset[str]  # park type words that end a name whatever follows
    quoted_model_joiners: tuple[str, ...]
    divisions: tuple[str, ...]  # administrative divisions named like parks (浦东新区)
    province_head_suffixes: tuple[str, ...]
    province_heads: frozenset[str]  # provinces (full and short) and the zone brands of ``known_heads``
    level_prefixes: tuple[str, ...]  # longest first
    level_fund_types: tuple[str, ...]
    works_endings: dict[str, tuple[str, ...]]  # per type word: activities that make it works, not a program
    works_fillers: tuple[str, ...]
    schedule_re: re.Pattern
    sector_markers: tuple[str, ...]
    left: frozenset[str]
    left_blockers: tuple[str, ...]  # words that end in a boundary word without being one (自由)
    weak_left: frozenset[str]
    leading: tuple[str, ...]
    conjunctions: frozenset[str]
    leading_conjunctions: tuple[str, ...]  # longest first: 与产业用地“两评估…”专项行动 starts after 与
    right: tuple[str, ...]
    right_blockers: tuple[str, ...]
    scope_prefixes: tuple[str, ...]
    org_re: re.Pattern
    count_re: re.Pattern
    town_re: re.Pattern  # 七宝镇, 金汇镇: towns are below the gazetteer's counties
    places: frozenset[str]  # with the well-known zone brands and regions of ``known_heads``
    place_initials: tuple[frozenset[str], ...]  # per province: first characters of its prefectures
    generic_quoted: frozenset[str]
    bound_morphemes: tuple[str, ...]  # 性, 型, 式, 化: they end a word (示范性, 专业型), never start one
    generic_words: dict[str, frozenset[str]]
    common_words: frozenset[str]
    works_words: frozenset[str]  # construction works, campaigns and schedules, with the common words
    split_words: dict[str, frozenset[str]]  # per kind: what a weak boundary may split off as generic
    max_boundary: int


def _place_forms(rows: list[tuple[str, str, str]], conf: dict) -> tuple[set[str], list[set[str]]]:
    """Full names, and short forms (兰州市→兰州, 宁夏回族自治区→宁夏) of provinces, prefectures and county-level cities."""
    excludes = conf["place_name_excludes"]
    suffix_re = re.compile("(?:" + "|".join(sorted(conf["place_suffixes"], key=len, reverse=True)) + ")$")
    ethnic_re = re.compile(conf["place_ethnic_pattern"])
    generic = {w for words in conf["generic_words"].values() for w in words}
    forms: set[str] = set()
    initials: dict[str, set[str]] = {}
    for code, name, level in rows:
        if name in excludes or any(word in name for word in excludes if len(word) > 1):
            continue
        forms.add(name)
        short = suffix_re.sub("", name)
        ethnic = ethnic_re.match(short)
        short = ethnic["short"] if ethnic else short
        wants_short = (level in conf["place_level_short"] or name.endswith(tuple(_syntax()["short_form_endings"]))
                       or level == "county" and name.endswith(tuple(conf["county_short_suffixes"]))
                       and short not in generic)
        if wants_short and len(short) >= 2:
            forms.add(short)
            if level == "prefecture":
                initials.setdefault(code[:2], set()).add(short[0])
    return forms, [frozenset(s) for s in initials.values()]


def _works_endings(conf: dict) -> dict[str, tuple[str, ...]]:
    """The activity words that end works, campaigns and schedules, for each program type word that takes them."""
    lists = {head: conf[key] for head, key in _syntax()["endings_by_head"].items()}
    endings = {}
    for suffix in conf["suffixes"]["program"]:
        words = {w for word, listed in lists.items() if word in suffix for w in listed}  # 行动计划: both
        endings[suffix] = tuple(sorted(words, key=len, reverse=True))
    return endings


@per_overlay
def load_vocabulary() -> Vocabulary:
    """Read ``named.json`` and the division rows of ``places.tsv`` once per overlay."""
    conf = resource_json("named.json")
    rows = [(r.fields["adcode"], r.fields["name"], r.fields["level"]) for r in resource_rows("places.tsv")]
    places, initials = _place_forms(rows, conf)
    suffix_kind = {s: kind for kind, words in conf["suffixes"].items() for s in words}
    boundaries = conf["left_boundaries"] + conf["weak_left_boundaries"] + conf["conjunctions"]
    not_after = "".join(conf["org_suffix_not_followed_by"])
    org_re = re.compile(
        "^(.{2,14}?)(?:" + "|".join(conf["org_suffixes"]) + ")" + (f"(?![{not_after}])" if not_after else "")
    )
    common = set(conf["generic_words"]["common"])
    return Vocabulary(
        suffix_kind=suffix_kind,
        suffixes=tuple(sorted(suffix_kind, key=len, reverse=True)),
        false_suffix_starts={s: tuple(words) for s, words in conf["false_suffix_starts"].items()},
        plural_park_types=frozenset(conf["plural_park_types"]),
        formal_park_types=tuple(sorted(conf["formal_park_types"], key=len, reverse=True)),
        park_patterns=tuple(re.compile(p) for p in conf["park_patterns"]),
        open_end_suffixes=frozenset(conf["open_end_park_suffixes"]),
        quoted_model_joiners=tuple(conf["quoted_model_joiners"]),
        divisions=tuple(name for _, name, _ in rows if name.endswith(tuple(conf["suffixes"]["park"]))),
        province_head_suffixes=tuple(conf["province_head_suffixes"]),
        province_heads=frozenset(_place_forms([r for r in rows if r[2] == "province"], conf)[0] | set(conf["known_heads"])),
        level_prefixes=tuple(sorted(conf["level_prefixes"], key=len, reverse=True)),
        level_fund_types=tuple(conf["level_fund_types"]),
        works_endings=_works_endings(conf),
        works_fillers=tuple(sorted(conf["works_fillers"], key=len, reverse=True)),
        schedule_re=re.compile(conf["schedule_pattern"]),
        sector_markers=tuple(conf["sector_markers"]),
        left=frozenset(conf["left_boundaries"]),
        left_blockers=tuple(conf["left_blockers"]),
        weak_left=frozenset(conf["weak_left_boundaries"]),
        leading=tuple(conf["weak_left_boundaries"] + conf["leading_words"]),
        conjunctions=frozenset(conf["conjunctions"]),
        leading_conjunctions=tuple(sorted(conf["conjunctions"], key=len, reverse=True)),
        right=tuple(sorted(conf["right_boundaries"], key=len, reverse=True)),
        right_blockers=tuple(conf["right_blockers"]),
        scope_prefixes=tuple(sorted(conf["scope_prefixes"], key=len, reverse=True)),
        org_re=org_re,
        count_re=re.compile(conf["count_pattern"]),
        town_re=re.compile(conf["town_pattern"]),
        places=frozenset(places | set(conf["known_heads"])),
        place_initials=tuple(initials),
        generic_quoted=frozenset(fold(q) for q in conf["generic_quoted"]),
        bound_morphemes=tuple(conf["bound_morphemes"]),
        generic_words={
            kind: frozenset(common | set(words) | (set(conf["generic_works"]) if kind == "program" else set()))
            for kind, words in conf["generic_words"].items() if kind != "common"
        },
        common_words=frozenset(common),
        works_words=frozenset(common | set(conf["generic_works"])),
        split_words={
            "park": frozenset(common | set(conf["generic_words"]["park"])),
            "program": frozenset(common | set(conf["generic_works"])),
        },
        max_boundary=max(len(w) for w in boundaries),
    )


def _quote_mask(text: str, start: int, end: int) -> list[bool]:
    """For each position of ``text[start:end]``: is it inside (or on) a quotation?"""
    mask = [False] * (end - start)
    opened = None
    for i in range(start, end):
        ch = text[i]
        if ch in _open_quotes() and opened is None:
            opened = i
        elif ch in _quote_pairs() and opened is not None:
            for j in range(opened, i + 1):
                mask[j - start] = True
            opened = None
    return mask


def _run_start(text: str, start: int, vocab: Vocabulary) -> int:
    """Leftmost position of the run of name characters that ends at ``start``.

    Quoted parts are taken whole, and so is a place in brackets as in 中国(上海)自由贸易试验区.
    """
    i = start
    floor = max(0, start - _MAX_NAME)
    while i > floor:
        ch = text[i - 1]
        if _is_name_char(ch):
            i -= 1
        elif ch == ")" and text[text.rfind("(", floor, i) + 1 : i - 1] in vocab.places:
            i = text.rfind("(", floor, i)
        elif ch in _quote_pairs():
            opening = text.rfind(_quote_pairs()[ch], floor, i - 1)
            closing = text.rfind(ch, floor, i - 1)
            if opening < 0 or closing > opening:
                break
            i = opening
        else:
            break
    return i


def _is_right_boundary(text: str, end: int, vocab: Vocabulary) -> bool:
    """Does a name end at ``end``: punctuation, a closing quote or a function word follows?"""
    if end >= len(text):
        return True
    ch = text[end]
    if ch == "(":
        close = text.find(")", end, end + 20)
        return close < 0 or _is_right_boundary(text, close + 1, vocab)
    if text.startswith(vocab.right_blockers, end):
        return False
    if not _is_name_char(ch) or ch.isdigit():
        return True
    return text.startswith(vocab.right, end)


def _ends_with_suffix(text: str, vocab: Vocabulary) -> bool:
    return text.endswith(vocab.suffixes)


_QUOTED_RE = re.compile(r"“[^“”]*”")
_BRACKETED_PLACE_RE = re.compile(r"[\u4e00-\u9fff]{0,4}\(([^()]{2,10})\)")


def _head_length(name: str, vocab: Vocabulary) -> int:
    """Length of the proper-name head at the start of ``name`` (place, town, city-initials, organisation, quote), or 0."""
    for size in range(min(len(name), 12), 1, -1):
        if name[:size] in vocab.places:
            return size
    town = vocab.town_re.match(name)
    if town and len(name) > town.end():
        return town.end()
    bracket = _BRACKETED_PLACE_RE.match(name)
    if bracket and bracket.group(1) in vocab.places:
        return bracket.end()
    for size in (3, 2):
        head = name[:size]
        if len(head) == size and len(set(head)) == size and len(name) > size + 1:
            if any(initials.issuperset(head) for initials in vocab.place_initials):
                return size
    org = vocab.org_re.match(name)
    if org and not _covered(org.group(1), vocab.generic_words["park"], vocab):
        return org.end()
    if name[:1] in _open_quotes():
        close = name.find("”", 1)
        if close > 1 and not _generic_quote(name[1:close], vocab):
            return close + 1
    return 0


def _starts_with_head(text: str, vocab: Vocabulary) -> bool:
    head = _head_length(text, vocab)
    return head > 0 and text[:1] not in _open_quotes()


def _generic_quote(content: str, vocab: Vocabulary) -> bool:
    """“双创”, “十四五”, “专业型”: a slogan, a plan period or a descriptor (…型, …式), not a name."""
    return fold(content) in vocab.generic_quoted or content.endswith(vocab.bound_morphemes)


def _starts_with_name_quote(text: str, vocab: Vocabulary) -> bool:
    """推进“山水工程”: a quotation that is not a generic slogan starts a name (it may run on past the type word)."""
    close = text.find("”", 1)
    return text[:1] == "“" and (close < 0 or close > 1 and not _generic_quote(text[1:close], vocab))


def _split(text: str, run: int, start: int, kind: str, vocab: Vocabulary) -> int:
    """Where the name starts within ``text[run:start]`` followed by its suffix: after the rightmost boundary word.

    A verb that also occurs inside names (建设, 发展) splits only when a proper
    name follows it (建设兰白科技创新改革试验区) or only generic words do
    (兰州交通大学建设大学科技园), not in 职工技能素质建设工程.
    """
    mask = _quote_mask(text, run, start)
    opening = text.rfind("“", max(0, run - 1), start)
    if opening >= 0 and text.rfind("”", run, start) < opening:  # “市重大工程…推进三年计划”: quoted up to the type word
        mask[max(0, opening - run) :] = [True] * (start - max(opening, run))
    p = start
    while p > run:
        if mask[p - 1 - run]:
            p -= 1
            continue
        for size in range(min(vocab.max_boundary, p - run), 0, -1):
            word = text[p - size : p]
            if any(mask[p - size - run : p - run]):
                continue
            if text.endswith(vocab.left_blockers, 0, p) or text.startswith(vocab.left_blockers, p - size):
                continue  # 自由, 主要, 要素: the boundary word is part of a longer word
            if word in vocab.left:
                return p
            if word in vocab.weak_left:
                rest = text[p:start]
                generic = rest and _covered(rest, vocab.split_words.get(kind, frozenset()), vocab)
                if generic or _starts_with_head(rest, vocab) or _starts_with_name_quote(rest, vocab):
                    return p
            if word in vocab.conjunctions:
                before = text[run : p - size]
                rest = text[p:start]
                if (_ends_with_suffix(before.rstrip("".join(_quote_pairs())), vocab) or _starts_with_head(rest, vocab)
                        or _starts_with_name_quote(rest, vocab)):
                    return p
        p -= 1
    return run


def _strip_scope(text: str, start: int, end: int, vocab: Vocabulary) -> int:
    """Skip leading verbs (支持, 发展), scope words (全省, 各类, 一批) and counts (20个) that are not part of a name."""
    changed = True
    while changed:
        changed = False
        for word in vocab.leading + vocab.leading_conjunctions:
            if (text.startswith(word, start) and end - start > len(word)
                    and not text.startswith(vocab.bound_morphemes, start + len(word))):
                start += len(word)
                changed = True
        for word in vocab.scope_prefixes:
            if text.startswith(word, start) and end - start > len(word) + 1:
                start += len(word)
                changed = True
                break
        count = vocab.count_re.match(text, start)
        if count and end - count.end() > 1:
            start = count.end()
            changed = True
    return start


_MIN_MODIFIER = 2


def _covered(modifier: str, words: frozenset[str], vocab: Vocabulary) -> bool:
    """Can ``modifier`` be cut entirely into generic words, numbers and generic quotations?"""
    n = len(modifier)
    ok = [False] * (n + 1)
    ok[0] = True
    for i in range(n):
        if not ok[i]:
            continue
        ch = modifier[i]
        if ch.isdigit() or ch in _syntax()["modifier_glue"]:
            ok[i + 1] = True
        if ch in _open_quotes():
            close = modifier.find("”", i + 1)
            if close > 0 and _generic_quote(modifier[i + 1 : close], vocab):
                ok[close + 1] = True
        for size in range(1, min(8, n - i) + 1):
            if modifier[i : i + size] in words:
                ok[i + size] = True
        for suffix in vocab.suffixes:
            if modifier.startswith(suffix, i):
                ok[i + len(suffix)] = True
    return ok[n]


def is_named(name: str, kind: str, suffix: str, vocab: Vocabulary | None = None, quoted: bool = False) -> bool:
    """Is ``name`` (folded, ending in ``suffix``) a proper name rather than a generic category?

    Parks need a proper-name head (a place, two city initials such as 兰白, a
    university or company, a quotation) or to be ``quoted`` whole in the text;
    funds and programs need a modifier that is not made only of generic words.

    >>> is_named("兰州高新技术产业开发区", "park", "开发区")
    True
    >>> is_named("国家高新技术产业开发区", "park", "开发区")
    False
    >>> is_named("科技成果转化引导基金", "fund", "基金")
    True
    >>> is_named("创业投资引导基金", "fund", "基金")
    False
    """
    vocab = vocab or load_vocabulary()
    modifier = name[: len(name) - len(suffix)]
    if not modifier or vocab.count_re.search(_QUOTED_RE.sub("“”", name)):
        return False
    if modifier in vocab.left or modifier in vocab.weak_left or modifier in vocab.leading:  # 开展行动
        return False
    if modifier.endswith(tuple(vocab.conjunctions)):  # 公益金或基金: two categories, not one name
        return False
    if kind != "park" and not quoted and len(modifier) < _MIN_MODIFIER:  # 有计划(地), 二计划: a fragment
        return False
    head = _head_length(name, vocab)
    if kind == "park":
        if name.endswith(vocab.divisions):
            return False
        if quoted and any(j in modifier for j in vocab.quoted_model_joiners):
            return False
        if quoted and not _covered(modifier, vocab.generic_words["park"], vocab):
            return True
        if not head:
            return _formal_zone(name, vocab)
        if suffix in vocab.province_head_suffixes and name[:head] not in vocab.province_heads:
            return False
        if suffix in vocab.plural_park_types:
            rest = name[head : len(name) - len(suffix)]
            return bool(rest) and not _covered(rest, vocab.generic_words["park"], vocab)
        return True
    if kind == "program" and not quoted and _is_works(modifier, suffix, vocab):
        return False
    if head and name[:1] not in _open_quotes():
        if kind != "program":
            return True
        # 嘉定区重大工程, 嘉定区市政基础设施建设行动: a place does not make a name of generic works
        rest = name[head : len(name) - len(suffix)]
        return bool(rest) and not _covered(rest, vocab.works_words, vocab)
    if kind == "fund" and _level_budget_line(modifier, suffix, vocab):
        return True
    if kind == "program":
        modifier = _after_sector(modifier, vocab)
    return not _covered(modifier, vocab.generic_words[kind], vocab)


def _is_works(modifier: str, suffix: str, vocab: Vocabulary) -> bool:
    """Is an unquoted program really works, a campaign or a schedule, named by what it does to what?

    小微企业信贷计划, 2026年度土地储备计划: a quota or a yearly schedule;
    河道综合整治工程, 道路积水点改造工程: construction works; 大件垃圾专项整治行动,
    存量违法建筑治理专项行动: an enforcement campaign. The activity word is read
    before fillers such as 三年, 专项, 一期 (消防安全专项整治三年行动).
    """
    if suffix.endswith(_syntax()["schedule_head"]) and vocab.schedule_re.search(_QUOTED_RE.sub("“”", modifier)):
        return True
    endings = vocab.works_endings.get(suffix)
    if not endings or "“" in modifier:  # 内环高架“年轻化”四期工程: the quotation names it
        return False
    changed = True
    while changed:
        changed = False
        for filler in vocab.works_fillers:
            if modifier.endswith(filler) and len(modifier) > len(filler):
                modifier = modifier[: -len(filler)]
                changed = True
    return modifier.endswith(endings)


def _after_sector(modifier: str, vocab: Vocabulary) -> str:
    """能源领域碳达峰 → 碳达峰: the words before 领域 name the sector taking part, not the program."""
    cut = max((modifier.rfind(m) + len(m) for m in vocab.sector_markers if m in modifier), default=0)
    return modifier[cut:] if cut < len(modifier) else modifier


def _formal_zone(name: str, vocab: Vocabulary) -> bool:
    """A zone of a state-granted type (经济技术开发区, 保税港区, 新片区) with a modifier that is not generic.

    Such a type is granted to one named place at a time, so 金桥经济技术开发区
    is a park even though 金桥 is in no gazetteer.
    """
    zone = next((t for t in vocab.formal_park_types if name.endswith(t)), None)
    if zone is None:
        return False
    modifier = name[: len(name) - len(zone)]
    if modifier in vocab.left or modifier in vocab.weak_left:
        return False
    return len(modifier) >= 2 and not _covered(modifier, vocab.generic_words["park"], vocab)


def _level_budget_line(modifier: str, suffix: str, vocab: Vocabulary) -> bool:
    """省级就业创业专项资金: a level of government plus a purpose names one budget line."""
    if suffix not in vocab.level_fund_types:
        return False
    level = next((w for w in vocab.level_prefixes if modifier.startswith(w)), None)
    purpose = modifier[len(level):] if level else ""
    return bool(purpose) and not _covered(purpose, vocab.common_words, vocab)


@lru_cache(maxsize=8)
def _suffix_finder(suffixes: tuple[str, ...]) -> re.Pattern[str]:
    """Finds, in the reversed text, the longest type word ending at each position of the text.

    The leading class of last characters lets most positions fail at once, before the alternation is tried.
    """
    last = "".join(sorted({re.escape(s[-1]) for s in suffixes}))
    return re.compile(f"(?=[{last}])(?=(" + "|".join(re.escape(s[::-1]) for s in suffixes) + "))")


def _candidates(folded: str, vocab: Vocabulary):
    """Yield ``(start, end, kind, suffix)`` for every name-like run that ends in a type word."""
    n = len(folded)
    ends = sorted((n - m.start(), m.group(1)[::-1]) for m in _suffix_finder(vocab.suffixes).finditer(folded[::-1]))
    for end, suffix in ends:
        if suffix not in vocab.open_end_suffixes and not _is_right_boundary(folded, end, vocab):
            continue
        s_start = end - len(suffix)
        if folded.endswith(vocab.false_suffix_starts.get(suffix, ()), 0, s_start):
            continue
        run = _run_start(folded, s_start, vocab)
        kind = vocab.suffix_kind[suffix]
        start = _split(folded, run, s_start, kind, vocab)
        start = _strip_scope(folded, start, s_start, vocab)
        start = _after_list_item(folded, start, s_start, vocab)
        yield start, end, kind, suffix


def _after_list_item(folded: str, start: int, s_start: int, vocab: Vocabulary) -> int:
    """增品种、提品质、创品牌“三品”专项行动: the words before the quotation are the last item of the list it sums up.

    When the text before the quotation follows a list item of the same length
    and has no proper-name head, the name starts at the quotation.
    """
    quote = folded.find("“", start, s_start)
    if quote <= start or folded[start - 1 : start] != _syntax()["list_separator"]:
        return start
    prefix = folded[start:quote]
    item_start = start - 1
    while item_start > 0 and _is_name_char(folded[item_start - 1]):
        item_start -= 1
    if start - 1 - item_start != len(prefix) or _head_length(prefix, vocab):
        return start
    return quote


def _is_appositive(name: str, suffix: str, vocab: Vocabulary) -> bool:
    """“交大创客之家”众创空间: a quoted name followed by its bare category."""
    if not name.startswith("“"):
        return False
    close = name.find("”")
    return name[close + 1 :] == suffix and _ends_with_suffix(name[1:close], vocab)


_ELIDED_RE = re.compile(r"[^“”]{2,12}“[^“”]{2,12}”")
_ELIDED_SHAPE_RE = re.compile(r"[^“”]{2,12}“[^“”]{2,12}”[\u4e00-\u9fff]{1,4}")


def _elided(folded: str, start: int, kind: str, vocab: Vocabulary) -> tuple[int, int] | None:
    """阿里巴巴集团“千乡万村”、京东集团“千县燎原”计划: the list item before a name of the same shape shares its type word."""
    end = start - 1
    if folded[end : end + 1] != _syntax()["list_separator"] or folded[end - 1 : end] != "”":
        return None
    run = _run_start(folded, end, vocab)
    first = _strip_scope(folded, _split(folded, run, end, kind, vocab), end, vocab)
    return (first, end) if _ELIDED_RE.fullmatch(folded[first:end]) else None


def _is_title(folded: str, start: int, end: int) -> bool:
    """《…三年行动计划（2021—2023年）》 or a line of its own: the title of a document, not a program."""
    if folded[start - 1 : start] == _syntax()["title_open"]:
        return True
    line_start = folded.rfind("\n", 0, start) + 1
    line_end = folded.find("\n", end)
    rest = re.sub(r"^\([^()]*\)", "", folded[end : len(folded) if line_end < 0 else line_end].strip())
    return not folded[line_start:start].strip() and not rest


def _descriptor(folded: str, start: int, end: int, kind: str, vocab: Vocabulary) -> int:
    """Start of the descriptor before a program quoted whole: 乡村人才振兴“领雁计划” is one name.

    Returns ``start`` when the quotation follows a boundary word (实施“育英计划”).
    """
    if folded[start - 1 : start] != "“" or folded[end : end + 1] != "”":
        return start
    run = _run_start(folded, start - 1, vocab)
    first = _strip_scope(folded, _split(folded, run, start - 1, kind, vocab), start - 1, vocab)
    descriptor = folded[first : start - 1]
    described = first < start - 1 and not vocab.count_re.fullmatch(descriptor)
    if descriptor in vocab.left or descriptor in vocab.weak_left:  # 结合“…计划”: a verb, not a descriptor
        return start
    return first if described and start - 1 - first >= 2 else start


def _brand_parks(folded: str, vocab: Vocabulary):
    """Yield, per pattern, the ``(start, end)`` of national brand parks it matches (中国声谷), in order."""
    for pattern in vocab.park_patterns:
        yield [(m.start(), m.end()) for m in pattern.finditer(folded) if _is_right_boundary(folded, m.end(), vocab)]


class _Cover:
    """Spans added in order of their start, and whether one of them covers a given span.

    The furthest end reached so far is kept for each start, so the question is
    one binary search rather than a scan of every span found in the document.
    """

    def __init__(self, spans=()):
        self.starts: list[int] = []
        self.reach: list[int] = []
        for start, end in spans:
            self.add(start, end)

    def add(self, start: int, end: int) -> None:
        self.starts.append(start)
        self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def covers(self, start: int, end: int) -> bool:
        at = bisect_right(self.starts, start) - 1
        return at >= 0 and self.reach[at] >= end


def extract_named(text: str) -> tuple[NamedEntity, ...]:
    """Every occurrence of a named park, fund or program in a document, sorted by span.

    Examples
    --------
    >>> [(e.kind, e.name) for e in extract_named("用好甘肃省战略性新兴产业创业投资引导基金和兰白科技创新改革试验区技术创新驱动基金。")]
    [('fund', '甘肃省战略性新兴产业创业投资引导基金'), ('fund', '兰白科技创新改革试验区技术创新驱动基金')]
    >>> extract_named("依托国家高新区、大学科技园建设众创空间。")
    ()
    >>> [e.name for e in extract_named("实施青年人才“启航计划”，支持金桥经济技术开发区发展。")]
    ['青年人才“启航计划”', '金桥经济技术开发区']
    """
    vocab = load_vocabulary()
    folded = fold(text)
    found = []
    for start, end, kind, suffix in _candidates(folded, vocab):
        name = folded[start:end]
        quoted = folded[start - 1 : start] == "“" and folded[end : end + 1] == "”"
        if _is_appositive(name, suffix, vocab) or not is_named(name, kind, suffix, vocab, quoted):
            continue
        if kind == "program":
            if _is_title(folded, start, end):
                continue
            first = _descriptor(folded, start, end, kind, vocab)
            if first < start:
                start, end = first, end + 1
                name = folded[start:end]
        surface = text[start:end]
        found.append(NamedEntity(kind=kind, name=surface.strip(), surface=surface, span=Span(start, end)))
        elided = _ELIDED_SHAPE_RE.fullmatch(name) and _elided(folded, start, kind, vocab)
        if elided:
            surface = text[elided[0] : elided[1]]
            found.append(NamedEntity(kind=kind, name=surface, surface=surface, span=Span(*elided)))
    covers = [_Cover(sorted((e.span.start, e.span.end) for e in found))]
    for matches in _brand_parks(folded, vocab):
        covers.append(_Cover())
        for start, end in matches:
            if not any(c.covers(start, end) for c in covers):
                surface = text[start:end]
                found.append(NamedEntity(kind="park", name=surface, surface=surface, span=Span(start, end)))
                covers[-1].add(start, end)
    return tuple(sorted(found, key=lambda e: (e.span, e.kind)))
