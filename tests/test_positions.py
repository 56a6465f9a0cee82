"""Tasks keep their identity by position: a compilation that repeats a plan keeps every copy's tasks."""
from __future__ import annotations

import pytest

from policygraph.pipeline import extract_document
from policygraph.load import load_document

from .conftest import SHARED_CORPUS

C02 = SHARED_CORPUS / "docs" / "c02_baoshan_wastesorting.txt"

pytestmark = pytest.mark.skipif(not C02.exists(), reason=f"{C02} is not present")


def _repeated(tmp_path, times: int):
    path = tmp_path / "c02x3.txt"
    path.write_bytes(b"\n\n".join([C02.read_bytes().rstrip(b"\n")] * times) + b"\n")
    return extract_document(load_document(path))


def _facts(task):
    return task.node.title, tuple((a.mention.surface, a.mention.role, a.agency.name if a.agency else None)
                                  for a in task.assignments)


def test_a_plan_repeated_three_times_has_three_times_its_tasks(tmp_path):
    """Repeating c02 three times gave 39 tasks, not 117: the copies' task keys collided."""
    once = extract_document(load_document(C02))
    thrice = _repeated(tmp_path, 3)
    assert len(once.tasks) == 39 and len(thrice.tasks) == 3 * 39
    keys = [(t.node.part, t.node.path) for t in thrice.tasks]
    assert len(set(keys)) == len(keys)
    assert len({(n.part, n.path) for n in thrice.outline}) == len(thrice.outline)
    facts = [_facts(t) for t in once.tasks]
    assert [_facts(t) for t in thrice.tasks] == facts * 3


def test_repeated_positions_are_numbered_the_same_way_every_run(tmp_path):
    first = [(t.node.part, t.node.outline) for t in _repeated(tmp_path, 3).tasks]
    again = [(t.node.part, t.node.outline) for t in _repeated(tmp_path, 3).tasks]
    assert first == again and first[:39] == [(t.node.part, t.node.outline) for t in extract_document(load_document(C02)).tasks]
    assert all("#" in outline for _, outline in first[39:])


def test_the_graph_has_a_task_per_position(tmp_path):
    from policygraph.pipeline import build_corpus
    from policygraph.vocab import PG
    from rdflib import RDF

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "c02x3.txt").write_bytes(b"\n\n".join([C02.read_bytes().rstrip(b"\n")] * 3) + b"\n")
    _, dataset = build_corpus([folder], tmp_path / "out", load=True)
    assert len(set(dataset.subjects(RDF.type, PG.Task))) == 117
