"""The command line: a thin click layer over the library (build, evaluate, validate)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import PolicyGraphError
from .iri import DEFAULT_BASE

__all__ = ["cli"]

DEFAULT_OUT = "policygraph-out"


class _Group(click.Group):
    """Turns library errors into one-line messages; ``--debug`` shows the traceback instead."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PolicyGraphError as exc:
            if ctx.meta.get("policygraph.debug"):
                raise
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.version_option(package_name="policygraph")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line error messages.")
@click.option("-v", "--verbose", is_flag=True, help="Log what is being done (encodings, warnings) to stderr.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, verbose: bool) -> None:
    """Turn Chinese government implementation plans into a knowledge graph."""
    ctx.meta["policygraph.debug"] = debug
    ctx.meta["policygraph.verbose"] = verbose


def _progress_callback(total: int, verbose: bool):
    """Per-document reporting: errors always, details with --verbose, a progress bar on long runs."""
    bar = click.progressbar(length=total, label="Extracting", file=sys.stderr) if total >= 20 else None
    if bar is not None:
        bar.__enter__()

    def on_document(path, extraction, error):
        if error is not None:
            click.echo(f"Error: {error}", err=True)
        elif extraction is not None and verbose:
            warnings = "".join(f"; warning: {w}" for w in extraction.warnings)
            click.echo(f"{path}: decoded as {extraction.document.encoding}; {len(extraction.tasks)} tasks, "
                       f"{len(extraction.targets)} targets{warnings}", err=True)
        if bar is not None:
            bar.update(1)

    return on_document, bar


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", default=DEFAULT_OUT, show_default=True, type=click.Path(path_type=Path),
              help="Output folder for graph.trig, graph.ttl and build-report.json.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the resources.")
@click.option("--lexicon", "lexicon_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with extra agencies.csv / jurisdictions.csv / generic_bodies.txt rows (repeatable).")
@click.pass_context
def build(ctx, paths, out_dir, base, lexicon_dirs):
    """Build the graph of PATHS (files or folders; the embedded corpus when none are given)."""
    from .load import iter_input_files
    from .pipeline import build_corpus, embedded_corpus

    total = len(iter_input_files(list(paths) or [embedded_corpus()]))
    on_document, bar = _progress_callback(total, ctx.meta.get("policygraph.verbose", False))
    try:
        report, _ = build_corpus(list(paths) or None, out_dir, base=base, lexicon_dirs=lexicon_dirs,
                                 on_document=on_document)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    width = max(len(k) for k in report.counts)
    for key, value in report.counts.items():
        click.echo(f"{key:<{width}}  {value}")
    for name in report.outputs.values():
        click.echo(f"wrote {out_dir / name}")
    if report.errors:
        click.echo(f"{len(report.errors)} input(s) failed; the others were built.", err=True)
        ctx.exit(1)


@cli.command()
@click.option("--gold", "gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of hand annotations (one JSON per document). Default: the embedded corpus's.")
@click.option("-g", "--graph", "graph_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=f"Graph to evaluate (TriG or Turtle). Default: {DEFAULT_OUT}/graph.trig.")
@click.option("--corpus", "corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of the source documents, to locate target texts. Default: the embedded corpus.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--no-misses", is_flag=True, help="Print the scores only.")
def evaluate(gold_dir, graph_path, corpus_dir, as_json, no_misses):
    """Score a built graph against hand annotations: precision, recall and F1 per field."""
    from .evaluate import evaluate as run_evaluation, format_report
    from .ontology import embedded_dir
    from .store import load_graph_file

    graph = load_graph_file(graph_path or Path(DEFAULT_OUT) / "graph.trig")
    report = run_evaluation(graph, gold_dir or embedded_dir("gold"), corpus_dir=corpus_dir or embedded_dir("seeds"))
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(report, misses=not no_misses))


@cli.command()
@click.option("-g", "--graph", "graph_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=f"Graph to validate (TriG or Turtle). Default: {DEFAULT_OUT}/graph.trig.")
@click.pass_context
def validate(ctx, graph_path):
    """Check a graph against the SHACL shapes of the contract (needs pyshacl)."""
    from .store import load_graph_file
    from .validate import validate_graph

    conforms, text = validate_graph(load_graph_file(graph_path or Path(DEFAULT_OUT) / "graph.trig"))
    click.echo("conforms" if conforms else text)
    if not conforms:
        ctx.exit(1)
