import pytest

from policygraph.segment import segment

from .conftest import SEED_FILES, gold, seed_text


def outline(text):
    return [(n.part, n.outline, n.title) for n in segment(text)]


CASES = [
    ("一、总体要求\n（一）指导思想。以…为指导。\n（二）发展目标。到2020年…\n二、重点任务\n",
     [("", "一", "总体要求"), ("", "一/一", "指导思想"), ("", "一/二", "发展目标"), ("", "二", "重点任务")]),
    ("三、重点任务\n(一)全面推进众创。\n1.优化众创空间区域布局。结合…\n2.引导龙头企业。\n(二)积极推广众包。\n1.推进研发创意众包。",
     [("", "三", "重点任务"), ("", "三/一", "全面推进众创"), ("", "三/一/1", "优化众创空间区域布局"),
      ("", "三/一/2", "引导龙头企业"), ("", "三/二", "积极推广众包"), ("", "三/二/1", "推进研发创意众包")]),
    ("　　一、任务\n　　１．全角编号。内容\n　　（１）第四级。内容\n　　①第五级。内容\n",
     [("", "一", "任务"), ("", "一/1", "全角编号"), ("", "一/1/1", "第四级"), ("", "一/1/1/①", "第五级")]),
    ("一、正文\n（一）事项。\n附件：\n联席会议制度\n一、工作职责\n（一）统筹协调。",
     [("", "一", "正文"), ("", "一/一", "事项"), ("附件", "一", "工作职责"), ("附件", "一/一", "统筹协调")]),
    ("一、目标\n到2020年建成1.5万个。\n12.3%的比例。\n", [("", "一", "目标")]),
    ("一、甲\n（一）甲一。\n二、乙\n一、丙\n（一）丙一。",
     [("", "一", "甲"), ("", "一/一", "甲一"), ("", "二", "乙"), ("部分2", "一", "丙"), ("部分2", "一/一", "丙一")]),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_outline_cases(text, expected):
    assert outline(text) == expected


def test_node_spans_cover_own_text_only():
    text = "二、重点任务\n（一）甲。甲的内容。\n（二）乙。乙的内容。"
    nodes = segment(text)
    first = nodes[1]
    assert first.span.slice(text) == "（一）甲。甲的内容。"
    assert first.title_span.slice(text) == "甲"


@pytest.mark.parametrize("name", SEED_FILES)
def test_every_gold_task_path_is_in_the_outline(name):
    text = seed_text(name)
    nodes = {(n.part, n.outline): n.title for n in segment(text)}
    for task in gold(name)["tasks"]:
        assert ("", task["path"]) in nodes, task["path"]
        assert nodes[("", task["path"])] == task["title"]
