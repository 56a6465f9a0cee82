"""Conventions shared by every command: one spelling for the graph location, its earlier spellings as aliases."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil

import click
import pytest
from click.testing import CliRunner

from policygraph.cli import _Aliased, cli
from policygraph.query import list_queries

from .conftest import ROOT, SEEDS

#: Commands that take the graph location, and the earlier spellings each still accepts.
GRAPH_COMMANDS = {"build": ("-o", "--out"), "remove": ("-o", "--out"), "export": ("-o", "--out"), "serve": ("--store",),
                  "query": (), "rank": (), "viz": (), "evaluate": (), "validate": (), "push": ()}


@pytest.fixture
def build_copy(seed_build, tmp_path):
    """A private copy of the seed build, for commands that change it."""
    return shutil.copytree(seed_build[2], tmp_path / "out")


def test_every_command_that_reads_or_writes_a_graph_is_listed():
    graphless = {"inspect"}
    assert set(cli.commands) - graphless == set(GRAPH_COMMANDS)


def _option_lines(help_text: str) -> list[str]:
    return [line.strip() for line in help_text.splitlines() if line.strip().startswith("-")]


@pytest.mark.parametrize("command", sorted(GRAPH_COMMANDS))
def test_help_shows_dash_g_graph_and_hides_the_aliases(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    lines = _option_lines(result.output)
    assert any(line.startswith("-g, --graph ") for line in lines), result.output
    for alias in GRAPH_COMMANDS[command]:
        assert not any(re.search(rf"(^|[ ,]){re.escape(alias)}[ ,]", line) for line in lines), (alias, result.output)
    assert "--store" not in result.output and "--out " not in result.output


def test_viz_names_its_page_html_and_the_graph_g():
    text = CliRunner().invoke(cli, ["viz", "--help"]).output
    assert "-o, --html FILE" in text and "-g, --graph PATH" in text and "--out" not in text


@pytest.mark.parametrize("spelling", ["-g", "--graph", "-o", "--out"])
def test_build_writes_the_folder_given_by_every_spelling(spelling, tmp_path):
    out = tmp_path / "built"
    result = CliRunner().invoke(cli, ["build", str(SEEDS / "004_804e474c68a51211.txt"), spelling, str(out),
                                      "--no-export"])
    assert result.exit_code == 0, result.output
    assert (out / "store").is_dir() and f"store {out / 'store'}" in result.output


@pytest.mark.parametrize("spelling", ["-g", "--graph", "-o", "--out"])
def test_remove_changes_the_store_given_by_every_spelling(spelling, build_copy):
    result = CliRunner().invoke(cli, ["remove", "001_af53bcfdcd3fec12.txt", spelling, str(build_copy)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("removed seeds/001_af53bcfdcd3fec12.txt\n")
    again = CliRunner().invoke(cli, ["remove", "001_af53bcfdcd3fec12.txt", "-g", str(build_copy)])
    assert again.exit_code == 2 and "no document has this path" in again.output


@pytest.mark.parametrize("spelling", ["-o", "--out", "--graph"])
def test_export_reads_the_store_given_by_every_spelling(spelling, seed_build, tmp_path):
    reference, other = tmp_path / "g.nt", tmp_path / f"{spelling.strip('-')}.nt"
    assert CliRunner().invoke(cli, ["export", str(reference), "-g", str(seed_build[2])]).exit_code == 0
    result = CliRunner().invoke(cli, ["export", str(other), spelling, str(seed_build[2])])
    assert result.exit_code == 0, result.output
    assert other.read_bytes() == reference.read_bytes() and b"<http" in reference.read_bytes()


@pytest.mark.parametrize("spelling", ["-g", "--graph", "--store"])
def test_serve_takes_the_graph_by_every_spelling(spelling, tmp_path):
    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(cli, ["serve", spelling, str(missing)])
    assert result.exit_code == 1
    assert f"{missing}: no such store" in result.output


@pytest.mark.parametrize("spelling", ["-o", "--html", "--out"])
def test_viz_writes_the_page_given_by_every_spelling(spelling, seed_build, tmp_path):
    page = tmp_path / "page.html"
    result = CliRunner().invoke(cli, ["viz", "-g", str(seed_build[2]), "--view", "agencies", spelling, str(page)])
    assert result.exit_code == 0, result.output
    assert page.read_text("utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("args", [["query", "agencies"], ["rank", "--top", "1"], ["evaluate", "--no-misses"],
                                  ["validate"]], ids=lambda a: a[0])
@pytest.mark.parametrize("spelling", ["-g", "--graph"])
def test_reading_commands_take_dash_g(args, spelling, seed_build):
    result = CliRunner().invoke(cli, [*args, spelling, str(seed_build[2])])
    assert result.exit_code == 0, result.output


def test_push_takes_dash_g(tmp_path):
    result = CliRunner().invoke(cli, ["push", "http://127.0.0.1:9/", "-g", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "Invalid value for '-g' / '--graph'" in result.output


def test_an_alias_is_left_out_of_error_messages():
    @click.command()
    @click.option("-n", "--number", cls=_Aliased, aliases=("--count",), type=int)
    def command(number):
        click.echo(number)

    assert CliRunner().invoke(command, ["--count", "3"]).output == "3\n"
    bad = CliRunner().invoke(command, ["--count", "x"])
    assert bad.exit_code == 2 and "Invalid value for '-n' / '--number'" in bad.output and "'--count'" not in bad.output


def test_readme_uses_the_graph_spelling():
    """The README shows -g for the graph location: no `build -o`, `remove -o`, `export -o` or `serve --store`."""
    readme = (ROOT / "README.md").read_text("utf-8")
    commands = [line for line in readme.splitlines() if re.search(r"(\$ |`)policygraph (build|remove|export|serve)\b",
                                                                   line)]
    assert commands
    for line in commands:
        assert not re.search(r"policygraph (build|remove|export)\b[^|`]*\s(-o|--out)\s", line), line
        assert not re.search(r"policygraph serve\b[^|`]*--store", line), line


# ---------------------------------------------------------------- -f: one name per format, a records format for pandas

#: Parameters for the named queries that need one, as on the command line.
QUERY_ARGS = {"agency-tasks": ["-p", "agency=省科技厅"], "co-agencies": ["-p", "agency=青海省科学技术厅"],
              "agency-type-compare": ["-p", "type=ScienceTechnology"], "targets-compare": ["-p", "metric=孵化器"]}


def _format_choices(command: str) -> list[str]:
    option = next(p for p in cli.commands[command].params if p.name == "fmt")
    return list(option.type.choices)


def test_format_names_mean_one_format_across_commands():
    """query and rank offer the same row formats; evaluate and inspect name theirs from the same list."""
    from policygraph.analyse import RANK_FORMATS
    from policygraph.query import FORMATS

    assert _format_choices("query") == list(FORMATS)
    assert _format_choices("rank") == list(RANK_FORMATS)
    assert set(RANK_FORMATS) == set(FORMATS) - {"turtle", "nt"}
    assert set(_format_choices("evaluate")) == {"text", "json", "csv"}
    assert set(_format_choices("inspect")) == {"text", "json", "jsonl"}
    assert {"turtle", "nt"} <= set(_format_choices("export"))


@pytest.mark.parametrize("name", [q.name for q in list_queries()])
def test_query_jsonl_reads_into_pandas_as_the_csv_rows(name, seed_build):
    pandas = pytest.importorskip("pandas")
    import io

    args = ["query", name, *QUERY_ARGS.get(name, []), "-g", str(seed_build[2]), "-f"]
    jsonl, csv_text = (CliRunner().invoke(cli, [*args, fmt]) for fmt in ("jsonl", "csv"))
    assert jsonl.exit_code == 0 and csv_text.exit_code == 0, jsonl.output
    lines = jsonl.stdout.splitlines()
    assert lines and all(line.startswith("{") and line.endswith("}") for line in lines)
    from_jsonl = pandas.read_json(io.StringIO(jsonl.stdout), lines=True)
    from_csv = pandas.read_csv(io.StringIO(csv_text.stdout))
    assert len(from_jsonl) > 0 and list(from_jsonl.columns) == list(from_csv.columns)
    pandas.testing.assert_frame_equal(from_jsonl, from_csv, check_dtype=False)


def test_jsonl_values_are_plain_and_exact():
    from decimal import Decimal

    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from policygraph.query import QueryResult, to_jsonl

    row = (Literal("12345678901234567890.5", datatype=XSD.decimal), Literal("007", datatype=XSD.integer),
           Literal("1", datatype=XSD.boolean), Literal("2017-05-09", datatype=XSD.date), URIRef("urn:x"),
           Literal("甘肃省", lang="zh"), Literal("INF", datatype=XSD.double), None)
    names = ("d", "i", "b", "date", "iri", "name", "inf", "none")
    line = to_jsonl(QueryResult("SELECT", names, (row,)))
    assert line.startswith('{"d": 12345678901234567890.5, "i": 7, "b": true, "date": "2017-05-09", "iri": "urn:x", '
                           '"name": "甘肃省", "inf": "') and line.endswith('", "none": null}\n')
    values = json.loads(line, parse_float=Decimal)  # an infinity is text: a bare inf would not be JSON
    assert values["d"] == Decimal("12345678901234567890.5") and values["inf"].lower() == "inf"
    assert to_jsonl(QueryResult("ASK", boolean=False)) == '{"boolean": false}\n'


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "markdown"])
def test_construct_refuses_every_row_format(fmt, seed_build):
    text = "CONSTRUCT { ?d pg:sourceFile ?f } WHERE { ?d pg:sourceFile ?f }"
    result = CliRunner().invoke(cli, ["query", text, "-g", str(seed_build[2]), "-f", fmt])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        f"Error: a CONSTRUCT query returns a graph, not rows: use --format turtle or nt, not {fmt}"]


def test_construct_as_ntriples_and_select_refuses_graph_formats(seed_build):
    from rdflib import Graph

    text = "CONSTRUCT { ?d pg:sourceFile ?f } WHERE { ?d pg:sourceFile ?f }"
    nt = CliRunner().invoke(cli, ["query", text, "-g", str(seed_build[2]), "-f", "nt"])
    assert nt.exit_code == 0
    lines = nt.output.splitlines()
    assert lines == sorted(lines) and len(Graph().parse(data=nt.output, format="nt")) == len(lines) > 0
    refused = CliRunner().invoke(cli, ["query", "documents", "-g", str(seed_build[2]), "-f", "nt"])
    assert refused.exit_code == 2 and "returns rows, not a graph" in refused.output


def test_markdown_cells_cannot_break_the_table():
    from policygraph.query import markdown_table

    table = markdown_table(["a", "b"], [["x|y", "line\nnext"]])
    assert table.splitlines()[2] == "| x\\|y | line<br>next |"


def test_rank_jsonl_tsv_and_markdown_carry_the_json_rows(seed_build):
    graph = ["rank", "--top", "5", "-g", str(seed_build[2]), "-f"]
    shown = {fmt: CliRunner().invoke(cli, [*graph, fmt]) for fmt in ("json", "jsonl", "csv", "tsv", "markdown")}
    assert all(r.exit_code == 0 for r in shown.values())
    records = json.loads(shown["json"].output)
    assert [json.loads(line) for line in shown["jsonl"].output.splitlines()] == records and len(records) == 5
    tsv = [line.split("\t") for line in shown["tsv"].output.splitlines()]
    csv_rows = [line.split(",") for line in shown["csv"].output.splitlines() if line]
    assert tsv == csv_rows and tsv[0] == list(records[0])
    markdown = shown["markdown"].output.splitlines()
    assert markdown[0].startswith("| rank | agency |") and len(markdown) == 2 + len(records)


def test_evaluate_format_json_is_the_json_flag(seed_build):
    by_format = CliRunner().invoke(cli, ["evaluate", "-g", str(seed_build[2]), "-f", "json"])
    by_flag = CliRunner().invoke(cli, ["evaluate", "-g", str(seed_build[2]), "--json"])
    assert by_format.exit_code == by_flag.exit_code == 0
    assert by_format.output == by_flag.output and "fields" in json.loads(by_format.output)
    assert "--json" not in CliRunner().invoke(cli, ["evaluate", "--help"]).output


def test_inspect_json_is_a_list_and_jsonl_one_document_per_line():
    docs = [str(SEEDS / "004_804e474c68a51211.txt"), str(SEEDS / "002_1d37a83bbf4946c8.txt")]
    as_list, as_lines, by_flag = (CliRunner().invoke(cli, ["inspect", *docs, *extra])
                                  for extra in (["-f", "json"], ["-f", "jsonl"], ["--json"]))
    assert as_list.exit_code == as_lines.exit_code == by_flag.exit_code == 0
    assert as_lines.output == by_flag.output
    assert json.loads(as_list.output) == [json.loads(line) for line in as_lines.output.splitlines()]
    assert len(json.loads(as_list.output)) == 2


# ---------------------------------------------------------------- click's own messages are escaped like ours

HOSTILE = "\x1b]0;pwned\x07\u202e"


@pytest.mark.parametrize("args", [
    ["validate", f"extra{HOSTILE}"],
    ["query", f"missing{HOSTILE}.rq"],
    ["export", f"graph{HOSTILE}.nope"],
    ["rank", "--by", f"nope{HOSTILE}"],
    [f"bu{HOSTILE}"],
    [f"--no-such{HOSTILE}"],
    ["build", f"--no-such{HOSTILE}"],
], ids=["extra-argument", "query-file", "export-format", "choice", "command", "group-option", "command-option"])
def test_usage_errors_show_control_characters_escaped(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "Error: " in result.output, result.output
    assert "\\x1b]0;pwned\\x07\\u202e" in result.output
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", result.output), repr(result.output)


def _line_ends(data: bytes) -> set[bytes]:
    """The line terminators used in ``data``: CRLF, or a bare LF."""
    return {b"\r\n" if data[i - 1:i] == b"\r" else b"\n" for i in range(len(data)) if data[i:i + 1] == b"\n"}


@pytest.mark.parametrize("args", [["query", "agencies-by-tasks"], ["rank", "--top", "5"], ["evaluate"]],
                         ids=["query", "rank", "evaluate"])
def test_csv_ends_every_line_in_crlf_in_every_command(args, seed_build):
    """query wrote CRLF, rank LF and evaluate had no CSV: one convention, RFC 4180's CRLF, everywhere."""
    result = CliRunner().invoke(cli, [*args, "-g", str(seed_build[2] / "graph.trig"), "-f", "csv"])
    assert result.exit_code == 0, result.output
    data = result.stdout_bytes
    assert data.endswith(b"\r\n") and _line_ends(data) == {b"\r\n"}
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert len(rows) > 2 and all(len(row) == len(rows[0]) for row in rows)


def test_evaluate_csv_has_the_text_report_scores(seed_build):
    graph = str(seed_build[2] / "graph.trig")
    text = CliRunner().invoke(cli, ["evaluate", "-g", graph, "--no-misses"]).output
    rows = list(csv.DictReader(io.StringIO(CliRunner().invoke(cli, ["evaluate", "-g", graph, "-f", "csv"]).output)))
    totals = {r["field"]: r for r in rows if not r["document"]}
    for line in text.splitlines()[1:]:
        if not line.strip():
            break
        name, precision, recall, f1, tp, fp, fn = line.split()
        assert (totals[name]["precision"], totals[name]["recall"], totals[name]["f1"]) == (precision, recall, f1)
        assert (totals[name]["tp"], totals[name]["fp"], totals[name]["fn"]) == (tp, fp, fn)
    assert {r["document"] for r in rows if r["document"]}


@pytest.mark.parametrize("mistake", [
    {"query": ["query", "documents", "-f", "nt"], "rank": ["rank", "--plot", "chart.txt"],
     "says": ("returns rows, not a graph", "written as .png or .svg")},
    {"query": ["query", "agency-type-compare", "-p", "type=nope"], "rank": ["rank", "--type", "nope"],
     "says": ("no agency type matching 'nope'",) * 2},
], ids=["output-format", "agency-type"])
def test_the_same_mistake_exits_2_in_query_and_in_rank(seed_build, tmp_path, monkeypatch, mistake):
    """A usage mistake is a UsageError in the library, so every command exits with the same code for it."""
    monkeypatch.chdir(tmp_path)
    graph = ["-g", str(seed_build[2])]
    for command, says in zip(("query", "rank"), mistake["says"]):
        result = CliRunner().invoke(cli, [*mistake[command], *graph])
        assert result.exit_code == 2, (command, result.output)
        assert "Error: " in result.output and says in result.output and "Traceback" not in result.output
    assert not (tmp_path / "chart.txt").exists()
