"""Document metadata: title, 文号, issue date, issuer, jurisdiction and the policies it implements."""
from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice, takewhile

from ..knowledge import alternation, per_overlay, resource_json
from ..load import is_furniture_line
from ..model import CitedPolicy, DocumentMeta, OutlineNode, Span
from ..normalize import document_number_re, fold, normalize_document_number
from ..segment import iter_lines

__all__ = ["JurisdictionName", "extract_metadata", "issuer_names", "signature_names", "find_title", "find_issued", "find_implements",
           "infer_jurisdiction", "jurisdiction_with_evidence", "placement", "nation_name", "NATIONAL"]

def nation_name() -> str:
    """The nation's name (``levels.json`` ``national``) under the active overlay."""
    return resource_json("levels.json")["national"]


#: The packaged name of the nation; :func:`nation_name` follows the overlay.
NATIONAL = resource_json("levels.json", ())["national"]


@per_overlay
def _vocabulary() -> dict:
    """The metadata vocabulary from ``resources/metadata.json`` (title endings, cues, subdivision phrases …)."""
    raw = dict(resource_json("metadata.json"))
    raw["title_endings"] = tuple(sorted(raw["title_endings"], key=len, reverse=True))
    raw["subdivision_phrases"] = {fold(k): v for k, v in raw["subdivision_phrases"].items() if v}
    return raw


def _syntax() -> dict:
    return _vocabulary()["syntax"]


def _class(chars: str) -> str:
    """A regex character class of ``chars``."""
    return "[" + "".join(re.escape(c) for c in chars) + "]"


@per_overlay
def _patterns() -> dict[str, re.Pattern[str]]:
    """The regexes of this module: skeletons here, words and marks from ``metadata.json``."""
    vocab = _vocabulary()
    day, notice, period, number = vocab["date"], vocab["notice"], vocab["period"], vocab["document_number"]
    opening, closing = _syntax()["title_quotes"]
    digits = "".join(day["digits"])
    small = "".join(c for c, v in day["digits"].items() if v) + day["ten"]
    year, month, dday = (re.escape(day[k]) for k in ("year", "month", "day"))
    ministry = vocab["ministry_heading"]
    return {
        "date": re.compile(rf"^\s*\(?\s*((?:19|20)\d\d|[{digits}]{{4}})\s*{year}\s*(\d{{1,2}}|[{small}]{{1,3}})\s*{month}"
                           rf"\s*(\d{{1,2}}|[{small}]{{1,3}})\s*{dday}\s*\)?\s*$"),
        "cited": re.compile(_quoted(4, 120) + rf"\s*\(\s*((?:[\u4e00-\u9fff]{{1,10}}?)\s*"
                            rf"{_class(number['open_brackets'])}\s*(?:19|20)\d\d\s*{_class(number['close_brackets'])}"
                            rf"\s*\d{{1,4}}\s*{re.escape(number['sequence_mark'])})\s*\)"),
        "notice_heading": re.compile(rf"^.{{0,60}}?{re.escape(notice['opener'])}(?:{alternation(notice['verbs'])}).{{0,30}}"
                                     rf"{re.escape(opening)}.+{re.escape(closing)}.{{0,20}}{re.escape(notice['ending'])}$"),
        "approved": re.compile(_quoted(6, 90) + rf"\s*(?:{alternation(notice['approved_before'])}).{{0,20}}"
                               rf"(?:{alternation(notice['approved_after'])})"),
        "issued": re.compile(rf"(?:{alternation(notice['issue_openers'])})" + _quoted(6, 90)
                             + rf"\s*(?:{alternation(notice['issue_verbs'])})"),
        "period": re.compile(rf"{_class(period['open'])}\s*(?:19|20)\d\d\s*{_class(period['dashes'])}+\s*(?:19|20)\d\d"
                             rf"\s*{re.escape(period['year'])}?\s*{_class(period['close'])}$"),
        "issuers": re.compile(rf"^(.{{2,60}}?){re.escape(vocab['issuer_mark'])}"),
        "title_issuer": re.compile(rf"^(.{{2,30}}?(?:{alternation(vocab['title_issuer_endings'])}))"
                                   rf"(?:{alternation(notice['verbs'])})?{re.escape(vocab['issuer_mark'])}"),
        "issuer_split": re.compile(rf"[\s{re.escape(_syntax()['issuer_separators'])}]+"),
        "ministry": re.compile(rf"^[\u4e00-\u9fff]{{1,8}}{re.escape(ministry['ending'])}(?:{alternation(ministry['followers'])})"),
        "compact_edges": re.compile(rf"{_blank_run()}(?={re.escape(opening)})|(?<={re.escape(opening)}){_blank_run()}"
                                    rf"|{_blank_run()}(?={re.escape(closing)})"),
        "quoted": re.compile(rf"{re.escape(opening)}[^{re.escape(opening + closing)}]*{re.escape(closing)}"),
        "blanks": re.compile(_blank_run()),
    }


def _quoted(lo: int, hi: int) -> str:
    """A 《title》 of ``lo`` to ``hi`` characters on one line, the title as group 1."""
    opening, closing = _syntax()["title_quotes"]
    return rf"{re.escape(opening)}([^{re.escape(opening + closing)}\n]{{{lo},{hi}}}){re.escape(closing)}"


def _blank_run() -> str:
    return _class(_syntax()["blanks"]) + "+"


_HEAD_LINES = 25


@dataclass(frozen=True)
class JurisdictionName:
    """How a jurisdiction is written: full name, short name and 文号 abbreviation."""

    name: str
    short: str = ""
    abbr: str = ""  # a town's may hold several, |-separated (闵吴)
    parent: str = ""  # full name of the jurisdiction above it (上海市 for 嘉定区)
    kind: str = ""  # the lexicon's kind: county, town, subdistrict …


_TOWN_KINDS = ("town", "township", "subdistrict")


def _levels() -> dict:
    return resource_json("levels.json")


@per_overlay
def _town_name_re() -> re.Pattern[str]:
    """A town named by its government (新虹街道办事处, 安亭镇人民政府), listed or not: the name is group 1."""
    words = _levels()
    return re.compile(rf"^(?!{re.escape(words['collective_opener'])})([\u4e00-\u9fff]{{2,6}}?"
                      rf"(?:{alternation(words['town_words'])}))(?={alternation(words['town_government_words'])})")


def _lines(text: str, folded: str) -> Iterator[tuple[int, str, str]]:
    """Each line as written and folded, with its offset, one at a time (the readers need the head or a window)."""
    return ((off, line, folded[off:off + len(line)]) for off, line in iter_lines(text))


def _is_furniture(line: str) -> bool:
    return is_furniture_line(line)


def _ends_with_genre(line: str) -> bool:
    """Whether a line ends like a title: a genre word, possibly followed by the plan period （2019—2022年）."""
    return _patterns()["period"].sub("", line).rstrip().endswith(_vocabulary()["title_endings"])


def issuer_names(title: str | None) -> list[str]:
    """The bodies named before 关于 in a title: one for most documents, several for joint ones.

    >>> issuer_names("科技部 财政部 教育部 国资委关于推进科技成果转移转化若干工作的通知")
    ['科技部', '财政部', '教育部', '国资委']
    """
    if not title:
        return []
    m = _patterns()["issuers"].match(title)
    if not m:
        return []
    return [name for name in _patterns()["issuer_split"].split(m.group(1)) if name]


def signature_names(issuer: str | None) -> list[str]:
    """The bodies of an issuer as :func:`find_issued` writes it (several, space-separated, for a joint plan)."""
    return [name for name in _patterns()["issuer_split"].split(issuer or "") if name]


def _is_notice_heading(line: str) -> bool:
    """X关于印发《Y》的通知: a title line that may hold 《》."""
    return bool(_patterns()["notice_heading"].match(line))


def _title_line(line: str) -> bool:
    """Whether a (folded, stripped) line may be a title or a title's part: no sentence marks, no date, no 文号."""
    if not line or _patterns()["date"].match(line) or document_number_re().match(line):
        return False
    if any(c in line for c in _syntax()["title_breaks"]) or (line.startswith("(") and line.endswith(")")):
        return False
    return _syntax()["title_quotes"][0] not in line or _is_notice_heading(line) or _cites_inside(line)


def _cites_inside(line: str) -> bool:
    """A title that quotes the policy it carries out: …关于贯彻《国务院…意见》进一步加强…的实施意见.

    What follows the last 》 is the title's own words and ends with a genre word.
    """
    rest = line.rpartition(_syntax()["title_quotes"][1])[2]
    return len(rest) >= _OWN_WORDS and _ends_with_genre(rest) and not rest.endswith(_vocabulary()["notice"]["ending"])


_OWN_WORDS = 6


def _is_caption(lines, i: int) -> bool:
    """A title-like line whose next line opens a table header (序号 / 工作任务 …) is the table's caption."""
    for _, _, nfline in lines[i + 1:i + 2]:
        first = _patterns()["blanks"].split(nfline.strip(_syntax()["blanks"]))[0]
        if first in _vocabulary()["caption_followers"]:
            return True
    return False


def _compact(title: str) -> str:
    """A title without the spaces a line break left inside its 《》 or beside them.

    The spaces between joint issuers (科技部 财政部 教育部关于…) are the title's own.

    >>> _compact("立山区人民政府关于印发 《立山区政府2023年重点工作任务分解 和责任分工方案》的通知")
    '立山区人民政府关于印发《立山区政府2023年重点工作任务分解和责任分工方案》的通知'
    """
    title = _patterns()["compact_edges"].sub("", title)
    return _patterns()["quoted"].sub(lambda m: _patterns()["blanks"].sub("", m.group()), title)


def find_title(text: str, outline: Sequence[OutlineNode]) -> tuple[str, Span] | None:
    """The document's own title: the first heading line before the body that ends with a genre word.

    A title split over two lines is joined. A notice heading that issues or
    forwards a plan (…关于印发《Y》的通知) is the title of a text that opens with
    it; a text that names its plan only in the notice's sentence
    (《Y》已经省政府同意，现印发) takes the plan's title. A table's caption
    (a title-like line above 序号 / 工作任务 …) is no title.

    >>> find_title("吉林省人民政府办公厅关于发展\\n众创空间推进大众创新创业的实施意见\\n吉政办发〔2015〕31号\\n", ())[0]
    '吉林省人民政府办公厅关于发展众创空间推进大众创新创业的实施意见'
    >>> find_title("重点任务分工清单\\n序号\\n工作任务\\n责任单位\\n", ()) is None
    True
    """
    folded = fold(text)
    body_start = outline[0].span.start if outline else len(text)
    head = takewhile(lambda x: x[0] < body_start, _lines(text, folded))
    lines = list(islice(((o, l, f) for o, l, f in head if f.strip(_syntax()["blanks"])), _HEAD_LINES * 2))
    for i, (off, line, fline) in enumerate(lines):
        stripped = fline.strip(_syntax()["blanks"])
        if _is_furniture(line) or not _title_line(stripped):
            continue
        lead = len(fline) - len(fline.lstrip(_syntax()["blanks"]))
        start, end = off + lead, off + len(fline.rstrip(_syntax()["blanks"]))
        if _ends_with_genre(stripped) and 6 <= len(stripped) <= 90:
            if _is_caption(lines, i):
                return None
            return _compact(text[start:end]), Span(start, end)
        if i + 1 < len(lines) and 4 <= len(stripped) <= 60 and not _is_notice_heading(stripped):
            noff, nline, nfline = lines[i + 1]
            nstripped = nfline.strip(_syntax()["blanks"])
            if _ends_with_genre(nstripped) and _title_line(nstripped) and not _is_furniture(nline):
                if _is_caption(lines, i + 1):
                    return None
                nend = noff + len(nfline.rstrip(_syntax()["blanks"]))
                joined = text[start:end] + text[noff + len(nfline) - len(nfline.lstrip(_syntax()["blanks"])):nend]
                return _compact(joined), Span(start, nend)
    for pattern in (_patterns()["approved"], _patterns()["issued"]):
        m = pattern.search(folded)
        if m:
            return text[m.start(1):m.end(1)], Span(m.start(1), m.end(1))
    return None


def _date_part(s: str) -> int:
    """A year, month or day as written: 2015, 二〇一五, 6, 六, 十二, 二十, 二十八."""
    if s.isdigit():
        return int(s)
    ten = _vocabulary()["date"]["ten"]
    digits = {**_vocabulary()["date"]["digits"], ten: 10}
    if len(s) == 4 and all(c in digits for c in s):
        return int("".join(str(digits[c]) for c in s))
    if s == ten:
        return 10
    if s.startswith(ten):
        return 10 + digits[s[1]]
    if s.endswith(ten):
        return digits[s[0]] * 10
    if ten in s:
        return digits[s[0]] * 10 + digits[s[2]]
    return digits[s]


def find_issued(text: str) -> tuple[date, str | None] | None:
    """The issue date (a line holding only a date) and the issuing body on the line before it.

    >>> find_issued("正文。\\n吉林省人民政府办公厅\\n２０１５年６月８日\\n")
    (datetime.date(2015, 6, 8), '吉林省人民政府办公厅')

    Jointly issued plans are signed by each body, on lines of their own or on
    one line set apart by spaces; the bodies are joined by a space, as in a title:

    >>> find_issued("附件：方案\\n\\n上海市发展和改革委员会\\n\\n上海市经济和信息化委员会\\n\\n2026年9月7日\\n")[1]
    '上海市发展和改革委员会 上海市经济和信息化委员会'
    """
    folded = fold(text)
    found = []
    before: deque[str] = deque(maxlen=_SIGNATURE_LINES)  # the lines before the current one
    for off, line, fline in _lines(text, folded):
        above, m = tuple(reversed(before)), _patterns()["date"].match(fline)
        before.append(line)
        if not m:
            continue
        try:
            issued = date(_date_part(m.group(1)), _date_part(m.group(2)), _date_part(m.group(3)))
        except (ValueError, KeyError):
            continue
        signed: list[str] = []
        for previous in above:
            prev = previous.strip(_syntax()["blanks"])
            if not prev:
                continue
            names = _signature(prev)
            if not names:
                break
            signed[:0] = names
        found.append((issued, " ".join(signed) or None))
    if not found:
        return None
    with_issuer = [f for f in found if f[1]]
    return (with_issuer or found)[-1]


#: How far above a date the signature lines of a joint plan may reach (blank lines between them count).
_SIGNATURE_LINES = 7


def _signature(line: str) -> list[str]:
    """The bodies a signature line names (one, or several set apart by spaces), or [] when it is no signature."""
    endings = tuple(_vocabulary()["issuer_endings"])
    names = [part for n in _patterns()["issuer_split"].split(line) if n for part in _unglued(n, endings)]
    if names and all(n.endswith(endings) and len(n) <= 40 and not any(c in n for c in _syntax()["issuer_breaks"])
                     for n in names):
        return names
    return []


def _unglued(name: str, endings: tuple[str, ...]) -> list[str]:
    """Bodies written one after the other with nothing between (黄浦区商务委员会黄浦区卫生健康委员会).

    A body ends where an issuer ending is followed by the place the name opens with.
    """
    head = name[:_GLUE_HEAD]
    if len(name) < 2 * _GLUE_HEAD:
        return [name]
    cuts = [m.start() for m in re.finditer(re.escape(head), name)
            if m.start() > 0 and name[:m.start()].endswith(endings)]
    bounds = [0, *cuts, len(name)]
    return [name[a:b] for a, b in zip(bounds, bounds[1:])]


_GLUE_HEAD = 3


def find_number(text: str) -> tuple[str, str, Span] | None:
    """The document's own 文号: on a line of its own (or before the title) near the top."""
    folded = fold(text)
    for off, line, fline in islice(_lines(text, folded), _HEAD_LINES):
        stripped = fline.strip(_syntax()["blanks"])
        if stripped[:1] == "(" and stripped[-1:] == ")":
            stripped = stripped[1:-1].strip()
        m = document_number_re().match(stripped)
        if m and (m.end() == len(stripped) or stripped[m.end():].lstrip().startswith(_syntax()["title_quotes"][0])):
            start = off + fline.index(stripped)
            surface = text[start:start + m.end()]
            return normalize_document_number(surface), surface, Span(start, start + m.end())
    return None


def find_implements(text: str, own_number: str | None = None) -> tuple[CitedPolicy, ...]:
    """Higher-level policies cited as 《title》（文号）, excluding the document's own number.

    >>> [c.number for c in find_implements("为贯彻落实《国务院关于X的意见》（国发〔２０１５〕３２号）精神")]
    ['国发〔2015〕32号']
    """
    folded = fold(text)
    cues = tuple(_vocabulary()["implements_cues"])
    seen, out = set(), []
    for m in _patterns()["cited"].finditer(folded):
        sentence_start = max(folded.rfind(c, 0, m.start()) for c in _syntax()["sentence_breaks"]) + 1
        if not any(cue in folded[sentence_start:m.start()] for cue in cues):
            continue
        number = normalize_document_number(m.group(2))
        if not number or number == own_number or number in seen:
            continue
        seen.add(number)
        out.append(CitedPolicy(number=number, title=text[m.start(1):m.end(1)], surface=text[m.start():m.end()],
                               span=Span(m.start(), m.end())))
    return tuple(out)


def infer_jurisdiction(text: str, title: str | None, issuer: str | None, number: str | None,
                       names: Sequence[JurisdictionName], places: Sequence[JurisdictionName] = ()) -> str | None:
    """Whose plan this is: from the title or issuer, the 文号, or the places the text names.

    ``names`` are the provinces (and the nation), ``places`` cities and
    counties, which count only when the title or issuer starts with them.
    Documents that never say it (no title, no date) still name their agencies
    with the jurisdiction (宁夏国税局, 自治区…): the most named province wins.
    """
    return jurisdiction_with_evidence(text, title, issuer, number, names, places)[0]


def jurisdiction_with_evidence(text: str, title: str | None, issuer: str | None, number: str | None,
                               names: Sequence[JurisdictionName], places: Sequence[JurisdictionName] = (),
                               ) -> tuple[str | None, str]:
    """:func:`infer_jurisdiction` and, in words, what decided it (shown by ``policygraph inspect``)."""
    return placement(text, title, issuer, number, names, places)[:2]


def placement(text: str, title: str | None, issuer: str | None, number: str | None,
              names: Sequence[JurisdictionName], places: Sequence[JurisdictionName] = (),
              ) -> tuple[str | None, str, str | None]:
    """:func:`jurisdiction_with_evidence` and, for a town, the district it lies in.

    A town (镇, 乡, 街道) is found in the title's or issuer's chain of places
    (上海市闵行区吴泾镇人民政府, 上海市奉贤区人民政府头桥街道办事处), by its 文号
    abbreviation (闵吴府发 for 吴泾镇), or, when neither says it, as the town the
    title names in a text that speaks as a town: 我镇 / 本镇, or an addressee
    line to its villages and offices (各村(居)、镇政府各部门：). A town no
    table lists is still one when its government is written
    (XX镇人民政府, XX街道办事处); its district is the one the heading or the text names.

    >>> placement("各居村，镇政府各部门：\\n", "关于调整庄行镇小型建设工程项目管理实施意见的通知", None, None,
    ...           (), (JurisdictionName("庄行镇", abbr="奉庄", parent="奉贤区", kind="town"),))
    ('庄行镇', 'the title names 庄行镇 and the text speaks as a town (镇政府各部门)', '奉贤区')
    """
    return (_placed_by_heads(text, title, issuer, names, places) or _placed_by_number(number, names, places)
            or _placed_by_text(text, title, names, places)
            or (None, "no place is named: the nation by default", None))


#: A jurisdiction, the evidence for it, and for a town the district it lies in.
_Placement = tuple[str | None, str, str | None]


def _placed_by_heads(text: str, title: str | None, issuer: str | None, names: Sequence[JurisdictionName],
                     places: Sequence[JurisdictionName]) -> _Placement | None:
    """Where the title, or else the first signature, says: a national body, or the chain of places it opens with."""
    signed = sorted(signature_names(issuer), key=lambda n: fold(n).startswith(tuple(_vocabulary()["national_heads"])))
    for what, head in (("title", title), *(("issuer", name) for name in signed[:1])):
        if not head:
            continue
        head = fold(head)
        if head.startswith(tuple(_vocabulary()["national_heads"])) or _patterns()["ministry"].match(head):
            return nation_name(), f"the {what} opens with a national body ({head[:12]})", None
        found = _place_chain(head, names, places)
        if found is not None:
            name, parent, town = found
            if town and not parent:
                parent = _named_district(fold(text), places)
            return name, f"the {what} opens with {name} ({head[:20]})", parent if town else None
    return None


def _placed_by_number(number: str | None, names: Sequence[JurisdictionName],
                      places: Sequence[JurisdictionName]) -> _Placement | None:
    """Where the 文号 prefix says: a national prefix, a province's or a town's abbreviation."""
    if not number:
        return None
    prefix = document_number_re().match(number)
    prefix = prefix.group("prefix") if prefix else ""
    national = _vocabulary()["national_numbers"]
    if (prefix.startswith(tuple(national["prefixes"])) or prefix.startswith(tuple(national["openings"]))
            or any(word in prefix for word in national["inner_words"])):
        return nation_name(), f"the 文号 prefix {prefix} is a national one", None
    for n in names:
        if n.abbr and prefix.startswith(n.abbr + national["province_mark"]):
            return n.name, f"the 文号 prefix {prefix} abbreviates {n.name}", None
    for n in places:
        if n.kind in _TOWN_KINDS and any(prefix.startswith(a + _vocabulary()["town_number_mark"])
                                         for a in n.abbr.split("|") if a):
            return n.name, f"the 文号 prefix {prefix} abbreviates {n.name}", n.parent or None
    return None


def _placed_by_text(text: str, title: str | None, names: Sequence[JurisdictionName],
                    places: Sequence[JurisdictionName]) -> _Placement | None:
    """Where the text says when no head or number does: a town speaking, the place the title names, the place
    the text names most, or a province's word for its subdivisions."""
    folded = fold(text)
    town = _speaking_town(folded, fold(title or ""), places)
    if town is not None:
        return town
    titled = _titled_place(fold(title or ""), places)
    if titled is not None:
        return titled, f"the title names {titled} (no issuer or number says where)", None
    counts: Counter[str] = Counter()
    for n in names:
        if n.name == nation_name():
            continue
        counts[n.name] += folded.count(n.name) * 2
        if n.short and len(n.short) >= 2:
            counts[n.name] += folded.count(n.short)
    if counts:
        best, score = counts.most_common(1)[0]
        if score > 0:
            return best, f"the text names {best} most often (score {score})", None
    for phrase, province in _vocabulary()["subdivision_phrases"].items():
        if phrase in folded:
            return province, f"the text calls its subdivisions {phrase}, as {province} does", None
    return None


def _town_voice(folded: str) -> str | None:
    """The words by which a text speaks as a town: 我镇 / 本街道, or an addressee line to a town's villages and offices."""
    vocab = _vocabulary()
    for _, line in iter_lines(folded[:4000]):
        line = line.strip(_syntax()["blanks"])
        if line.endswith(tuple(_syntax()["colons"])) and len(line) <= 100 and _syntax()["full_stop"] not in line:
            for word in vocab["town_addressees"]:
                if word in line:
                    return word
            break
    for word in vocab["town_self_words"]:
        if word in folded:
            return word
    return None


def _speaking_town(folded: str, title: str, places: Sequence[JurisdictionName]) -> tuple[str, str, str | None] | None:
    """The listed town a text that speaks as a town is about: the one its title names, else the one its text names most."""
    cue = _town_voice(folded)
    if cue is None:
        return None
    towns = [n for n in places if n.kind in _TOWN_KINDS]
    in_title = [n for n in towns if n.name in title]
    candidates = in_title or [n for n in towns if n.name in folded]
    if not candidates:
        return None
    best = max(candidates, key=lambda n: (folded.count(n.name), len(n.name), n.name))
    where = "the title names" if in_title else "the text names"
    parent = best.parent or _named_district(folded, places)
    return best.name, f"{where} {best.name} and the text speaks as a town ({cue})", parent


def _titled_place(title: str, places: Sequence[JurisdictionName]) -> str | None:
    """The one city, district or county a title names (关于推进奉贤区文物建筑消防安全…的实施方案), if only one.

    A plan of a district that neither signs nor numbers itself still names its
    district in its title, where the text may cite the municipality's rules more often.
    """
    for kind in ("county", "prefecture"):
        named = {n.name for n in places if n.kind == kind and len(n.name) >= 3 and n.name in title}
        named = {n for n in named if not any(n != other and n in other for other in named)}
        if len(named) == 1:
            return named.pop()
        if named:
            return None
    return None


def _named_district(folded: str, places: Sequence[JurisdictionName]) -> str | None:
    """The district or county a text names most often: where a town no table lists lies."""
    counts = Counter({n.name: folded.count(n.name) for n in places if n.kind == "county" and n.name in folded})
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _place_chain(head: str, names: Sequence[JurisdictionName],
                 places: Sequence[JurisdictionName]) -> tuple[str, str, bool] | None:
    """The lowest jurisdiction a heading opens with, its parent, and whether it is a town.

    上海市嘉定区人民政府办公室 → 嘉定区, 鞍山市立山区… → 立山区, 上海市奉贤区人民政府头桥街道办事处
    → 头桥街道. Each step takes the longest name that opens the rest of the
    heading (a government word between two places is skipped); a place below
    the first one must lie in it when the lexicon says where it lies. A town
    no table lists counts when its government follows its name.
    """
    by_len = sorted([*names, *places], key=lambda n: -len(n.name))
    government = tuple(_levels()["government_words"])
    found: JurisdictionName | None = None
    rest = head.removeprefix(_levels()["party_word"])
    while rest:
        step = None
        for n in by_len:
            if rest.startswith(n.name) or (found is None and n.short and len(n.short) >= 2 and rest.startswith(n.short)):
                if found is None or not n.parent or n.parent == found.name or _within(n, found, by_len):
                    step = n
                    break
        if step is None and (found is None or found.kind == "county"):
            m = _town_name_re().match(rest)
            if m:
                step = JurisdictionName(m.group(1), parent=found.name if found else "", kind="town")
        if step is None:
            break
        found = step
        rest = rest[len(step.name) if rest.startswith(step.name) else len(step.short):].lstrip("()")
        for word in government:
            if rest.startswith(word):
                rest = rest[len(word):]
                break
    if found is not None and found.name == nation_name() and not head.startswith(nation_name()):
        return None  # 中国(上海)自由贸易试验区…: the nation's short name opens a place's body
    return (found.name, found.parent, found.kind in _TOWN_KINDS) if found is not None else None


def _within(place: JurisdictionName, ancestor: JurisdictionName, names: Sequence[JurisdictionName]) -> bool:
    by_name = {n.name: n for n in names}
    parent, steps = place.parent, 0
    while parent and steps < 4:
        if parent == ancestor.name:
            return True
        parent, steps = (by_name[parent].parent if parent in by_name else ""), steps + 1
    return False


def extract_metadata(text: str, outline: Sequence[OutlineNode], names: Sequence[JurisdictionName],
                     places: Sequence[JurisdictionName] = (), default_jurisdiction: str | None = None) -> DocumentMeta:
    """Read the document-level facts."""
    title = find_title(text, outline)
    number = find_number(text)
    issued = find_issued(text)
    issuer = issued[1] if issued else None
    if issuer is None and title:
        m = _patterns()["title_issuer"].match(fold(title[0]))
        if m:
            issuer = title[0][:m.end(1)]
    jurisdiction, evidence, parent = placement(text, title[0] if title else None, issuer,
                                               number[0] if number else None, names, places)
    return DocumentMeta(
        jurisdiction=jurisdiction or default_jurisdiction or nation_name(),
        jurisdiction_evidence=evidence if jurisdiction or not default_jurisdiction else "the default jurisdiction",
        jurisdiction_parent=parent if jurisdiction else None,
        title=title[0] if title else None,
        title_span=title[1] if title else None,
        number=number[0] if number else None,
        number_surface=number[1] if number else None,
        issued=issued[0] if issued else None,
        issuer=issuer,
        implements=find_implements(text, number[0] if number else None),
    )
