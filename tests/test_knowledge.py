"""The knowledge files under policygraph/resources/: each loads, a user's extension is honoured, a bad one is named."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pytest

from policygraph.errors import OntologyError
from policygraph.knowledge import alternation, parse_json, resource_json, resource_text
from policygraph.lexicon import load_lexicon

PACKAGE = Path(__file__).parent.parent / "policygraph"
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


#: Chinese text, CJK and full-width punctuation, quotes, dashes and circled numbers.
_CJK = re.compile(r"[\u2010-\u2027\u2460-\u24ff\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
#: The bounds of the CJK ideograph block: a Unicode range that tells a Chinese character, not a word.
_IDEOGRAPH_BOUNDS = {"\u4e00", "\u9fff"}


def cjk_constants(path: Path) -> list[tuple[int, str]]:
    """String constants of a module holding Chinese text or punctuation, docstrings left out."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return sorted((n.lineno, n.value) for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
                  and n.value not in _IDEOGRAPH_BOUNDS and _CJK.search(n.value))


#: Chinese still written in a module's string constants, and why it may stay there.
JUSTIFIED = {
    "extract/targets.py": set(),
    "extract/grammar.py": set(),
    "extract/metadata.py": {"the 文号 prefix "},  # the evidence `inspect` prints names the term the reader sees
}


@pytest.mark.parametrize("module", sorted(JUSTIFIED))
def test_no_chinese_words_or_punctuation_in_code(module):
    """Words and marks live in resources/ and are read through policygraph.knowledge; code keeps the regex skeleton."""
    assert {value for _, value in cjk_constants(PACKAGE / module)} == JUSTIFIED[module]


#: A key naming a setting; keys starting with ``_`` and ``note`` are comments, Chinese keys are data (a word's value).
_SETTING = re.compile(r"[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class _Module:
    strings: frozenset[str]  # every string constant
    functions: tuple[tuple[str, frozenset[str]], ...]  # each function's name and string constants
    imports: frozenset[str]  # the names it imports with ``from … import``


def _strings(node) -> frozenset[str]:
    return frozenset(n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str))


@cache
def _modules() -> dict[Path, _Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        nodes = list(ast.walk(tree))
        out[path] = _Module(
            strings=_strings(tree),
            functions=tuple((n.name, _strings(n)) for n in nodes if isinstance(n, ast.FunctionDef)),
            imports=frozenset(a.name for n in nodes if isinstance(n, ast.ImportFrom) for a in n.names),
        )
    return out


def _settings(value, path=()):
    """Paths of the setting keys of a parsed JSON file, at any depth."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if _SETTING.match(key) and key != "note":
                yield (*path, key)
            if not key.startswith("_"):
                yield from _settings(inner, (*path, key))
    elif isinstance(value, list):
        for inner in value:
            yield from _settings(inner, path)


def _values(value):
    if isinstance(value, dict):
        for inner in value.values():
            yield from _values(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _values(inner)
    elif isinstance(value, str):
        yield value


def _readers(name: str) -> set[Path]:
    """The modules that read ``name``: those naming it, and those importing a function of theirs that names it."""
    modules = _modules()
    direct = {path for path, m in modules.items() if name in m.strings}
    loaders = {fn for path in direct for fn, strings in modules[path].functions if name in strings}
    return direct | {path for path, m in modules.items() if m.imports & loaders}


@pytest.mark.parametrize("name", [n for n in RESOURCE_FILES if n.endswith(".json")])
def test_every_setting_of_a_knowledge_file_is_read(name):
    """A key no reader of the file names is dead data: it looks like a setting and changes nothing.

    A reader names a key as a string constant (``lx["goal_verbs"]``); a file may also
    name one of its own keys in a value (``endings_by_head`` points at word lists).
    Keys are checked against the modules that read this file only, so a key read from
    another file under the same name does not count.
    """
    readers = _readers(name)
    assert readers, f"no module reads {name}"
    parsed = resource_json(name)
    named = set().union(*(_modules()[p].strings for p in readers)) | set(_values(parsed))
    dead = sorted("/".join(path) for path in set(_settings(parsed)) if path[-1] not in named)
    assert dead == [], f"{name}: keys no reader uses: {dead}"


def test_only_knowledge_opens_the_resources_folder():
    """One reader, so a missing or malformed file gives the same one-line error everywhere."""
    opened = sorted(str(path.relative_to(PACKAGE)) for path, m in _modules().items()
                    if "resources" in m.strings and path.name not in ("knowledge.py", "pipeline.py"))
    assert opened == []
