"""Rankings and explanations as text: the tables, CSV, TSV, JSON and Markdown that ``policygraph rank`` writes."""
from __future__ import annotations

import json
from collections import Counter

from policygraph.errors import UsageError
from policygraph.formats import _clip, csv_text, format_table, markdown_table, table_lines, tsv_cell
from policygraph.model import LEAD, RESPONSIBLE, ROLES, SUPPORT

from .model import RANK_FORMATS, Explanation, Ranking

__all__ = ["format_ranking", "format_explanation"]

#: Columns that count things, written as integers in every format.
_INTEGER_MEASURES = {"tasks", *ROLES, "documents", "jurisdictions", "coordinates",
                     "coordinated_by", "community", "agencies"}
#: Terminal columns of the line that shows a task's text under its row in ``rank --explain``.
_TEXT_WIDTH = 110


def _cell(column: str, value) -> str | int | float:
    if isinstance(value, float) and column not in _INTEGER_MEASURES:
        return round(value, 4)
    return value


def format_ranking(ranking: Ranking, fmt: str = "table") -> str:
    """A ranking as an aligned ``table``, ``csv``, ``tsv``, ``json`` (a list of row objects), ``jsonl`` or ``markdown``.

    The table and Markdown show the ranking's columns; CSV, TSV and JSON add each agency's IRI,
    jurisdiction and type (each type's IRI for ``--by type``).
    """
    if fmt not in RANK_FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(RANK_FORMATS)}")
    columns = list(ranking.columns)
    extra = ["iri", "jurisdiction", "type"] if ranking.by == "agency" else ["type_iri"]
    records = [{c: _cell(c, r.get(c)) for c in [*columns, *extra]} for r in ranking.rows]
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2)
    if fmt == "jsonl":
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    if fmt == "csv":
        return csv_text([*columns, *extra], (list(r.values()) for r in records))
    if fmt == "tsv":
        return "\n".join("\t".join(tsv_cell("" if v is None else str(v)) for v in row)
                         for row in [[*columns, *extra], *(r.values() for r in records)])
    cells = [[_short(c, r.get(c)) for c in columns] for r in ranking.rows]
    if fmt == "markdown":
        return markdown_table(columns, cells, [c not in ("agency", "type", "jurisdiction") for c in columns])
    return format_table(columns, cells, numeric=[c not in ("agency", "type", "jurisdiction") for c in columns])


def _short(column: str, value) -> str:
    if isinstance(value, float) and column not in _INTEGER_MEASURES:
        if column in ("score", "strength"):
            return f"{value:g}"
        return f"{value:.3f}"
    return "" if value is None else str(value)


def format_explanation(exp: Explanation, lang: str = "zh") -> str:
    """The text of ``policygraph rank --explain``: the numbers, then the tasks and partners behind them."""
    a, row = exp.agency, exp.row
    lines = [*_summary(exp, lang), "", f"tasks ({len(exp.tasks)}):", _indent(_task_table(exp, lang))]
    if any(t.text for t in exp.tasks):
        lines.append(f"  (each task's text is cut to one line; `policygraph query agency-tasks -p agency={a.iri}` "
                     "gives it in full)")
    lines += ["", f"shares tasks with ({len(exp.partners)}):"]
    lines.append(_indent(format_table(["agency", "shared"], [[n, f"{w:g}"] for n, w in exp.partners],
                                      numeric=[False, True])))
    lines += ["", f"community {row['community']} ({len(exp.community)} agencies): "
              + ("、" if lang != "en" else "; ").join(exp.community)]
    return "\n".join(lines)


def _summary(exp: Explanation, lang: str) -> list[str]:
    """The head of an explanation: the agency's names, where it stands, its counts, its score and network measures."""
    a, row = exp.agency, exp.row
    other = a.en if lang != "en" else a.zh
    return [f"{a.label(lang)}" + (f" ({other})" if other else ""),
            f"jurisdiction: {row['jurisdiction']}   type: {row['type']}   IRI: {a.iri}",
            f"rank {exp.position} of {exp.total} by score",
            "",
            f"tasks {row['tasks']}: lead {row[LEAD]}, support {row[SUPPORT]}, "
            f"responsible with no role stated {row[RESPONSIBLE]}; "
            f"in {row['documents']} document(s) of {row['jurisdictions']} jurisdiction(s)",
            f"score {row['score']:g} = " + " + ".join(
                f"{n} × {exp.weights[r]:g} ({r})" for r, n in _score_terms(exp) if n),
            "network: " + ", ".join(f"{m} {_short(m, row[m])}" for m in
                                    ("degree", "strength", "betweenness", "closeness", "eigenvector", "pagerank",
                                     "coordinates", "coordinated_by", "lead_pagerank", "community"))]


def _task_table(exp: Explanation, lang: str) -> str:
    """The tasks of an explanation as a table, each row followed by the line of its text."""
    table = [[t.file, t.outline, t.title, "/".join(t.roles),
              ("、" if lang != "en" else ", ").join(f"{n}({r})" if r != RESPONSIBLE else n
                                                    for n, r in t.co_agencies)] for t in exp.tasks]
    rows = table_lines(["document", "outline", "task", "role", "co-agencies"], table, max_width=80)
    return "\n".join(rows[:2] + [line for row, t in zip(rows[2:], exp.tasks) for line in (row, *_text_line(t.text))])


def _text_line(text: str) -> tuple[str, ...]:
    """The line under a task's row: its text (pg:taskText), cut to :data:`_TEXT_WIDTH` columns; none without one."""
    return (f"    {_clip(text, _TEXT_WIDTH)}",) if text else ()


def _score_terms(exp: Explanation) -> list[tuple[str, int]]:
    """How many tasks weigh in the score at each role's weight (the strongest role of each task)."""
    counts: Counter = Counter()
    for t in exp.tasks:
        best = max(t.roles, key=lambda r: exp.weights[r]) if t.roles else RESPONSIBLE
        counts[best] += 1
    return [(r, counts[r]) for r in (LEAD, RESPONSIBLE, SUPPORT)]


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
