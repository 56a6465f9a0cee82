"""SPARQL text: one tokeniser, and every reading or rewriting of a query's text through it."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from rdflib import Literal

from policygraph import errors
from policygraph.sparqltext import (bind_values, distinct_selects, is_update, malformed_message, names_dataset,
                                    nesting_depth, own_page, paged_text, tokens)

PACKAGE = Path(__file__).resolve().parents[1] / "policygraph"


@pytest.mark.parametrize("text", [
    'SELECT * { ?s ?p "a \\" } #" } # ?x',
    "PREFIX ex: <http://e/#a> ASK { ex:a\\#b ex:p\\'q ?x ; ex:c%41 _:b1 } LIMIT 3",
    "SELECT ?x\n{\t?x <urn:x> '''multi\nline''' . }",
    "",
])
def test_tokens_give_the_text_back(text):
    assert "".join(t.before + t.text for t in tokens(text)) == text


@pytest.mark.parametrize("text, kinds", [
    ("ex:a\\#b ?x", [("name", "ex:a\\#b"), ("var", "?x")]),
    ("ex:SELECT _:FROM :LIMIT", [("name", "ex:SELECT"), ("name", "_:FROM"), ("name", ":LIMIT")]),
    ('"?x" <urn:?x> # ?x', [("skip", '"?x"'), ("skip", "<urn:?x>"), ("skip", "# ?x")]),
    ("GROUP_CONCAT(?a) LIMIT 10", [("word", "GROUP_CONCAT"), ("open", "("), ("var", "?a"), ("close", ")"),
                                   ("word", "LIMIT"), ("number", "10")]),
])
def test_names_strings_iris_and_comments_are_one_token(text, kinds):
    assert [(t.kind, t.text) for t in tokens(text) if t.kind != "end"] == kinds


def test_a_bound_variable_after_an_escaped_local_name_is_still_bound():
    """``\\#`` in a local name is no comment: the variable after it on the same line is a variable."""
    text = "PREFIX ex: <http://e/> SELECT ?s { ?s ex:a\\# ?lang FILTER(?lang != 'x') }"
    assert bind_values(text, {"lang": Literal("en")}) == (
        "PREFIX ex: <http://e/> SELECT ?s { ?s ex:a\\# \"en\" FILTER(\"en\" != 'x') }")


def test_keywords_inside_prefixed_names_are_not_keywords():
    assert distinct_selects("SELECT ?x { ?x ex:select ?y }") == "SELECT DISTINCT ?x { ?x ex:select ?y }"
    assert not names_dataset("SELECT ?x { ?x ex:from ?y } # FROM")
    assert names_dataset("select ?x from named <urn:g> { graph ?g { ?x ?p ?y } }")
    assert not own_page("SELECT * { ?s ex:limit 5 }")


@pytest.mark.parametrize("text, own", [
    ("SELECT * { ?s ?p ?o } LIMIT 10", True),
    ("SELECT * { ?s ?p ?o }\nOFFSET 5 # the rest\n# end\n", True),
    ("SELECT * { ?s ?p ?o } ORDER BY ?s", False),
    ("SELECT * { ?s ?p ?o } # LIMIT 10", False),
    ('SELECT * { ?s ?p "LIMIT 10" }', False),
])
def test_own_page_reads_past_comments(text, own):
    assert own_page(text) is own


def test_a_page_after_a_trailing_comment_is_not_commented_out():
    from rdflib.plugins.sparql import prepareQuery

    paged = paged_text("SELECT * { ?s ?p ?o } # all of it", 5, 10)
    assert prepareQuery(paged).algebra.p.length == 5


def test_a_query_with_its_own_page_is_not_paged_twice():
    with pytest.raises(errors.UsageError, match="its own LIMIT"):
        paged_text("SELECT * {} LIMIT 1", 5)


@pytest.mark.parametrize("text, update", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", True),
    ("# a comment\nPREFIX ex: <http://e/#x>\nBASE <http://b/>\ndelete where { ?s ?p ?o }", True),
    ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True),
    ("\\u0049NSERT DATA { <urn:a> <urn:b> <urn:c> }", True),
    ("PREFIX insert: <urn:x> SELECT * { ?s insert:p ?o }", False),
    ('SELECT * { ?s ?p "INSERT" }', False),
    ("# INSERT\nASK {}", False),
    ("INSERTED", False),
])
def test_updates_are_told_from_queries(text, update):
    assert is_update(text) is update


def test_brackets_count_toward_nesting():
    assert nesting_depth("ASK { [ ?p ( 1 ) ] }") == 3
    assert nesting_depth("PREFIX ex: <http://e/> ASK { ex:a\\( ex:p ex:b }") == 1


def test_one_message_for_both_parsers():
    """rdflib's parser and Oxigraph's word a malformed query the same way, with the line and a caret."""
    import pyoxigraph as ox
    from rdflib.plugins.sparql import prepareQuery

    text = "SELECT ?x WHERE { ?x ?y ] }"
    messages = []
    with pytest.raises(Exception) as local:
        prepareQuery(text)
    messages.append(malformed_message(text, local.value))
    with pytest.raises(SyntaxError) as engine:
        ox.Store().query(text)
    messages.append(malformed_message(text, engine.value))
    for message in messages:
        head, source, caret = message.splitlines()
        column = int(re.match(r"malformed query: line 1, column (\d+): ", head).group(1))
        assert source == "  " + text and caret == " " * (2 + column - 1) + "^"


def test_errors_are_defined_once():
    """Each exception of policygraph.errors is that class wherever its name is found in the package."""
    import importlib
    import pkgutil

    import policygraph

    names = ["policygraph", *(m.name for m in pkgutil.walk_packages(policygraph.__path__, "policygraph.")
                              if m.name != "policygraph.__main__")]
    for module in map(importlib.import_module, names):
        for name in errors.__all__:
            found = getattr(module, name, None)
            assert found is None or found is getattr(errors, name), (module.__name__, name)


@pytest.mark.parametrize("lower", ["sparqltext", "store", "query", "querycheck", "terminal"])
def test_lower_layers_do_not_import_higher_ones(lower):
    """SPARQL text handling sits below the store, the query runner and the remote and server layers."""
    higher = {"remote", "serve", "cli", "analyse"}
    tree = ast.parse((PACKAGE / f"{lower}.py").read_text("utf-8"))
    imported = {(node.module or "").rsplit(".", 1)[-1] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & higher, imported & higher


@pytest.mark.parametrize("unit", ["a.", "a-", "{", '"a\\', "'''a\\", "ex:a.", "<a", "\\"])
def test_hostile_text_costs_time_in_proportion_to_its_length(unit):
    """A megabyte a server accepts must not take minutes to look at: no pattern rescans what it read."""
    import time

    def seconds(size: int) -> float:
        text = unit * (size // len(unit))
        started = time.perf_counter()
        nesting_depth(text)
        names_dataset(text)
        return time.perf_counter() - started

    small, large = seconds(20_000), seconds(200_000)
    assert large < 40 * small + 0.5, (small, large)


def test_a_dotted_run_that_is_no_prefix_is_words_and_dots():
    """``true.VALUES`` is a word, a dot and a keyword, as SPARQL reads it; ``ex.a:b`` is one prefixed name."""
    assert [(t.kind, t.text) for t in tokens("?o true.VALUES ex.a:b 1.x")][1:-1] == [
        ("word", "true"), ("other", "."), ("word", "VALUES"), ("name", "ex.a:b"),
        ("number", "1"), ("other", "."), ("word", "x")]
    text = "SELECT ?s { ?s ?p true.VALUES ?lang { 'en' } }"
    assert bind_values(text, {"lang": Literal("zh")}) == text


def test_random_text_round_trips_and_nests_as_its_tokens_say():
    import random

    from policygraph.sparqltext import decode_codepoints

    pieces = ["{", "}", "(", ")", "[", "]", '"', "'", "<", ">", "#", "\n", " ", "\u3000", "a", "ex:", "\\", "?x",
              ".", "_:", "1", "SELECT", "%2", '"""', "'''", "true.", "-"]
    chooser = random.Random(15)
    for _ in range(3000):
        text = "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 30)))
        found = list(tokens(text))
        assert "".join(t.before + t.text for t in found) == text
        depth = deepest = 0
        for token in tokens(decode_codepoints(text)):
            if token.kind in ("open", "close"):
                depth = depth + 1 if token.kind == "open" else max(0, depth - 1)
                deepest = max(deepest, depth)
        assert nesting_depth(text) == deepest, text
