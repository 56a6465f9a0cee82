"""The whole job: input paths → decoded documents → extractions → a dataset written to an output folder."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from .errors import InputError
from .iri import DEFAULT_BASE
from .model import Extraction

__all__ = ["BuildReport", "DocumentSummary", "extract_paths", "build_corpus", "summarize", "OUTPUT_FILES",
           "embedded_corpus"]

#: Files written by :func:`build_corpus` into the output folder.
OUTPUT_FILES = {"trig": "graph.trig", "turtle": "graph.ttl", "report": "build-report.json"}


@dataclass(frozen=True)
class DocumentSummary:
    source_file: str
    encoding: str
    jurisdiction: str
    title: str | None
    tasks: int
    assignments: int
    targets: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildReport:
    """What a build read, what it found, and what went wrong."""

    documents: tuple[DocumentSummary, ...]
    errors: tuple[tuple[str, str], ...]  # (path, reason)
    counts: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> file name inside the output folder

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict:
        return {
            "documents": [vars(d) | {"warnings": list(d.warnings)} for d in self.documents],
            "errors": [{"path": p, "reason": r} for p, r in self.errors],
            "counts": self.counts,
            "outputs": self.outputs,
        }


def embedded_corpus() -> Path:
    """The folder of the embedded default corpus (the seed documents)."""
    from .ontology import embedded_dir

    return embedded_dir("seeds")


def extract_paths(paths: Sequence[str | Path], *, lexicon=None,
                  on_document: Callable[[Path, Extraction | None, InputError | None], None] | None = None,
                  ) -> tuple[list[Extraction], list[InputError]]:
    """Load and extract every input file; a bad file is reported and skipped, the others go on."""
    from .extract import extract
    from .lexicon import load_lexicon
    from .load import iter_input_files, load_document

    lexicon = lexicon or load_lexicon()
    extractions: list[Extraction] = []
    errors: list[InputError] = []
    names: dict[str, Path] = {}
    for path, error in iter_input_files(paths):
        extraction = None
        if error is None:
            try:
                if path.name in names:
                    raise InputError(str(path), f"another input has the same file name ({names[path.name]})")
                document = load_document(path)
                names[path.name] = path
                extraction = extract(document, lexicon)
                extractions.append(extraction)
            except InputError as exc:
                error = exc
        if error is not None:
            errors.append(error)
        if on_document is not None:
            on_document(path, extraction, error)
    return extractions, errors


def summarize(extractions: Sequence[Extraction]) -> dict[str, int]:
    """Counts for the end-of-build summary."""
    roles: Counter[str] = Counter()
    agencies, named = set(), Counter()
    for x in extractions:
        for task in x.tasks:
            for a in task.assignments:
                roles[a.mention.role] += 1
                if a.agency is not None:
                    agencies.add((a.agency.jurisdiction, a.agency.name))
                else:
                    roles["unspecified"] += 1
        named.update({(e.kind, e.name) for e in x.named})
    kinds = Counter(kind for kind, _ in named)
    return {
        "documents": len(extractions),
        "tasks": sum(len(x.tasks) for x in extractions),
        "agencies": len(agencies),
        "assignments": sum(roles[r] for r in ("lead", "support", "responsible")),
        "lead": roles["lead"],
        "support": roles["support"],
        "responsible": roles["responsible"],
        "unspecified bodies": roles["unspecified"],
        "targets": sum(len(x.targets) for x in extractions),
        "parks": kinds["park"],
        "funds": kinds["fund"],
        "programs": kinds["program"],
        "warnings": sum(len(x.warnings) for x in extractions),
    }


def build_corpus(paths: Sequence[str | Path] | None, out_dir: str | Path, *, base: str = DEFAULT_BASE,
                 lexicon_dirs: Sequence[Path] = (),
                 on_document: Callable[[Path, Extraction | None, InputError | None], None] | None = None,
                 ) -> tuple[BuildReport, Dataset]:
    """Build the graph of ``paths`` (the embedded corpus when None) and write it to ``out_dir``.

    Writes ``graph.trig`` (one named graph per document), ``graph.ttl`` (all
    merged) and ``build-report.json``, each atomically.
    """
    from .build import build_dataset
    from .lexicon import load_lexicon
    from .serialize import dataset_bytes, write_atomic

    lexicon = load_lexicon(tuple(Path(d) for d in lexicon_dirs))
    extractions, errors = extract_paths(paths if paths else [embedded_corpus()], lexicon=lexicon,
                                        on_document=on_document)
    ds = build_dataset(extractions, base=base, lexicon=lexicon)
    out = Path(out_dir)
    outputs = dict(OUTPUT_FILES)
    report = BuildReport(
        documents=tuple(
            DocumentSummary(
                source_file=x.document.source_file, encoding=x.document.encoding,
                jurisdiction=x.meta.jurisdiction, title=x.meta.title, tasks=len(x.tasks),
                assignments=sum(len(t.assignments) for t in x.tasks), targets=len(x.targets),
                warnings=x.warnings)
            for x in sorted(extractions, key=lambda x: x.document.source_file)),
        errors=tuple((e.path, e.reason) for e in errors),
        counts=summarize(extractions),
        outputs=outputs,
    )
    payloads = {  # serialised before anything is written, so a failure leaves the previous outputs as they were
        "trig": dataset_bytes(ds, "trig"),
        "turtle": dataset_bytes(ds, "turtle"),
        "report": (json.dumps(report.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"),
    }
    for kind, data in payloads.items():
        write_atomic(out / OUTPUT_FILES[kind], data)
    return report, ds
