"""policygraph.romanise and ``--lang en``: English names where the tables have them, pinyin where they do not.

The end-to-end tests build the seeds and ../shared/corpus/docs with the real CLI and read what
``rank --lang en``, ``viz --lang en`` and ``query --lang en`` show.
"""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Literal, URIRef

from policygraph.cli import cli
from policygraph.lexicon import load_lexicon
from policygraph.resolve import resolve_mention
from policygraph.romanise import designation_english, pinyin_name, place_english
from policygraph.store import open_graph

from .conftest import SHARED_CORPUS, load_cases

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
PG = "https://w3id.org/policygraph/ontology#"

#: Agencies that have no English name at all, so ``--lang en`` shows their Chinese name: rows of
#: agencies.csv without an ``en`` template (coordination bodies, unclassified bodies) and collectives
#: whose free part is no place name (云南省各州市党委和人民政府). Every other agency must be shown in English.
NO_ENGLISH = {
    "seeds": {"宁夏回族自治区科技教育体制改革工作领导小组", "甘肃省推进大众创业万众创新部门联席会议"},
    "corpus": {"云南省各州市党委和人民政府", "各省级人民政府", "国际发展合作署", "宝山区城市网格化综合管理中心",
               "宝山区机管局", "宝山区重大办", "民航局", "浙江省委改革办", "宝山区生活垃圾分类减量联席会议",
               "上海市嘉定区人民政府办公室", "上海市宝山区人民政府办公室"},
}


@pytest.mark.parametrize("case", load_cases("place_names.json"), ids=lambda c: c["text"])
def test_place_names_in_english(case):
    english = place_english(case["text"])
    assert (english.en, english.adj, english.romanised) == (case["en"], case["adj"], case["romanised"])


def test_pinyin_is_one_capitalised_word_with_syllable_apostrophes():
    assert [pinyin_name(n) for n in ("兰州", "延安", "六安", "吕梁")] == ["Lanzhou", "Yan'an", "Lu'an", "Lüliang"]


def test_a_designation_needs_a_name_for_its_head():
    known = {"兰州": ("Lanzhou", False)}.get
    assert designation_english("兰州新区", known) == ("Lanzhou New Area", False)
    assert designation_english("海东工业园区", known) == ("Haidong Industrial Park", True)
    assert designation_english("兰白科技创新改革试验区", known) is None
    assert designation_english("新区", known) is None


@pytest.mark.parametrize("surface,doc,en,romanised", [
    ("白银市人民政府", "甘肃省", "Baiyin Municipal People's Government", True),
    ("白银市政府", "甘肃省", "Baiyin Municipal People's Government", True),
    ("兰州新区管委会", "甘肃省", "Lanzhou New Area Administrative Committee", False),
    ("区发展改革委", "嘉定区", "Jiading District Development and Reform Commission", True),
    ("省科技厅", "甘肃省", "Gansu Provincial Department of Science and Technology", False),
    # a free name that is no place: no English rather than a half-translated one
    ("各州市党委和人民政府", "云南省", None, False),
])
def test_resolved_agencies_carry_english_names(surface, doc, en, romanised):
    agency = resolve_mention(surface, doc, load_lexicon())
    assert (agency.name_en, agency.romanised) == (en, romanised)


def test_the_lexicon_gives_every_place_an_english_name():
    lex = load_lexicon()
    missing = [p.name for p in lex.places if not lex.english(p).en or CJK.search(lex.english(p).en)]
    assert missing == []
    assert lex.english(lex.jurisdiction("兰州市")).romanised is False  # a capital: jurisdictions.csv names it


def _build(runner, tmp_path, name, paths):
    out = tmp_path / name
    result = runner.invoke(cli, ["build", *map(str, paths), "-o", str(out), "--jobs", "1", "--no-export"])
    assert result.exit_code in (0, 1), result.output
    return out


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    runner = CliRunner()
    tmp = tmp_path_factory.mktemp("lang")
    out = {"seeds": _build(runner, tmp, "seeds", [])}
    docs = SHARED_CORPUS / "docs"
    if docs.is_dir():
        out["corpus"] = _build(runner, tmp, "corpus", [docs])
    return out


@pytest.fixture(params=["seeds", "corpus"])
def build(request, builds):
    if request.param not in builds:
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    return request.param, builds[request.param]


def _without_english(store) -> set[str]:
    """Chinese labels of the agencies that have no English label in the graph."""
    ds = open_graph(store / "store")
    rows = ds.query(f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?zh WHERE {{ ?a a <{PG}Agency> ; rdfs:label ?zh .
                        FILTER(lang(?zh) = "zh") FILTER NOT EXISTS {{ ?a rdfs:label ?en FILTER(lang(?en) = "en") }} }}""")
    return {str(r[0]) for r in rows}


def test_rank_in_english_shows_every_name_that_has_one_in_english(build):
    name, store = build
    result = CliRunner().invoke(cli, ["rank", "-g", str(store), "--lang", "en", "--top", "1000", "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows
    chinese = {r["agency"] for r in rows if CJK.search(r["agency"])}
    assert chinese == NO_ENGLISH[name] & {r["agency"] for r in rows}
    assert chinese <= _without_english(store)
    assert [r for r in rows if CJK.search(r["jurisdiction"] + r["type"])] == []


def _page_data(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="pg-data">(.*?)</script>', html, re.S)[1])


@pytest.mark.parametrize("view", [["--view", "whole"], ["--view", "agencies", "--color", "type"]], ids=["whole", "agencies"])
def test_explorer_in_english_shows_agencies_types_and_jurisdictions_in_english(build, view, tmp_path):
    name, store = build
    page = tmp_path / "page.html"
    result = CliRunner().invoke(cli, ["viz", "-g", str(store), "--lang", "en", "-o", str(page), *view])
    assert result.exit_code == 0, result.output
    data = _page_data(page.read_text("utf-8"))
    agency = next(i for i, k in enumerate(data["kinds"]) if k["key"] == "agency")
    agencies = [n for n in data["nodes"] if n["k"] == agency]
    assert agencies
    assert {n["zh"] for n in agencies if CJK.search(n["l"])} <= NO_ENGLISH[name]
    assert [n["l"] for n in agencies if n["en"] and CJK.search(n["l"])] == []
    assert [n["t"] for n in agencies if CJK.search(n["t"])] == []
    panel_types = [v for n in agencies for k, v in n["i"] if k == "agencyType"]
    assert panel_types and [v for v in panel_types if CJK.search(v)] == []
    assert [c["label"] for c in data["categories"] if CJK.search(c["label"])] == []
    assert [j["label"] for j in data["jurisdictions"] if CJK.search(j["label"])] == []


def test_query_labels_in_english(build):
    name, store = build
    result = CliRunner().invoke(cli, ["query", "agencies", "-g", str(store), "--lang", "en", "-f", "csv",
                                      "--limit", "all"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["en"] for r in rows if CJK.search(r["en"])] == []
    assert [r["jurisdictionEn"] for r in rows if not r["jurisdictionEn"] or CJK.search(r["jurisdictionEn"])] == []


def test_romanised_names_are_marked_in_the_graph(builds):
    ds = open_graph(builds["seeds"] / "store")
    marked = {str(s) for s in ds.subjects(URIRef(PG + "romanised"), Literal(True))}
    labels = {str(o) for s in marked for o in ds.objects(URIRef(s), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
              if getattr(o, "language", None) == "en"}
    assert {"Baiyin City", "Baiyin Municipal People's Government", "Shizuishan City"} <= labels
    # names from the tables (Lanzhou is Gansu's capital in jurisdictions.csv) are not marked
    assert "Lanzhou New Area Administrative Committee" not in labels and "Gansu Province" not in labels


def test_english_output_is_the_same_every_run(builds):
    runner = CliRunner()
    args = ["rank", "-g", str(builds["seeds"]), "--lang", "en", "--top", "1000", "-f", "csv"]
    assert runner.invoke(cli, args).output == runner.invoke(cli, args).output
