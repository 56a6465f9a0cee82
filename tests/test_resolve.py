"""Tests for policygraph.lexicon and policygraph.resolve: agency mentions → canonical agencies."""
from __future__ import annotations

import csv
import io
import json
from importlib import resources
from pathlib import Path

import pytest

from policygraph.errors import OntologyError
from policygraph.lexicon import load_lexicon
from policygraph.model import Agency
from policygraph.resolve import canonical_key, clean_surface, is_generic, looks_like_agency, resolve_mention

HERE = Path(__file__).parent
CASES = json.loads((HERE / "cases" / "agencies.json").read_text("utf-8"))
GOLD = sorted((HERE.parent / "data" / "gold").glob("*.json"))

#: Bare back-references such as 联席会议 ("the joint conference" named earlier in the document)
#: need document context that resolve_mention does not have; they are left out of cluster checks.
ANAPHORA = {"联席会议"}


def _gold(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.mark.parametrize("case", CASES, ids=[f"{c['jurisdiction']}:{c['surface']}" for c in CASES])
def test_case_table(case, lexicon):
    agency = resolve_mention(case["surface"], case["jurisdiction"], lexicon)
    if case["expected_name"] is None:
        assert agency is None
        assert is_generic(case["surface"], lexicon)
        return
    assert agency is not None, case["surface"]
    assert agency.name == case["expected_name"]
    assert agency.agency_type == case["expected_type"]
    assert agency.jurisdiction == case.get("expected_jurisdiction", case["jurisdiction"])
    assert agency.collective == case.get("expected_collective", False)
    assert agency.manages == case.get("expected_manages")


@pytest.mark.parametrize("path", GOLD, ids=[p.stem for p in GOLD])
def test_every_gold_mention_resolves_or_is_generic(path, lexicon):
    gold = _gold(path)
    for task in gold["tasks"]:
        for a in task["assignments"]:
            agency = resolve_mention(a["mention"], gold["jurisdiction"], lexicon)
            if a.get("generic"):
                assert agency is None and is_generic(a["mention"], lexicon), a["mention"]
            else:
                assert isinstance(agency, Agency), a["mention"]
                assert looks_like_agency(a["mention"], lexicon), a["mention"]
                assert not is_generic(a["mention"], lexicon), a["mention"]


@pytest.mark.parametrize("path", GOLD, ids=[p.stem for p in GOLD])
def test_gold_clusters_resolve_to_one_agency(path, lexicon):
    gold = _gold(path)
    for cluster in gold["agency_clusters"]:
        names = {resolve_mention(m, gold["jurisdiction"], lexicon).name for m in cluster if m not in ANAPHORA}
        assert len(names) == 1, (cluster, names)


@pytest.mark.parametrize("path", GOLD, ids=[p.stem for p in GOLD])
def test_gold_distinct_pairs_stay_apart(path, lexicon):
    gold = _gold(path)
    for a, b in gold.get("distinct_agencies", []):
        ra = resolve_mention(a, gold["jurisdiction"], lexicon)
        rb = resolve_mention(b, gold["jurisdiction"], lexicon)
        assert canonical_key(ra) != canonical_key(rb), (a, b)


@pytest.mark.parametrize("a,b", [
    ("省国税局", "省地税局"), ("甘肃银监局", "甘肃证监局"), ("甘肃证监局", "甘肃保监局"), ("甘肃银保监局", "甘肃银监局"),
    ("省工信委", "省工商局"), ("省政府国资委", "省政府金融办"), ("省科技厅", "省科协"), ("省网信办", "省通信管理局"),
    ("兰州市政府", "兰州新区管委会"), ("省政府", "省委"), ("省委宣传部", "省委"), ("团省委", "省委"),
    ("省文化厅", "省新闻出版广电局"), ("省旅游局", "省旅游发展委"), ("省金融办", "金融工作局"),
    ("各市州政府", "各市、县（区）人民政府"), ("人行兰州中心支行", "人民银行"), ("省商务厅", "商务部"),
])
def test_look_alikes_are_different(a, b, lexicon):
    assert resolve_mention(a, "甘肃省", lexicon).name != resolve_mention(b, "甘肃省", lexicon).name


@pytest.mark.parametrize("a,b", [
    ("省科技厅", "科技厅"), ("省科技厅", "省科学技术厅"), ("省科技厅", "甘肃省科技厅"), ("省科技厅", "甘肃科技厅"),
    ("省人社厅", "省人力资源社会保障厅"), ("省政府国资委", "省国资委"), ("省政府金融办", "省金融办"),
    ("银监会甘肃监管局", "甘肃银监局"), ("人行兰州中心支行", "人民银行兰州中心支行"), ("人行兰州中心支行", "中国人民银行兰州中心支行"),
    ("省委宣传部", "中共甘肃省委宣传部"), ("团省委", "共青团甘肃省委"), ("各市州政府", "各市（州）人民政府"),
    ("兰州市政府", "兰州市人民政府"), ("兰州新区管委会", "兰州新区管理委员会"), ("省政府", "甘肃省人民政府"),
    ("省工信委", "省经济和信息化委"), ("省质监局", "省质量技术监督局"), ("省编办", "省机构编制委员会办公室"),
])
def test_aliases_are_the_same(a, b, lexicon):
    assert resolve_mention(a, "甘肃省", lexicon) == resolve_mention(b, "甘肃省", lexicon)


@pytest.mark.parametrize("surface", ["省科技厅", "省发展改革委", "团省委", "各市州政府", "省政府金融办"])
def test_same_surface_in_two_provinces_is_two_agencies(surface, lexicon):
    gansu = resolve_mention(surface, "甘肃省", lexicon)
    qinghai = resolve_mention(surface, "青海省", lexicon)
    assert (gansu.jurisdiction, qinghai.jurisdiction) == ("甘肃省", "青海省")
    assert canonical_key(gansu) != canonical_key(qinghai)
    assert gansu.agency_type == qinghai.agency_type


def test_type_is_independent_of_level(lexicon):
    province = resolve_mention("省科技厅", "甘肃省", lexicon)
    nation = resolve_mention("科技部", "甘肃省", lexicon)
    city = resolve_mention("市科技局", "兰州市", lexicon)
    assert province.agency_type == nation.agency_type == city.agency_type == "ScienceTechnology"
    assert [a.jurisdiction for a in (province, nation, city)] == ["甘肃省", "中华人民共和国", "兰州市"]


@pytest.mark.parametrize("surface", [
    "相关行业主管部门", "有关部门", "各有关部门", "相关部门", "各地", "各级政府", "有关单位", "各相关单位",
    "省直有关部门", "其他成员单位", "各有关部门等", "（有关部门）", "省政府各委、办、厅", "国务院有关部门", "各级人民政府",
    "省政府各部门", "自治区各有关部门", "各地各部门",
])
def test_generic_bodies(surface, lexicon):
    assert is_generic(surface, lexicon)
    assert resolve_mention(surface, "甘肃省", lexicon) is None
    assert not looks_like_agency(surface, lexicon)


@pytest.mark.parametrize("surface", ["各市州政府", "各市、县（区）人民政府", "省委", "省政府", "团委", "省科协"])
def test_specific_bodies_are_not_generic(surface, lexicon):
    assert not is_generic(surface, lexicon)


@pytest.mark.parametrize("surface,expected", [
    ("省科技厅", True), ("经济和信息化委", True), ("人行西宁中心支行", True), ("银川国家高新区", True),
    ("省农机局", True), ("石嘴山市人民政府", True), ("信息化建设办", True), ("某某服务中心", True),
    ("众创空间", False), ("孵化器", False), ("创业投资机构", False), ("高校", False), ("小微企业", False),
    ("大学生", False), ("兰州", False), ("", False),
])
def test_looks_like_agency(surface, expected, lexicon):
    assert looks_like_agency(surface, lexicon) is expected


@pytest.mark.parametrize("surface", ["省科技厅、省财政厅", "省科技厅,省农机局", "各市州、省直有关部门"])
def test_a_list_is_not_one_agency(surface, lexicon):
    assert resolve_mention(surface, "甘肃省", lexicon) is None
    assert not looks_like_agency(surface, lexicon)


def test_level_word_picks_between_a_province_and_a_prefecture(lexicon):
    prefecture = resolve_mention("海南州政府", "青海省", lexicon)
    province = resolve_mention("海南省科技厅", "青海省", lexicon)
    assert (prefecture.jurisdiction, province.jurisdiction) == ("海南藏族自治州", "海南省")


def test_unknown_agency_keeps_its_core(lexicon):
    agency = resolve_mention("省农机局", "甘肃省", lexicon)
    assert (agency.name, agency.agency_type) == ("甘肃省农机局", "OtherAgency")
    assert resolve_mention("农机局", "甘肃省", lexicon).name == "甘肃省农机局"


def test_cleaning():
    assert clean_surface("省科技厅等部门") == "省科技厅"
    assert clean_surface("省科技厅牵头") == "省科技厅"
    assert clean_surface("\u3000省 科 协、") == "省科协"


def test_english_names(lexicon):
    assert resolve_mention("省科技厅", "甘肃省", lexicon).name_en == "Gansu Provincial Department of Science and Technology"
    assert resolve_mention("自治区党委宣传部", "宁夏回族自治区", lexicon).name_en == (
        "Publicity Department of the CPC Ningxia Hui Autonomous Region Committee")
    assert resolve_mention("人行兰州中心支行", "甘肃省", lexicon).name_en == "People's Bank of China Lanzhou Central Sub-branch"


def test_every_city_and_county_resolves_without_english(lexicon):
    for place in lexicon.places:
        if place.level == "town":
            continue  # a town's 县科技局 is its county's (test_town_bodies_resolve_to_the_town)
        agency = resolve_mention("市政府" if place.kind == "prefecture" else "县科技局", place.name, lexicon)
        assert agency is not None and agency.name_en, place.name
        assert agency.jurisdiction == place.name


def test_unknown_document_jurisdiction_does_not_crash(lexicon):
    agency = resolve_mention("科技局", "某某新区", lexicon)
    assert agency.name == "某某新区科学技术局"


def test_canonical_key(lexicon):
    agency = resolve_mention("省科技厅", "甘肃省", lexicon)
    assert canonical_key(agency) == ("甘肃省", "甘肃省科学技术厅")


def test_jurisdiction_lookup(lexicon):
    assert len([j for j in lexicon.jurisdictions if j.kind != "national"]) == 34
    assert lexicon.jurisdiction("宁夏").name == "宁夏回族自治区"
    assert lexicon.jurisdiction("宁夏回族自治区").abbr == "宁"
    assert lexicon.jurisdiction("中华人民共和国").kind == "national"
    assert lexicon.jurisdiction("石嘴山市").parent == "宁夏回族自治区"
    assert lexicon.jurisdiction("不存在的地方") is None
    for j in lexicon.jurisdictions:
        assert j.abbr and j.en and j.adj and j.capital and j.adcode or j.kind == "national", j.name


def test_every_agency_type_is_in_the_scheme(lexicon):
    types = lexicon.agency_types
    text = (resources.files("policygraph") / "resources" / "agencies.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO("\n".join(l for l in text.splitlines() if not l.startswith("#")))))
    used = {r["type"] for r in rows}
    assert used <= set(types), used - set(types)
    assert "OtherAgency" in types
    assert all(zh and en for zh, en in types.values())


def test_extra_user_table(tmp_path):
    (tmp_path / "agencies.csv").write_text(
        "type,level,canonical,patterns,en\n"
        "ScienceTechnology,any,{J}科技创新局,{P}科创局|{P}科技创新局,{Jadj} Science and Technology Innovation Bureau\n",
        encoding="utf-8")
    (tmp_path / "generic_bodies.txt").write_text("# user\n各园区\n", encoding="utf-8")
    bundled = resolve_mention("市科创局", "兰州市")
    assert bundled.agency_type == "OtherAgency"
    lex = load_lexicon([tmp_path])
    agency = resolve_mention("市科创局", "兰州市", lex)
    assert (agency.name, agency.agency_type) == ("兰州市科技创新局", "ScienceTechnology")
    assert agency.name_en == "Lanzhou Municipal Science and Technology Innovation Bureau"
    assert is_generic("各园区", lex) and not is_generic("各园区")
    assert resolve_mention("省科技厅", "甘肃省", lex).name == "甘肃省科学技术厅"


def test_user_table_errors_are_reported(tmp_path):
    (tmp_path / "agencies.csv").write_text("type,level,canonical,patterns\nFinance,everywhere,{J}财政局,{P}财政局\n",
                                           encoding="utf-8")
    with pytest.raises(OntologyError, match="level"):
        load_lexicon([tmp_path])


#: (mention as written in a real clause, document jurisdiction, expected agency jurisdiction,
#: expected collective flag, a name the agency must NOT have). A body opening with a level word
#: below the document's level is a body of that level, never the document's own ministry.
LEVEL_CASES = [
    # national documents: 市/省/区/县 bodies are sub-national collectives, not ministries
    ("市农业农村委", "中华人民共和国", "中华人民共和国", True, "农业农村部"),
    ("省科技厅", "中华人民共和国", "中华人民共和国", True, "科学技术部"),
    ("区发改局", "中华人民共和国", "中华人民共和国", True, "国家发展和改革委员会"),
    ("县政府", "中华人民共和国", "中华人民共和国", True, "国务院"),
    # the national body named as such stays national
    ("市场监管总局", "中华人民共和国", "中华人民共和国", False, None),
    ("国家发展改革委", "甘肃省", "中华人民共和国", False, None),
    # provincial document + 市 body: the province's city-level collective
    ("市农业农村委", "甘肃省", "甘肃省", True, "农业农村部"),
    # district document + 区 body: that district's own bureau
    ("区发改局", "嘉定区", "嘉定区", False, "国家发展和改革委员会"),
    ("区城运中心", "嘉定区", "嘉定区", False, None),
]


@pytest.mark.parametrize("surface,doc,where,collective,not_name", LEVEL_CASES)
def test_level_words_resolve_at_their_level(surface, doc, where, collective, not_name):
    from policygraph.resolve import Resolver

    agency = Resolver(load_lexicon()).resolve(surface, doc, unclassified=True)
    assert agency is not None
    assert agency.jurisdiction == where
    assert agency.collective is collective
    if not_name:
        assert agency.name != not_name


def test_national_document_never_turns_a_city_body_into_a_ministry():
    lex = load_lexicon()
    national = {a.name for a in (resolve_mention(s, "中华人民共和国", lex) for s in ("农业农村部", "科学技术部")) if a}
    for surface in ("市农业农村委", "省科技厅", "区科技局", "自治区农业农村厅"):
        agency = resolve_mention(surface, "中华人民共和国", lex)
        assert agency is not None and agency.name not in national and agency.collective


@pytest.mark.parametrize("module", ["resolve.py", "lexicon.py"])
def test_no_chinese_words_in_resolution_code(module):
    """Words belong in resources/levels.json (and the other tables); code keeps only skeletons."""
    import ast
    import re as _re

    tree = ast.parse((Path(__file__).parent.parent / "policygraph" / module).read_text("utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    words = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
             and id(n) not in docstrings and _re.search(r"[\u4e00-\u9fff]", n.value)]
    assert words == []


#: Bodies of town documents (real mentions of the Shanghai town documents), resolved in the town's document:
#: (surface, document's jurisdiction, its district when no table lists the town, name, jurisdiction).
TOWN_CASES = [
    ("镇经发办", "安亭镇", None, "安亭镇经发办", "安亭镇"),
    ("镇财经科", "金汇镇", None, "金汇镇财经科", "金汇镇"),
    ("镇城建中心", "金汇镇", None, "金汇镇城建中心", "金汇镇"),
    ("镇政府", "吴泾镇", None, "吴泾镇人民政府", "吴泾镇"),
    ("闵行区吴泾镇人民政府", "吴泾镇", None, "吴泾镇人民政府", "吴泾镇"),
    ("上海市奉贤区人民政府头桥街道办事处", "头桥街道", None, "头桥街道办事处", "头桥街道"),
    ("街道消委办", "古美路街道", None, "古美路街道消委办", "古美路街道"),
    ("区发展改革委", "安亭镇", None, "嘉定区发展和改革委员会", "嘉定区"),
    ("区规划资源局", "莘庄镇", None, "闵行区规划和自然资源局", "闵行区"),
    ("市住房城乡建设管理委", "吴泾镇", None, "上海市住房和城乡建设管理委员会", "上海市"),
    ("乡村振兴局", "横沙乡", None, "横沙乡乡村振兴局", "横沙乡"),
    ("镇经发办", "庙坝镇", "大竹县", "庙坝镇经发办", "庙坝镇"),
    ("庙坝镇人民政府", "庙坝镇", "大竹县", "庙坝镇人民政府", "庙坝镇"),
    ("县发展改革局", "庙坝镇", "大竹县", "大竹县发展和改革局", "大竹县"),
    ("安亭镇", "嘉定区", None, "安亭镇人民政府", "安亭镇"),
    ("各街道", "嘉定区", None, "嘉定区各街道办事处", "嘉定区"),
]


@pytest.mark.parametrize("surface,jurisdiction,within,name,where", TOWN_CASES,
                         ids=[f"{c[1]}:{c[0]}" for c in TOWN_CASES])
def test_town_bodies_resolve_to_the_town(surface, jurisdiction, within, name, where, lexicon):
    """A town's own bodies are the town's (镇经发办 in 安亭镇's document), the district's stay the district's."""
    from policygraph.resolve import Resolver

    agency = Resolver(lexicon).resolve(surface, jurisdiction, unclassified=True, within=within)
    assert (agency.name, agency.jurisdiction) == (name, where)


def test_a_town_lies_in_its_district(lexicon):
    town = lexicon.jurisdiction("安亭镇")
    assert (town.level, lexicon.parent(town).name, lexicon.province_of(town).name) == ("town", "嘉定区", "上海市")
    assert lexicon.level_name(town) == "town" and lexicon.level_name(lexicon.parent(town)) == "district"


def test_a_towns_table_row_must_name_a_known_district(tmp_path):
    (tmp_path / "towns.csv").write_text("name,kind,district,province,abbr,en\n某镇,town,无此区,上海市,,\n", "utf-8")
    with pytest.raises(OntologyError, match="towns.csv: row 2 names district '无此区'"):
        load_lexicon([tmp_path])


def test_no_name_the_lexicon_knows_reads_as_prose(lexicon):
    """The body grammar's prose words (应, 由 …) must not reject the lexicon's own names (区应急局, 自由贸易试验区).

    A table's support cell 区应急局、区公安分局 lost 区应急局 as 'prose' before 应急 was exempted.
    """
    import re

    from policygraph.extract.grammar import load_grammar
    from policygraph.resolve import Resolver

    grammar = load_grammar()
    names = {re.sub(r"\{[A-Za-z]+\}", "", piece) for row in lexicon.rows
             for piece in (row.canonical, *(p.text for p in row.patterns))}
    prose = sorted(n for n in names if re.search(r"[\u4e00-\u9fff]", n) and grammar.is_prose(n))
    assert prose == []
    resolver = Resolver(lexicon)
    assert [resolver.kind(s) for s in ("区应急局", "市应急管理局", "自由贸易试验区管委会")] == ["known"] * 3
