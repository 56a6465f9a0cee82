"""The command line, through click's CliRunner."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from policygraph.cli import cli

from .conftest import ROOT, SEEDS

COMMANDS = sorted(cli.commands)


@pytest.fixture
def runner():
    return CliRunner()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(runner, command):
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented_in_the_readme(command):
    readme = (ROOT / "README.md").read_text("utf-8")
    assert re.search(rf"### `policygraph {command}\b", readme), f"README has no section for {command}"


def test_build_embedded_corpus_by_default(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["build"])
    assert result.exit_code == 0, result.output
    assert re.search(r"^documents\s+5$", result.output, re.M)
    assert re.search(r"^tasks\s+81$", result.output, re.M)
    assert "wrote policygraph-out/graph.trig" in result.output
    report = json.loads(open("policygraph-out/build-report.json", encoding="utf-8").read())
    assert report["counts"]["assignments"] == 460
    assert report["errors"] == []


def test_bad_inputs_are_reported_and_the_rest_is_built(runner, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    good = SEEDS / "004_804e474c68a51211.txt"
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(good), str(tmp_path / "empty.txt"), str(tmp_path / "image.txt"),
                                 str(tmp_path / "missing.txt"), "-o", str(out)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for name in ("empty.txt", "image.txt", "missing.txt"):
        assert any(line.startswith("Error: ") and name in line for line in lines), name
    assert re.search(r"^documents\s+1$", result.output, re.M)
    assert "3 input(s) failed" in result.output
    report = json.loads((out / "build-report.json").read_text("utf-8"))
    assert len(report["errors"]) == 3
    assert [d["source_file"] for d in report["documents"]] == [good.name]


def test_document_without_clauses_is_a_warning_not_an_error(runner, tmp_path):
    doc = tmp_path / "notice.txt"
    doc.write_text("关于召开会议的通知\n各单位：\n定于下周召开工作会议，请准时参加。\n", encoding="utf-8")
    result = runner.invoke(cli, ["-v", "build", str(doc), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert re.search(r"^warnings\s+2$", result.output, re.M)


def test_verbose_names_the_encoding(runner, tmp_path):
    doc = tmp_path / "gbk.txt"
    doc.write_bytes((SEEDS / "004_804e474c68a51211.txt").read_text("utf-8").encode("gb18030"))
    result = runner.invoke(cli, ["-v", "build", str(doc), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "decoded as gb18030" in result.output


def test_evaluate_and_validate_after_build(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(cli, ["build"]).exit_code == 0
    result = runner.invoke(cli, ["evaluate"])
    assert result.exit_code == 0, result.output
    assert re.search(r"^assignments\s+1\.000\s+1\.000\s+1\.000\s+460\s+0\s+0$", result.output, re.M)
    assert "role accuracy: 1.000 (460/460)" in result.output
    as_json = json.loads(runner.invoke(cli, ["evaluate", "--json"]).output)
    assert as_json["fields"]["targets"]["f1"] >= 0.9
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0 and result.output.strip() == "conforms"


def test_missing_graph_is_a_clear_error(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["evaluate"])
    assert result.exit_code == 1
    assert "graph.trig" in result.output and "policygraph build" in result.output


def test_invalid_graph_fails_validation(runner, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("""@prefix pg: <https://w3id.org/policygraph/ontology#> .
<https://example.org/t> a pg:Task ; pg:outline "一" , "二" .
""", encoding="utf-8")
    result = runner.invoke(cli, ["validate", "-g", str(bad)])
    assert result.exit_code == 1
    assert "Constraint Violation" in result.output or "Violation" in result.output


def test_unknown_option_is_a_usage_error(runner):
    assert runner.invoke(cli, ["build", "--no-such-option"]).exit_code == 2


INSPECTED = """嘉定区推进海绵城市建设的实施方案
一、重点任务
1.强化规划管控。落实海绵城市建设要求。（责任单位：区建设管理委、区城市网格化综合管理中心，各街镇）
2.完善补贴。（具体办法由区财政局会同有关部门制定并负责）
"""


def test_inspect_shows_jurisdiction_tasks_rejections_and_unrecognised_bodies(runner, tmp_path):
    doc = tmp_path / "plan.txt"
    doc.write_text(INSPECTED, encoding="utf-8")
    result = runner.invoke(cli, ["inspect", str(doc)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "jurisdiction  嘉定区  <- the title opens with 嘉定区" in out
    assert "tasks 1, assignments 3" in out
    assert "responsible 区建设管理委 -> 嘉定区建设和管理委员会" in out
    assert "区城市网格化综合管理中心 -> 嘉定区城市网格化综合管理中心 unclassified" in out
    assert "rejected cued lists 1" in out and "(no item is a body)" in out
    assert "unrecognised bodies 1: 区城市网格化综合管理中心" in out


def test_inspect_json_agrees_with_the_extraction(runner, tmp_path):
    from policygraph.pipeline import extract_document
    from policygraph.load import load_document

    seed = SEEDS / "001_af53bcfdcd3fec12.txt"
    result = runner.invoke(cli, ["inspect", "--json", str(seed)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    x = extract_document(load_document(seed))
    assert data["jurisdiction"] == x.meta.jurisdiction == "吉林省"
    assert len(data["tasks"]) == len(x.tasks)
    assert sum(len(t["assignments"]) for t in data["tasks"]) == sum(len(t.assignments) for t in x.tasks)
    assert len(data["targets"]) == len(x.targets)


def test_inspect_reports_a_bad_file_and_goes_on(runner, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\xd8" * 10)
    good = tmp_path / "good.txt"
    good.write_text(INSPECTED, encoding="utf-8")
    result = runner.invoke(cli, ["inspect", str(bad), str(good)])
    assert result.exit_code == 1
    assert "bad.txt" in result.output and "== good.txt" in result.output


def test_build_report_lists_unrecognised_bodies(runner, tmp_path):
    doc = tmp_path / "plan.txt"
    doc.write_text(INSPECTED, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(doc), "-o", str(out), "--no-export"])
    assert result.exit_code == 0, result.output
    assert "unrecognised bodies 1" in result.output
    report = json.loads((out / "build-report.json").read_text("utf-8"))
    assert report["unrecognised_bodies"] == [{"surface": "区城市网格化综合管理中心", "documents": 1,
                                              "files": [f"{tmp_path.name}/plan.txt"]}]


def _commands(group, prefix=()):
    import click

    yield prefix
    for name, command in sorted(getattr(group, "commands", {}).items()):
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))
        else:
            yield prefix + (name,)


@pytest.mark.parametrize("words", list(_commands(cli)), ids=lambda w: " ".join(w) or "policygraph")
def test_dash_h_is_help_everywhere(words):
    short, long = (CliRunner().invoke(cli, [*words, flag]) for flag in ("-h", "--help"))
    assert short.exit_code == 0 and short.output == long.output and "Usage:" in short.output


@pytest.mark.parametrize("args, says", [
    (["rank", "--sort", "nope"], "cannot sort by 'nope'"),
    (["rank", "--weights", "boss=1"], "unknown role 'boss'"),
    (["rank", "--weights", "lead=many"], "must be a number"),
    (["rank", "--type", "nope"], "no agency type matching"),
    (["rank", "--jurisdiction", "nope"], "no tasks in a jurisdiction matching"),
    (["rank", "--explain", "不存在的机构"], "no agency named"),
    (["rank", "--by", "nope"], "Invalid value for '--by'"),
    (["viz", "--focus", "不存在的机构"], "no agency of this view has this name"),
    (["viz", "--document", "nope.txt"], "no document has this path, file name or 文号"),
    (["viz", "--jurisdiction", "nope"], "jurisdictions:"),
    (["query", "nope"], "is neither a named query"),
    (["remove", "nope.txt"], "no document has this path, file name or 文号"),
    (["export", "graph.nope"], "cannot tell the format"),
    (["evaluate", "--no-such-option"], "No such option"),
    (["validate", "--no-such-option"], "No such option"),
    (["serve", "--port", "many"], "Invalid value for '--port'"),
    (["push", "--no-such-option"], "No such option"),
    (["build", "--no-such-option"], "No such option"),
])
def test_usage_errors_exit_2_on_every_command(seed_build, tmp_path, args, says):
    """The README's exit codes: 2 for a command line asking for what cannot be, 1 for failed inputs."""
    import shutil

    out = shutil.copytree(seed_build[2], tmp_path / "out")
    where = {"remove": ["-o", str(out)], "export": ["-o", str(out)], "viz": ["-o", str(tmp_path / "v.html")]}
    graph = [] if args[0] in ("remove", "export", "serve", "push", "build", "evaluate", "validate") else ["-g", str(out)]
    result = CliRunner().invoke(cli, [args[0], *graph, *where.get(args[0], []), *args[1:]])
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output


def test_export_dash_writes_standard_output_and_no_file(seed_build, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["export", "-", "-f", "nt", "-o", str(seed_build[2])])
    assert result.exit_code == 0, result.output
    assert "<http" in result.stdout and "wrote" not in result.stdout
    assert not (tmp_path / "-").exists()


def test_export_through_symlink_keeps_the_link(seed_build, tmp_path):
    target = tmp_path / "real.nt"
    target.write_text("")
    link = tmp_path / "link.nt"
    link.symlink_to(target)
    result = CliRunner().invoke(cli, ["export", str(link), "-o", str(seed_build[2])])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and "<http" in target.read_text()


HOSTILE = ("嘉定区推进海绵城市建设的实施方案\n一、重点任务\n"
           "1.强化\u202e规划管控\x1b]0;pwned\x07。落实海绵城市建设要求。（责任单位：区建设管理委、区城市网格化综合管理中心）\n")


def _no_raw_controls(text):
    return not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)


def test_document_control_characters_are_escaped_on_the_terminal_and_kept_in_machine_formats(runner, tmp_path):
    doc = tmp_path / "plan.txt"
    doc.write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "out"
    assert runner.invoke(cli, ["build", str(doc), "-o", str(out), "--no-export"]).exit_code == 0
    shown = {
        "query": runner.invoke(cli, ["query", "task-agency-roles", "-g", str(out)]).output,
        "explain": runner.invoke(cli, ["rank", "-g", str(out), "--explain", "区建设管理委"]).output,
        "inspect": runner.invoke(cli, ["inspect", str(doc)]).output,
    }
    for name, text in shown.items():
        assert "强化\\u202e规划管控\\x1b]0;pwned\\x07" in text, name
        assert _no_raw_controls(text), name
    csv_text = runner.invoke(cli, ["query", "task-agency-roles", "-g", str(out), "-f", "csv"]).output
    assert "强化\u202e规划管控\x1b]0;pwned\x07" in csv_text
    rows = json.loads(runner.invoke(cli, ["query", "task-agency-roles", "-g", str(out), "-f", "json"]).output)
    titles = {b["title"]["value"] for b in rows["results"]["bindings"]}
    assert titles == {"强化\u202e规划管控\x1b]0;pwned\x07"}


def test_error_messages_quoting_document_text_are_escaped(runner, tmp_path):
    result = runner.invoke(cli, ["build", str(tmp_path / "missing\x1b]0;x\x07.txt"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "missing\\x1b]0;x\\x07.txt" in result.output and _no_raw_controls(result.output)


def test_build_prints_the_warnings_it_counts(runner, tmp_path):
    for i in range(3):
        (tmp_path / f"notice{i}.txt").write_text("关于召开会议的通知\n各单位：\n定于下周召开工作会议。\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(tmp_path), "-o", str(out), "--no-export"])
    assert result.exit_code == 0, result.output
    assert re.search(r"^warnings\s+6$", result.output, re.M)
    assert f"  warning: {tmp_path.name}/notice0.txt: no responsibility clauses found" in result.output
    assert f"  … 3 more warnings in {out / 'build-report.json'}" in result.output
    again = runner.invoke(cli, ["build", str(tmp_path), "-o", str(out), "--no-export"])
    assert re.search(r"^warnings\s+0$", again.output, re.M)
    assert f"(6 warning(s) of unchanged documents, from earlier runs, in {out / 'build-report.json'})" in again.output


def test_document_options_find_a_document_by_path_or_number_and_refuse_an_ambiguous_one(runner, tmp_path):
    qinghai = SEEDS / "002_1d37a83bbf4946c8.txt"  # 青政办〔2017〕2号
    for name in ("实施方案.txt", "实施方案-转发.txt"):
        (tmp_path / "qinghai").mkdir(exist_ok=True)
        (tmp_path / "qinghai" / name).write_bytes(qinghai.read_bytes())
    out = tmp_path / "out"
    assert runner.invoke(cli, ["build", str(tmp_path / "qinghai"), "-o", str(out), "-j", "1"]).exit_code == 0
    listed = ("matches 2 documents: qinghai/实施方案-转发.txt (青政办〔2017〕2号), "
              "qinghai/实施方案.txt (青政办〔2017〕2号); give more of its path")
    for command in (["rank", "-g", str(out)], ["viz", "-g", str(out), "-o", str(tmp_path / "v.html")]):
        ambiguous = runner.invoke(cli, [*command, "--document", "青政办[2017]2号"])
        assert ambiguous.exit_code == 2 and listed in ambiguous.output, ambiguous.output
        by_path = runner.invoke(cli, [*command, "--document", str(tmp_path / "qinghai" / "实施方案.txt")])
        assert by_path.exit_code == 0, by_path.output
    whole = runner.invoke(cli, ["rank", "-g", str(out), "-f", "csv"]).output
    one = runner.invoke(cli, ["rank", "-g", str(out), "-f", "csv", "--document", "qinghai/实施方案.txt"]).output
    assert one.splitlines()[0] == whole.splitlines()[0] and len(one.splitlines()) == len(whole.splitlines())
    assert runner.invoke(cli, ["remove", "-o", str(out), "青政办〔2017〕2号"]).exit_code == 2
    removed = runner.invoke(cli, ["remove", "-o", str(out), "qinghai/实施方案-转发.txt"])
    assert removed.output.startswith("removed qinghai/实施方案-转发.txt\n")
    assert runner.invoke(cli, ["rank", "-g", str(out), "--document", "青政办〔2017〕2号"]).exit_code == 0
