"""Document metadata: title, 文号, issue date, issuer, jurisdiction and the policies it implements."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ..knowledge import resource_json
from ..model import CitedPolicy, DocumentMeta, OutlineNode, Span
from ..normalize import DOCUMENT_NUMBER_RE, fold, normalize_document_number
from ..segment import iter_lines

__all__ = ["JurisdictionName", "extract_metadata", "issuer_names", "find_title", "find_issued", "find_implements",
           "infer_jurisdiction", "NATIONAL"]

NATIONAL = "中华人民共和国"



@lru_cache(maxsize=1)
def _vocabulary() -> dict:
    """The metadata vocabulary from ``resources/metadata.json`` (title endings, cues, subdivision phrases)."""
    raw = dict(resource_json("metadata.json"))
    raw["title_endings"] = tuple(sorted(raw["title_endings"], key=len, reverse=True))
    raw["subdivision_phrases"] = {fold(k): v for k, v in raw["subdivision_phrases"].items() if v}
    return raw

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10}
_DATE_RE = re.compile(r"^\s*\(?\s*((?:19|20)\d\d|[一二〇○零三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
                      r"\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日\s*\)?\s*$")
_ISSUER_END = ("人民政府", "办公厅", "办公室", "委员会", "政府", "厅", "局", "部", "院", "委")
_CITED_RE = re.compile(r"《([^《》\n]{4,120})》\s*\(\s*((?:[\u4e00-\u9fff]{1,10}?)\s*[〔\[(【]\s*(?:19|20)\d\d\s*[〕\])】]"
                       r"\s*\d{1,4}\s*号)\s*\)")
_NATIONAL_NUMBER = ("国发", "国办发", "国函", "国办函", "中发", "中办发")
_HEAD_LINES = 25
_NOTICE_HEADING_RE = re.compile(r"^.{0,60}?关于(?:印发|转发|公布|下达|颁布).{0,30}《.+》.{0,20}的通知$")
_NOTICE_TITLE_RES = (
    re.compile(r"《([^《》\n]{6,90})》\s*(?:已经|经).{0,20}(?:同意|通过)"),
    re.compile(r"(?:现将|将)《([^《》\n]{6,90})》\s*(?:印发|发给|下发)"),
)


@dataclass(frozen=True)
class JurisdictionName:
    """How a jurisdiction is written: full name, short name and 文号 abbreviation."""

    name: str
    short: str = ""
    abbr: str = ""
    parent: str = ""  # full name of the jurisdiction above it (上海市 for 嘉定区)


def _lines(text: str, folded: str) -> list[tuple[int, str, str]]:
    return [(off, line, folded[off:off + len(line)]) for off, line in iter_lines(text)]


def _is_furniture(line: str) -> bool:
    from ..load import is_furniture_line

    return is_furniture_line(line)


_PERIOD_SUFFIX_RE = re.compile(r"[(（]\s*(?:19|20)\d\d\s*[-—–－~～至]+\s*(?:19|20)\d\d\s*年?\s*[)）]$")


def _ends_with_genre(line: str) -> bool:
    """Whether a line ends like a title: a genre word, possibly followed by the plan period （2019—2022年）."""
    return _PERIOD_SUFFIX_RE.sub("", line).rstrip().endswith(_vocabulary()["title_endings"])


def issuer_names(title: str | None) -> list[str]:
    """The bodies named before 关于 in a title: one for most documents, several for joint ones.

    >>> issuer_names("科技部 财政部 教育部 国资委关于推进科技成果转移转化若干工作的通知")
    ['科技部', '财政部', '教育部', '国资委']
    """
    if not title:
        return []
    m = re.match(r"^(.{2,60}?)关于", title)
    if not m:
        return []
    return [name for name in re.split(r"[\s、，,]+", m.group(1)) if name]


def _is_notice_heading(line: str) -> bool:
    """X关于印发《Y》的通知: a title line that may hold 《》."""
    return bool(_NOTICE_HEADING_RE.match(line))


def _title_line(line: str) -> bool:
    """Whether a (folded, stripped) line may be a title or a title's part: no sentence marks, no date, no 文号."""
    if not line or _DATE_RE.match(line) or DOCUMENT_NUMBER_RE.match(line):
        return False
    if any(c in line for c in "。:：,，;；") or (line.startswith("(") and line.endswith(")")):
        return False
    return "《" not in line or _is_notice_heading(line)


def _is_caption(lines, i: int) -> bool:
    """A title-like line whose next line opens a table header (序号 / 工作任务 …) is the table's caption."""
    for _, _, nfline in lines[i + 1:i + 2]:
        first = re.split(r"[\t ]+|\u3000+", nfline.strip(" \t\u3000"))[0]
        if first in _vocabulary()["caption_followers"]:
            return True
    return False


def _compact(title: str) -> str:
    """A title without the spaces a line break left inside its 《》 or beside them.

    The spaces between joint issuers (科技部 财政部 教育部关于…) are the title's own.

    >>> _compact("立山区人民政府关于印发 《立山区政府2023年重点工作任务分解 和责任分工方案》的通知")
    '立山区人民政府关于印发《立山区政府2023年重点工作任务分解和责任分工方案》的通知'
    """
    title = re.sub(r"[ \t\u3000]+(?=《)|(?<=《)[ \t\u3000]+|[ \t\u3000]+(?=》)", "", title)
    return re.sub(r"《[^《》]*》", lambda m: re.sub(r"[ \t\u3000]+", "", m.group()), title)


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
    lines = [(o, l, f) for o, l, f in _lines(text, folded) if o < body_start and f.strip(" \t\u3000")]
    lines = lines[:_HEAD_LINES * 2]
    for i, (off, line, fline) in enumerate(lines):
        stripped = fline.strip(" \t\u3000")
        if _is_furniture(line) or not _title_line(stripped):
            continue
        lead = len(fline) - len(fline.lstrip(" \t\u3000"))
        start, end = off + lead, off + len(fline.rstrip(" \t\u3000"))
        if _ends_with_genre(stripped) and 6 <= len(stripped) <= 90:
            if _is_caption(lines, i):
                return None
            return _compact(text[start:end]), Span(start, end)
        if i + 1 < len(lines) and 4 <= len(stripped) <= 60 and not _is_notice_heading(stripped):
            noff, nline, nfline = lines[i + 1]
            nstripped = nfline.strip(" \t\u3000")
            if _ends_with_genre(nstripped) and _title_line(nstripped) and not _is_furniture(nline):
                if _is_caption(lines, i + 1):
                    return None
                nend = noff + len(nfline.rstrip(" \t\u3000"))
                joined = text[start:end] + text[noff + len(nfline) - len(nfline.lstrip(" \t\u3000")):nend]
                return _compact(joined), Span(start, nend)
    for pattern in _NOTICE_TITLE_RES:
        m = pattern.search(folded)
        if m:
            return text[m.start(1):m.end(1)], Span(m.start(1), m.end(1))
    return None


def _date_part(s: str) -> int:
    if s.isdigit():
        return int(s)
    if len(s) == 4 and all(c in _CN_DIGITS for c in s):
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGITS[s[1]]
    if s.endswith("十"):
        return _CN_DIGITS[s[0]] * 10
    if "十" in s:
        return _CN_DIGITS[s[0]] * 10 + _CN_DIGITS[s[2]]
    return _CN_DIGITS[s]


def find_issued(text: str) -> tuple[date, str | None] | None:
    """The issue date (a line holding only a date) and the issuing body on the line before it.

    >>> find_issued("正文。\\n吉林省人民政府办公厅\\n２０１５年６月８日\\n")
    (datetime.date(2015, 6, 8), '吉林省人民政府办公厅')
    """
    folded = fold(text)
    lines = _lines(text, folded)
    found = []
    for i, (off, line, fline) in enumerate(lines):
        m = _DATE_RE.match(fline)
        if not m:
            continue
        try:
            issued = date(_date_part(m.group(1)), _date_part(m.group(2)), _date_part(m.group(3)))
        except (ValueError, KeyError):
            continue
        issuer = None
        for j in range(i - 1, max(-1, i - 3), -1):
            prev = lines[j][1].strip(" \t\u3000")
            if prev:
                if prev.endswith(_ISSUER_END) and len(prev) <= 40 and not any(c in prev for c in "。，,：:"):
                    issuer = prev
                break
        found.append((issued, issuer))
    if not found:
        return None
    with_issuer = [f for f in found if f[1]]
    return (with_issuer or found)[-1]


def find_number(text: str) -> tuple[str, str, Span] | None:
    """The document's own 文号: on a line of its own (or before the title) near the top."""
    folded = fold(text)
    for off, line, fline in _lines(text, folded)[:_HEAD_LINES]:
        stripped = fline.strip(" \t\u3000")
        if stripped[:1] == "(" and stripped[-1:] == ")":
            stripped = stripped[1:-1].strip()
        m = DOCUMENT_NUMBER_RE.match(stripped)
        if m and (m.end() == len(stripped) or stripped[m.end():].lstrip().startswith("《")):
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
    for m in _CITED_RE.finditer(folded):
        sentence_start = max(folded.rfind(c, 0, m.start()) for c in "。\n\t") + 1
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
    for what, head in (("title", title), ("issuer", issuer)):
        if not head:
            continue
        head = fold(head)
        if head.startswith(tuple(_vocabulary()["national_heads"])) or re.match(r"^[\u4e00-\u9fff]{1,8}部(?:关于|办公厅)", head):
            return NATIONAL, f"the {what} opens with a national body ({head[:12]})"
        found = _place_chain(head, names, places)
        if found is not None:
            return found, f"the {what} opens with {found} ({head[:20]})"
    if number:
        prefix = DOCUMENT_NUMBER_RE.match(number)
        prefix = prefix.group("prefix") if prefix else ""
        if prefix.startswith(_NATIONAL_NUMBER) or prefix.startswith(("国", "中")) or "部" in prefix:
            return NATIONAL, f"the 文号 prefix {prefix} is a national one"
        for n in names:
            if n.abbr and prefix.startswith(n.abbr + "政"):
                return n.name, f"the 文号 prefix {prefix} abbreviates {n.name}"
    folded = fold(text)
    counts: Counter[str] = Counter()
    for n in names:
        if n.name == NATIONAL:
            continue
        counts[n.name] += folded.count(n.name) * 2
        if n.short and len(n.short) >= 2:
            counts[n.name] += folded.count(n.short)
    if counts:
        best, score = counts.most_common(1)[0]
        if score > 0:
            return best, f"the text names {best} most often (score {score})"
    for phrase, province in _vocabulary()["subdivision_phrases"].items():
        if phrase in folded:
            return province, f"the text calls its subdivisions {phrase}, as {province} does"
    return None, "no place is named: the nation by default"


def _place_chain(head: str, names: Sequence[JurisdictionName], places: Sequence[JurisdictionName]) -> str | None:
    """The lowest jurisdiction a heading opens with: 上海市嘉定区人民政府办公室 → 嘉定区, 鞍山市立山区… → 立山区.

    Each step takes the longest name that opens the rest of the heading; a
    place below the first one must lie in it when the lexicon says where it lies.
    """
    by_len = sorted([*names, *places], key=lambda n: -len(n.name))
    found: JurisdictionName | None = None
    rest = head.removeprefix("中共")
    while rest:
        step = None
        for n in by_len:
            if rest.startswith(n.name) or (found is None and n.short and len(n.short) >= 2 and rest.startswith(n.short)):
                if found is None or not n.parent or n.parent == found.name or _within(n, found, by_len):
                    step = n
                    break
        if step is None:
            break
        found = step
        rest = rest[len(step.name) if rest.startswith(step.name) else len(step.short):].lstrip("()")
    if found is not None and found.name == NATIONAL and not head.startswith(NATIONAL):
        return None  # 中国(上海)自由贸易试验区…: the nation's short name opens a place's body
    return found.name if found is not None else None


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
        m = re.match(r"^(.{2,30}?(?:人民政府办公厅|人民政府办公室|人民政府|办公厅|委员会))关于", fold(title[0]))
        if m:
            issuer = title[0][:m.end(1)]
    jurisdiction, evidence = jurisdiction_with_evidence(text, title[0] if title else None, issuer,
                                                        number[0] if number else None, names, places)
    return DocumentMeta(
        jurisdiction=jurisdiction or default_jurisdiction or NATIONAL,
        jurisdiction_evidence=evidence if jurisdiction or not default_jurisdiction else "the default jurisdiction",
        title=title[0] if title else None,
        title_span=title[1] if title else None,
        number=number[0] if number else None,
        number_surface=number[1] if number else None,
        issued=issued[0] if issued else None,
        issuer=issuer,
        implements=find_implements(text, number[0] if number else None),
    )
