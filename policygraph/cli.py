"""The command line: a thin click layer over the library, one command per task.

build, inspect, remove and export make and keep the store; evaluate and validate check a graph;
query, rank and viz read it; serve and push share it (a read-only endpoint, a remote store).
"""
from __future__ import annotations

import copy
import json
import logging
import sys
from pathlib import Path

import click

from .errors import PolicyGraphError
from .iri import DEFAULT_BASE
from .query import FORMATS as QUERY_FORMATS
from .terminal import safe_text

__all__ = ["cli"]

DEFAULT_OUT = "policygraph-out"
_SHOWN_WARNINGS = 3


def _say(text, err: bool = False) -> None:
    """Print text meant for a person: control characters from documents are shown escaped."""
    click.echo(safe_text(text), err=err)


def _write_rows(text: str, fmt: str, err: bool = False) -> None:
    """Print a formatted result: a table for a person, any other format as written, every line ended alike.

    CSV lines end in CRLF (RFC 4180, the W3C SPARQL CSV form) in every command, the others in LF.
    """
    if fmt == "table":
        return _say(text.rstrip("\n"), err=err)
    click.echo(text.rstrip("\r\n") + ("\r\n" if fmt == "csv" else "\n"), nl=False, err=err)


def _escaped(exc: click.ClickException) -> click.ClickException:
    """``exc`` with its message shown through ``safe_text``, as everything else printed for a person is.

    Why: click's own messages quote what was typed (an extra argument, a file
    name, a value), which may carry an ESC sequence pasted from a document.
    """
    if not getattr(exc, "_policygraph_escaped", False):
        formatted = exc.format_message
        exc.format_message = lambda: safe_text(formatted())
        exc._policygraph_escaped = True
    return exc


class _Group(click.Group):
    """Turns library errors into one-line messages (``--debug`` shows the traceback instead); escapes click's."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.ClickException as exc:
            raise _escaped(exc)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            raise _escaped(exc)
        except PolicyGraphError as exc:
            if ctx.meta.get("policygraph.debug"):
                raise
            _say(f"Error: {exc}", err=True)
            sys.exit(getattr(exc, "exit_code", 1))
        except OSError as exc:
            from .errors import is_disk_full

            if ctx.meta.get("policygraph.debug") or not is_disk_full(exc):
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            _say(f"Error: {where}could not be written: no space left on device; free some space and run again",
                 err=True)
            sys.exit(1)


_HELP = {"help_option_names": ["-h", "--help"]}


class _Aliased(click.Option):
    """An option whose earlier spellings (``aliases``) still work but are not shown in help or messages.

    Why: every command names the graph location ``-g/--graph``; scripts written
    for ``build -o`` or ``serve --store`` keep running.
    """

    def __init__(self, param_decls, aliases=(), **kwargs):
        super().__init__([*param_decls, *aliases], **kwargs)
        self.aliases = tuple(aliases)

    def _shown(self) -> click.Option:
        shown = copy.copy(self)
        shown.opts = [o for o in self.opts if o not in self.aliases]
        return shown

    def get_help_record(self, ctx):
        return click.Option.get_help_record(self._shown(), ctx)

    def get_error_hint(self, ctx):
        return click.Option.get_error_hint(self._shown(), ctx)


@click.group(cls=_Group, context_settings=_HELP)
@click.version_option(package_name="policygraph")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line error messages.")
@click.option("-v", "--verbose", is_flag=True, help="Log what is being done (encodings, warnings) to stderr.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, verbose: bool) -> None:
    """Turn Chinese government implementation plans into a knowledge graph."""
    ctx.meta["policygraph.debug"] = debug
    ctx.meta["policygraph.verbose"] = verbose
    _log_to_stderr(logging.INFO if verbose else logging.WARNING)


class _EchoHandler(logging.Handler):
    """Log records as lines on click's standard error, whichever stream that is when a record comes."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(f"policygraph: {self.format(record)}", err=True)
        except Exception:  # noqa: BLE001 - logging must never stop the command
            self.handleError(record)


def _log_to_stderr(level: int) -> None:
    """The package's loggers (the server's requests, its workers) to stderr: warnings always, the rest with -v."""
    logger = logging.getLogger("policygraph")
    for handler in [h for h in logger.handlers if isinstance(h, _EchoHandler)]:
        logger.removeHandler(handler)
    logger.addHandler(_EchoHandler())
    logger.setLevel(level)
    logger.propagate = False


def _progress_callback(total: int, verbose: bool):
    """Per-document reporting: errors always, details with --verbose, a progress bar (with documents/s) on long runs."""
    import time

    started = time.monotonic()
    done = [0]

    def rate(_item) -> str:
        elapsed = time.monotonic() - started
        return f"{done[0] / elapsed:.0f} docs/s" if elapsed > 0 and done[0] else ""

    bar = (click.progressbar(length=total, label="Building", file=sys.stderr, show_eta=True, item_show_func=rate)
           if total >= 20 else None)
    if bar is not None:
        bar.__enter__()

    def on_document(path, summary, error):
        done[0] += 1
        if error is not None:
            _say(f"Error: {error}", err=True)
        elif summary is not None and verbose:
            warnings = "".join(f"; warning: {w}" for w in summary.warnings)
            _say(f"{path}: decoded as {summary.encoding}; {summary.tasks} tasks, "
                       f"{summary.targets} targets{warnings}", err=True)
        elif verbose:
            _say(f"{path}: unchanged since the last build", err=True)
        if bar is not None:
            bar.update(1)

    return on_document, bar


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(readable=False, path_type=Path))
@click.option("-g", "--graph", "out_dir", cls=_Aliased, aliases=("-o", "--out"), metavar="DIR", default=DEFAULT_OUT,
              show_default=True, type=click.Path(path_type=Path),
              help="Build folder: the graph's store, graph.trig, graph.ttl and build-report.json.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the resources.")
@click.option("--lexicon", "lexicon_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with extra agencies.csv / jurisdictions.csv / generic_bodies.txt rows (repeatable).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for extraction. Default: all cores.")
@click.option("--export/--no-export", default=True, show_default=True,
              help="Also write graph.trig and graph.ttl from the store.")
@click.option("--wait", type=click.FloatRange(min=0), default=60, show_default=True,
              help="Seconds to wait for another build writing to the same store before giving up.")
@click.option("--push", "push_url", metavar="URL",
              help="Also send the graphs this run wrote to a SPARQL Graph Store Protocol URL (PUT per graph).")
@click.option("--rebuild", is_flag=True,
              help="Write a new store of PATHS alone in place of GRAPH/store (also when it is damaged).")
@click.option("--force", is_flag=True, help="Re-extract every input, even those unchanged since the last build.")
@click.option("--compact", is_flag=True,
              help="Merge the store's files after the build: queries a quarter faster on 1,000 documents, "
                   "the store about 60% larger, a few seconds more.")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Name documents by their path under this folder. Default: under each input folder's parent.")
@click.pass_context
def build(ctx, paths, out_dir, base, lexicon_dirs, jobs, export, wait, push_url, rebuild, force, root, compact):
    """Build or update the graph of PATHS (files or folders; the embedded corpus when none are given).

    The graph lives in GRAPH/store (an Oxigraph store, one named graph per
    document); files unchanged since the last build are skipped. A document
    is its file: its path under --root, by default under the parent of the
    input folder it is in (build gansu names gansu/plan.txt).
    """
    from .load import iter_input_files
    from .pipeline import build_corpus, count_lines, embedded_corpus

    total = len(iter_input_files(list(paths) or [embedded_corpus()]))
    on_document, bar = _progress_callback(total, ctx.meta.get("policygraph.verbose", False))
    try:
        report, _ = build_corpus(list(paths) or None, out_dir, base=base, lexicon_dirs=lexicon_dirs, jobs=jobs,
                                 export=export, wait=wait, push=push_url, rebuild=rebuild, force=force, root=root,
                                 on_document=on_document, compact=compact)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for line in count_lines(report.counts):
        click.echo(line)
    warnings = report.warnings()
    for source_path, warning in warnings[:_SHOWN_WARNINGS]:
        _say(f"  warning: {source_path}: {warning}")
    if len(warnings) > _SHOWN_WARNINGS:
        _say(f"  … {len(warnings) - _SHOWN_WARNINGS} more warnings in {out_dir / 'build-report.json'}")
    earlier = sum(len(d["warnings"]) for d in report.carried)
    if earlier:
        _say(f"  ({earlier} warning(s) of unchanged documents, from earlier runs, in {out_dir / 'build-report.json'})")
    unrecognised = report.unrecognised_bodies()
    if unrecognised:
        top = "、".join(u["surface"] for u in unrecognised[:5])
        _say(f"unrecognised bodies {len(unrecognised)} (kept as unclassified agencies; most named: {top}; "
                   "all in build-report.json)")
    click.echo(f"store {out_dir / 'store'}")
    for name in report.outputs.values():
        click.echo(f"wrote {out_dir / name}")
    if report.errors:
        click.echo(f"{len(report.errors)} input(s) failed; the others were built.", err=True)
        ctx.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(readable=False, path_type=Path))
@click.option("--lexicon", "lexicon_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with extra agencies.csv / jurisdictions.csv / generic_bodies.txt rows (repeatable).")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text", show_default=True,
              help="text for reading; json is a list of documents, jsonl one document object per line.")
@click.option("--json", "as_json", is_flag=True, hidden=True, help="The same as --format jsonl.")
def inspect(paths, lexicon_dirs, fmt, as_json):
    """Show what extraction reads from PATHS (files or folders), without building anything.

    For each document: title, jurisdiction and what decided it, every task
    with its bodies, roles and resolved agencies, the cued lists that were
    refused and why, the bodies no lexicon row describes, and every target.
    """
    import json

    from .inspection import format_inspection, inspection
    from .lexicon import load_lexicon
    from .pipeline import extract_paths

    fmt = "jsonl" if as_json else fmt
    failed, documents = [], []

    def show(path, extraction, error):
        if error is not None:
            failed.append(error)
            _say(f"Error: {error}", err=True)
            return
        data = inspection(extraction)
        if fmt == "json":
            documents.append(data)
        elif fmt == "jsonl":
            click.echo(json.dumps(data, ensure_ascii=False, sort_keys=True))
        else:
            _say(format_inspection(data) + "\n")

    extract_paths(list(paths), lexicon=load_lexicon(tuple(lexicon_dirs)), on_document=show)
    if fmt == "json":
        click.echo(json.dumps(documents, ensure_ascii=False, sort_keys=True, indent=2))
    if failed:
        raise SystemExit(1)


@cli.command()
@click.argument("names", nargs=-1, required=True)
@click.option("-g", "--graph", "out_dir", cls=_Aliased, aliases=("-o", "--out"), metavar="DIR", default=DEFAULT_OUT,
              show_default=True, type=click.Path(path_type=Path), help="Build folder whose store to change.")
@click.option("--wait", type=click.FloatRange(min=0), default=60, show_default=True,
              help="Seconds to wait for a build writing to the same store.")
@click.option("--export/--no-export", default=True, show_default=True,
              help="Write graph.trig and graph.ttl again from the store (--no-export deletes them instead).")
@click.pass_context
def remove(ctx, names, out_dir, wait, export):
    """Delete documents (by path, file name or 文号) from the store; agencies other documents name stay.

    build-report.json and the exports are brought in line with the store.
    """
    from .pipeline import remove_documents

    done = remove_documents(names, out_dir, wait=wait, export=export)
    for name in done.removed:
        _say(f"removed {name}")
    for path in done.rewritten:
        _say(f"wrote {path}")
    for path in done.deleted:
        _say(f"deleted {path} (no longer matched the store; `policygraph export` writes it again)")
    for name, reason in zip(done.missing, done.reasons):
        _say(f"Error: {name}: {reason}; not removed", err=True)
    if done.missing:
        ctx.exit(1)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-g", "--graph", "out_dir", cls=_Aliased, aliases=("-o", "--out"), metavar="DIR", default=DEFAULT_OUT,
              show_default=True, type=click.Path(path_type=Path), help="Build folder whose store to export.")
@click.option("-f", "--format", "fmt", type=click.Choice(["trig", "turtle", "nquads", "nt"]), default=None,
              help="RDF format. Default: from PATH's suffix (.trig, .ttl, .nq, .nt).")
def export(path, out_dir, fmt):
    """Write the store to one file: TriG or N-Quads keep the named graphs, Turtle or N-Triples merge them."""
    from .pipeline import export_store
    from .opening import FORMATS

    fmt = fmt or FORMATS.get(path.suffix.lower())
    if fmt not in ("trig", "turtle", "nquads", "nt"):
        raise click.BadParameter(f"cannot tell the format of {path}; pass --format", param_hint="PATH")
    click.echo(f"wrote {export_store(out_dir, path, fmt)}", err=str(path) == "-")


@cli.command()
@click.option("--gold", "gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of hand annotations (one JSON per document). Default: the embedded corpus's.")
@click.option("-g", "--graph", "graph_path", type=click.Path(exists=True, path_type=Path),
              help=f"Graph to evaluate: a store folder, a build folder, or a TriG/Turtle file. Default: {DEFAULT_OUT}/store, else {DEFAULT_OUT}/graph.trig.")
@click.option("--corpus", "corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of the source documents, to locate target texts. Default: the embedded corpus.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="text for reading, json for the whole report as one object, csv for the scores per field and document.")
@click.option("--json", "as_json", is_flag=True, hidden=True, help="The same as --format json.")
@click.option("--no-misses", is_flag=True, help="Print the scores only.")
def evaluate(gold_dir, graph_path, corpus_dir, fmt, as_json, no_misses):
    """Score a built graph against hand annotations: precision, recall and F1 per field."""
    from .evaluate import evaluate as run_evaluation, format_report, format_report_csv
    from .ontology import embedded_dir
    from .opening import default_graph_path, load_graph_file

    graph = load_graph_file(graph_path or default_graph_path())
    report = run_evaluation(graph, gold_dir or embedded_dir("gold"), corpus_dir=corpus_dir or embedded_dir("seeds"))
    if as_json or fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        _write_rows(format_report_csv(report), fmt)
    else:
        _say(format_report(report, misses=not no_misses))


@cli.command()
@click.option("-g", "--graph", "graph_path", type=click.Path(exists=True, path_type=Path),
              help=f"Graph to validate: a store folder, a build folder, or a TriG/Turtle file. Default: {DEFAULT_OUT}/store, else {DEFAULT_OUT}/graph.trig.")
@click.pass_context
def validate(ctx, graph_path):
    """Check a graph against the SHACL shapes of the contract (needs pyshacl)."""
    from .opening import default_graph_path, load_graph_file
    from .validate import validate_graph

    conforms, text = validate_graph(load_graph_file(graph_path or default_graph_path()))
    _say("conforms" if conforms else text)
    if not conforms:
        ctx.exit(1)


def _key_values(pairs) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--param")
        out[key.strip()] = value
    return out


@cli.command()
@click.argument("query", required=False)
@click.option("-g", "--graph", "graph_path", type=click.Path(path_type=Path),
              help=f"Graph to query: a store folder, a build folder, or a TriG/Turtle file. Default: {DEFAULT_OUT}/store, else {DEFAULT_OUT}/graph.trig.")
@click.option("--endpoint", metavar="URL", help="Read from this SPARQL 1.1 endpoint instead of a graph file.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE (an IRI, a number or a literal), e.g. agency=省科技厅. Repeatable.")
@click.option("-f", "--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True,
              help="Output format: json is W3C SPARQL results JSON, jsonl one object of plain values per row; "
                   "turtle or nt for CONSTRUCT/DESCRIBE.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of labels in named queries (English where it exists).")
@click.option("--limit", default="100", show_default=True, metavar="N|all",
              help="Rows to show; all prints every row as the store finds it.")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Rows to skip first.")
@click.option("--list", "list_only", is_flag=True, help="List the named queries and their parameters.")
def query(query, graph_path, params, fmt, lang, list_only, endpoint, limit, offset):
    """Run SPARQL on a built graph: QUERY is a named query, a .rq file, SPARQL text or - for standard input."""
    import itertools

    from .errors import UsageError
    from .query import format_pages, list_queries, query_pages, resolve_query

    if list_only or not query:
        for q in list_queries():
            click.echo(f"{q.name}\n    {q.title}. {q.description}" + "".join(
                f"\n    --param {k}=…  {v}" for k, v in q.params.items()))
        return
    if query == "-":
        query = sys.stdin.read()
        if not query.strip():
            raise UsageError("no query text on standard input")
    rows = None if limit == "all" else _count(limit, "--limit")
    more: list = []
    named = resolve_query(query)
    pages = query_pages(_read_graph(graph_path, endpoint), named, _key_values(params), lang=lang,
                        limit=None if rows is None else rows + 1, offset=offset)
    pages = itertools.chain([next(pages)], pages)
    written = False
    for text in format_pages(pages, fmt, rows, more):
        (_say if fmt == "table" else click.echo)(text.rstrip("\n"))
        written = True
    if not written:
        click.echo("no results")
    if more:
        click.echo(f"first {rows} rows shown: --offset {offset + rows} for the next page, --limit all for every row",
                   err=True)


def _count(value: str, option: str) -> int:
    if not value.isdigit():
        raise click.BadParameter(f"{value!r} is neither a number of rows nor all", param_hint=option)
    return int(value)


@cli.command()
@click.option("-g", "--graph", "graph_path", type=click.Path(path_type=Path),
              help=f"Graph to rank: a store folder, a build folder, or a TriG/Turtle file. Default: {DEFAULT_OUT}/store, else {DEFAULT_OUT}/graph.trig.")
@click.option("--endpoint", metavar="URL", help="Read from this SPARQL 1.1 endpoint instead of a graph file.")
@click.option("--jurisdiction", help="Only tasks of this jurisdiction's documents (name, part of it or IRI).")
@click.option("--document", help="Only tasks of this document (file name, part of it or IRI).")
@click.option("--type", "agency_type", help="Only agencies of this type (科学技术, Finance, ScienceTechnology …).")
@click.option("--by", type=click.Choice(["agency", "type"]), default="agency", show_default=True,
              help="Rank agencies, or agency types side by side across jurisdictions.")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True,
              help="Rows to show (types with --by type).")
@click.option("--sort", help="Measure to sort by (default: score; share with --by type).")
@click.option("--weights", metavar="ROLE=W,…", help="Role weights of the score (default lead=1,responsible=1,support=0.5).")
@click.option("--weighting", type=click.Choice(["tasks", "newman"]), default="tasks", show_default=True,
              help="Co-responsibility edge weight: shared tasks, or Newman's 1/(n-1) per task.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "jsonl", "markdown"]),
              default="table", show_default=True,
              help="Output format: json is a list of row objects, jsonl one row object per line.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--explain", "explain_agency", metavar="AGENCY", help="Show the tasks, roles and co-agencies behind one agency's numbers.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also draw a bar chart of the rows shown (.png or .svg; - writes SVG to standard output and the table to standard error).")
def rank(graph_path, jurisdiction, document, agency_type, by, top, sort, weights, weighting, fmt, lang,
         explain_agency, plot_path, endpoint):
    """Rank agencies by their responsibilities: task counts, roles, score and network measures."""
    from . import analyse

    graph = _read_graph(graph_path, endpoint)
    where = dict(jurisdiction=jurisdiction, document=document, weights=analyse.parse_weights(weights), lang=lang)
    if explain_agency:
        exp = analyse.explain(graph, explain_agency, weighting=weighting, **where)
        return _say(analyse.format_explanation(exp, lang))
    if by == "type":
        ranking = analyse.rank_by_type(graph, agency_type=agency_type, sort=sort or "share", top=top, **where)
    else:
        ranking = analyse.rank(graph, agency_type=agency_type, weighting=weighting, sort=sort or "score", top=top,
                               **where)
    to_stderr = str(plot_path) == "-"  # standard output carries the chart
    if not ranking.rows:
        click.echo("no results", err=to_stderr)
    else:
        _write_rows(analyse.format_ranking(ranking, fmt), fmt, err=to_stderr)
    if plot_path and ranking.rows:
        from .plot import plot_ranking

        click.echo(f"wrote {plot_ranking(ranking, plot_path)}", err=True)


@cli.command()
@click.option("-g", "--graph", "graph_path", type=click.Path(exists=True, path_type=Path),
              help=f"Graph to draw: a store folder, a build folder, or a TriG/Turtle file. Default: {DEFAULT_OUT}/store, else {DEFAULT_OUT}/graph.trig.")
@click.option("--endpoint", metavar="URL", help="Read from this SPARQL 1.1 endpoint instead of a graph file.")
@click.option("-o", "--html", "out_path", cls=_Aliased, aliases=("--out",), type=click.Path(dir_okay=False, path_type=Path),
              help=f"HTML file to write (- for standard output). Default: {DEFAULT_OUT}/graph.html, or agencies.html with --view agencies.")
@click.option("--view", type=click.Choice(["whole", "agencies"]), default="whole", show_default=True,
              help="The whole graph, or the agency co-responsibility network.")
@click.option("--color", "colour_by", type=click.Choice(["community", "type"]), default="community", show_default=True,
              help="With --view agencies: colour agencies by community or by agency type.")
@click.option("--focus", "focus_on", metavar="AGENCY", help="Show only this agency's neighbourhood (name or alias).")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True, help="Steps around --focus.")
@click.option("--document", metavar="FILE", help="Show only this document's part (its source file name).")
@click.option("--jurisdiction", metavar="NAME", help="Show only this jurisdiction's part (甘肃省, Gansu, 甘肃).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Label language.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=20_000, show_default=True,
              help="Refuse a view with more nodes than this (a browser cannot draw many more).")
def viz(graph_path, out_path, view, colour_by, focus_on, depth, document, jurisdiction, lang, endpoint, max_nodes):
    """Write a self-contained, offline HTML explorer of a built graph."""
    from .render import render_html, write_html
    from .viewgraph import build_view

    graph = _read_graph(graph_path, endpoint)
    shown = build_view(graph, view=view, colour_by=colour_by, document=document, jurisdiction=jurisdiction,
                       focus_on=focus_on, depth=depth, max_nodes=max_nodes)
    default = Path(DEFAULT_OUT) / ("graph.html" if view == "whole" else "agencies.html")
    out = write_html(render_html(shown, lang=lang), out_path or default)
    click.echo(f"wrote {out} ({len(shown.nodes)} nodes, {len(shown.edges)} edges)", err=str(out) == "-")


@cli.command()
@click.option("-g", "--graph", "store_path", cls=_Aliased, aliases=("--store",), type=click.Path(path_type=Path),
              help="Graph to serve: a store folder, a build folder, or a TriG/N-Quads/Turtle/N-Triples file. "
                   f"Default: {DEFAULT_OUT}/store.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (0.0.0.0 opens it to the network).")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8737, show_default=True,
              help="Port (0 picks a free one). The default is not Oxigraph's 7878, so `oxigraph serve` can run too.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a query may run before it is stopped (HTTP 503).")
@click.option("--max-results", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Rows or triples per answer; longer results are cut (header X-Results-Truncated: true).")
@click.option("--workers", type=click.IntRange(min=1), help="Query worker processes. Default: the cores, at least 2.")
@click.option("--memory-limit", "memory_limit", metavar="SIZE",
              help="Memory per query worker (e.g. 2G, 512M; 0: none). A query past it is stopped and its worker "
                   "replaced. Default: half the machine's memory shared among the workers, 1G to 8G each.")
@click.option("--max-bytes", "max_bytes", metavar="SIZE", default="64M", show_default=True,
              help="Largest answer; longer results are cut (header X-Results-Truncated: true).")
@click.option("--max-connections", type=click.IntRange(min=1), default=64, show_default=True,
              help="Connections served at once; more get HTTP 503 at once.")
@click.option("--idle-timeout", type=click.FloatRange(min=0.1), default=15.0, show_default=True,
              help="Seconds a connection may stay silent before it is closed.")
@click.option("--busy-timeout", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds a query may run while other requests wait for a worker; past it, it is stopped (503).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Host name the server answers to besides its IP addresses and localhost (repeatable; * any).")
@click.option("--allow-origin", "allow_origins", multiple=True, metavar="ORIGIN",
              help="Origin whose web pages may read answers (CORS; repeatable; * any). Default: none.")
def serve(store_path, host, port, timeout, max_results, workers, memory_limit, max_bytes, max_connections,
          idle_timeout, busy_timeout, allow_hosts, allow_origins):
    """Serve a store read-only: SPARQL endpoint /sparql, query page /, explorer /explorer, /health."""
    from .serve import Access, Limits, parse_size
    from .serve import serve as run_server

    limits = Limits(timeout=timeout, max_results=max_results, max_bytes=parse_size(max_bytes, "--max-bytes"),
                    workers=workers, memory_limit=None if memory_limit is None else parse_size(memory_limit,
                                                                                               "--memory-limit"),
                    max_connections=max_connections, idle_timeout=idle_timeout, busy_timeout=busy_timeout)

    def ready(server):
        click.echo(f"policygraph serving {server.store_path} at {server.url} (SPARQL: {server.url}sparql); "
                   "Ctrl-C stops", err=True)

    run_server(store_path, host, port, on_ready=ready, limits=limits,
               access=Access(tuple(allow_hosts), tuple(allow_origins)))


def _read_graph(graph_path, endpoint):
    """The graph query, rank and viz read: a remote SPARQL endpoint with --endpoint, else the graph file."""
    if endpoint:
        from .remote import endpoint_graph

        return endpoint_graph(endpoint)
    from .opening import default_graph_path, load_graph_file

    return load_graph_file(graph_path or default_graph_path())


@cli.command()
@click.argument("url")
@click.option("-g", "--graph", "graph_path", type=click.Path(exists=True, path_type=Path),
              help=f"Built graph whose named graphs to push: a store folder, TriG or N-Quads. "
                   f"Default: the store in {DEFAULT_OUT}, else {DEFAULT_OUT}/graph.trig.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60, show_default=True,
              help="Seconds to wait for the store to answer each graph.")
def push(url, graph_path, timeout):
    """Write each document's named graph to a remote store (SPARQL 1.1 Graph Store Protocol, PUT per graph)."""
    from .remote import push_dataset
    from .opening import default_graph_path, load_graph_file

    report = push_dataset(load_graph_file(graph_path or default_graph_path()), url, timeout=timeout)
    click.echo(f"pushed {len(report.graphs)} graphs, {report.triples} triples to {url} in {report.seconds:.2f} s")
