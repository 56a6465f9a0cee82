"""The knowledge files under policygraph/resources/: each loads, a user's extension is honoured, a bad one is named."""
from __future__ import annotations

import re
from importlib import resources

import pytest

from policygraph.errors import OntologyError
from policygraph.knowledge import alternation, parse_json, resource_json, resource_text
from policygraph.lexicon import load_lexicon

RESOURCE_FILES = sorted(p.name for p in (resources.files("policygraph") / "resources").iterdir()
                        if p.name.endswith((".json", ".csv", ".tsv", ".txt")))


@pytest.mark.parametrize("name", RESOURCE_FILES)
def test_every_resource_file_loads(name):
    text = resource_text(name)
    assert text.strip()
    if name.endswith(".json"):
        assert isinstance(resource_json(name), dict)


def test_missing_resource_names_the_file():
    with pytest.raises(OntologyError, match=r"policygraph/resources/nope\.json is missing"):
        resource_text("nope.json")


def test_malformed_json_names_the_file_and_place():
    with pytest.raises(OntologyError, match=r"^/tmp/x/outline\.json: not valid JSON at line 2, column 2: Extra data"):
        parse_json('{"outline": {}\n}}', "/tmp/x/outline.json")


def test_malformed_user_agency_table_names_the_file(tmp_path):
    (tmp_path / "agencies.csv").write_text("type,canonical,patterns\nScienceTechnology,,\n", "utf-8")
    with pytest.raises(OntologyError, match=re.escape(str(tmp_path / "agencies.csv"))):
        load_lexicon([tmp_path])


def test_user_generic_bodies_extend_the_bundled_ones(tmp_path):
    assert not load_lexicon().is_generic("各试点街镇")
    (tmp_path / "generic_bodies.txt").write_text("# test\n各试点街镇\n", "utf-8")
    lexicon = load_lexicon([tmp_path])
    assert lexicon.is_generic("各试点街镇")
    assert lexicon.is_generic("有关部门") == load_lexicon().is_generic("有关部门")


def test_alternation_prefers_the_longer_word():
    pattern = re.compile(alternation(["领导小组", "工作领导小组", "a.b"]))
    assert pattern.match("工作领导小组").group() == "工作领导小组"
    assert pattern.match("axb") is None


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

#: Chinese still written in a module's string constants, and why it may stay there.
JUSTIFIED = {
    "extract/metadata.py": {"the 文号 prefix "},  # the evidence `inspect` prints names the term the reader sees
}


def _cjk_constants(path) -> set[str]:
    """String constants holding Chinese characters or CJK punctuation, docstrings left out."""
    import ast

    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and _CJK.search(node.value)}


@pytest.mark.parametrize("module", sorted(JUSTIFIED))
def test_words_and_patterns_live_in_resources(module):
    """Chinese words and patterns are data (resources/), read through policygraph.knowledge, not code."""
    path = resources.files("policygraph") / module
    assert _cjk_constants(path) == JUSTIFIED[module]
