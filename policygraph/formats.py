"""Query results as text: the aligned table every command prints, CSV, TSV, JSON, JSON lines, Markdown and RDF."""
from __future__ import annotations

import csv
import io
import json
import re
from typing import Iterable, Sequence

from policygraph.errors import UsageError
from policygraph.results import QueryResult
from policygraph.terminal import display_width

__all__ = [
    "FORMATS",
    "cell_text",
    "format_table",
    "table_lines",
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
]

#: Output formats of ``format_result``: rows (``table`` … ``markdown``) for SELECT and ASK,
#: ``turtle`` and ``nt`` for CONSTRUCT and DESCRIBE. ``json`` is the W3C SPARQL results JSON;
#: ``jsonl`` one object of plain values per row, as ``pandas.read_json(lines=True)`` reads it.
FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown", "turtle", "nt")
_GRAPH_FORMATS = ("turtle", "nt")
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")


def cell_text(term) -> str:
    """How a term appears in a table or CSV cell: the IRI or the literal's lexical form, '' when unbound.

    Examples
    --------
    >>> from rdflib import Literal
    >>> cell_text(Literal("甘肃省", lang="zh")), cell_text(None)
    ('甘肃省', '')
    """
    return "" if term is None else str(term)


def _clip(text: str, width: int) -> str:
    """Cut a string to at most ``width`` columns, ending with … when cut."""
    text = " ".join(text.split())
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _is_number(term) -> bool:
    from rdflib import Literal
    from rdflib.namespace import XSD

    return isinstance(term, (int, float)) or (
        isinstance(term, Literal) and term.datatype in (XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int))


def format_table(headers: Sequence[str] | None, rows: Sequence[Sequence], max_width: int | None = 60,
                 numeric: Sequence[bool] | None = None, *, rule: bool = True,
                 min_widths: Sequence[int] | None = None) -> str:
    """An aligned plain-text table; columns are measured in terminal cells, so Chinese lines up.

    Why one function: ``query``, ``rank`` and ``evaluate`` print tables, and one
    formatter keeps their alignment, clipping and spacing the same.

    Parameters
    ----------
    headers : sequence of str, or None for a table without a header line (nor a rule)
    rows : sequence of sequences of cells (str, numbers or rdflib terms; None is blank)
    max_width : int or None
        Longer cells are cut with … (only in this view); None keeps every cell as it is.
    numeric : sequence of bool, optional
        Which columns to right-align; by default those whose cells are all numbers.
    rule : bool
        Whether a line of dashes separates the header from the rows.
    min_widths : sequence of int, optional
        The least width of each column, so that columns can share one width.

    Examples
    --------
    >>> print(format_table(["机构", "n"], [["省科技厅", 28], ["省财政厅", 3]]))
    机构       n
    --------  --
    省科技厅  28
    省财政厅   3
    >>> print(format_table(["field", "tp"], [["tasks", "7"]], numeric=[False, True], rule=False, min_widths=[0, 3]))
    field   tp
    tasks    7
    """
    return "\n".join(table_lines(headers, rows, max_width, numeric, rule=rule, min_widths=min_widths))


def table_lines(headers: Sequence[str] | None, rows: Sequence[Sequence], max_width: int | None = 60,
                numeric: Sequence[bool] | None = None, *, rule: bool = True,
                min_widths: Sequence[int] | None = None) -> list[str]:
    """The lines of :func:`format_table`: the header and its rule (when there are headers), then one line per row.

    Why a list: a caller that puts other lines between the rows (a heading per
    document, a task's text under its row) gets each row's line whole, even
    when a cell kept as it is holds a newline.
    """
    shown: dict[str, tuple[str, int]] = {}

    def cell(c) -> tuple[str, int]:
        text = cell_text(c) if not isinstance(c, float) else f"{c:.3f}"
        found = shown.get(text)
        if found is None:
            clipped = text if max_width is None else _clip(text, max_width)
            found = shown[text] = (clipped, display_width(clipped))
        return found

    texts = [[cell(c) for c in row] for row in rows]
    columns = len(headers) if headers is not None else max((len(row) for row in rows), default=0)
    if numeric is None:
        numeric = _numeric_columns(rows, columns)
    heads = [(h, display_width(h)) for h in headers] if headers is not None else [("", 0)] * columns
    least = list(min_widths) if min_widths is not None else [0] * columns
    widths = [max([least[i], heads[i][1], *(t[i][1] for t in texts)]) for i in range(columns)]

    def line(cells):
        parts = []
        for i, (text, width) in enumerate(cells):
            pad = " " * (widths[i] - width)
            parts.append(pad + text if numeric[i] else text + pad)
        return "  ".join(parts).rstrip()

    out = [] if headers is None else [line(heads), *(["  ".join("-" * w for w in widths)] if rule else [])]
    out.extend(line(t) for t in texts)
    return out


def _numeric_columns(rows: Sequence[Sequence], columns: int) -> list[bool]:
    """Which of ``columns`` hold only numbers (or blanks) in every row: the ones a table right-aligns."""
    number = _memo(lambda c: c is None or _is_number(c), key=lambda c: (type(c), getattr(c, "datatype", None)))
    return [bool(rows) and all(number(r[i]) for r in rows) for i in range(columns)]


def _memo(function, key=id):
    """``function`` remembering its answer per ``key`` of the argument: a big result repeats few distinct values.

    The default key, ``id``, is only safe while the arguments stay alive, as the cells of a result do.
    """
    answers: dict = {}

    def remembered(value):
        k = key(value)
        try:
            return answers[k]
        except KeyError:
            answer = answers[k] = function(value)
            return answer

    return remembered


def to_table(result: QueryResult, max_width: int = 60) -> str:
    """A SELECT result as an aligned table; ASK as ``true``/``false``."""
    if result.kind == "ASK":
        return "true" if result.boolean else "false"
    if result.graph is not None:
        return to_turtle(result)
    return format_table(result.variables, result.rows, max_width=max_width)


def _delimited(result: QueryResult, dialect: str) -> str:
    if result.kind == "ASK":
        answer = [["true" if result.boolean else "false"]]
        return csv_text(["boolean"], answer) if dialect == "csv" else f"boolean\n{answer[0][0]}\n"
    _refuse_graph(result, dialect)
    if dialect == "csv":
        text = _memo(cell_text)
        return csv_text(result.variables, ([text(c) for c in row] for row in result.rows))
    text = _memo(lambda c: tsv_cell(cell_text(c)))
    lines = ["\t".join(result.variables), *("\t".join([text(c) for c in row]) for row in result.rows)]
    return "".join(line + "\n" for line in lines)


def csv_text(headers: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A header row and rows as CSV with CRLF line ends (RFC 4180), the one CSV form every command writes.

    >>> csv_text(["a", "b"], [[1, "x,y"]])
    'a,b\\r\\n1,"x,y"\\r\\n'
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def to_csv(result: QueryResult) -> str:
    """SELECT rows as CSV (the W3C SPARQL 1.1 CSV results form: plain values, CRLF line ends)."""
    return _delimited(result, "csv")


def to_tsv(result: QueryResult) -> str:
    """SELECT rows as tab-separated values, plain values, tabs and newlines in cells escaped."""
    return _delimited(result, "tsv")


def _refuse_graph(result: QueryResult, fmt: str) -> None:
    """A CONSTRUCT or DESCRIBE result has triples, not rows: a row format would print nothing, so it is refused."""
    if result.graph is not None:
        raise UsageError(f"a {result.kind} query returns a graph, not rows: use --format turtle or nt, not {fmt}")


def tsv_cell(text: str) -> str:
    r"""A tab-separated cell: backslash, tab and newline escaped, so every row stays one line of fixed width.

    >>> print(tsv_cell("a\tb\nc\\d"))
    a\tb\nc\\d
    """
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def json_text(term) -> str:
    """A cell as a plain JSON value: numbers and booleans as such, anything else as its text, unbound as null.

    Why: a records format is read by tools (pandas, jq) that know nothing of
    RDF datatypes. A number keeps its exact lexical form (no float rounding).

    Examples
    --------
    >>> from rdflib import Literal, URIRef
    >>> from rdflib.namespace import XSD
    >>> [json_text(t) for t in (Literal("50.0", datatype=XSD.decimal), Literal(True), URIRef("urn:x"), None)]
    ['50.0', 'true', '"urn:x"', 'null']
    """
    from decimal import Decimal

    from rdflib import Literal

    if term is None:
        return "null"
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, Decimal, float)):
            lexical = str(term).strip()
            if _JSON_NUMBER.fullmatch(lexical):
                return lexical
            if isinstance(value, int):
                return str(value)
            if isinstance(value, Decimal) and value.is_finite():
                return format(value, "f")
            if isinstance(value, float) and value not in (float("inf"), float("-inf")) and value == value:
                return repr(value)
    return json.dumps(str(term), ensure_ascii=False)


def to_jsonl(result: QueryResult) -> str:
    """SELECT rows as JSON lines: one object per row with every variable (null when unbound), plain values.

    ASK gives ``{"boolean": true}``. ``pandas.read_json(text, lines=True)`` reads it into one column per variable.

    Examples
    --------
    >>> from rdflib import Literal
    >>> print(to_jsonl(QueryResult("SELECT", ("n", "name"), ((Literal(2), Literal("甘肃省")), (None, None)))), end="")
    {"n": 2, "name": "甘肃省"}
    {"n": null, "name": null}
    """
    if result.kind == "ASK":
        return json.dumps({"boolean": bool(result.boolean)}) + "\n"
    _refuse_graph(result, "jsonl")
    keys = [json.dumps(v, ensure_ascii=False) + ": " for v in result.variables]
    value = _memo(json_text)
    return "".join("{" + ", ".join([k + value(c) for k, c in zip(keys, row)]) + "}\n" for row in result.rows)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence], numeric: Sequence[bool] | None = None) -> str:
    """A Markdown (GitHub) table; ``numeric`` columns are right-aligned. ``|`` in a cell is escaped, a newline is <br>.

    >>> print(markdown_table(["agency", "tasks"], [["省科技厅", 28]], [False, True]))
    | agency | tasks |
    |---|---:|
    | 省科技厅 | 28 |
    """
    def cell(value) -> str:
        return ("" if value is None else str(value)).replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")

    numeric = list(numeric) if numeric is not None else [False] * len(headers)
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |",
             "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def to_markdown(result: QueryResult) -> str:
    """SELECT rows as a Markdown table (numbers right-aligned); ASK as a one-cell table."""
    if result.kind == "ASK":
        return markdown_table(["boolean"], [["true" if result.boolean else "false"]]) + "\n"
    _refuse_graph(result, "markdown")
    numeric = [all(c is None or _is_number(c) for c in column) for column in zip(*result.rows)] or None
    return markdown_table(result.variables, [[cell_text(c) for c in row] for row in result.rows], numeric) + "\n"


def _json_term(term) -> dict:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype:
            out["datatype"] = str(term.datatype)
        return out
    return {"type": "literal", "value": str(term)}


def to_json(result: QueryResult) -> str:
    """The W3C SPARQL 1.1 Query Results JSON format (``head``/``results.bindings`` or ``boolean``).

    Examples
    --------
    >>> from rdflib import Literal
    >>> print(to_json(QueryResult("SELECT", ("n",), ((Literal(2),),))))  # doctest: +NORMALIZE_WHITESPACE
    {"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "2",
     "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}
    """
    if result.kind == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)})
    _refuse_graph(result, "json")
    # Written piece by piece, exactly as json.dumps writes the whole: each distinct term is encoded once.
    keys = [json.dumps(v, ensure_ascii=False) + ": " for v in result.variables]
    term = _memo(lambda c: json.dumps(_json_term(c), ensure_ascii=False))
    bindings = ", ".join("{" + ", ".join([k + term(c) for k, c in zip(keys, row) if c is not None]) + "}"
                         for row in result.rows)
    empty = json.dumps({"head": {"vars": list(result.variables)}, "results": {"bindings": []}}, ensure_ascii=False)
    return empty[:-len("[]}}")] + "[" + bindings + "]}}"


def to_turtle(result: QueryResult) -> str:
    """A CONSTRUCT or DESCRIBE result as Turtle with the project's prefixes."""
    from policygraph.vocab import bind_prefixes

    _refuse_rows(result, "turtle")
    bind_prefixes(result.graph)
    return result.graph.serialize(format="turtle")


def to_ntriples(result: QueryResult) -> str:
    """A CONSTRUCT or DESCRIBE result as N-Triples, one triple per line in sorted order."""
    _refuse_rows(result, "nt")
    return "".join(sorted(line + "\n" for line in result.graph.serialize(format="nt").splitlines() if line.strip()))


def _refuse_rows(result: QueryResult, fmt: str) -> None:
    if result.graph is None:
        rows = ", ".join(f for f in FORMATS if f not in _GRAPH_FORMATS)
        raise UsageError(f"a {result.kind} query returns rows, not a graph: use {rows}, not {fmt}")


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """Format a result in one of ``FORMATS``; a graph is always Turtle in a table."""
    writers = {"table": to_table, "csv": to_csv, "tsv": to_tsv, "json": to_json, "jsonl": to_jsonl,
               "markdown": to_markdown, "turtle": to_turtle, "nt": to_ntriples}
    if fmt not in writers:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return writers[fmt](result)


#: Formats whose text is the concatenation of the rows' lines after one header (``table`` per page).
_LINE_FORMATS = {"table": 2, "csv": 1, "tsv": 1, "jsonl": 0}


def format_pages(pages, fmt: str = "table", rows: int | None = None, more: list | None = None):
    """Yield the text of result pages (from :func:`query_pages`) as it is ready: header once, then rows.

    At most ``rows`` rows are written (None: all); when the pages held more, True is
    appended to ``more``. csv, tsv and jsonl give the same text as formatting the whole
    answer; a table is aligned page by page; json, markdown and graphs are written whole.
    An answer with no rows yields nothing.
    """
    import itertools

    def trimmed():
        left = rows
        for page in pages:
            if page.kind != "SELECT" or left is None:
                yield page
                continue
            if len(page.rows) > left:
                if more is not None:
                    more.append(True)
                yield QueryResult(page.kind, page.variables, page.rows[:left])
                return
            yield page
            left -= len(page.rows)

    results = (page for page in trimmed() if not page.empty)
    first = next(results, None)
    if first is None:
        return
    if fmt not in _LINE_FORMATS or first.kind != "SELECT":
        rest = list(results)
        whole = first if not rest else QueryResult("SELECT", first.variables,
                                                   tuple(itertools.chain(first.rows, *(r.rows for r in rest))))
        yield format_result(whole, fmt)
        return
    yield format_result(first, fmt)
    header = _LINE_FORMATS[fmt]
    for page in results:
        text = format_result(page, fmt)
        for _ in range(header):
            text = text[text.index("\n") + 1:]
        yield ("\n" if fmt == "table" else "") + text
