"""Conventions shared by every command: one spelling for the graph location, its earlier spellings as aliases."""
from __future__ import annotations

import re
import shutil

import click
import pytest
from click.testing import CliRunner

from policygraph.cli import _Aliased, cli

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
    assert result.output == "removed 001_af53bcfdcd3fec12.txt\n"
    again = CliRunner().invoke(cli, ["remove", "001_af53bcfdcd3fec12.txt", "-g", str(build_copy)])
    assert again.exit_code == 2 and "not in the store" in again.output


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
