"""Memory of reading one long document: what extraction holds beyond the text and what it returns."""
from __future__ import annotations

import gc
import tracemalloc

from policygraph.pipeline import extract_document
from policygraph.load import load_document
from policygraph.normalize import fold
from policygraph.segment import iter_lines

from .conftest import SEEDS


def _traced(function):
    """Run ``function`` under tracemalloc: its result, the peak and the memory still held after it."""
    gc.collect()
    tracemalloc.start()
    try:
        result = function()
        gc.collect()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak, held


def test_fold_does_not_keep_every_document_it_folded():
    """fold remembered its last 1,024 answers, so a build held a folded copy of every document it read."""
    texts = [f"{k}：" + "２０２０年（责任单位：省科技厅）" * 20_000 for k in range(8)]
    _, _, held = _traced(lambda: [fold(t) for t in texts] and None)
    assert held < 3 * 2 * len(texts[0])  # at most two folded copies, two bytes a character


def test_iter_lines_reads_one_line_at_a_time():
    lines = iter_lines("一\n二\n" * 200_000)
    first, peak, _ = _traced(lambda: next(lines))
    assert first == (0, "一") and peak < 10_000


def test_extraction_holds_little_beyond_the_text_and_its_result(tmp_path):
    """Line lists and range tuples were several copies of the text during extraction: 9 bytes per byte of text."""
    seed = sorted(SEEDS.glob("*.txt"))[0]
    path = tmp_path / "long.txt"
    path.write_bytes((seed.read_bytes().rstrip(b"\n") + b"\n\n") * 20)
    document = load_document(path)
    extract_document(load_document(seed))  # the lexicon and other one-off tables are loaded before measuring
    x, peak, held = _traced(lambda: extract_document(document))
    assert len(x.tasks) >= 200
    text_bytes = 2 * len(document.text)  # a str of Chinese text takes two bytes a character
    assert peak - held < 5 * text_bytes, (peak - held) / text_bytes


def test_the_graph_of_a_long_document_is_handed_on_in_chunks_not_held(tmp_path):
    """Building the graph took memory in proportion to the document's triples (about 100 KB a task); in chunks, it
    takes what one chunk holds and little more, whatever the length."""
    from policygraph.build import document_chunks, document_triples

    seed = sorted(SEEDS.glob("*.txt"))[0]
    extract_document(load_document(seed))
    peaks = {}
    for copies in (20, 80):
        path = tmp_path / f"long{copies}.txt"
        path.write_bytes((seed.read_bytes().rstrip(b"\n") + b"\n\n") * copies)
        x = extract_document(load_document(path))
        _, chunked, _ = _traced(lambda: document_chunks(x, lambda found: None, chunk_lines=2_000))
        _, whole, _ = _traced(lambda: document_triples(x))
        peaks[copies] = chunked, whole
    assert peaks[80][1] > 3 * peaks[20][1]  # held whole, the graph grows with the document
    assert peaks[80][0] < 2 * peaks[20][0], peaks  # in chunks, it does not
    assert peaks[80][0] < peaks[80][1] / 20, peaks
