"""What a query returned, as plain data: the one type execution produces and the formats read."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from policygraph.errors import QueryError

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

__all__ = ["QueryResult"]


@dataclass(frozen=True)
class QueryResult:
    """What a query returned, as plain data.

    ``kind`` is SELECT, ASK, CONSTRUCT or DESCRIBE; SELECT fills ``variables``
    and ``rows`` (None for an unbound cell), ASK ``boolean``, CONSTRUCT and
    DESCRIBE ``graph``.
    """

    kind: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple, ...] = ()
    boolean: bool | None = None
    graph: "rdflib.Graph | None" = None

    def __len__(self) -> int:
        if self.kind == "ASK":
            return 1
        if self.graph is not None:
            return len(self.graph)
        return len(self.rows)

    @property
    def empty(self) -> bool:
        """True when there is nothing to show: no rows, no triples (ASK always has an answer)."""
        return self.kind != "ASK" and len(self) == 0

    def records(self) -> list[dict]:
        """The rows as dictionaries of plain Python values (str, int, Decimal …; None when unbound).

        Why: a list of records is what ``pandas.DataFrame`` and ``json.dumps`` take directly.
        """
        if self.kind != "SELECT":
            raise QueryError(f"a {self.kind} query has no rows to turn into records")
        return [{v: _python_value(c) for v, c in zip(self.variables, row)} for row in self.rows]

    def dataframe(self):
        """The rows as a pandas DataFrame with one column per variable (pandas must be installed)."""
        try:
            import pandas
        except ImportError as exc:
            raise QueryError("QueryResult.dataframe needs pandas: pip install pandas") from exc
        return pandas.DataFrame(self.records(), columns=list(self.variables))

    def dicts(self) -> list[dict]:
        """The rows as dictionaries from variable name to rdflib term (unbound cells left out)."""
        return [{v: c for v, c in zip(self.variables, row) if c is not None} for row in self.rows]


def _python_value(term):
    """A cell as a Python value: an IRI as its text, a literal as ``toPython()``, unbound as None."""
    from rdflib import Literal

    if term is None:
        return None
    return term.toPython() if isinstance(term, Literal) else str(term)
