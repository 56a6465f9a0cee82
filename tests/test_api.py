"""The package's face: what ``import policygraph`` offers, the names the README gives, its Python examples run."""
from __future__ import annotations

import contextlib
import doctest
import importlib
import io
import re
import textwrap

import pytest

from .conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")
#: A fenced block of Python (``python`` or ``pycon``), however far a list item indents it, and the block after it.
_BLOCK = re.compile(r"^( *)```(?:python|pycon)\n(.*?)^\1```\n(?:\n\1```\n(.*?)^\1```)?", re.S | re.M)


def _examples() -> list[tuple[int, str, str | None]]:
    """Each Python example of the README: its line, its code, and the output block shown after it (if any)."""
    return [(README[:m.start()].count("\n") + 1, textwrap.dedent(m.group(2)),
             textwrap.dedent(m.group(3)) if m.group(3) is not None else None) for m in _BLOCK.finditer(README)]


def _resolve(dotted: str):
    """The object a dotted ``policygraph.…`` name means: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(dotted)


@pytest.fixture
def in_build_folder(seed_build, tmp_path, monkeypatch):
    """A working folder whose ``policygraph-out`` is the seed corpus built, as the README's quick start leaves it."""
    (tmp_path / "policygraph-out").symlink_to(seed_build[2], target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_name_in_all_imports():
    import policygraph

    for name in policygraph.__all__:
        assert getattr(policygraph, name) is not None, name
    assert set(policygraph.__all__) <= set(dir(policygraph))


def test_the_package_names_are_the_library_functions():
    import policygraph
    from policygraph import analyse, catalogue, opening, pipeline, query, results, validate

    assert policygraph.build_corpus is pipeline.build_corpus
    assert policygraph.load_graph is opening.load_graph_file
    assert policygraph.run_query is query.run_query
    assert policygraph.list_queries is catalogue.list_queries is query.list_queries
    assert policygraph.QueryResult is results.QueryResult
    assert policygraph.rank is analyse.rank
    assert policygraph.validate_graph is validate.validate_graph


def test_an_unknown_name_is_an_attribute_error():
    import policygraph

    with pytest.raises(AttributeError, match="no attribute 'load_graphs'"):
        policygraph.load_graphs  # noqa: B018


def test_every_python_name_the_readme_gives_exists():
    names = sorted(set(re.findall(r"`(policygraph(?:\.\w+)+)", README)))
    assert "policygraph.load_graph" in names and "policygraph.pipeline.build_corpus" in names
    for name in names:
        assert _resolve(name) is not None, name


def test_the_cli_module_docstring_names_every_command():
    from policygraph import cli

    for command in cli.cli.commands:
        assert re.search(rf"\b{command}\b", cli.__doc__), f"cli.py's docstring does not mention {command}"


@pytest.mark.parametrize("line, code, shown", [e for e in _examples() if ">>>" in e[1]],
                         ids=[f"README.md:{e[0]}" for e in _examples() if ">>>" in e[1]])
def test_readme_interactive_examples_run(in_build_folder, line, code, shown):
    if "dataframe()" in code:
        pytest.importorskip("pandas")
    test = doctest.DocTestParser().get_doctest(code, {}, f"README.md:{line}", "README.md", line)
    out = io.StringIO()
    result = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE).run(test, out=out.write)
    assert result.failed == 0, out.getvalue()


@pytest.mark.parametrize("line, code, shown", [e for e in _examples() if ">>>" not in e[1] and e[2] is not None],
                         ids=[f"README.md:{e[0]}" for e in _examples() if ">>>" not in e[1] and e[2] is not None])
def test_readme_scripts_print_what_the_readme_shows(in_build_folder, line, code, shown):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, f"README.md:{line}", "exec"), {})
    assert printed.getvalue() == shown
