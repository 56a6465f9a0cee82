"""Plain data passed between the pipeline stages (load → segment → extract → resolve → build).

Every extracted item keeps the text it was read from (``surface``) and where
(``span``: character offsets into :attr:`SourceDocument.text`), so that each
fact in the graph can be traced back to the document.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

__all__ = [
    "Span",
    "SourceDocument",
    "OutlineNode",
    "Mention",
    "Clause",
    "Rejection",
    "UNCLASSIFIED",
    "Agency",
    "Assignment",
    "AgencyMention",
    "Task",
    "Target",
    "NamedEntity",
    "CitedPolicy",
    "DocumentMeta",
    "Extraction",
    "ROLES",
    "Role",
    "LEAD",
    "SUPPORT",
    "RESPONSIBLE",
    "ROLE_TERMS",
    "ROLE_WEIGHTS",
]

#: The role an agency has in a task: it leads (牵头), supports (配合) or is responsible with no role stated (负责).
Role = Literal["lead", "support", "responsible"]
LEAD: Role = "lead"
SUPPORT: Role = "support"
RESPONSIBLE: Role = "responsible"
#: Roles an agency can have in a responsibility clause, in the order reports list them.
ROLES: tuple[Role, ...] = (LEAD, SUPPORT, RESPONSIBLE)
#: Each role's term in the ``pg:`` vocabulary (its local name): the object of ``pg:role``.
ROLE_TERMS: dict[Role, str] = {LEAD: "LeadRole", SUPPORT: "SupportRole", RESPONSIBLE: "ResponsibleRole"}
#: Weight of one task in an agency's responsibility score, by the agency's role in it (``rank``'s default).
ROLE_WEIGHTS: dict[Role, float] = {LEAD: 1.0, RESPONSIBLE: 1.0, SUPPORT: 0.5}


@dataclass(frozen=True, order=True)
class Span:
    """Half-open character range ``[start, end)`` into a document's decoded text."""

    start: int
    end: int

    def contains(self, other: "Span") -> bool:
        return self.start <= other.start and other.end <= self.end

    def slice(self, text: str) -> str:
        return text[self.start : self.end]

    def strip(self, text: str) -> "Span":
        r"""The span without the whitespace (full-width spaces too) at either end of ``text[start:end]``.

        Why: an item's own text runs up to the next number, so it ends in the
        line break and indent before it; a stored passage should not.

        >>> Span(0, 9).strip("\u3000\u3000加强领导。\n\u3000")
        Span(start=2, end=7)
        >>> Span(2, 4).strip("ab  cd")
        Span(start=4, end=4)
        """
        start, end = self.start, self.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return Span(start, end)


@dataclass(frozen=True)
class SourceDocument:
    """One input file, decoded.

    ``text`` is the decoded text (for HTML input: the visible text of the
    page); all spans in the pipeline index into it.
    """

    source_file: str  # file name without folders, as in pg:sourceFile
    path: str  # the path the file was read from
    text: str
    encoding: str  # codec that decoded the bytes, e.g. "utf-8", "gb18030", "utf-16-le"
    content_hash: str  # sha256 hex digest of the raw bytes
    media_type: str = "text/plain"  # or "text/html"
    source_path: str = ""  # what identifies the document: its path under the build root, as in pg:sourcePath

    def __post_init__(self):
        if not self.source_path:
            object.__setattr__(self, "source_path", self.source_file)


@dataclass(frozen=True)
class OutlineNode:
    """A numbered heading or item of the document outline (一、 （一） 1. （1） ①).

    ``path`` holds the outline numbers from the top, half-width (``("三", "二", "1")``).
    ``span`` runs from the number to the start of the next outline node of any
    level, so it covers the node's own text only, not that of its children.
    ``part`` is empty for the main text and names the appendix (``"附件"`` or
    ``"附件1"``) for outlines that restart in an appendix.
    """

    path: tuple[str, ...]
    level: int  # 1 = 一、 section, 2 = （一） item, 3 = 1. sub-item, ...
    title: str
    title_span: Span
    span: Span
    part: str = ""

    @property
    def outline(self) -> str:
        return "/".join(self.path)


@dataclass(frozen=True)
class Mention:
    """An agency (or non-specific body) named in a responsibility clause."""

    surface: str  # as written in the document
    span: Span
    role: Role
    generic: bool = False  # 相关行业主管部门, 有关部门 ...: not a specific agency
    aliases: tuple[str, ...] = ()  # the body's other plates written after it: 区委组织部（区公务员局）
    stated: bool = True  # the role was written (a role word, a label, a column); False when defaulted


@dataclass(frozen=True)
class Clause:
    """A responsibility clause such as （省科技厅牵头，省财政厅配合）."""

    text: str
    span: Span
    mentions: tuple[Mention, ...]


#: The agency type of a body no lexicon row describes (pg:OtherAgency, labelled "unclassified").
UNCLASSIFIED = "OtherAgency"


@dataclass(frozen=True)
class Rejection:
    """A responsibility cue whose list was not read as bodies, and why (shown by ``policygraph inspect``)."""

    text: str
    span: Span
    reason: str


@dataclass(frozen=True)
class Agency:
    """A resolved agency: one real body in one jurisdiction."""

    name: str  # canonical Chinese name with the jurisdiction, e.g. 甘肃省科学技术厅
    jurisdiction: str  # full name of its jurisdiction, e.g. 甘肃省
    agency_type: str  # local name of a concept in the pg:AgencyTypes scheme
    name_en: str | None = None
    manages: str | None = None  # for park management committees: the park's name
    collective: bool = False  # 各市州政府: many bodies named as one
    romanised: bool = False  # name_en spells a place in pinyin: the lexicon has no English for it


@dataclass(frozen=True)
class Assignment:
    """One agency's role in one task, read from a clause."""

    mention: Mention
    clause: Clause
    agency: Agency | None  # None for non-specific bodies


@dataclass(frozen=True)
class AgencyMention:
    """An agency named outside a clause: the issuer, a coordination body, a 以下简称 short name."""

    surface: str
    span: Span | None  # None when the surface was not located (an issuer given by the metadata)
    agency: Agency
    issuer: bool = False


@dataclass(frozen=True)
class Task:
    """An outline item that carries responsibilities (or stands in a task section)."""

    node: OutlineNode
    clauses: tuple[Clause, ...]
    assignments: tuple[Assignment, ...]

    def text_span(self, text: str) -> Span:
        """Where the task's own text is in ``text``: its item from the number (heading, body, clause) to the next
        outline number, without surrounding whitespace. This is what an analyst reads as "what the task says";
        the clause alone (``clauses``) says only who does it."""
        return self.node.span.strip(text)


@dataclass(frozen=True)
class Target:
    """A quantified goal such as 到2020年全省孵化器数量达到50家以上."""

    value: Decimal
    unit: str | None
    comparator: str  # ">=", "<=" or "="
    surface: str  # the phrase that states the goal
    span: Span
    sentence: str  # the sentence it was read from
    sentence_span: Span
    value_max: Decimal | None = None
    year: int | None = None
    annual: bool = False
    metric: str | None = None  # what is measured, e.g. 孵化器数量


@dataclass(frozen=True)
class NamedEntity:
    """A named park, fund or program."""

    kind: str  # "park", "fund" or "program"
    name: str  # normalised name used as the key (quotes kept as written)
    surface: str
    span: Span


@dataclass(frozen=True)
class CitedPolicy:
    """A higher-level policy that the document implements, cited by 文号."""

    number: str  # normalised 文号: half-width digits, 〔〕 brackets
    title: str | None
    surface: str
    span: Span


@dataclass(frozen=True)
class DocumentMeta:
    jurisdiction: str  # full name, e.g. 甘肃省 / 宁夏回族自治区 / 中华人民共和国
    title: str | None = None
    title_span: Span | None = None
    number: str | None = None  # normalised 文号
    number_surface: str | None = None
    issued: date | None = None
    issuer: str | None = None  # issuing body as written
    implements: tuple[CitedPolicy, ...] = ()
    jurisdiction_evidence: str | None = None  # what decided the jurisdiction, in words
    jurisdiction_parent: str | None = None  # the jurisdiction directly above (a town's district)
    jurisdiction_level: str | None = None  # nation | province | city | district | county | town


@dataclass(frozen=True)
class Extraction:
    """Everything read from one document; the input of the graph builder."""

    document: SourceDocument
    meta: DocumentMeta
    outline: tuple[OutlineNode, ...]
    tasks: tuple[Task, ...]
    targets: tuple[Target, ...] = ()
    named: tuple[NamedEntity, ...] = ()
    agency_mentions: tuple[AgencyMention, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    rejected: tuple[Rejection, ...] = ()  # cued candidates that were not read as responsibilities

    @property
    def unrecognised_bodies(self) -> tuple[str, ...]:
        """Surfaces of the assigned bodies no lexicon row describes, in order of first mention, once each."""
        seen: dict[str, None] = {}
        for task in self.tasks:
            for a in task.assignments:
                if a.agency is not None and a.agency.agency_type == UNCLASSIFIED:
                    seen.setdefault(a.mention.surface)
        return tuple(seen)
