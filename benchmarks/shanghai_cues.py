"""How many responsibility cues of a folder of real documents end in an assignment.

The cues are found by a finder of their own (two regular expressions, written
apart from the extractor's vocabulary): a label with a colon (责任单位：,
牵头部门：…) followed by text, and a bracketed list closed by a role word
(…牵头）, …负责）). A cue *ends in an assignment* when an assignment's clause
of the document's extraction covers it. Prints the documents with cues, the
share that end in an assignment, the cues that do not, the most frequent
unrecognised bodies and the extraction time per document.

    python benchmarks/shanghai_cues.py ../shared/corpus/shanghai/docs [--json]
"""
from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

LABEL_CUE = re.compile(r"(?:牵头|配合|责任|协同|协办|支撑|主责|参与)(?:单位|部门)\s*[:：]\s*(?=[^\s])")
BRACKET_CUE = re.compile(r"[（(][^（）()\n]{2,300}?(?:牵头|配合|负责|协同|协办)[）)]")


@dataclass(frozen=True)
class Cue:
    document: str
    start: int
    end: int
    text: str


def find_cues(name: str, text: str) -> list[Cue]:
    """Every responsibility cue of a text, by the two expressions above."""
    cues = [Cue(name, m.start(), m.end(), text[m.start():m.end() + 20]) for m in LABEL_CUE.finditer(text)]
    cues += [Cue(name, m.start(), m.end(), text[m.start():m.end()]) for m in BRACKET_CUE.finditer(text)]
    return sorted(cues, key=lambda c: c.start)


def measure(folder: Path) -> dict:
    from policygraph.extract import extract
    from policygraph.lexicon import load_lexicon
    from policygraph.load import iter_input_files, load_document
    from policygraph.resolve import UNCLASSIFIED, resolver_for

    resolver = resolver_for(load_lexicon())
    documents = with_cues = ended = cued_without = 0
    missed: list[Cue] = []
    unrecognised: Counter[str] = Counter()
    elapsed = 0.0
    for path, error in iter_input_files([folder]):
        if error is not None:
            continue
        document = load_document(path)
        started = time.perf_counter()
        x = extract(document, resolver=resolver)
        elapsed += time.perf_counter() - started
        documents += 1
        spans = sorted({(a.clause.span.start, a.clause.span.end) for t in x.tasks for a in t.assignments})
        for t in x.tasks:
            for a in t.assignments:
                if a.agency is not None and a.agency.agency_type == UNCLASSIFIED:
                    unrecognised[a.mention.surface] += 1
        cues = find_cues(document.source_file, document.text)
        if not cues:
            continue
        with_cues += 1
        hit = [c for c in cues if any(s <= c.end and c.start < e for s, e in spans)]
        ended += len(hit)
        if not hit:
            cued_without += 1
        missed += [c for c in cues if c not in hit]
    total = ended + len(missed)
    return {
        "documents": documents,
        "documents_with_cues": with_cues,
        "documents_with_cues_and_no_assignment": cued_without,
        "cues": total,
        "cues_ending_in_an_assignment": ended,
        "share": round(ended / total, 4) if total else 1.0,
        "missed": [{"document": c.document, "offset": c.start, "text": c.text} for c in missed],
        "unrecognised_bodies": unrecognised.most_common(30),
        "extraction_ms_per_document": round(1000 * elapsed / max(documents, 1), 2),
    }


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "shared" / "corpus" / "shanghai" / "docs"
    result = measure(folder)
    if "--json" in argv:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"documents {result['documents']}, with cues {result['documents_with_cues']} "
          f"({result['documents_with_cues_and_no_assignment']} of them with no assignment)")
    print(f"cues {result['cues']}, ending in an assignment {result['cues_ending_in_an_assignment']} "
          f"({result['share']:.1%})")
    print(f"extraction {result['extraction_ms_per_document']} ms per document")
    print("cues with no assignment:")
    for m in result["missed"]:
        print(f"  {m['document']}@{m['offset']}: {m['text']}")
    print("most frequent unrecognised bodies:")
    for surface, n in result["unrecognised_bodies"]:
        print(f"  {n:4d}  {surface}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
