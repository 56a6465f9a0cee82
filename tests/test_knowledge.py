"""The knowledge files under policygraph/resources/: each loads, a user's extension is honoured, a bad one is named."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pytest

from policygraph import knowledge
from policygraph.errors import OntologyError, ResourceError
from policygraph.knowledge import (alternation, merge_json, parse_json, resource_json, resource_lines, resource_rows,
                                   resource_text, using_overlay)
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


# ---------------------------------------------------------------- overlays (--lexicon DIR)


def test_an_overlay_csv_appends_its_rows_after_the_packaged_ones(tmp_path):
    (tmp_path / "agencies.csv").write_text("# a comment\ntype,canonical,patterns\nFinance,{J}财政所,{P}财政所\n", "utf-8")
    packaged = resource_rows("agencies.csv")
    rows = resource_rows("agencies.csv", [tmp_path])
    assert rows[:len(packaged)] == packaged
    (added,) = rows[len(packaged):]
    assert (added.fields, added.line, added.packaged) == (
        {"type": "Finance", "canonical": "{J}财政所", "patterns": "{P}财政所"}, 3, False)
    assert added.source == str(tmp_path / "agencies.csv")


def test_an_overlay_tsv_adds_places(tmp_path):
    (tmp_path / "places.tsv").write_text("adcode\tname\tlevel\n620199\t青云区\tcounty\n", "utf-8")
    assert load_lexicon().jurisdiction("青云区") is None
    place = load_lexicon([tmp_path]).jurisdiction("青云区")
    assert (place.kind, place.parent, place.adcode) == ("county", "兰州市", "620199")


def test_an_overlay_txt_appends_its_lines(tmp_path):
    from policygraph.load import is_furniture_line

    (tmp_path / "furniture.txt").write_text("# page footers of a new site\n[lines]\n^本页责任编辑\n", "utf-8")
    assert [line.fields for line in resource_lines("furniture.txt", [tmp_path])][-2:] == ["[lines]", "^本页责任编辑"]
    assert not is_furniture_line("本页责任编辑：张三")
    with using_overlay([tmp_path]):
        assert is_furniture_line("本页责任编辑：张三")


def test_an_overlay_json_merges_mappings_extends_lists_and_replaces_values():
    base = {"suffixes": {"park": ["试验区"], "fund": ["基金"]}, "mark": "号", "_comment": "packaged"}
    extra = {"suffixes": {"park": ["智造港"], "program": ["工程"]}, "mark": "號"}
    assert merge_json(base, extra, "lex/named.json") == {
        "suffixes": {"park": ["试验区", "智造港"], "fund": ["基金"], "program": ["工程"]}, "mark": "號",
        "_comment": "packaged"}


def test_an_overlay_json_of_another_shape_names_the_file_and_key(tmp_path):
    (tmp_path / "units.json").write_text('{"units": {"surface": "台"}}', "utf-8")
    with pytest.raises(ResourceError, match=re.escape(f"{tmp_path / 'units.json'}: /units is a mapping but extends a list")):
        resource_json("units.json", [tmp_path])


def test_an_overlay_json_changes_extraction_through_the_lexicon(tmp_path):
    from policygraph.pipeline import extract_document
    from policygraph.model import SourceDocument

    (tmp_path / "named.json").write_text('{"suffixes": {"park": ["智造港"]}}', "utf-8")
    assert "智造港" in resource_json("named.json", [tmp_path])["suffixes"]["park"]
    text = "甘肃省人民政府办公厅关于印发加快园区建设实施方案的通知\n一、重点任务\n（一）加快建设兰州青云智造港，完善配套设施。\n"
    document = SourceDocument(source_file="plan.txt", path="plan.txt", text=text, encoding="utf-8", content_hash="0" * 64)
    parks = lambda lexicon: [e.name for e in extract_document(document, lexicon).named if e.kind == "park"]
    assert parks(load_lexicon()) == []
    assert parks(load_lexicon([tmp_path])) == ["兰州青云智造港"]


@pytest.mark.parametrize("name, text, message", [
    ("agencies.csv", "type,canonical,patterns\n\n# a note\nFinance,,{P}财政所\n", r"agencies\.csv: row 4 lacks canonical"),
    ("towns.csv", "name,kind,district\n某镇,village,嘉定区\n", r"towns\.csv: row 2 has kind 'village'"),
    ("jurisdictions.csv", "name,short,abbr\n青省,青,青,extra\n", r"jurisdictions\.csv: row 2 has 4 cells, but the header names 3"),
    ("places.tsv", "adcode\tname\tlevel\nX1\t青云区\tcounty\n", r"places\.tsv: row 2 needs a numeric adcode"),
    ("generic_bodies.txt", "# bodies\n各(试点街镇\n", r"generic_bodies\.txt: row 2 is not a valid regular expression"),
    ("levels.json", '{"level_words": [\n}', r"levels\.json: not valid JSON at line 2, column 1"),
])
def test_a_malformed_overlay_file_names_the_file_and_line(tmp_path, name, text, message):
    (tmp_path / name).write_text(text, "utf-8")
    with pytest.raises(ResourceError, match=message) as info:
        load_lexicon([tmp_path])
    assert info.value.source == str(tmp_path / name)


def test_places_are_parsed_once_for_the_lexicon_and_the_named_vocabulary(tmp_path, monkeypatch):
    from policygraph.extract.named import load_vocabulary

    parsed = []
    table_rows = knowledge._table_rows
    monkeypatch.setattr(knowledge, "_table_rows", lambda f, d: parsed.append(f.source) or table_rows(f, d))
    load_lexicon([tmp_path])
    with using_overlay([tmp_path]):
        load_vocabulary()
    assert parsed.count("policygraph/resources/places.tsv") == 1


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
