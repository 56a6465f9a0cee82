"""Task tables in every rendering real documents come in: the same rows must give the same tasks and bodies."""
from __future__ import annotations

import pytest

from policygraph.extract.tables import find_table_tasks
from policygraph.resolve import Resolver

EXPECTED = [
    ("1", "推进生活垃圾分类减量", [("区绿化市容局", "lead"), ("区发展改革委", "support"), ("各街镇", "support")]),
    ("2", "完善收运体系", [("区绿化市容局", "lead"), ("区城市网格化综合管理中心", "support")]),
]

RENDERINGS = {
    "tab-separated rows": (
        "附件\n序号\t工作任务\t牵头单位\t配合单位\n"
        "1\t推进生活垃圾分类减量。全面推行分类投放。\t区绿化市容局\t区发展改革委、各街镇\n"
        "2\t完善收运体系。\t区绿化市容局\t区城市网格化综合管理中心\n"),
    "one cell per line": (
        "附件\n序号\n工作任务\n牵头单位\n配合单位\n"
        "1\n推进生活垃圾分类减量。全面推行分类投放。\n区绿化市容局\n区发展改革委、各街镇\n"
        "2\n完善收运体系。\n区绿化市容局\n区城市网格化综合管理中心\n"),
    "a cell split over two lines": (
        "附件\n序号\n工作任务\n牵头单位\n配合单位\n"
        "1\n推进生活垃圾分类减量。全面推行分类投放。\n区绿化市容局\n区发展改革委、\n各街镇\n"
        "2\n完善收运体系。\n区绿化市容局\n区城市网格化综合管理中心\n"),
    "row numbers with a dot, and blank lines between cells": (
        "附件\n\n序号\n\n工作任务\n\n牵头单位\n\n配合单位\n\n"
        "1.\n\n推进生活垃圾分类减量。全面推行分类投放。\n\n区绿化市容局\n\n区发展改革委、各街镇\n\n"
        "2.\n\n完善收运体系。\n\n区绿化市容局\n\n区城市网格化综合管理中心\n"),
    "row numbers glued to the task": (
        "附件\n序号\n工作任务\n牵头单位\n配合单位\n"
        "1推进生活垃圾分类减量。全面推行分类投放。\n区绿化市容局\n区发展改革委、各街镇\n"
        "2完善收运体系。\n区绿化市容局\n区城市网格化综合管理中心\n"),
}


def rows(text: str):
    out = []
    for row in find_table_tasks(text, Resolver().judge):
        mentions = [(m.surface, m.role) for m in row.clause.mentions] if row.clause else []
        for m in (row.clause.mentions if row.clause else ()):
            assert text[m.span.start:m.span.end] == m.surface
        out.append((row.node.path[-1], row.node.title, mentions))
    return out


@pytest.mark.parametrize("rendering", RENDERINGS)
def test_every_rendering_gives_the_same_rows(rendering):
    assert rows(RENDERINGS[rendering]) == EXPECTED


def test_a_row_that_cannot_be_read_does_not_lose_the_others():
    text = ("附件\n序号\t工作任务\t牵头单位\t配合单位\n"
            "1\t推进生活垃圾分类减量。全面推行分类投放。\t区绿化市容局\t区发展改革委、各街镇\n"
            "二\t（本行无编号）\t\t\n"
            "2\t完善收运体系。\t区绿化市容局\t区城市网格化综合管理中心\n")
    assert rows(text) == EXPECTED


def test_rows_of_an_appendix_have_the_appendix_path():
    row = find_table_tasks(RENDERINGS["tab-separated rows"], Resolver().judge)[0]
    assert (row.node.part, row.node.path) == ("附件", ("1",))
