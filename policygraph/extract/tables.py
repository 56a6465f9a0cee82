"""Task-division tables (重点任务分工表): one task per row, agencies from the 牵头单位 / 配合单位 columns.

Many plans give responsibilities not after each task but in an appended
table. Copied from a web page or a word processor, such a table arrives as
lines whose cells are separated by tabs, runs of spaces or vertical bars, under
a header line that names the columns. A row becomes a task whose outline path
is its 序号 (in the part it stands in: "附件/3"), whose title is the task cell,
and whose clause is made of the agency cells, each with its column's role.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..model import Clause, Mention, OutlineNode, Span
from ..normalize import fold
from ..segment import appendix_part, iter_lines
from .clauses import clause_vocabulary, parse_agency_list

__all__ = ["TableTask", "find_table_tasks"]

_CELL_SPLIT = re.compile(r"\t|\s*[|│┃]\s*| {2,}|\u3000{2,}")
_TASK_HEADERS = re.compile(r"^(?:重点|主要|具体|工作)?(?:任务|工作|措施|举措|内容)(?:名称|内容|事项|措施)?$|^工作任务$|^任务内容$")
_NUMBER_HEADERS = re.compile(r"^(?:序号|编号|序)$")
_ROW_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.、]?\s*$")


@dataclass(frozen=True)
class TableTask:
    """One row of a task-division table, as an outline node with its clause."""

    node: OutlineNode
    clause: Clause | None


def _cells(folded: str, offset: int, line: str) -> list[tuple[int, int]]:
    """Cell ranges of a line (absolute offsets), in order; empty cells are kept."""
    cells, start = [], 0
    stripped_end = len(line.rstrip(" \t\u3000"))
    lead = len(line) - len(line.lstrip(" \u3000"))
    start = lead
    for m in _CELL_SPLIT.finditer(line, lead, stripped_end):
        cells.append((offset + start, offset + m.start()))
        start = m.end()
    cells.append((offset + start, offset + stripped_end))
    return cells


def _header_roles(folded: str, cells: list[tuple[int, int]]) -> dict | None:
    """Column indexes of the number, the task and each role, if this line is a task-division header."""
    labels = clause_vocabulary()["labels"]
    columns: dict = {"roles": {}}
    for i, (s, e) in enumerate(cells):
        name = folded[s:e].strip()
        if _NUMBER_HEADERS.match(name):
            columns["number"] = i
        elif _TASK_HEADERS.match(name):
            columns.setdefault("task", i)
        else:
            role = labels.get(name)
            if role is not None:
                columns["roles"][i] = role
    if "task" not in columns or not columns["roles"]:
        return None
    return columns


def find_table_tasks(text: str, is_agency: Callable[[str], bool],
                     is_generic: Callable[[str], bool]) -> tuple[TableTask, ...]:
    """Every row of every task-division table in ``text``.

    Examples
    --------
    >>> looks = lambda s: s.endswith(("厅", "局", "委"))
    >>> doc = "附件：\\n序号\\t重点任务\\t牵头单位\\t配合单位\\n1\\t推行网上办理\\t省市场监管局\\t省公安厅、省税务局\\n"
    >>> row, = find_table_tasks(doc, looks, lambda s: False)
    >>> row.node.part, row.node.outline, row.node.title, [(m.surface, m.role) for m in row.clause.mentions]
    ('附件', '1', '推行网上办理', [('省市场监管局', 'lead'), ('省公安厅', 'support'), ('省税务局', 'support')])
    """
    folded = fold(text)
    found: list[TableTask] = []
    part = ""
    columns = None
    row_count = 0
    for offset, line in iter_lines(folded):
        if not line.strip(" \t\u3000"):
            continue
        appendix = appendix_part(line)
        if appendix is not None:
            part, columns = appendix, None
            continue
        cells = _cells(folded, offset, line)
        if len(cells) >= 2:
            header = _header_roles(folded, cells)
            if header is not None:
                columns, row_count = header, 0
                continue
        if columns is None:
            continue
        row = _row(text, folded, cells, columns, row_count, part, is_agency, is_generic)
        if row is None:
            columns = None
            continue
        row_count += 1
        found.append(row)
    return tuple(found)


def _row(text: str, folded: str, cells, columns: dict, row_count: int, part: str,
         is_agency, is_generic) -> TableTask | None:
    """A table row, or None when the line does not fit the table (which then ends)."""
    needed = max([columns["task"], *columns["roles"]])
    if len(cells) <= columns["task"]:
        return None
    number_column = columns.get("number")
    if number_column is not None:
        if number_column >= len(cells) or not _ROW_NUMBER.match(folded[slice(*cells[number_column])]):
            return None
        number = _ROW_NUMBER.match(folded[slice(*cells[number_column])]).group(1)
    else:
        number = str(row_count + 1)
    task_start, task_end = cells[columns["task"]]
    title_end = task_end
    while title_end > task_start and text[title_end - 1] in "。；;，, \t\u3000":
        title_end -= 1
    mentions: list[Mention] = []
    for index, role in sorted(columns["roles"].items()):
        if index >= len(cells) or index > needed:
            continue
        items = parse_agency_list(folded, cells[index], lambda s: is_agency(s) or is_generic(s))
        if items is None:
            return None
        mentions.extend(Mention(surface=text[s:e], span=Span(s, e), role=role, generic=is_generic(folded[s:e]))
                        for s, e in items)
    row_span = Span(cells[0][0], cells[-1][1])
    agency_cells = [cells[i] for i in sorted(columns["roles"]) if i < len(cells)]
    clause = None
    if mentions:
        start, end = min(s for s, _ in agency_cells), max(e for _, e in agency_cells)
        clause = Clause(text=text[start:end], span=Span(start, end), mentions=tuple(mentions))
    node = OutlineNode(path=(number,), level=1, title=text[task_start:title_end],
                       title_span=Span(task_start, title_end), span=row_span, part=part)
    return TableTask(node=node, clause=clause)
