"""The catalogue of named queries: the shipped .rq files, their comment headers, and how a query is named."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from policygraph.errors import QueryError, UsageError

__all__ = ["NamedQuery", "queries_dir", "parse_header", "list_queries", "load_query", "optional_param",
           "resolve_query", "expand_template", "read_query_text"]

_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?:—|–|-{1,2}|:)\s*(.*)$")
_TEMPLATE = re.compile(r"^#\s*template\s*:\s*(\S+)((?:\s+[A-Za-z_]\w*=\S+)*)\s*$")
_TEMPLATE_VARIABLE = re.compile(r"\$([A-Za-z_]\w*)\b")


@dataclass(frozen=True)
class NamedQuery:
    """A SPARQL query with the metadata of its comment header.

    ``params`` maps each declared parameter (a variable the query expects to be
    bound) to its meaning; ``path`` is None for inline queries.
    """

    name: str
    text: str
    title: str = ""
    description: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = None

def queries_dir() -> Path:
    """The folder of the named queries shipped in the package."""
    return Path(__file__).resolve().parent / "queries"


def parse_header(text: str) -> tuple[str, str, dict[str, str]]:
    """Title, description and declared parameters from a query's leading comment lines.

    Examples
    --------
    >>> parse_header("# title: T\\n# description: D\\n# param: agency — an agency\\nSELECT * {}")
    ('T', 'D', {'agency': 'an agency'})
    """
    title, description, params = "", "", {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER.match(stripped)
        if not match:
            continue
        key, value = match.groups()
        if key == "title":
            title = value
        elif key == "description":
            description = value
        else:
            pm = _PARAM.match(value)
            if pm:
                params[pm.group(1)] = pm.group(2)
    return title, description, params


def optional_param(meaning: str) -> bool:
    """True when a declared parameter may be left out: its meaning starts with "optional".

    Why: a filter such as targets-by-year's year narrows a listing that is
    useful on its own, so the query runs unrestricted without it.
    """
    return meaning.lower().startswith("optional")


def templates_dir() -> Path:
    """The folder of the query templates: query bodies that several named queries share."""
    return queries_dir() / "templates"


def expand_template(text: str) -> str:
    """A query's text with its header line ``# template: NAME VAR=TERM …`` replaced by that template's text.

    Each ``$VAR`` of the template becomes its ``TERM`` (``class=pg:Fund``); a
    text without such a line is returned as it is. Why: funds, parks and
    programs ask one question of three classes, so the question is written
    once and each of them keeps only its name, its header and its class.

    Examples
    --------
    >>> expand_template("# title: Funds\\n# template: mentions.partitions.rq class=pg:Fund\\n").splitlines()[-1]
    'SELECT ?name ?x WHERE { ?x a pg:Fund ; rdfs:label ?name }'
    """
    lines = text.splitlines(keepends=True)
    for at, line in enumerate(lines):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        match = _TEMPLATE.match(stripped)
        if match:
            body = _template_text(match.group(1))
            bound = dict(pair.split("=", 1) for pair in match.group(2).split())
            body = _TEMPLATE_VARIABLE.sub(lambda v: bound.get(v.group(1), v.group(0)), body)
            return "".join(lines[:at]) + body + "".join(lines[at + 1:])
    return text


def _template_text(name: str) -> str:
    path = templates_dir() / name
    if path.parent != templates_dir():
        raise QueryError(f"{name}: a query template is named by its file name in {templates_dir()}")
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read the query template ({exc})") from exc


def read_query_text(path: Path) -> str:
    """The text of a .rq file, its template expanded (see :func:`expand_template`)."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read the query ({exc})") from exc
    return expand_template(text)


def load_query(path: str | Path, name: str | None = None) -> NamedQuery:
    """Read a .rq file and its header into a NamedQuery."""
    path = Path(path)
    text = read_query_text(path)
    title, description, params = parse_header(text)
    return NamedQuery(name or path.stem, text, title, description, params, path)


def list_queries() -> list[NamedQuery]:
    """Every named query shipped in the package, sorted by name."""
    return [load_query(p) for p in sorted(queries_dir().glob("*.rq"))]


def resolve_query(spec: str) -> NamedQuery:
    """A named query, a .rq file or inline SPARQL text, in that order of precedence.

    Why one entry point: the CLI takes a single QUERY argument and the same
    loader serves names, files and text, so they cannot drift apart.
    """
    spec = spec.strip()
    if re.fullmatch(r"[A-Za-z0-9_-]+", spec):
        named = queries_dir() / f"{spec}.rq"
        if named.is_file():
            return load_query(named)
    if "\n" not in spec and len(spec) < 4096:
        candidate = Path(spec)
        if candidate.suffix.lower() in (".rq", ".sparql") or candidate.is_file():
            if not candidate.is_file():
                raise UsageError(f"{spec}: no such query file")
            return load_query(candidate)
    spec = expand_template(spec).strip()
    if not re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", spec, re.IGNORECASE):
        names = ", ".join(q.name for q in list_queries())
        raise UsageError(f"{spec!r} is neither a named query, a .rq file nor SPARQL; named queries: {names}")
    title, description, params = parse_header(spec)
    return NamedQuery("inline", spec, title, description, params, None)
