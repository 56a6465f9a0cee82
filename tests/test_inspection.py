"""`policygraph inspect`'s data: the lines it reports, and the work it takes on a long document."""
from __future__ import annotations

from dataclasses import replace

import pytest

from policygraph.pipeline import extract_document
from policygraph.inspection import inspection
from policygraph.load import load_document
from policygraph.segment import line_number

from .conftest import SEEDS


class _ScanCounting(str):
    """Document text that adds up the characters each ``count`` call scans: the work of finding lines."""

    scanned = 0

    def count(self, sub, start=0, end=None):
        end = len(self) if end is None else end
        type(self).scanned += max(0, end - max(0, start))
        return super().count(sub, start, end)


@pytest.fixture(scope="module")
def long_extraction(tmp_path_factory):
    """A seed written 12 times over: hundreds of tasks, assignments and targets spread over the whole text."""
    seed = sorted(SEEDS.glob("*.txt"))[0]
    path = tmp_path_factory.mktemp("long") / "long.txt"
    path.write_bytes((seed.read_bytes().rstrip(b"\n") + b"\n\n") * 12)
    return extract_document(load_document(path))


def _reported_lines(data: dict) -> list[int]:
    lines = [t["line"] for t in data["tasks"]] + [a["line"] for t in data["tasks"] for a in t["assignments"]]
    return lines + [item["line"] for kind in ("rejected", "targets", "named") for item in data[kind]]


def test_inspection_reads_each_line_once_not_once_per_item(long_extraction):
    """Each item counted the newlines from the start of the text: work grew with items × length."""
    x = long_extraction
    counting = _ScanCounting(x.document.text)
    _ScanCounting.scanned = 0
    data = inspection(replace(x, document=replace(x.document, text=counting)))
    items = len(_reported_lines(data))
    assert items > 500 and 0 < _ScanCounting.scanned <= len(counting)


def test_inspection_lines_are_the_lines_of_the_source(long_extraction):
    x = long_extraction
    data = inspection(x)
    text = x.document.text
    expected = [line_number(text, t.node.span.start) for t in x.tasks]
    expected += [line_number(text, a.mention.span.start) for t in x.tasks for a in t.assignments]
    expected += [line_number(text, item.span.start) for item in (*x.rejected, *x.targets, *x.named)]
    assert _reported_lines(data) == expected and max(expected) > text.count("\n") // 2
