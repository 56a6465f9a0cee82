"""Running SPARQL over a built graph: safe parameters, the rdflib, Oxigraph and store-variant backends, pages of rows.

The catalogue of named queries lives in ``policygraph.catalogue``, the result type in
``policygraph.results`` and the formats in ``policygraph.formats``; their names are
re-exported here so ``from policygraph.query import X`` keeps working.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, NamedTuple, Sequence

from policygraph.catalogue import (NamedQuery, list_queries, load_query, optional_param, parse_header, queries_dir,
                                   read_query_text, resolve_query)
from policygraph.errors import QueryError, UsageError
from policygraph.formats import (FORMATS, _json_term, cell_text, csv_text, display_width, format_pages,
                                  format_result, format_table, json_text, markdown_table, to_csv, to_json,
                                 to_jsonl, to_markdown, to_ntriples, to_table, to_tsv, to_turtle, tsv_cell)
from policygraph.results import QueryResult
from policygraph.sparqltext import bind_values, malformed_message, own_page, paged_text, syntax_error_message
from policygraph.sparqltext import with_prefixes as _with_prefixes

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

__all__ = [
    "NamedQuery",
    "QueryResult",
    "FORMATS",
    "queries_dir",
    "parse_header",
    "list_queries",
    "load_query",
    "optional_param",
    "resolve_query",
    "term_for",
    "agency_type_names",
    "match_agency_type",
    "resolve_agency_type",
    "run_query",
    "query_pages",
    "paged_text",
    "store_rows",
    "cell_text",
    "format_table",
    "format_result",
    "format_pages",
    "to_table",
    "to_csv",
    "csv_text",
    "to_tsv",
    "to_json",
    "to_jsonl",
    "to_markdown",
    "to_turtle",
    "to_ntriples",
    "json_text",
    "tsv_cell",
    "markdown_table",
    "display_width",
    "syntax_error_message",
]


_IRI = re.compile(r"^<?((?:https?|urn|file|mailto):[^\s<>\"{}|^`\\]+)>?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
_VARIABLE = r"[?$]{name}\b"


def term_for(value: str) -> "rdflib.term.Node":
    """The RDF term a ``--param`` value is bound as: an IRI, an integer, a decimal or a plain literal.

    A value is always one term, so no value can change what the query does:
    rdflib binds it through ``initBindings``; Oxigraph and remote endpoints,
    which cannot bind every variable that way, get it written into the text as
    that one serialised term (an escaped literal or an IRI, by
    :func:`policygraph.sparqltext.bind_values`).

    Examples
    --------
    >>> term_for("省科技厅")
    rdflib.term.Literal('省科技厅')
    >>> term_for("<https://w3id.org/policygraph/id/agency/1>")
    rdflib.term.URIRef('https://w3id.org/policygraph/id/agency/1')
    >>> term_for("2020").datatype.endswith("integer")
    True
    """
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    value = value.strip()
    iri = _IRI.match(value)
    if iri:
        return URIRef(iri.group(1))
    if _INTEGER.match(value):
        return Literal(value, datatype=XSD.integer)
    if _DECIMAL.match(value):
        return Literal(value, datatype=XSD.decimal)
    return Literal(value)


def match_agency_type(value: str, candidates: Mapping[str, Sequence[str]]) -> str:
    """The one agency-type IRI ``value`` names among ``candidates`` (IRI → its labels and local name).

    Why one function: ``query -p type=``, ``rank --type`` and the Python API must
    accept the same spellings. An exact name (any case) wins over a partial one;
    a partial match must be unique.

    Examples
    --------
    >>> types = {"urn:x#ScienceTechnology": ["科学技术", "科技", "Science and technology", "ScienceTechnology"],
    ...          "urn:x#Finance": ["财政", "Finance", "Finance"]}
    >>> match_agency_type("科技", types), match_agency_type("fin", types)
    ('urn:x#ScienceTechnology', 'urn:x#Finance')
    """
    wanted = value.strip().strip("<>").casefold()
    exact = sorted(iri for iri, names in candidates.items()
                   if wanted == iri.casefold() or any(wanted == n.casefold() for n in names if n))
    found = exact or sorted(iri for iri, names in candidates.items() if any(wanted in n.casefold() for n in names if n))
    if len(found) == 1:
        return found[0]
    if not found:
        raise UsageError(f"no agency type matching {value!r} (give its Chinese or English label, local name or IRI)")

    def named(iri: str) -> str:
        return f"{iri.rsplit('#', 1)[-1]} ({', '.join(dict.fromkeys(n for n in candidates[iri][:-1] if n))})"

    raise UsageError(f"agency type {value!r} is ambiguous: {'; '.join(named(iri) for iri in found)}")


def agency_type_names(graph: "rdflib.Graph") -> dict[str, tuple[str, ...]]:
    """The graph's agency-type concepts: IRI → their labels (preferred, then alternative) and local name."""
    result = run_query(graph, "SELECT ?ty ?label WHERE { ?ty skos:inScheme pg:AgencyTypes "
                              "OPTIONAL { ?ty skos:prefLabel|skos:altLabel ?label } } ORDER BY ?ty ?label")
    names: dict[str, list[str]] = {}
    for iri, label in result.rows:
        names.setdefault(str(iri), []).extend([str(label)] if label is not None else [])
    return {iri: (*labels, iri.rsplit("#", 1)[-1]) for iri, labels in names.items()}


def resolve_agency_type(graph: "rdflib.Graph", value: str) -> str:
    """The IRI of the agency type ``value`` names in ``graph`` (see ``match_agency_type``)."""
    return match_agency_type(value, agency_type_names(graph))


#: Declared parameters whose value names something to look up in the graph before binding:
#: the graph's names of such things, and the function that picks one of them.
_LOOKUPS = {"type": (agency_type_names, match_agency_type)}


def _parse(text: str):
    """Parse SPARQL once, turning parser errors into a UsageError that names line and column.

    The project's prefixes (pg, rdfs, skos, dcterms, xsd, org, prov) are known without a
    PREFIX line, so a one-line query on the command line stays short.
    """
    from rdflib.plugins.sparql import prepareQuery

    from policygraph.vocab import PREFIXES

    try:
        return prepareQuery(text, initNs=PREFIXES)
    except Exception as exc:  # pyparsing's ParseException, or rdflib's plain Exception (unknown prefix)
        raise UsageError(malformed_message(text, exc)) from exc


def run_query(graph: "rdflib.Graph", query: NamedQuery | str, params: Mapping[str, str] | None = None,
              lang: str = "zh", limit: int | None = None, offset: int = 0) -> QueryResult:
    """Run a query on a graph with parameters bound safely, and return the result as plain data.

    Parameters
    ----------
    graph : rdflib.Graph or rdflib.Dataset
        The graph to query (a Dataset with ``default_union=True`` queries all named graphs).
    query : NamedQuery or str
        The query; a string is a named query (``"agencies-by-tasks"``), a .rq file or SPARQL text.
    params : mapping of str to str (or numbers)
        Values for the query's variables (``agency`` binds ``?agency``), converted by ``term_for``.
        A named query must get every parameter it declares and no other.
    lang : str
        Bound to ``?lang`` when the query uses it: named queries show labels in this
        language where they exist, else in Chinese.
    limit, offset : int, optional
        One page of a SELECT: at most ``limit`` rows (None: every row) after skipping ``offset``.
    """
    pages = query_pages(graph, query, params, lang=lang, limit=limit, offset=offset, page_rows=None)
    return next(pages)


def _checked_params(query: NamedQuery, params: Mapping[str, str] | None) -> dict[str, str]:
    """The parameters as text, after checking them against those a named query declares.

    Why: a misspelt or forgotten ``--param`` would otherwise leave a variable
    unbound and the query would quietly answer a different question.
    """
    params = {k: str(v) for k, v in (params or {}).items()}
    if query.params or (query.path is not None and query.path.parent == queries_dir()):
        unknown = sorted(set(params) - set(query.params))
        if unknown:
            raise UsageError(f"query {query.name!r} has no parameter {', '.join(unknown)}; "
                             f"it takes: {', '.join(query.params) or 'no parameters'}")
        missing = [p for p in query.params if p not in params and not optional_param(query.params[p])]
        if missing:
            raise UsageError("; ".join(f"query {query.name!r} needs --param {p}=VALUE ({query.params[p]})"
                                       for p in missing))
    return params


def query_pages(graph: "rdflib.Graph", query: NamedQuery | str, params: Mapping[str, str] | None = None,
                lang: str = "zh", limit: int | None = None, offset: int = 0, page_rows: int | None = 1000):
    """Run a query like :func:`run_query` and yield its answer as results of at most ``page_rows`` rows each.

    Why: a listing of a million rows is printed as Oxigraph produces it, instead of
    being collected first. Every result is a SELECT of the same variables (at least
    one result, maybe empty); ASK, CONSTRUCT and DESCRIBE come whole, as one result;
    ``page_rows=None`` yields the whole answer as one result. Graphs that are not
    stores are answered by rdflib, as one result.
    """
    from rdflib import Literal

    if isinstance(query, str):
        query = resolve_query(query)
    params = _checked_params(query, params)
    prepared = _parse(query.text)
    paging = (limit, offset) if (limit is not None or offset) and prepared.algebra.name == "SelectQuery" else None
    for name, (names_of, match) in _LOOKUPS.items():
        candidates = names_of(graph) if name in query.params and name in params else None
        if candidates:  # a graph without any has nothing to find, and the query returns no rows
            params[name] = f"<{match(params[name], candidates)}>"
    bindings = {k: term_for(v) for k, v in params.items()}
    if "lang" not in bindings and re.search(_VARIABLE.format(name="lang"), query.text):
        bindings["lang"] = Literal(lang)
    # A store with its own SPARQL engine (Oxigraph, a remote endpoint) takes the text; the prepared
    # algebra would make rdflib evaluate the query itself, triple pattern by triple pattern.
    native = type(graph.store).__name__ != "Memory"
    oxigraph = _oxigraph(graph) if native else None
    try:
        variant = _store_variant(graph, query, oxigraph) if oxigraph is not None else None
        if variant is not None and prepared.algebra.name == "SelectQuery":
            yield from _run_partitioned(graph, oxigraph, variant, {**bindings, **_language_forms(bindings, query)},
                                        page_rows, _projection(prepared), *(paging or (None, 0)))
            return
        text = variant.text if variant is not None else query.text
        if paging and not own_page(text):
            text, paging = paged_text(text, *paging), None
            prepared = prepared if native else _parse(text)
        if oxigraph is not None:
            pages = _run_oxigraph(graph, oxigraph, _with_prefixes(text), bindings, page_rows)
            yield from _sliced(pages, *paging) if paging else pages
            return
        result = graph.query(_with_prefixes(text) if native else prepared, initBindings=bindings)
    except QueryError:
        raise
    except Exception as exc:  # evaluation errors come as many rdflib types
        raise QueryError(f"query {query.name!r} failed: {exc}") from exc
    kind = result.type
    if kind == "ASK":
        yield QueryResult(kind, boolean=bool(result.askAnswer))
    elif kind in ("CONSTRUCT", "DESCRIBE"):
        yield QueryResult(kind, graph=result.graph)
    else:
        variables = tuple(str(v) for v in result.vars)
        whole = QueryResult(kind, variables, tuple(tuple(_plain(term) for term in row) for row in result))
        yield from _sliced([whole], *paging) if paging else [whole]


def _sliced(pages, limit: int | None, offset: int):
    """The pages of an answer with its first ``offset`` rows dropped and at most ``limit`` kept (a query that pages itself)."""
    skip, left = offset, limit
    for page in pages:
        rows = page.rows[skip:]
        skip = max(0, skip - len(page.rows))
        if left is not None:
            rows, left = rows[:left], left - len(rows[:left])
        yield QueryResult(page.kind, page.variables, rows)
        if left == 0:
            return


def _oxigraph(graph):
    """The Oxigraph store under a store's rdflib view, read directly (see ``policygraph.store.native_view``), else None."""
    from policygraph.opening import native_view

    return native_view(graph)


def _query_oxigraph(graph, native, text: str, bindings: Mapping):
    """Run text on the Oxigraph store under ``graph`` as ``graph.query`` would: same prefixes, bindings and scope."""
    prefixes = {prefix: str(namespace) for prefix, namespace in graph.namespaces()}
    return native.store.query(bind_values(text, bindings) if bindings else text, prefixes=prefixes,
                              **native.options_for(text))


def _run_oxigraph(graph, native, text: str, bindings: Mapping, page_rows: int | None = None):
    """What ``graph.query`` gives on a store, in results of ``page_rows`` rows, without oxrdflib making a fresh rdflib term of every cell.

    Why: a listing of a million rows repeats a few thousand IRIs and names; each
    distinct value is converted once and shared by the rows it occurs in.
    """
    import itertools

    import pyoxigraph as ox
    from .adapters import from_ox
    from rdflib import Graph

    result = _query_oxigraph(graph, native, text, bindings)
    if isinstance(result, ox.QueryBoolean):
        yield QueryResult("ASK", boolean=bool(result))
        return
    if isinstance(result, ox.QueryTriples):
        triples = Graph()
        triples += (from_ox(triple) for triple in result)
        yield QueryResult("CONSTRUCT", graph=triples)
        return
    variables = tuple(v.value for v in result.variables)
    terms: dict = {None: None}
    solutions = iter(result)
    while True:
        page = _oxigraph_rows(itertools.islice(solutions, page_rows), lambda value: _plain(from_ox(value)), terms)
        yield QueryResult("SELECT", variables, page)
        if page_rows is None or len(page) < page_rows:
            return
        if len(terms) > 100_000:  # a long listing of ever new values: keep the memory of one page
            terms = {None: None}


def store_rows(graph: "rdflib.Graph", text: str, bindings: Mapping | None = None) -> tuple[tuple, ...] | None:
    """The rows of a SELECT on a store, as ``graph.query`` gives them, or None when ``graph`` is not a store.

    Each cell is the rdflib term oxrdflib would make, but one object per distinct value:
    making a fresh term for every cell costs more than the query itself on a big store.
    """
    from .adapters import from_ox

    native = _oxigraph(graph)
    if native is None:
        return None
    try:
        return _oxigraph_rows(_query_oxigraph(graph, native, text, dict(bindings or {})), from_ox)
    except (SyntaxError, OSError, ValueError) as exc:
        raise QueryError(f"reading the store failed: {exc}") from exc


def _oxigraph_rows(solutions, convert, terms: dict | None = None) -> tuple[tuple, ...]:
    """The solutions as rows of plain rdflib terms (``_plain``), one term object per distinct value (kept in ``terms``)."""
    terms = {None: None} if terms is None else terms
    rows = []
    for solution in solutions:
        row = []
        for value in solution:
            term = terms.get(value, terms)
            if term is terms:
                term = terms[value] = _plain(convert(value))
            row.append(term)
        rows.append(tuple(row))
    return tuple(rows)


@dataclass(frozen=True)
class StoreVariant:
    """A shipped query's text for policygraph stores, and the query listing its partitions (or None)."""

    text: str
    partitions: str | None = None


def _store_variant(graph, query: NamedQuery, native) -> StoreVariant | None:
    """The variant of a shipped query that reads a policygraph store's own layout, when ``graph`` is one.

    Why: on a store, facts of one document live in that document's graph, and
    the descriptions documents share in the shared graph; patterns matched
    inside ``GRAPH ?graph`` are several times faster than over the union, and
    the per-agency counts the store keeps (see ``store.statistics_update``)
    answer the top-agencies question without counting every assignment. The
    variants in ``queries/store/`` give the same rows as the query they stand
    for (tests/test_union.py runs both); a store opened on one graph, graph
    files and endpoints get the query as written, and so does a store that
    lacks a statistic the variant names in a ``# requires: pg:…`` line (one
    written by an earlier version). A ``NAME.partitions.rq``
    next to a variant lists the partitions its answer is read in (see
    :func:`_run_partitioned`).
    """
    folder = queries_dir() / "store"
    variant = folder / f"{query.name}.rq"
    if query.path is None or Path(query.path).parent != queries_dir() or not variant.is_file():
        return None
    from policygraph.store import UNION

    if native.options != UNION or not _has_counts(graph):
        return None
    text = read_query_text(variant)
    if not all(_has_statement(graph, term) for term in _REQUIRES.findall(text)):
        return None  # a store written before the variant's statistics were kept
    partitions = folder / f"{query.name}.partitions.rq"
    return StoreVariant(text, read_query_text(partitions) if partitions.is_file() else None)


#: A variant's header line naming a statistics property it reads (``# requires: pg:undatedTargetsInGraph``).
_REQUIRES = re.compile(r"(?m)^#\s*requires:\s*pg:(\w+)\s*$")


def _has_statement(graph, local_name: str) -> bool:
    """Whether a store states some ``pg:`` property (a statistic a variant reads)."""
    return bool(graph.query(_with_prefixes(f"ASK {{ ?s pg:{local_name} ?o }}")).askAnswer)


def _has_counts(graph) -> bool:
    """Whether a store keeps the statistics graph of a policygraph build (and so its layout)."""
    return bool(graph.query(_with_prefixes("ASK { ?a pg:taskCount ?n }")).askAnswer)


def _language_forms(bindings: Mapping, query: NamedQuery) -> dict:
    """``NAME_zh`` and ``NAME_en`` for each parameter of ``query``: its text as a Chinese and an English literal.

    Why: a name is written in the graph as a plain, a Chinese or an English
    literal. Matched as three constants, it is three index lookups; matched by
    ``STR(?label) = ?NAME`` or through ``STRLANG``, Oxigraph compares every label
    of the graph. A value that is an IRI stays the IRI (it matches no label).
    """
    from rdflib import Literal

    forms = {}
    for name in query.params:
        value = bindings.get(name)
        if value is not None:
            for lang in ("zh", "en"):
                forms[f"{name}_{lang}"] = Literal(str(value), lang=lang) if isinstance(value, Literal) else value
    return forms


def _projection(prepared) -> tuple[str, ...]:
    """The variables a parsed SELECT projects, in order."""
    return tuple(str(v) for v in prepared.algebra["PV"])


def _run_partitioned(graph, native, variant: StoreVariant, bindings: Mapping, page_rows: int | None,
                     variables: tuple[str, ...], limit: int | None = None, offset: int = 0):
    """A variant's answer read partition by partition, in pages of ``page_rows`` rows (None: one result).

    Why: ORDER BY over a whole answer makes the first page wait for every row,
    and Oxigraph compares the terms it sorts by reading their text from disk.
    The partitions query lists the partitions (say the document graphs with
    their files; without one, the whole answer is one partition); its rows are sorted here by every column in turn and each
    row's values are bound into the variant, whose ORDER BY begins with those
    columns, so the partitions' answers one after the other are the whole
    answer in order, and the first page needs only the first partitions.
    Each partition's rows are sorted here too, by the variant's ORDER BY; the
    variant may project variables after ``variables`` to sort by, which are
    then dropped (and the rows made distinct again when the variant is
    DISTINCT). ``limit`` and ``offset`` page the whole answer.
    """
    import itertools

    from .adapters import from_ox

    if variant.partitions is None:  # the whole answer is one partition
        names, partitions = [], [()]
    else:
        listed = _query_oxigraph(graph, native, _with_prefixes(variant.partitions), bindings)
        names = [v.value for v in listed.variables]
        partitions = sorted((tuple(row) for row in listed), key=lambda row: tuple(_order_key(term) for term in row))
    body, order = _split_order(variant.text)
    text = _with_prefixes(body)
    distinct = bool(re.search(r"(?is)^\s*(?:#[^\n]*\n\s*|PREFIX\s+\S*\s*<[^>]*>\s*)*SELECT\s+DISTINCT\b", variant.text))
    terms: dict = {None: None}

    def rows():
        for partition in partitions:
            bound = {**bindings, **{n: from_ox(term) for n, term in zip(names, partition) if term is not None}}
            solutions = _query_oxigraph(graph, native, text, bound)
            found = _sorted_rows(solutions, [(v, desc) for v, desc in order if v not in names])
            kept = [found.variables.index(v) for v in variables]
            seen = set()
            for row in found.rows:
                row = tuple(row[i] for i in kept)
                if distinct and len(kept) < len(found.variables):
                    if row in seen:
                        continue
                    seen.add(row)
                yield _oxigraph_rows([row], lambda value: _plain(from_ox(value)), terms)[0]
            if len(terms) > 100_000:
                terms.clear()
                terms[None] = None

    page = itertools.islice(rows(), offset, None if limit is None else offset + limit)
    return _pages(variables, page, page_rows)


class _Found(NamedTuple):
    variables: list
    rows: list


def _sorted_rows(solutions, order: Sequence[tuple[str, bool]]) -> _Found:
    """Oxigraph solutions as rows of terms, sorted by ``order`` ((variable, descending) pairs) with SPARQL's ordering."""
    variables = [v.value for v in solutions.variables]
    rows = [tuple(solution) for solution in solutions]
    for name, descending in reversed(order):
        i = variables.index(name)
        rows.sort(key=lambda row: _order_key(row[i]), reverse=descending)
    return _Found(variables, rows)


_ORDER_BY = re.compile(r"(?is)\bORDER\s+BY\s+((?:(?:(?:ASC|DESC)\s*\(\s*\?\w+\s*\)|\?\w+)(?:\s+|$))+)\s*$")
_ORDER_KEY = re.compile(r"(?i)(ASC|DESC)?\s*\(?\s*\?(\w+)")


def _split_order(text: str) -> tuple[str, list[tuple[str, bool]]]:
    """A query's text without its final ORDER BY of plain variables, and that order as (variable, descending) pairs.

    >>> _split_order("SELECT ?a ?b WHERE { ?a ?p ?b } ORDER BY ?a DESC(?b)")
    ('SELECT ?a ?b WHERE { ?a ?p ?b } ', [('a', False), ('b', True)])
    """
    match = _ORDER_BY.search(text)
    if match is None:
        return text, []
    keys = [(name, (word or "").upper() == "DESC") for word, name in _ORDER_KEY.findall(match.group(1))]
    return text[:match.start()], keys


def _pages(variables: tuple[str, ...], rows: Iterable[tuple], page_rows: int | None):
    """Rows as SELECT results of at most ``page_rows`` rows each (at least one, maybe empty)."""
    import itertools

    rows = iter(rows)
    while True:
        page = tuple(itertools.islice(rows, page_rows))
        yield QueryResult("SELECT", variables, page)
        if page_rows is None or len(page) < page_rows:
            return


#: Datatypes whose literals SPARQL orders by value.
_NUMERIC_TYPES = frozenset("http://www.w3.org/2001/XMLSchema#" + t for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong"))


def _order_key(term) -> tuple:
    """A sort key of an Oxigraph term in SPARQL's ORDER BY order: unbound, blank nodes, IRIs, then literals.

    Numbers compare by value, other literals by their text (code point order, as
    Oxigraph compares them), then language and datatype.
    """
    import pyoxigraph as ox

    if term is None:
        return (0,)
    if isinstance(term, ox.BlankNode):
        return (1, term.value)
    if isinstance(term, ox.NamedNode):
        return (2, term.value)
    datatype = term.datatype.value
    if datatype in _NUMERIC_TYPES:
        try:
            return (3, 0, float(term.value), term.value)
        except ValueError:
            pass
    return (3, 1, term.value, term.language or "", datatype)

def _plain(term):
    """One spelling per value, whatever the engine: "x"^^xsd:string is "x", the decimal 5 is "5.0".

    Oxigraph returns simple literals typed xsd:string and decimals in its own
    canonical form; rdflib's in-memory engine does neither.
    """
    from rdflib import XSD, Literal

    if isinstance(term, Literal) and term.datatype is not None:
        if term.datatype == XSD.string:
            return Literal(str(term))
        if term.datatype == XSD.decimal:
            from .build import decimal_literal

            return decimal_literal(term.toPython())
    return term
