"""
Checks a query must pass before a shared endpoint hands it to the SPARQL engine.

Two questions are answered from the query's structure, never from a pattern over its text:
does it ask the engine to call another address (SERVICE), and does it nest deeper than a
parser can follow without running out of stack. SPARQL lets a query spell the same thing many
ways (``\\u0053ERVICE``, keywords in any case, escaped local names such as ``ex:a\\#`` that a
text pattern takes for a comment), so the first is decided by a real SPARQL parser and the
second by the one SPARQL tokeniser (both in policygraph.sparqltext). A query that mentions
SERVICE anywhere and that parser cannot read is refused rather than guessed at.
The server's workers cannot open network sockets at all (policygraph.sandbox); this check is
what turns an attempt into a clear refusal instead of a failed query.
"""
from __future__ import annotations

from .sparqltext import calls_out, decode_codepoints, nesting_depth

__all__ = ["MAX_DEPTH", "decode_codepoints", "nesting_depth", "calls_out", "refusal"]

#: Deepest nesting of ``{ ( [`` accepted; real queries stay under 20, the engine's parser overflows near 5,000.
MAX_DEPTH = 200


def refusal(query: str, max_depth: int = MAX_DEPTH) -> tuple[int, str] | None:
    """(status, reason) when a shared endpoint must not run the query; None when it may.

    Examples
    --------
    >>> refusal("ASK {}") is None
    True
    >>> refusal("ASK { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")[0]
    403
    """
    depth = nesting_depth(query)
    if depth > max_depth:
        return 400, (f"query nested {depth} levels deep; this endpoint accepts at most {max_depth} "
                     "(braces, parentheses and brackets)")
    if calls_out(query):
        return 403, "SERVICE (federated query) is refused: this endpoint only answers from its own store."
    return None
