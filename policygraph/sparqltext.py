"""SPARQL as text: one tokeniser, and what is read from or written into a query's text with it.

Everything that looks at a query before an engine parses it goes through :func:`tokens`:
binding parameter values into the text, SELECT DISTINCT for bag-semantics stores, whether the
query names its own dataset (FROM), ends with its own page (LIMIT/OFFSET), is an update, or
nests deeper than a parser can follow; and the one message for a query that does not parse.
Strings, IRIs, comments, prefixed names with escaped local names (``ex:a\\#``) and variables
are single tokens, so a keyword, a variable or a brace written inside one of them is never
taken for the real thing. Whether a query calls another address (SERVICE) is decided by a
real SPARQL parser instead (:func:`calls_out`), because that answer is a security boundary.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple

from .errors import RemoteError, UsageError
from .terminal import display_width

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

__all__ = ["Token", "tokens", "bind_values", "distinct_selects", "names_dataset", "own_page", "paged_text",
           "with_prefixes", "is_update", "decode_codepoints", "nesting_depth", "calls_out", "malformed_message",
           "syntax_error_message", "UPDATE_WORDS"]

#: The words an update operation starts with; a query (SELECT, ASK, CONSTRUCT, DESCRIBE) starts with none.
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})

_NAME_START = r"A-Za-z\u00C0-\uFFFF"
_NAME_CHAR = r"\w\-\u00B7\u00C0-\uFFFF"
#: A run of name characters, dots inside: a prefix before ``:``, else a word. Words and prefixes are the
#: same run, so a run that turns out not to be a prefix is taken whole and never scanned again.
_RUN = rf"[{_NAME_START}](?:[{_NAME_CHAR}.]*[{_NAME_CHAR}])?"
_LOCAL_CHAR = rf"(?:[{_NAME_CHAR}:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])"
#: Every kind of token but the one-character ones (brackets and ``other``), which are what is left between them.
_OPAQUE = rf'''
    (?P<skip>\#[^\n]*                                   # comment
      | """(?:[^"\\]|\\.?|"(?!""))*(?:"""|\Z) | \'\'\'(?:[^'\\]|\\.?|'(?!''))*(?:\'\'\'|\Z)
      | "(?:[^"\\\n]|\\.?)*"? | '(?:[^'\\\n]|\\.?)*'?   # strings; unterminated, to the line's (or text's) end
      | <[^<>"{{}}|^`\\\x00-\x20]*>)                      # IRI references
    | (?P<name>(?:{_RUN}|_)?:                                # prefixed names and blank node labels,
        (?:{_LOCAL_CHAR}(?:(?:{_LOCAL_CHAR}|\.)*{_LOCAL_CHAR})?)?)           # local names escaped or not
    | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
    | (?P<word>{_RUN}|_[A-Za-z0-9_]*)
    | (?P<number>[0-9]+)
    '''
_TOKEN = re.compile(_OPAQUE + r"| (?P<open>[({[]) | (?P<close>[)}\]]) | (?P<other>\S)", re.VERBOSE | re.DOTALL)
_OPAQUE_TOKEN = re.compile(_OPAQUE, re.VERBOSE | re.DOTALL)
_BRACKETS = re.compile(r"[^({[)}\]]+")
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: Where Oxigraph's parser says a query went wrong: ``error at LINE:COLUMN: what it expected``.
_ENGINE_POSITION = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.S)


class Token(NamedTuple):
    """One token of SPARQL text: its kind, the whitespace before it, and its text.

    ``kind`` is ``skip`` (a comment, string or IRI), ``name`` (a prefixed name or
    blank node label), ``var``, ``word`` (a keyword or function name), ``number``
    (digits), ``open`` and ``close`` (brackets of any shape), ``other`` (one
    character) or ``end`` (the text after the last token).
    """

    kind: str
    before: str
    text: str


def tokens(text: str) -> Iterator[Token]:
    """The tokens of SPARQL text, ending with an ``end`` token; joining ``before + text`` gives the text back.

    Why one tokeniser: every check and rewrite of a query's text must agree on
    what is a string, an IRI, a comment or a name, or the same query is read two ways.

    Examples
    --------
    >>> [(t.kind, t.text) for t in tokens('ASK { ex:a\\\\# ?x "}" } # }')]  # doctest: +NORMALIZE_WHITESPACE
    [('word', 'ASK'), ('open', '{'), ('name', 'ex:a\\\\#'), ('var', '?x'), ('skip', '"}"'), ('close', '}'),
     ('skip', '# }'), ('end', '')]
    """
    pos = 0
    for match in _TOKEN.finditer(text):
        before, token = text[pos:match.start()], match.group()
        pos = match.end()
        if match.lastgroup == "word" and "." in token:
            yield from _dotted(before, token)
        else:
            yield Token(match.lastgroup, before, token)
    yield Token("end", text[pos:], "")


def _dotted(before: str, run: str) -> Iterator[Token]:
    """A run with dots that no ``:`` follows (``true.OPTIONAL``): the tokens between its dots, and the dots.

    Why: the run is matched whole, as a prefix would be, so that it is read once;
    no prefix, it is words, numbers and dots, as SPARQL reads it.
    """
    for index, piece in enumerate(run.split(".")):
        if index:
            yield Token("other", before, ".")
            before = ""
        for token in tokens(piece):  # a piece has no dot: its tokens are not split again
            if token.kind != "end":
                yield Token(token.kind, before + token.before, token.text)
                before = ""
        before += token.before


def _significant(text: str) -> Iterator[Token]:
    """The tokens that carry meaning: comments and the end left out."""
    return (t for t in tokens(text) if t.kind != "end" and not (t.kind == "skip" and t.text.startswith("#")))


def bind_values(text: str, bindings: Mapping[str, "rdflib.term.Node"]) -> str:
    """Put bound terms in place of their variables in SPARQL text, as rdflib's ``initBindings`` does locally.

    Why not rdflib's SPARQLStore, which appends ``VALUES`` after the query: a trailing
    VALUES joins after grouping and after every inner group is evaluated, so a
    parameter used in a FILTER, an OPTIONAL or a subquery (``?lang``, ``?agency``)
    would be unbound where it is used and the answers would silently differ from
    the local graph's. Strings, IRIs and comments are left untouched; a bound variable
    in the SELECT list becomes ``(TERM AS ?v)``, after ``AS`` or in a VALUES header it
    stays a variable, and in GROUP BY / ORDER BY it becomes ``(TERM)``.

    Examples
    --------
    >>> from rdflib import Literal
    >>> bind_values('SELECT ?x ?lang { ?x ?p ?o FILTER(lang(?o) = ?lang) } # ?lang', {"lang": Literal("en")})
    'SELECT ?x ("en" AS ?lang) { ?x ?p ?o FILTER(lang(?o) = "en") } # ?lang'
    >>> bind_values('SELECT ?a { ?a <urn:p> "?agency" . FILTER(?a = $agency) }', {"agency": Literal("A")})
    'SELECT ?a { ?a <urn:p> "?agency" . FILTER(?a = "A") }'
    """
    terms = {str(k).lstrip("?$"): _sparql_term(v) for k, v in bindings.items()}
    if not terms:
        return text
    out: list[str] = []
    depth, clause, previous = 0, "", ""
    for kind, before, token in tokens(text):
        out.append(before)
        if kind == "word":
            word = token.upper()
            if word == "SELECT":
                clause, depth = "select", 0
            elif word == "BY" and previous in ("GROUP", "ORDER"):
                clause, depth = "modifier", 0
            elif word == "VALUES":
                clause = "values"
            elif word in ("WHERE", "FROM", "LIMIT", "OFFSET", "HAVING"):
                clause = ""
            previous = word
        elif kind == "open":
            clause = "" if token == "{" else clause
            depth, previous = depth + 1, token
        elif kind == "close":
            depth, previous = depth - 1, token
        elif kind == "var" and token[1:] in terms and previous != "AS" and clause != "values":
            term = terms[token[1:]]
            if clause == "select" and depth == 0:
                token = f"({term} AS {token})"
            elif clause == "modifier" and depth == 0:
                token = f"({term})"
            else:
                token = term
            previous = ""
        else:
            previous = ""
        out.append(token)
    return "".join(out)


def _sparql_term(node) -> str:
    """A bound term as SPARQL text; a blank node or an IRI that cannot be written in ``<…>`` is refused."""
    from rdflib import BNode, URIRef

    if isinstance(node, BNode):
        raise RemoteError(f"a blank node ({node.n3()}) cannot be sent to a remote endpoint as a parameter")
    if isinstance(node, URIRef) and re.search(r'[<>"{}|^`\\\s]', str(node)):
        raise RemoteError(f"{str(node)!r} is not an IRI that can be sent to a remote endpoint")
    return node.n3()


def distinct_selects(text: str) -> str:
    """Make every SELECT of a query (subqueries too) a SELECT DISTINCT, unless it is DISTINCT or REDUCED already.

    Why: Oxigraph 0.5, Virtuoso and GraphDB build the union default graph as a bag,
    so a triple stated in several documents' graphs (an agency's label) matches once
    per graph and rows repeat; rdflib and Fuseki merge the graphs as a set. DISTINCT
    gives back the set semantics wherever the local answer has no repeated rows and
    no aggregate counts repeated triples without DISTINCT, which holds for the named
    queries and for what ``rank`` and ``viz`` read.

    Examples
    --------
    >>> distinct_selects('SELECT ?a { { SELECT DISTINCT ?b {} } { select ?c {} } } # SELECT')
    'SELECT DISTINCT ?a { { SELECT DISTINCT ?b {} } { select DISTINCT ?c {} } } # SELECT'
    """
    out: list[str] = []
    pending = False
    for kind, before, token in tokens(text):
        out.append(before)
        if pending and not (kind == "word" and token.upper() in ("DISTINCT", "REDUCED")):
            out.append("DISTINCT ")
        pending = kind == "word" and token.upper() == "SELECT"
        out.append(token)
    return "".join(out)


def names_dataset(text: str) -> bool:
    """Whether a query names its own dataset (FROM or FROM NAMED), outside strings, IRIs, comments and names.

    Examples
    --------
    >>> names_dataset("SELECT * FROM <urn:g> { ?s ?p ?o }"), names_dataset('SELECT * { ?s ex:from "FROM" } # FROM')
    (True, False)
    """
    return any(t.kind == "word" and t.text.upper() == "FROM" for t in tokens(text))


def own_page(text: str) -> bool:
    """Whether a query's text ends with its own LIMIT or OFFSET (it is then paged as it comes, not by the engine).

    Examples
    --------
    >>> own_page("SELECT * { ?s ?p ?o } LIMIT 5 # five"), own_page("SELECT * { ?s ?p ?o } # LIMIT 5")
    (True, False)
    """
    last = list(_significant(text))[-2:]
    return (len(last) == 2 and last[0].kind == "word" and last[0].text.upper() in ("LIMIT", "OFFSET")
            and last[1].kind == "number")


def paged_text(text: str, limit: int | None, offset: int = 0) -> str:
    """A SELECT's text with ``LIMIT``/``OFFSET`` appended, so the engine stops after one page.

    A query that already ends with its own LIMIT or OFFSET is refused rather than
    paged twice (see ``own_page``).

    Examples
    --------
    >>> print(paged_text("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", 10, 20), end="")
    SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s
    LIMIT 10 OFFSET 20
    """
    if own_page(text):
        raise UsageError("the query has its own LIMIT or OFFSET")
    clauses = ([f"LIMIT {limit}"] if limit is not None else []) + ([f"OFFSET {offset}"] if offset else [])
    return text.rstrip() + "\n" + " ".join(clauses) + "\n"


def with_prefixes(text: str) -> str:
    """The query text with PREFIX lines for the project's prefixes (a later declaration in the text wins)."""
    from .vocab import PREFIXES

    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + text


def is_update(text: str) -> bool:
    r"""Whether SPARQL text is an update (INSERT, DELETE, LOAD …) rather than a query.

    The first word after comments and PREFIX/BASE declarations decides, read after
    code-point escapes are decoded, as a SPARQL parser reads it.

    Examples
    --------
    >>> is_update("PREFIX ex: <http://e/#a> # INSERT\n\u0049NSERT DATA { ex:a ex:b ex:c }")
    True
    >>> is_update('SELECT * { ?s ?p "INSERT" }'), is_update("PREFIX insert: <urn:x> ASK {}")
    (False, False)
    """
    declaring = False
    for kind, _, token in _significant(decode_codepoints(text)):
        if declaring:
            declaring = not (kind == "skip" and token.startswith("<"))
        elif kind == "word" and token.upper() in ("PREFIX", "BASE"):
            declaring = True
        else:
            return kind == "word" and token.upper() in UPDATE_WORDS
    return False


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
    How deep braces, parentheses and brackets nest outside strings, IRIs, comments and names.

    The brackets are the :func:`tokens` left once every longer token is taken out, counted
    without making a token of each: a hostile megabyte of ``{`` costs a fraction of a second.

    >>> nesting_depth('SELECT * { { ?s ?p ?o FILTER(?o != "{{{") } }')
    3
    >>> nesting_depth("ASK {}")
    1
    """
    depth = deepest = 0
    for char in _BRACKETS.sub("", _OPAQUE_TOKEN.sub(" ", decode_codepoints(query))):
        if char in "({[":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def calls_out(query: str) -> bool:
    r"""
    True when the query asks for a SERVICE call, or mentions SERVICE and cannot be parsed to tell.

    SPARQL lets a query spell SERVICE many ways (``\u0053ERVICE``, any case, after an
    escaped local name such as ``ex:a\#`` that a pattern takes for a comment), so this is
    decided by rdflib's parser over the text with its code-point escapes decoded; a query
    that mentions SERVICE anywhere and that parser cannot read is taken to call out.

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
    """Whether a parse tree of rdflib's holds a SERVICE pattern anywhere."""
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


def malformed_message(text: str, exc: BaseException) -> str:
    """The one message for a query a parser refused, rdflib's (pyparsing) or Oxigraph's, with line and column when known.

    Why one function: the CLI reads queries with rdflib's parser and the server
    with Oxigraph's; a person must get the same message, pointing the same way,
    from either. pyparsing gives ``lineno`` and ``col`` (tabs expanded to 8 columns);
    Oxigraph writes ``error at LINE:COLUMN: …`` into its message.

    Examples
    --------
    >>> print(malformed_message("ASK {", SyntaxError("error at 1:6: expected one of \\"}\\"")))
    malformed query: line 1, column 6: expected one of "}"
      ASK {
           ^
    >>> malformed_message("ASK { x:y }", Exception("Unknown namespace prefix : x"))
    'malformed query: Unknown namespace prefix : x'
    """
    line, col = getattr(exc, "lineno", None), getattr(exc, "col", None)
    message = getattr(exc, "msg", None) or str(exc)
    if line is not None and col is not None:
        lines = text.splitlines()
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        return syntax_error_message(text, line, _unexpanded_column(source, col), message)
    position = _ENGINE_POSITION.match(str(exc))
    if position:
        return syntax_error_message(text, int(position.group(1)), int(position.group(2)), position.group(3))
    return f"malformed query: {message}"


def _unexpanded_column(source: str, col: int) -> int:
    """The 1-based character column of pyparsing's ``col``, which counts tabs expanded to 8 columns."""
    expanded = 0
    for index, ch in enumerate(source):
        if expanded >= col - 1:
            return index + 1
        expanded = (expanded // 8 + 1) * 8 if ch == "\t" else expanded + 1
    return len(source) + 1


def syntax_error_message(text: str, line: int, col: int, expected: str) -> str:
    """A parser error as ``malformed query: line L, column C: expected …``, the line, and a caret under column C.

    ``col`` counts characters from 1; the caret line repeats the source's tabs and
    gives wide (CJK) characters two columns, so the caret sits under the character
    in a terminal. Oxigraph's expectation list of Unicode ranges is cut to the
    tokens a person can type.

    Examples
    --------
    >>> print(syntax_error_message('SELECT * { ?x "省" ] }', 1, 19, 'expected one of "(", [_]'))
    malformed query: line 1, column 19: expected one of "("
      SELECT * { ?x "省" ] }
                         ^
    """
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    pad = "".join("\t" if ch == "\t" else " " * display_width(ch) for ch in source[:max(col - 1, 0)])
    return f"malformed query: line {line}, column {col}: {_short_expectation(expected)}\n  {source}\n  {pad}^"


def _short_expectation(detail: str) -> str:
    """The parser's expectation in plain words: no character classes, at most a dozen alternatives."""
    detail = " ".join(re.split(r",?\s*\[['\\]", detail, maxsplit=1)[0].split())
    head, sep, items = detail.partition("expected one of ")
    if not sep:
        detail = detail[:1].lower() + detail[1:]
        return "unexpected text" if re.fullmatch(r"expected \[.*\]", detail) else detail
    alternatives = [item for item in items.split(", ") if item and not item.startswith("[")]
    shown = ", ".join(alternatives[:12]) + (" …" if len(alternatives) > 12 else "")
    return f"{head}expected one of {shown}" if alternatives else f"{head}expected something else"
