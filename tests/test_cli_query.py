"""`policygraph query` and `policygraph rank` through click's CliRunner on the seed build."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from policygraph.cli import cli
from policygraph.query import list_queries

from .conftest import seed_text


@pytest.fixture(scope="module")
def graph(seed_build):
    return str(seed_build[2] / "graph.trig")


@pytest.fixture(scope="module")
def small():
    from pathlib import Path

    return str(Path(__file__).resolve().parent / "fixtures" / "small_graph.ttl")


@pytest.fixture
def runner():
    return CliRunner()


def test_list_shows_every_named_query(runner):
    result = runner.invoke(cli, ["query", "--list"])
    assert result.exit_code == 0
    for q in list_queries():
        assert q.name in result.output and q.title in result.output
    assert "--param agency=" in result.output


def test_named_query_as_table(runner, graph):
    result = runner.invoke(cli, ["query", "agencies-by-tasks", "-g", graph])
    assert result.exit_code == 0, result.output
    header, rule, first = result.output.splitlines()[:3]
    assert header.split() == ["agency", "jurisdiction", "tasks", "lead", "support"]
    assert first.split() == ["甘肃省科学技术厅", "甘肃省", "28", "0", "0"]


def test_param_and_lang_en(runner, graph):
    result = runner.invoke(cli, ["query", "co-agencies", "-g", graph, "-p", "agency=青海省科学技术厅", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Qinghai Provincial Department of Finance" in result.output
    assert "青海省财政厅" not in result.output


def test_csv_tsv_json(runner, graph):
    out = runner.invoke(cli, ["query", "documents", "-g", graph, "-f", "csv"]).output
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["document"] for r in rows} >= {"001_af53bcfdcd3fec12.txt"}
    tsv = runner.invoke(cli, ["query", "generic-bodies", "-g", graph, "-f", "tsv"]).output.splitlines()
    assert tsv[0].split("\t")[0] == "body" and all(line.startswith("相关行业主管部门\t") for line in tsv[1:])
    data = json.loads(runner.invoke(cli, ["query", "jurisdictions", "-g", graph, "-f", "json"]).output)
    assert data["head"]["vars"][:3] == ["jurisdiction", "zh", "en"]
    assert data["results"]["bindings"][0]["jurisdiction"]["type"] == "uri"


def test_query_from_file_and_inline(runner, graph, tmp_path):
    f = tmp_path / "leads.rq"
    f.write_text("PREFIX pg: <https://w3id.org/policygraph/ontology#>\n"
                 "SELECT (COUNT(*) AS ?n) WHERE { ?t pg:leadAgency ?a }\n", "utf-8")
    assert runner.invoke(cli, ["query", str(f), "-g", graph]).output.splitlines()[-1].strip() == "21"
    construct = runner.invoke(cli, ["query", "-g", graph, "-f", "turtle",
                                    "PREFIX pg: <https://w3id.org/policygraph/ontology#> "
                                    "CONSTRUCT { ?t pg:leadAgency ?a } WHERE { ?t pg:leadAgency ?a }"])
    assert construct.exit_code == 0 and construct.output.count("pg:leadAgency") >= 1


def test_malformed_query_exit_2_with_line_and_column(runner, graph):
    result = runner.invoke(cli, ["query", "-g", graph, "SELECT ?x WHERE {\n  ?x ?y\n}"])
    assert result.exit_code == 2
    assert "line 2, column 3" in result.output and "    ?x ?y\n    ^" in result.output


def test_missing_param_is_a_usage_error(runner, graph):
    result = runner.invoke(cli, ["query", "agency-tasks", "-g", graph])
    assert result.exit_code == 2 and "--param agency=" in result.output
    assert runner.invoke(cli, ["query", "agency-tasks", "-g", graph, "-p", "agency"]).exit_code == 2


def test_no_results(runner, graph):
    result = runner.invoke(cli, ["query", "co-agencies", "-g", graph, "-p", "agency=不存在的厅"])
    assert result.exit_code == 0 and result.output.strip() == "no results"


def test_missing_graph(runner, tmp_path):
    result = runner.invoke(cli, ["query", "parks", "-g", str(tmp_path / "none.trig")])
    assert result.exit_code == 1 and "no such graph file" in result.output


def test_rank_top(runner, graph):
    result = runner.invoke(cli, ["rank", "-g", graph, "--top", "3"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["rank", "agency", "tasks"] and len(lines) == 5
    assert lines[2].split()[:3] == ["1", "甘肃省科学技术厅", "28"]


def test_rank_by_type_markdown(runner, small):
    result = runner.invoke(cli, ["rank", "-g", small, "--by", "type", "--type", "财政", "-f", "markdown", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "| type | jurisdiction | agencies | tasks | share | lead | support | responsible | score |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        "| Finance | Jia Province | 2 | 3 | 0.750 | 0 | 2 | 1 | 2 |"]


def test_rank_explain(runner, small, graph):
    result = runner.invoke(cli, ["rank", "-g", small, "--explain", "省发展改革委"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("甲省发展和改革委员会\n")  # no English name in the fixture
    assert "tasks 2: lead 1, support 1, responsible with no role stated 0" in result.output
    assert "score 1.5 = 1 × 1 (lead) + 1 × 0.5 (support)" in result.output
    assert "betweenness 0.333" in result.output
    ambiguous = runner.invoke(cli, ["rank", "-g", small, "--explain", "省科技厅"])
    assert ambiguous.exit_code == 2 and "names 2 agencies" in ambiguous.output
    seed = runner.invoke(cli, ["rank", "-g", graph, "--explain", "自治区科技厅", "--lang", "en"])
    assert seed.output.startswith("Ningxia Hui Autonomous Region Department of Science and Technology (宁夏")
    assert "tasks 11: lead 8, support 3" in seed.output and "score 9.5 = 8 × 1 (lead) + 3 × 0.5 (support)" in seed.output


def test_rank_explain_shows_what_each_task_says(runner, graph, small):
    out = runner.invoke(cli, ["rank", "-g", graph, "--explain", "自治区科技厅"]).output
    source = " ".join(seed_text("004_804e474c68a51211.txt").split())
    lines = out.splitlines()
    rows = [i for i, line in enumerate(lines) if line.startswith("  004_804e474c68a51211.txt")]
    assert len(rows) == 11
    for i in rows:
        outline, shown = lines[i].split()[1], lines[i + 1].strip()
        assert shown.startswith(f"（{outline.split('/')[-1]}）") and shown.rstrip("…") in source, (lines[i], shown)
    assert "policygraph query agency-tasks -p agency=https://" in out
    plain = runner.invoke(cli, ["rank", "-g", small, "--explain", "省发展改革委"]).output
    assert "cut to one line" not in plain  # a graph without task texts shows the rows alone


def test_rank_json_sort_filters_and_weights(runner, small):
    out = runner.invoke(cli, ["rank", "-g", small, "--jurisdiction", "甲", "--sort", "betweenness", "--top", "2",
                              "--weights", "lead=2", "-f", "json"]).output
    rows = json.loads(out)
    assert [(r["agency"], r["betweenness"], r["score"]) for r in rows] == [
        ("甲省发展和改革委员会", 0.6667, 2.5), ("甲省科学技术厅", 0.0, 4.0)]  # C is on the paths A–D, B–D: 2 of 3 pairs
    bad = runner.invoke(cli, ["rank", "-g", small, "--sort", "fame"])
    assert bad.exit_code == 2 and "cannot sort by 'fame'" in bad.output
    assert runner.invoke(cli, ["rank", "-g", small, "--type", "教育"]).exit_code == 2


def test_rank_csv_newman(runner, small):
    lines = runner.invoke(cli, ["rank", "-g", small, "-f", "csv", "--weighting", "newman", "--sort", "strength"]).output
    header, first = lines.splitlines()[:2]
    assert header.startswith("rank,agency,") and header.endswith(",iri,jurisdiction,type")
    assert first.split(",")[header.split(",").index("strength")] == "2.0"


def test_rank_plot(runner, small, tmp_path):
    out = tmp_path / "top.png"
    result = runner.invoke(cli, ["rank", "-g", small, "--top", "4", "--plot", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rank_no_results(runner, small):
    result = runner.invoke(cli, ["rank", "-g", small, "--jurisdiction", "乙省", "--type", "Finance"])
    assert result.exit_code == 0 and result.output.strip() == "no results"


def test_year_parameter_restricts_and_unknown_parameter_exits_2(runner, graph):
    from policygraph.store import load_graph_file
    from policygraph.vocab import PG

    due = sum(1 for _, y in load_graph_file(graph).subject_objects(PG.targetYear) if y.toPython() == 2020)
    out = runner.invoke(cli, ["query", "targets-by-year", "-g", graph, "-p", "year=2020", "-f", "csv"])
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert out.exit_code == 0 and len(rows) == due and {r["year"] for r in rows} == {"2020"}
    bad = runner.invoke(cli, ["query", "targets-by-year", "-g", graph, "-p", "foo=bar"])
    assert bad.exit_code == 2 and "no parameter foo; it takes: year" in bad.output


@pytest.mark.parametrize("spelling", ["科技", "Science and technology", "ScienceTechnology"])
def test_rank_and_query_take_the_same_type_spellings(runner, graph, spelling):
    ranked = runner.invoke(cli, ["rank", "-g", graph, "--type", spelling, "-f", "csv"])
    assert ranked.exit_code == 0, ranked.output
    agencies = {r["agency"] for r in csv.DictReader(io.StringIO(ranked.output))}
    compared = runner.invoke(cli, ["query", "agency-type-compare", "-g", graph, "-p", f"type={spelling}", "-f", "csv"])
    assert compared.exit_code == 0, compared.output
    assert {r["agency"] for r in csv.DictReader(io.StringIO(compared.output))} == agencies
    assert "甘肃省科学技术厅" in agencies
    ambiguous = runner.invoke(cli, ["rank", "-g", graph, "--type", "科学"])
    assert ambiguous.exit_code == 2 and "ambiguous" in ambiguous.output


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
@pytest.mark.parametrize("text", ["CONSTRUCT { ?d pg:sourceFile ?f } WHERE { ?d pg:sourceFile ?f }",
                                  "DESCRIBE ?d WHERE { ?d pg:sourceFile ?f } LIMIT 1"])
def test_graph_results_refuse_row_formats(runner, graph, text, fmt):
    """csv and tsv printed an empty line with exit 0 for a CONSTRUCT: refused like json, as a usage error."""
    result = runner.invoke(cli, ["query", text, "-g", graph, "-f", fmt])
    assert result.exit_code == 2 and "returns a graph" in result.output and "--format turtle" in result.output
    turtle = runner.invoke(cli, ["query", text, "-g", graph, "-f", "turtle"])
    assert turtle.exit_code == 0 and "pg:sourceFile" in turtle.output


def test_dash_reads_the_query_from_standard_input(runner, graph):
    from policygraph.store import load_graph_file
    from policygraph.vocab import PG
    from rdflib import RDF

    targets = sum(1 for _ in load_graph_file(graph).subjects(RDF.type, PG.Target))
    text = "# title: count\nSELECT (COUNT(*) AS ?n)\nWHERE { ?t a pg:Target }\n"
    result = runner.invoke(cli, ["query", "-", "-g", graph, "-f", "csv"], input=text)
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["n", str(targets)]
    empty = runner.invoke(cli, ["query", "-", "-g", graph], input="  \n")
    assert empty.exit_code == 2 and "no query text on standard input" in empty.output


@pytest.mark.parametrize("text,line,char", [
    ("SELECT ?x WHERE {\n\t?x rdfs:label \"甘肃省\" .\n\t?x pg:foo ?y ]\n}\n", 3, "]"),
    ("SELECT ?x WHERE { ?x rdfs:label \"甘肃省\" ] }", 1, "]"),
])
def test_malformed_query_caret_sits_under_the_offending_character(runner, small, text, line, char):
    """Tabs counted as 8 columns and CJK counted as one put the CLI's column and caret off."""
    from policygraph.query import display_width

    result = runner.invoke(cli, ["query", "-", "-g", small], input=text)
    assert result.exit_code == 2
    message, source, caret = result.output.splitlines()[-3:]
    col = text.splitlines()[line - 1].index(char) + 1
    assert f"line {line}, column {col}:" in message
    assert source == "  " + text.splitlines()[line - 1]
    before = source[:2 + col - 1]
    assert caret == "".join("\t" if c == "\t" else " " * display_width(c) for c in before) + "^"


def test_server_syntax_error_is_short_and_points_at_the_character():
    """Oxigraph's expectation list of Unicode ranges was returned as is."""
    import pyoxigraph as ox
    from policygraph.serve import execute

    text = "SELECT ?x WHERE {\n\t?x <urn:p> \"甘肃\" . ?x <urn:p> ] }"
    reply = execute(ox.Store(), text)
    message, source, caret = reply.body.decode().splitlines()
    assert reply.status == 400 and "\\u{" not in reply.body.decode() and "..=" not in message
    assert message.startswith("malformed query: line 2, column 31: expected one of ") and '"("' in message
    assert caret == "  \t" + " " * (29 + 2) + "^"


def test_rank_plot_dash_writes_svg_to_stdout_and_the_table_to_stderr(runner, small, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["rank", "-g", small, "--top", "4", "--lang", "en", "--plot", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip().startswith("<?xml") and "<svg" in result.stdout
    assert "rank" in result.stderr and "wrote -" in result.stderr
    assert not (tmp_path / "-").exists()


def test_rank_plot_through_a_symlink_keeps_the_link(runner, small, tmp_path):
    target = tmp_path / "real.png"
    target.write_bytes(b"")
    link = tmp_path / "top.png"
    link.symlink_to(target)
    result = runner.invoke(cli, ["rank", "-g", small, "--top", "4", "--lang", "en", "--plot", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_limit_and_offset_page_through_the_whole_answer(tmp_path):
    from policygraph.pipeline import build_corpus

    out = tmp_path / "out"
    build_corpus(None, out, export=False)
    runner = CliRunner()

    def tsv(*options):
        result = runner.invoke(cli, ["query", "task-agency-roles", "-g", str(out), "-f", "tsv", *options])
        assert result.exit_code == 0, result.output
        return result

    whole = tsv("--limit", "all").stdout.splitlines()
    assert len(whole) > 201 and "first" not in tsv("--limit", "all").stderr
    first, second = tsv("--limit", "100"), tsv("--limit", "100", "--offset", "100")
    assert first.stdout.splitlines() == whole[:101] and second.stdout.splitlines()[1:] == whole[101:201]
    assert "--offset 100 for the next page" in first.stderr
    assert tsv().stdout == first.stdout
    last = tsv("--offset", str(len(whole) - 2))
    assert last.stdout.splitlines()[1:] == whole[-1:] and "next page" not in last.stderr
    own = runner.invoke(cli, ["query", "SELECT ?s WHERE { ?s a pg:Task } ORDER BY ?s LIMIT 5", "-g", str(out),
                              "-f", "tsv", "--limit", "2", "--offset", "1"])
    assert own.exit_code == 0 and len(own.stdout.splitlines()) == 3
    assert runner.invoke(cli, ["query", "documents", "-g", str(out), "--limit", "x"]).exit_code == 2


def test_pages_of_a_long_answer_join_to_the_whole_text(tmp_path):
    from policygraph.pipeline import build_corpus
    from policygraph.query import format_pages, format_result, query_pages, run_query
    from policygraph.store import load_graph_file

    out = tmp_path / "out"
    build_corpus(None, out, export=False)
    graph = load_graph_file(out)
    whole = run_query(graph, "task-agency-roles")
    for fmt in ("csv", "tsv", "jsonl"):
        pages = query_pages(graph, "task-agency-roles", page_rows=7)
        assert "".join(format_pages(pages, fmt)) == format_result(whole, fmt)
