"""`policygraph query` and `policygraph rank` through click's CliRunner on the seed build."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from policygraph.cli import cli
from policygraph.query import list_queries


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
    assert ambiguous.exit_code == 1 and "names 2 agencies" in ambiguous.output
    seed = runner.invoke(cli, ["rank", "-g", graph, "--explain", "自治区科技厅", "--lang", "en"])
    assert seed.output.startswith("Ningxia Hui Autonomous Region Department of Science and Technology (宁夏")
    assert "tasks 11: lead 8, support 3" in seed.output and "score 9.5 = 8 × 1 (lead) + 3 × 0.5 (support)" in seed.output


def test_rank_json_sort_filters_and_weights(runner, small):
    out = runner.invoke(cli, ["rank", "-g", small, "--jurisdiction", "甲", "--sort", "betweenness", "--top", "2",
                              "--weights", "lead=2", "-f", "json"]).output
    rows = json.loads(out)
    assert [(r["agency"], r["betweenness"], r["score"]) for r in rows] == [
        ("甲省发展和改革委员会", 0.6667, 2.5), ("甲省科学技术厅", 0.0, 4.0)]  # C is on the paths A–D, B–D: 2 of 3 pairs
    bad = runner.invoke(cli, ["rank", "-g", small, "--sort", "fame"])
    assert bad.exit_code == 1 and "cannot sort by 'fame'" in bad.output
    assert runner.invoke(cli, ["rank", "-g", small, "--type", "教育"]).exit_code == 1


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
