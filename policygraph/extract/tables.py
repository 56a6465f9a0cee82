"""Task tables (重点任务分工表): one task per row, bodies from the 牵头单位 / 配合单位 / 责任单位 columns.

Many plans give responsibilities in a table rather than after each task, and
a table reaches us in one of several renderings:

- one row per line, cells separated by tabs, runs of spaces or bars (an HTML
  ``<table>`` is read this way too);
- one cell per line (the usual result of copying a web or Word table), with
  cells split over two lines (区绿化市容局、 / 区农业农村委) and cells merged over
  several rows (a category written only in a group's first row).

Both come down to a row's list of cells under a header naming the columns.
Where a row has the header's cells, they are read by position; otherwise by
what they hold: the cells that are lists of bodies fill the role columns in
order (extra ones join the last role column), the text before them is the
category (when short and the header has one) and the task. A row that cannot
be read is skipped; the rows after it are still read.
"""
from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from ..knowledge import per_overlay, resource_json
from ..model import Clause, Mention, OutlineNode, Span
from ..normalize import fold
from ..segment import appendix_starts, iter_lines
from .grammar import BODY_KINDS, BodyJudge
from .lists import ListParse, Piece, clause_vocabulary, parse_list

__all__ = ["TableTask", "find_table_tasks", "Column"]

_CELL_SPLIT = re.compile(r"\t|\s*[|│┃]\s*| {2,}|\u3000{2,}")


@per_overlay
def _table() -> dict:
    """The marks of task tables (``clauses.json`` ``table_syntax``), under the active overlay."""
    return resource_json("clauses.json")["table_syntax"]


@per_overlay
def _blanks() -> str:
    """The blanks a line is stripped of (``outline.json``), under the active overlay."""
    return resource_json("outline.json")["outline"]["blanks"]


@per_overlay
def _marks():
    return "".join(re.escape(c) for c in _table()["row_number_marks"])


@per_overlay
def _row_number():
    return re.compile(rf"^\s*(\d{{1,3}})\s*[{_marks()}]?\s*$")


@per_overlay
def _glued_number():
    return re.compile(rf"^\s*(\d{{1,3}})\s*[{_marks()}]?\s*(?=[^\d\s{_marks()}%])")


_SHORT_CELL = 20
_MAX_HEADER_CELL = 12


@per_overlay
def _title_end():
    return _table()["title_end"]


@per_overlay
def _trailing():
    return _table()["trailing"]


@dataclass(frozen=True)
class Column:
    """A header cell: what the column holds (number, category, task, role, other) and, for roles, which."""

    kind: str
    role: str | None = None


@dataclass(frozen=True)
class TableTask:
    """One row of a task table, as an outline node with its clause."""

    node: OutlineNode
    clause: Clause | None


def _column(name: str, vocab: dict) -> Column | None:
    name = re.sub(r"\s+", "", name)
    if not name:
        return None
    headers = vocab["column_headers"]
    if name in headers.get("number", ()):
        return Column("number")
    role = vocab["role_labels"].get(name)
    if role is not None:
        return Column("role", role)
    if name in vocab["labels"]:
        return Column("other")
    if name in headers.get("task", ()):
        return Column("task")
    if name in headers.get("category", ()):
        return Column("category")
    return None


def _header(names: list[str], vocab: dict) -> tuple[Column, ...] | None:
    """The columns of a header row, or None if the row does not head a task table."""
    columns = []
    for name in names:
        col = _column(name, vocab)
        if col is None:
            if not _unlisted_column(name):
                return None
            col = Column("other")
        columns.append(col)
    kinds = [c.kind for c in columns]
    if "role" not in kinds or not ({"task", "category"} & set(kinds)) or len(columns) < 2:
        return None
    if "task" not in kinds:
        columns = [Column("task") if c.kind == "category" else c for c in columns]
    return tuple(columns)


def _cells(line: str, offset: int) -> list[Piece]:
    """Cell ranges (absolute offsets) of a tabular line; empty cells are kept."""
    stripped_end = len(line.rstrip(_blanks()))
    start = len(line) - len(line.lstrip(_table()["indent_blanks"]))
    cells = []
    for m in _CELL_SPLIT.finditer(line, start, stripped_end):
        cells.append((offset + start, offset + m.start()))
        start = m.end()
    cells.append((offset + start, offset + stripped_end))
    return cells


class _Lines:
    """The non-blank lines of a text as ``(offset, line)``, kept as offsets and sliced when asked for.

    A list of the lines themselves was a second copy of the document.
    """

    __slots__ = ("text", "starts", "ends")

    def __init__(self, text: str):
        self.text, self.starts, self.ends = text, array("q"), array("q")
        for offset, line in iter_lines(text):
            if line.strip(_blanks()):
                self.starts.append(offset)
                self.ends.append(offset + len(line))

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> tuple[int, str]:
        start = self.starts[i]
        return start, self.text[start:self.ends[i]]

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return (self[i] for i in range(len(self)))


def _lines(folded: str) -> _Lines:
    """The non-blank lines, with their offsets."""
    return _Lines(folded)


def _title(text: str, cell: Piece) -> tuple[str, Span]:
    start, end = cell
    cut = text.find(_title_end(), start, end)
    end = cut if cut >= 0 else end
    while end > start and text[end - 1] in _trailing():
        end -= 1
    while start < end and text[start] in _blanks():
        start += 1
    return text[start:end], Span(start, end)


def _body_cell(folded: str, cell: Piece, judge: BodyJudge, role: str, vocab: dict) -> ListParse | None:
    """The cell read as a list of bodies, or None when it is text."""
    if cell[0] >= cell[1]:
        return None
    parsed = parse_list(folded, cell, judge, default_role=role, vocab=vocab)
    if not parsed.items or parsed.rejected or any(i.kind not in BODY_KINDS for i in parsed.items):
        return None
    return parsed


def _joined(folded: str, cells: list[Piece]) -> list[Piece]:
    """Cells split over lines joined again: a line ending in 、 or ， continues on the next."""
    out: list[Piece] = []
    for cell in cells:
        if out and (folded[out[-1][1] - 1] in _table()["continuation_marks"] or folded[cell[0]] in _table()["continuation_marks"]):
            out[-1] = (out[-1][0], cell[1])
        else:
            out.append(cell)
    return out


def _row(text: str, folded: str, number: str, cells: list[Piece], columns: tuple[Column, ...], part: str,
         judge: BodyJudge, vocab: dict, positional: bool) -> TableTask | None:
    """A table row as a task, or None when no task cell is found."""
    roles = [c.role for c in columns if c.kind == "role"]
    data_columns = [c for c in columns if c.kind != "number"]
    task_cell: Piece | None = None
    assigned: list[tuple[Piece, ListParse]] = []
    if positional and len(cells) == len(data_columns):
        for col, cell in zip(data_columns, cells):
            if col.kind == "task" and task_cell is None:
                task_cell = cell
            elif col.kind == "role":
                parsed = parse_list(folded, cell, judge, default_role=col.role, vocab=vocab) if cell[0] < cell[1] else None
                if parsed is not None and parsed.items and len(parsed.rejected) <= len(parsed.items):
                    assigned.append((cell, parsed))
    else:
        cells = _joined(folded, cells)
        kinds = [c.kind for c in data_columns]
        has_category = "category" in kinds and kinds.index("category") < kinds.index("task")
        lead_in = any(k in ("category", "other") for k in kinds[:kinds.index("task")])
        task_index = _task_text(folded, cells, judge, roles[0], vocab) if lead_in else None
        first_body = None
        parsed_cells: list[tuple[Piece, ListParse]] = []
        for i, cell in enumerate(cells):
            if task_index is not None and i <= task_index:
                continue
            role = roles[min(len(parsed_cells), len(roles) - 1)]
            parsed = _body_cell(folded, cell, judge, role, vocab)
            if parsed is not None and (first_body is None or i == first_body + len(parsed_cells)):
                if first_body is None:
                    if i == 0:
                        continue  # a body list before any text is no row of ours
                    first_body = i
                parsed_cells.append((cell, parsed))
            elif first_body is not None:
                break
        texts = cells[:first_body] if first_body is not None else cells
        if task_index is not None:
            task_cell = cells[task_index]
        elif len(texts) >= 2 and has_category and _short(folded, texts[0]):
            task_cell = texts[1]
        elif texts:
            task_cell = texts[0]
        assigned = parsed_cells
    if task_cell is None or task_cell[0] >= task_cell[1]:
        return None
    title, title_span = _title(text, task_cell)
    if not title:
        return None
    mentions: list[Mention] = []
    for cell, parsed in assigned:
        mentions.extend(Mention(surface=text[s:e], span=Span(s, e), role=item.role, generic=item.kind == "generic",
                                aliases=tuple(text[a:b] for a, b in item.plates), stated=True)
                        for item in parsed.items for s, e in [item.piece])
    clause = None
    if mentions:
        start, end = assigned[0][0][0], assigned[-1][0][1]
        clause = Clause(text=text[start:end], span=Span(start, end), mentions=tuple(mentions))
    row_span = Span(min(c[0] for c in cells), max(c[1] for c in cells))
    node = OutlineNode(path=(number,), level=1, title=title, title_span=title_span, span=row_span, part=part)
    return TableTask(node=node, clause=clause)


def _task_text(folded: str, cells: list[Piece], judge: BodyJudge, role: str, vocab: dict) -> int | None:
    """The first cell that is running text, not a short name nor a list of bodies: the task of a categorised row.

    Before it stand the category cells, which may wrap over lines (5.实化运行消防 / 安全委员会) and
    then read like a body's name; the role columns come after it.
    """
    for i, cell in enumerate(cells):
        if not _short(folded, cell) and _body_cell(folded, cell, judge, role, vocab) is None:
            return i
    return None


def _short(folded: str, cell: Piece) -> bool:
    s = folded[cell[0]:cell[1]]
    return len(s) <= _SHORT_CELL and not any(c in s for c in _table()["sentence_marks"])


def _part_at(parts: list[tuple[int, str]], offset: int) -> str:
    part = ""
    for start, name in parts:
        if start > offset:
            break
        part = name
    return part


def _tabular_tables(text: str, folded: str, lines, parts, judge, vocab) -> Iterator[TableTask]:
    columns = None
    for offset, line in lines:
        if offset in parts:
            columns = None
            continue
        cells = _cells(line, offset)
        if len(cells) >= 2:
            header = _header([folded[s:e] for s, e in cells], vocab)
            if header is not None:
                columns = header
                continue
        if columns is None or len(cells) < 2:
            columns = None if len(cells) < 2 and columns is not None and not _row_number().match(line) else columns
            continue
        number_index = next((i for i, c in enumerate(columns) if c.kind == "number"), None)
        if number_index is not None:
            m = _row_number().match(folded[slice(*cells[number_index])]) if number_index < len(cells) else None
            if m is None:
                continue
            data = cells[:number_index] + cells[number_index + 1:]
            number = m.group(1)
        else:
            data, number = cells, None
        row = _row(text, folded, number or "", data, columns, _part_at(list(parts.items()), offset),
                   judge, vocab, positional=True)
        if row is not None:
            yield row


def _cell_tables(text: str, folded: str, lines, parts, judge, vocab) -> Iterator[TableTask]:
    """Tables laid out one cell per line: a header block of column names, then rows opened by their number."""
    i = 0
    while i < len(lines):
        start = i
        names = _header_block(lines, i, vocab)
        i += len(names)
        columns = _header(names, vocab) if len(names) >= 2 else None
        if columns is None:
            i = start + 1
            continue
        part = _part_at(list(parts.items()), lines[start][0])
        expected: int | None = None
        row_lines: list[tuple[int, str]] = []
        number = None
        limit = 3 * len(columns) + 6
        before_first = 0

        def flush():
            if number is None or not row_lines:
                return None
            cells = [(o + len(l) - len(l.lstrip(_blanks())), o + len(l.rstrip(_blanks()))) for o, l in row_lines]
            return _row(text, folded, number, cells, columns, part, judge, vocab, positional=False)

        while i < len(lines):
            offset, line = lines[i]
            if offset in parts:
                break
            bare = _row_number().match(line)
            glued = _glued_number().match(line) if bare is None else None
            found = bare or glued
            n = int(found.group(1)) if found else None
            if n is not None and (expected is None and n <= 999 or n == expected or (expected and n == 1)):
                row = flush()
                if row is not None:
                    yield row
                number, expected, row_lines = str(n), n + 1, []
                if glued is not None:
                    row_lines.append((offset + glued.end(), line[glued.end():]))
                i += 1
                continue
            if number is None:
                if before_first < len(columns) + 2 and _short(folded, (offset, offset + len(line.rstrip(_blanks())))):
                    before_first += 1  # more header cells, or a category merged over the first rows
                    i += 1
                    continue
                break
            if len(_cells(line, offset)) == 1 and _column_name(line, vocab) and _lookahead_header(lines, i, vocab):
                break
            if len(row_lines) >= limit:
                break
            row_lines.append((offset, line))
            i += 1
        row = flush()
        if row is not None:
            yield row


def _header_block(lines, i: int, vocab: dict) -> list[str]:
    """The column names of a header laid out one per line from line ``i``, or [] when none starts there.

    A header may name a column no vocabulary lists (事项, 备注, 2024年工作任务) between the
    ones it does; such a name is kept when a known one follows it, as the tabular reader keeps it.
    """
    names: list[str] = []
    known = 0
    while i + len(names) < len(lines):
        offset, line = lines[i + len(names)]
        if len(_cells(line, offset)) != 1:
            break
        if _column_name(line, vocab):
            names.append(line.strip(_blanks()))
            known = len(names)
        elif names and _header_like(line):
            names.append(line.strip(_blanks()))
        else:
            break
    return names[:known]


def _unlisted_column(name: str) -> bool:
    """Whether a cell no vocabulary lists may still name a column: short, with no prose punctuation."""
    compact = re.sub(r"\s+", "", name)
    return 0 < len(compact) <= _MAX_HEADER_CELL and not any(c in compact for c in _table()["header_prose_marks"])


def _header_like(line: str) -> bool:
    """A line that could be a column name: an unlisted column's shape, and no row number."""
    return _unlisted_column(line) and not _row_number().match(line) and not _glued_number().match(line)


def _column_name(line: str, vocab: dict) -> bool:
    name = re.sub(r"\s+", "", line)
    return _column(name, vocab) is not None


def _lookahead_header(lines, i: int, vocab: dict) -> bool:
    names = []
    while i < len(lines) and _column_name(lines[i][1], vocab):
        names.append(lines[i][1])
        i += 1
    return len(names) >= 2 and _header(names, vocab) is not None


def find_table_tasks(text: str, judge: BodyJudge) -> tuple[TableTask, ...]:
    """Every row of every task table in ``text``, in either rendering.

    Examples
    --------
    >>> from policygraph.resolve import Resolver
    >>> doc = "附件：\\n序号\\t重点任务\\t牵头单位\\t配合单位\\n1\\t推行网上办理。\\t省市场监管局\\t省公安厅、区消防支队\\n"
    >>> row, = find_table_tasks(doc, Resolver().judge)
    >>> row.node.part, row.node.outline, row.node.title, [(m.surface, m.role) for m in row.clause.mentions]
    ('附件', '1', '推行网上办理', [('省市场监管局', 'lead'), ('省公安厅', 'support'), ('区消防支队', 'support')])
    """
    vocab = clause_vocabulary()
    folded = fold(text)
    lines = _lines(folded)
    parts = dict(appendix_starts(text))
    rows = list(_tabular_tables(text, folded, lines, parts, judge, vocab))
    rows += _cell_tables(text, folded, lines, parts, judge, vocab)
    ends: dict[tuple, int] = {}
    out = []
    for row in sorted(rows, key=lambda r: r.node.span.start):
        key = (row.node.part, row.node.path)
        if row.node.span.start < ends.get(key, -1):
            continue
        ends[key] = row.node.span.end
        out.append(row)
    return tuple(out)
