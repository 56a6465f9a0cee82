"""
Checks a query must pass before a shared endpoint hands it to the SPARQL engine.

Two questions are answered from the query's structure, never from a pattern over its text:
does it ask the engine to call another address (SERVICE), and does it nest deeper than a
parser can follow without running out of stack. SPARQL lets a query spell the same thing many
ways (``\\u0053ERVICE``, keywords in any case, escaped local names such as ``ex:a\\#`` that a
text pattern takes for a comment), so the first is decided by a real SPARQL parser: rdflib's,
over the text with its code-point escapes decoded as the SPARQL grammar requires. A query that
mentions SERVICE anywhere and that parser cannot read is refused rather than guessed at.
The server's workers cannot open network sockets at all (policygraph.sandbox); this check is
what turns an attempt into a clear refusal instead of a failed query.
"""
from __future__ import annotations

import re

__all__ = ["MAX_DEPTH", "decode_codepoints", "nesting_depth", "calls_out", "refusal"]

#: Deepest nesting of ``{ ( [`` accepted; real queries stay under 20, the engine's parser overflows near 5,000.
MAX_DEPTH = 200

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SKIPPED = re.compile(r'"""(?:[^\\]|\\.)*?(?:"""|\Z)|\'\'\'(?:[^\\]|\\.)*?(?:\'\'\'|\Z)|"(?:[^"\\\n]|\\.)*(?:"|$)'
                      r"|'(?:[^'\\\n]|\\.)*(?:'|$)|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n]*|\\.", re.S | re.M)
_OPEN, _CLOSE = "{([", "})]"


def decode_codepoints(query: str) -> str:
    r"""
    The query with ``\uXXXX`` and ``\UXXXXXXXX`` replaced by their characters, as a SPARQL parser reads it.

    >>> decode_codepoints(r"\u0053ERVICE <http://a/>")
    'SERVICE <http://a/>'
    """
    def char(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _CODEPOINT.sub(char, query)


def nesting_depth(query: str) -> int:
    """
    How deep braces, parentheses and brackets nest outside strings, IRIs and comments.

    >>> nesting_depth('SELECT * { { ?s ?p ?o FILTER(?o != "{{{") } }')
    3
    >>> nesting_depth("ASK {}")
    1
    """
    depth = deepest = 0
    position = 0
    text = decode_codepoints(query)
    for match in _SKIPPED.finditer(text):
        depth, deepest = _count(text[position:match.start()], depth, deepest)
        position = match.end()
    depth, deepest = _count(text[position:], depth, deepest)
    return deepest


def _count(chunk: str, depth: int, deepest: int) -> tuple[int, int]:
    for char in chunk:
        if char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSE:
            depth = max(0, depth - 1)
    return depth, deepest


def calls_out(query: str) -> bool:
    r"""
    True when the query asks for a SERVICE call, or mentions SERVICE and cannot be parsed to tell.

    >>> calls_out("SELECT * { ?s ?p ?o }")
    False
    >>> calls_out('SELECT * { ?s ?p ?o FILTER(?o = "service") }')
    False
    >>> calls_out(r"SELECT * { \u0053ervice <http://127.0.0.1:1/> { ?s ?p ?o } }")
    True
    """
    text = decode_codepoints(query)
    if "service" not in text.lower():
        return False
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except Exception:  # any failure to read it: refuse rather than guess
        return True
    return _has_service(tree)


def _has_service(node) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "ServiceGraphPattern":
                return True
            stack.extend(item.values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or hasattr(item, "asList"):
            stack.extend(item)
    return False


def refusal(query: str, max_depth: int = MAX_DEPTH) -> tuple[int, str] | None:
    """(status, reason) when a shared endpoint must not run the query; None when it may."""
    depth = nesting_depth(query)
    if depth > max_depth:
        return 400, (f"query nested {depth} levels deep; this endpoint accepts at most {max_depth} "
                     "(braces, parentheses and brackets)")
    if calls_out(query):
        return 403, "SERVICE (federated query) is refused: this endpoint only answers from its own store."
    return None
