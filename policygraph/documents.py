"""Finding one document by what a user types: its path, its file name, part of its path, or its 文号."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from .errors import UnknownNameError
from .normalize import normalize_document_number

__all__ = ["DocumentRef", "find_document"]

_SHOWN = 8


@dataclass(frozen=True)
class DocumentRef:
    """A document that was read, as a caller knows it: ``key`` is what the caller keeps (an IRI, a graph)."""

    key: str
    source_path: str
    source_file: str = ""
    number: str | None = None

    def describe(self) -> str:
        return f"{self.source_path} ({self.number})" if self.number else self.source_path


def find_document(name: str, documents: Iterable[DocumentRef]) -> DocumentRef:
    """The one document ``name`` designates; :class:`UnknownNameError` for none, or several listing them.

    Why tiers: a document is identified by its path under the build root, but
    a user types whatever is at hand — that path, the path of the file on
    disk (longer, or absolute), its file name, or the 文号 printed on it. An
    exact path or IRI wins; then a path that ends the same way; then the
    文号; then a unique part of the path. Two documents may share a file
    name or a 文号, so a name that fits several is an error naming them all,
    never a silent pick.

    Examples
    --------
    >>> docs = [DocumentRef("g1", "gansu/plan.txt", "plan.txt", "甘政办发〔2016〕1号"),
    ...         DocumentRef("g2", "qinghai/plan.txt", "plan.txt", "青政办〔2016〕2号"),
    ...         DocumentRef("g3", "qinghai/plan.html", "plan.html", "青政办〔2016〕2号")]
    >>> find_document("/home/me/data/gansu/plan.txt", docs).key
    'g1'
    >>> find_document("甘政办发[2016]1号", docs).key
    'g1'
    >>> find_document("plan.txt", docs)
    Traceback (most recent call last):
    ...
    policygraph.errors.UnknownNameError: plan.txt: matches 2 documents: gansu/plan.txt (甘政办发〔2016〕1号), qinghai/plan.txt (青政办〔2016〕2号); give more of its path
    """
    documents = sorted(set(documents), key=lambda d: (d.source_path, d.key))
    wanted = name.strip()
    parts = _parts(wanted)
    number = normalize_document_number(wanted)
    tiers = (
        lambda d: wanted in (d.source_path, d.key),
        lambda d: bool(parts) and _ends_alike(_parts(d.source_path), parts),
        lambda d: number is not None and d.number is not None and normalize_document_number(d.number) == number,
        lambda d: bool(wanted) and wanted.casefold() in d.source_path.casefold(),
    )
    for fits in tiers:
        found = [d for d in documents if fits(d)]
        if len(found) == 1:
            return found[0]
        if found:
            listed = ", ".join(d.describe() for d in found[:_SHOWN]) + (" …" if len(found) > _SHOWN else "")
            raise UnknownNameError(name, f"matches {len(found)} documents: {listed}; give more of its path")
    known = ", ".join(d.source_path for d in documents[:_SHOWN]) + (" …" if len(documents) > _SHOWN else "")
    raise UnknownNameError(name, f"no document has this path, file name or 文号 (documents: {known or 'none'})")


def _parts(path: str) -> tuple[str, ...]:
    return tuple(p for p in PurePath(path.replace("\\", "/")).parts if p not in ("/", ".", ""))


def _ends_alike(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether one path is the other with folders in front (``data/gansu/plan.txt`` and ``gansu/plan.txt``)."""
    n = min(len(a), len(b))
    return n > 0 and a[-n:] == b[-n:]
