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


#: Tables copied one cell per line from real district and municipal plans (Shanghai, 2022–2024), cut to a few rows.
REAL_CELL_TABLES = {
    "a category line before the first row, and a category cell wrapped over two lines": (
        "附件:\n杨浦区基层消防安全综合治理建设工作重点任务清单\n类别\n项目\n主要任务\n牵头单位\n配合单位\n"
        "一、做好政策保障\n1.做好规划配套\n"
        "将基层消防安全综合治理建设工作与市级消防专项规(2022-2035年)同步规划、同步实施。\n"
        "区消防救援支队\n区应急局、区公安分局、区规划资源局、各街道\n"
        "二、推进基层消防安全组织建设\n2.实化运行消防\n安全委员会\n"
        "年底前，各街道成立由街道行政主要领导为主任的消防安全委员会。\n区委编办、\n各街道\n区消防救援支队\n",
        [("1", "将基层消防安全综合治理建设工作与市级消防专项规(2022-2035年)同步规划、同步实施",
          [("区消防救援支队", "lead"), ("区应急局", "support"), ("区公安分局", "support"),
           ("区规划资源局", "support"), ("各街道", "support")]),
         ("2", "年底前，各街道成立由街道行政主要领导为主任的消防安全委员会",
          [("区委编办", "lead"), ("各街道", "lead"), ("区消防救援支队", "support")])]),
    "a header column no vocabulary names (事项) between known ones": (
        "序号\n事项\n工作措施\n责任单位\n推进实施“光伏+”示范工程\n1\n“光伏+地铁”工程\n"
        "充分利用轨道交通内既有高架车站、地面车站、停车场、沿线零星地块等资源，进行光伏项目的开发和建设。\n"
        "申通地铁集团\n",
        [("1", "充分利用轨道交通内既有高架车站、地面车站、停车场、沿线零星地块等资源，进行光伏项目的开发和建设",
          [("申通地铁集团", "responsible")])]),
    "header columns no vocabulary names after the role columns": (
        "序号\n内容\n牵头部门\n配合部门\n2024年工作任务\n2025年工作计划\n备注\n"
        "一、科学编制并实施城市综合交通体系规划\n1\n科学编制城市综合交通体系规划\n综合规划处\n委内各相关处室\n"
        "继续完善编制上海市综合交通发展规划。\n启动编制上海市综合交通发展规划。\n",
        [("1", "科学编制城市综合交通体系规划", [("综合规划处", "lead")])]),
}


@pytest.mark.parametrize("layout", REAL_CELL_TABLES)
def test_real_cell_tables(layout):
    text, expected = REAL_CELL_TABLES[layout]
    assert rows(text) == expected
