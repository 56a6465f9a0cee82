"""policygraph.extract on long documents: a document of many copies is read as those copies, and the indexes
that keep extraction linear in the document's length answer what a scan of everything would."""
from __future__ import annotations

import random
from dataclasses import replace

import pytest

from policygraph.pipeline import extract_document
from policygraph.extract.named import _Cover
from policygraph.extract.targets import _scopes, _within
from policygraph.load import load_document
from policygraph.segment import line_number, line_numbers

from .conftest import SEED_FILES, SEEDS

COPIES = 12


def _tasks(x, shift: int = 0) -> list[tuple]:
    return [(t.node.title, t.node.span.start - shift, t.node.span.end - shift,
             tuple((a.agency.name if a.agency else a.mention.surface, a.mention.role, a.mention.span.start - shift)
                   for a in t.assignments))
            for t in x.tasks]


@pytest.mark.parametrize("name", SEED_FILES)
def test_a_long_document_reads_as_its_copies(name, lexicon):
    """Each copy gives the tasks, assignments and named things of the document; a target restated is kept once."""
    document = load_document(SEEDS / name)
    text = document.text if document.text.endswith("\n") else document.text + "\n"
    one = extract_document(replace(document, text=text), lexicon)
    long = extract_document(replace(document, text=text * COPIES), lexicon)

    per = len(one.tasks)
    assert per and len(long.tasks) == COPIES * per
    for k in range(COPIES):
        assert _tasks(replace(long, tasks=long.tasks[k * per:(k + 1) * per]), k * len(text)) == _tasks(one)
    assert [(e.kind, e.name, e.span.start) for e in long.named] == [
        (e.kind, e.name, e.span.start + k * len(text)) for k in range(COPIES) for e in one.named]
    assert [(t.value, t.unit, t.year, t.span) for t in long.targets] == [
        (t.value, t.unit, t.year, t.span) for t in one.targets]
    assert (long.meta.title, long.meta.jurisdiction) == (one.meta.title, one.meta.jurisdiction)


def _within_by_scan(scopes, pos):
    found = None
    for scope in scopes:
        if scope[0] <= pos < scope[1] and (found is None or scope[0] >= found[0]):
            found = scope
    return found


@pytest.mark.parametrize("seed", range(20))
def test_scope_index_answers_as_a_scan(seed):
    """Nested, overlapping, empty and equal-start scopes: the innermost is the last-starting, then the last given."""
    rng = random.Random(seed)
    scopes = []
    for k in range(rng.randint(0, 30)):
        start = rng.randint(0, 100)
        scopes.append((start, start + rng.randint(0, 40), k))
    index = _scopes(scopes)
    for pos in range(-1, 145):
        assert _within(index, pos) == _within_by_scan(scopes, pos)


@pytest.mark.parametrize("seed", range(20))
def test_cover_answers_as_a_scan(seed):
    rng = random.Random(seed)
    spans = sorted((s, s + rng.randint(0, 30)) for s in (rng.randint(0, 100) for _ in range(rng.randint(0, 25))))
    cover = _Cover(spans)
    for start in range(0, 130, 3):
        for end in range(start, start + 35, 4):
            assert cover.covers(start, end) == any(s <= start and end <= e for s, e in spans)


def test_line_numbers_count_as_line_number():
    text = "一\n\n二三\n四\n" * 5
    offsets = [17, 0, 3, 3, len(text), 9]
    assert line_numbers(text, offsets) == {o: line_number(text, o) for o in offsets}
