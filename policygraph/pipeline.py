"""The whole job: input paths → decoded documents → extractions → a dataset written to an output folder."""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from .documents import DocumentRef, find_document
from .errors import InputError, UnknownNameError
from .extract import extract
from .iri import DEFAULT_BASE, build_graph_iri, document_graph_iri, shared_graph_iri, statistics_graph_iri, vocabulary_graph_iri
from .lexicon import Lexicon, load_lexicon
from .load import input_files, load_document
from .model import ROLE_TERMS, Extraction, SourceDocument
from .networkcounts import NetworkCounter, NetworkCounts, graph_agencies_ntriples, totals_ntriples
from .nquads import DocumentCounts, graph_nquads, is_record_line, line_nquads, responsible_agencies
from .ontology import embedded_dir
from .resolve import resolver_for
from .vocab import PG, PG_NS

__all__ = ["BuildReport", "DocumentSummary", "Removal", "extract_document", "extract_paths", "build_corpus", "remove_documents",
           "store_counts", "count_lines", "export_store", "OUTPUT_FILES", "embedded_corpus"]

#: Where a build remembers the content hashes of its inputs (a cache: deleting it only costs re-hashing).
HASHES_FILE = "store.hashes.json"
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
    unrecognised: tuple[str, ...] = ()  # bodies kept as unclassified agencies (see Extraction.unrecognised_bodies)
    source_path: str = ""  # what identifies the document (pg:sourcePath); the file name when empty

    def __post_init__(self):
        if not self.source_path:
            object.__setattr__(self, "source_path", self.source_file)


@dataclass(frozen=True)
class BuildReport:
    """What a build read, what it found, and what went wrong.

    ``documents`` are the ones this run extracted; ``carried`` are the
    entries of documents still in the store that this run skipped as
    unchanged, copied from the previous ``build-report.json`` with the
    ``run`` that extracted them, so a rebuild never erases what an earlier
    run found.
    """

    documents: tuple[DocumentSummary, ...]
    errors: tuple[tuple[str, str], ...]  # (path, reason)
    counts: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> file name inside the output folder
    run: int = 1
    carried: tuple[dict, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict:
        return {
            "run": self.run,
            "documents": sorted(self.carried + tuple(self._entries()), key=_entry_path),
            "errors": [{"path": p, "reason": r} for p, r in self.errors],
            "counts": self.counts,
            "outputs": self.outputs,
            "unrecognised_bodies": self.unrecognised_bodies(),
        }

    def _entries(self) -> list[dict]:
        return [vars(d) | {"warnings": list(d.warnings), "unrecognised": list(d.unrecognised), "run": self.run}
                for d in self.documents]

    def warnings(self) -> list[tuple[str, str]]:
        """This run's warnings as (source path, warning), in path order."""
        return [(d.source_path, w) for d in self.documents for w in d.warnings]

    def unrecognised_bodies(self) -> list[dict]:
        """The bodies this run kept as unclassified agencies: surface, how many documents name it, and which.

        Most frequent first: the rows worth adding to a lexicon overlay (``--lexicon DIR``).
        """
        where: dict[str, list[str]] = {}
        for d in self._entries() + list(self.carried):
            for surface in d["unrecognised"]:
                where.setdefault(surface, []).append(_entry_path(d))
        ranked = sorted(where.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        return [{"surface": s, "documents": len(files), "files": sorted(files)} for s, files in ranked]


def _entry_path(entry: dict) -> str:
    """The source path of a report entry (a report written before documents had paths gives the file name)."""
    return entry.get("source_path") or entry["source_file"]


def embedded_corpus() -> Path:
    """The folder of the embedded default corpus (the seed documents)."""
    return embedded_dir("seeds")


def extract_document(document: SourceDocument, lexicon: Lexicon | None = None) -> Extraction:
    """Extract one document with the resolver of ``lexicon`` (the bundled lexicon when None).

    Why here: extraction is given its resolver (:func:`policygraph.extract.extract`),
    and the pipeline is the layer that knows both, so a caller with one
    document and no resolver of its own starts here.
    """
    return extract(document, resolver_for(lexicon or load_lexicon()))


def extract_paths(paths: Sequence[str | Path], *, lexicon=None,
                  on_document: Callable[[Path, Extraction | None, InputError | None], None] | None = None,
                  root: str | Path | None = None) -> tuple[list[Extraction], list[InputError]]:
    """Load and extract every input file; a bad file is reported and skipped, the others go on.

    Each document is named by its path (see :func:`policygraph.load.document_path`; ``root`` as there).
    """
    resolver = resolver_for(lexicon or load_lexicon())
    extractions: list[Extraction] = []
    errors: list[InputError] = []
    for path, source_path, error in input_files(paths, root):
        extraction = None
        if error is None:
            try:
                document = load_document(path, source_path=source_path)
                extraction = extract(document, resolver)
                extractions.append(extraction)
            except InputError as exc:
                error = exc
        if error is not None:
            errors.append(error)
        if on_document is not None:
            on_document(path, extraction, error)
    return extractions, errors


@dataclass(frozen=True)
class _Processed:
    """What a worker hands back for one input file: its graphs as the store's N-Quads (see ``graph_nquads``)."""

    path: str
    source_path: str
    content_hash: str
    graph: str | None
    nquads: bytes | None  # None when the worker wrote them into a bulk load (``policygraph.store.NQuadsSink``)
    summary: DocumentSummary | None
    error: str | None = None
    #: A file holding the document's own graph as N-Quads, when it was too long to hand back whole (see _SPOOL_BYTES);
    #: ``nquads`` then hold the rest, and ``agencies`` those its graph names as responsible.
    spooled: str | None = None
    agencies: frozenset[str] = frozenset()
    network: object | None = None  # policygraph.networkcounts.NetworkCounts, for a bulk load to sum


#: N-Quads of one document's own graph beyond which a worker writes them to a file for the store to bulk-load,
#: rather than handing them back to be inserted in one transaction (which holds several copies of them).
_SPOOL_BYTES = 64 << 20


@dataclass(frozen=True)
class _Worker:
    """What a process holds to extract documents, made once per process: a lexicon is too large to send with each."""

    base: str
    lexicon: object  # policygraph.lexicon.Lexicon
    sink: object | None  # policygraph.store.NQuadsSink, or None to hand the N-Quads back


def _worker(base: str, lexicon_dirs: tuple[str, ...], sink=None) -> _Worker:
    """Ready a process to extract: the lexicon, and where its N-Quads go (``sink``, or its address from another process)."""
    from .lexicon import load_lexicon
    from .store import NQuadsSink

    if isinstance(sink, tuple):
        sink = NQuadsSink(*sink)
    return _Worker(base=base, lexicon=load_lexicon(tuple(Path(d) for d in lexicon_dirs)), sink=sink)


#: The worker of this process when it serves a pool: set once, when the process starts, by :func:`_start_pool_worker`.
_pool_worker: _Worker | None = None


def _start_pool_worker(base: str, lexicon_dirs: tuple[str, ...], sink_address: tuple | None) -> None:
    """A pool's initialiser: each process makes its worker once, since nothing but the documents is sent to it later."""
    global _pool_worker
    _pool_worker = _worker(base, lexicon_dirs, sink_address)


def _process_in_pool(item: tuple[str, str]) -> _Processed:
    """:func:`_process` in a pool's process, with the worker its initialiser made."""
    return _process(_pool_worker, item)


def _process(worker: _Worker, item: tuple[str, str]) -> _Processed:
    """Load, extract and serialise one document, given its file and source path (runs in a worker process)."""
    from .build import document_chunks
    from .load import load_document

    path, source_path = item
    try:
        document = load_document(path, source_path=source_path)
        x = extract_document(document, worker.lexicon)
    except InputError as exc:
        return _Processed(path, source_path, "", None, None, None, exc.reason)
    summary = DocumentSummary(
        source_file=document.source_file, encoding=document.encoding, jurisdiction=x.meta.jurisdiction,
        title=x.meta.title, tasks=len(x.tasks), assignments=sum(len(t.assignments) for t in x.tasks),
        targets=len(x.targets), warnings=x.warnings, unrecognised=x.unrecognised_bodies,
        source_path=document.source_path)
    graph = str(document_graph_iri(document.source_path, worker.base))
    own = _OwnGraph(graph, worker.sink)
    shared = document_chunks(x, own.add, base=worker.base, lexicon=worker.lexicon)
    del x
    network = own.network.counts()
    statistics = own.counts.ntriples(graph) + graph_agencies_ntriples(graph, network)
    rest = own.record() + graph_nquads(((str(shared_graph_iri(worker.base)), shared),
                                        (str(statistics_graph_iri(worker.base)), statistics)))
    if worker.sink is not None:
        worker.sink.write(rest)
        return _Processed(path, document.source_path, document.content_hash, graph, None, summary, network=network)
    if own.spool is not None:
        own.spool.close()
        return _Processed(path, document.source_path, document.content_hash, graph, rest, summary,
                          spooled=own.spool.name, agencies=frozenset(own.agencies), network=network)
    return _Processed(path, document.source_path, document.content_hash, graph, b"".join([*own.kept, rest]), summary)


class _OwnGraph:
    """Where a worker puts the chunks of a document's own graph: a bulk load, its memory, or a file once they are long.

    The content-hash line is held back to the end (:meth:`record`): written
    last, it makes the document a record of its file only once the rest is in.
    """

    def __init__(self, graph: str, sink) -> None:
        self.graph, self.sink, self.counts, self.network = graph, sink, DocumentCounts(), NetworkCounter()
        self.kept: list[bytes] = []
        self.size, self.spool, self.agencies = 0, None, set()
        self._held: list[str] = []

    def add(self, found: list[str]) -> None:
        self.counts.add(found)
        self.network.add(found)
        held = [line for line in found if is_record_line(line)]
        if held:
            self._held += held
            found = [line for line in found if not is_record_line(line)]
        chunk = line_nquads(self.graph, found)
        if self.sink is not None:
            self.sink.write(chunk)
            return
        self.agencies |= responsible_agencies(found)
        self.size += len(chunk)
        if self.spool is None and self.size > _SPOOL_BYTES:
            self.spool = _spool_file()
            self.spool.writelines(self.kept)
            self.kept = []
        if self.spool is not None:
            self.spool.write(chunk)
        else:
            self.kept.append(chunk)

    def record(self) -> bytes:
        return line_nquads(self.graph, self._held)


def _spool_file():
    """A new file for a long document's own graph, named so that a later build removes it if this one is killed."""
    import tempfile

    from .serialize import TEMP_MARK, remove_stale_temporaries

    folder = tempfile.gettempdir()
    remove_stale_temporaries(Path(folder))
    return tempfile.NamedTemporaryFile("wb", prefix=f".policygraph-document{TEMP_MARK}{os.getpid()}-", suffix=".tmp",
                                       dir=folder, delete=False)


def _fingerprint(base: str, lexicon_dirs: Sequence[Path]) -> str:
    """Identifies everything besides a file's bytes that decides its graph: code, data files, base IRI."""
    import hashlib
    from importlib import resources

    from . import __version__
    from .ontology import ontology_files

    digest = hashlib.sha256(f"{__version__}\x1f{base}".encode())
    package = Path(str(resources.files("policygraph")))
    files = sorted(package.rglob("*.py")) + sorted((package / "resources").iterdir()) + list(ontology_files())
    for directory in lexicon_dirs:
        files += sorted(Path(directory).iterdir())
    for f in files:
        if f.is_file():
            digest.update(f.name.encode() + b"\x1f" + f.read_bytes())
    return digest.hexdigest()


_COUNTS = {
    "documents": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d pg:sourceFile ?f }",
    "tasks": "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a pg:Task }",
    "agencies": "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?t pg:responsibleAgency ?a }",
    "assignments": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pg:Assignment }",
    **{role: f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x pg:role pg:{term} }}" for role, term in ROLE_TERMS.items()},
    "unspecified bodies": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x pg:agent ?b . ?b a pg:UnspecifiedBody }",
    "targets": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g a pg:Target }",
    "parks": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pg:Park FILTER EXISTS { ?x pg:mentions ?p } }",
    "funds": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pg:Fund FILTER EXISTS { ?x pg:mentions ?p } }",
    "programs": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pg:Program FILTER EXISTS { ?x pg:mentions ?p } }",
}
#: The agencies count when the store keeps per-agency counts: one triple each, not a scan of every assignment.
_COUNTED_AGENCIES = "SELECT (COUNT(*) AS ?n) WHERE { ?a pg:taskCount ?c }"
#: Every node of a class, whether or not a document assigns or names it: what the explorer draws and
#: the directory queries list. Kept beside the counts above under the key "<count> in the graph".
_IN_GRAPH = {
    "agencies": "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a pg:Agency }",
    "unspecified bodies": "SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { ?b a pg:UnspecifiedBody }",
    "parks": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pg:Park }",
    "funds": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pg:Fund }",
    "programs": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pg:Program }",
}
#: What the headline number of a count is, where the graph also holds nodes it leaves out.
_COUNTED_AS = {"agencies": "assigned", "unspecified bodies": "assignments", "parks": "named", "funds": "named",
               "programs": "named"}
IN_GRAPH = " in the graph"


def store_counts(store) -> dict[str, int]:
    """Totals over everything in the store (all documents, not just those of the last run).

    Sums of the per-document counts of the statistics graph where the store
    has them for every document; the same totals counted from the union
    otherwise (a store written before those counts existed).
    """
    prefix = f"PREFIX pg: <{PG_NS}>\n"
    totals = store.document_totals() if store.statistics_graph else None
    counts = {}
    for key, query in _COUNTS.items():
        if totals is not None and key in totals:
            counts[key] = totals[key]
        elif totals is not None and key == "agencies":
            counts[key] = store.count(prefix + _COUNTED_AGENCIES)
        else:
            counts[key] = store.count(prefix + query)
    for key, query in _IN_GRAPH.items():
        counts[key + IN_GRAPH] = store.count(prefix + query)
    return counts


def count_lines(counts: dict[str, int]) -> list[str]:
    """The build's totals as aligned lines, each count saying what it counts.

    Agencies are those with a task (an issuer or a body named only outside
    clauses is not), parks, funds and programs those a task or document names,
    unspecified bodies the assignments to them; each is followed by the nodes
    of its class in the graph, which is what the explorer and the directory
    queries show, so two different numbers never look like one.

    Examples
    --------
    >>> count_lines({"tasks": 81, "agencies": 99, "agencies in the graph": 104})
    ['tasks     81', 'agencies  99 assigned (104 in the graph)']
    """
    shown = [k for k in counts if not k.endswith(IN_GRAPH)]
    width = max(len(k) for k in shown) if shown else 0
    lines = []
    for key in shown:
        text = str(counts[key])
        if key in _COUNTED_AS and key + IN_GRAPH in counts:
            text += f" {_COUNTED_AS[key]} ({counts[key + IN_GRAPH]}{IN_GRAPH})"
        lines.append(f"{key:<{width}}  {text}")
    return lines


def build_corpus(paths: Sequence[str | Path] | None, out_dir: str | Path, *, base: str = DEFAULT_BASE,
                 lexicon_dirs: Sequence[Path] = (), jobs: int | None = None, export: bool = True,
                 wait: float = 60.0, push: str | None = None, load: bool = False, rebuild: bool = False,
                 force: bool = False, root: str | Path | None = None,
                 on_document: Callable[[Path, "DocumentSummary | None", InputError | None], None] | None = None,
                 compact: bool = False) -> tuple[BuildReport, Dataset | None]:
    """Build (or update) the store in ``out_dir`` from ``paths`` (the embedded corpus when None).

    Documents whose bytes, and whose pipeline, are unchanged since the last
    build are skipped; a new or changed document's named graph is added or
    replaced in one transaction, in a copy of the store published as its new
    version when the build is done (``policygraph.store.writing``), so readers
    never see a store being changed. A first build (no store yet) streams
    every graph into Oxigraph's bulk loader instead. Too little free space is
    refused before anything is extracted. Extraction runs in ``jobs``
    processes (default: all cores).
    With ``export``, ``graph.trig`` and ``graph.ttl`` are written from the
    store; ``build-report.json`` always. With ``push``, the graphs written
    by this run are sent to that Graph Store Protocol URL (one PUT each).
    Returns the report and, with ``load``, the whole graph as an in-memory
    rdflib dataset (for small corpora: it takes about 2 GB per 1,000 documents;
    ``policygraph.opening.open_graph`` reads a store of any size without copying it).
    The store folder must be absent, empty or a store of ours
    (:func:`policygraph.store.check_store_folder`); ``rebuild`` writes a new
    store of the inputs alone in place of ours, damaged or not; ``force``
    re-extracts every input, changed or not, keeping the other documents.
    A document is identified by its path (``root`` and the default as in
    :func:`policygraph.load.document_path`): building another file of the
    same name or 文号 adds a document, and only the same path replaces one.
    With ``compact``, the new version's files are merged before it is
    published (:meth:`policygraph.store.GraphStore.compact`).
    """
    from .load import input_files
    from .store import GraphStore, StoreLock, is_store, writing

    plan = _build_plan(out_dir, base, lexicon_dirs, jobs, export, force)
    inputs = input_files(paths if paths else [embedded_corpus()], root)
    found = _Findings(on_document)
    with StoreLock(plan.store_dir, timeout=wait), writing(plan.store_dir, rebuild=rebuild) as staging:
        if is_store(staging):  # a copy of the current version, changed document by document
            stored = _update_store(staging, inputs, plan, found)
        else:
            stored = _load_new_store(staging, inputs, plan, found)
        with GraphStore(staging, plan.statistics_graph) as store:
            if compact:
                store.compact()
            report = _finish(store, plan, found, stored, push)
            dataset = store.dataset() if load else None
    return report, dataset


@dataclass(frozen=True)
class _BuildPlan:
    """What a build was asked for and the graphs it writes besides the documents', settled before it starts."""

    out: Path
    store_dir: Path
    base: str
    lexicon_dirs: tuple[Path, ...]
    jobs: int | None
    export: bool
    force: bool
    fingerprint: str
    build_graph: str  # holds the fingerprint: the pipeline that wrote the store
    vocabulary_graph: str
    statistics_graph: str

    @property
    def fingerprint_line(self) -> str:
        return f'<{self.build_graph}> <{_FINGERPRINT}> "{self.fingerprint}" .\n'


def _build_plan(out_dir: str | Path, base: str, lexicon_dirs: Sequence[Path], jobs: int | None, export: bool,
                force: bool) -> _BuildPlan:
    """The plan of a build into ``out_dir``, with the fingerprint of the pipeline that runs it."""
    from .store import STORE_DIR

    return _BuildPlan(out=Path(out_dir), store_dir=Path(out_dir) / STORE_DIR, base=base,
                      lexicon_dirs=tuple(lexicon_dirs), jobs=jobs, export=export, force=force,
                      fingerprint=_fingerprint(base, lexicon_dirs), build_graph=str(build_graph_iri(base)),
                      vocabulary_graph=str(vocabulary_graph_iri(base)),
                      statistics_graph=str(statistics_graph_iri(base)))


class _Findings:
    """What a build has found so far, input by input, each told to ``on_document`` as it comes.

    Why a class: the planning, the extraction and the report all add to it,
    in the order the inputs are met, and the caller's progress follows.
    """

    def __init__(self, on_document: Callable | None):
        self.on_document = on_document
        self.errors: list[tuple[str, str]] = []
        self.summaries: list[DocumentSummary] = []
        self.written: list[str] = []  # the graphs this run wrote, in order

    def report(self, path, summary: DocumentSummary | None, error: InputError | None) -> None:
        """Note one input: failed (``error``), extracted (``summary``) or unchanged (neither)."""
        if error is not None:
            self.errors.append((error.path, error.reason))
        elif summary is not None:
            self.summaries.append(summary)
        if self.on_document is not None:
            self.on_document(Path(path), summary, error)


@dataclass(frozen=True)
class _Stored:
    """What writing the store left for the report: the documents kept from before, and how many were unchanged."""

    kept: frozenset[str]
    unchanged: int


def _extracted(todo: list[tuple[Path, str]], plan: _BuildPlan, found: _Findings, hashes: FileHashes, sink=None):
    """The documents that extracted, each noted once the caller has stored it; a failure is noted and skipped."""
    for done in _run(todo, plan.base, plan.lexicon_dirs, plan.jobs, sink):
        if done.error is not None:
            found.report(done.path, None, InputError(done.path, done.error))
            continue
        yield done
        hashes.read(done.path, done.content_hash)
        found.written.append(done.graph)
        found.report(done.path, done.summary, None)


def _update_store(staging: Path, inputs, plan: _BuildPlan, found: _Findings) -> _Stored:
    """Change a copy of the store document by document: the new and changed inputs, or all of them for a new pipeline."""
    from .store import GraphStore

    hashes = FileHashes(plan.out / HASHES_FILE)
    with GraphStore(staging, plan.statistics_graph) as store:
        same_pipeline = store.value(plan.build_graph, _FINGERPRINT) == plan.fingerprint
        known = store.records()  # read once: a scan of every document of a large store
        records = known if same_pipeline and not plan.force else {}
        todo, unchanged = _plan(inputs, records, found.report, hashes)
        _check_space(plan.out, todo, plan.store_dir, rewrite=not same_pipeline, export=plan.export)
        if not same_pipeline:  # every agency is recounted once at the end
            _renew_vocabulary(store, plan, found)
        legacy = {r.source_file: r.graph for r in known.values() if not r.has_path} if not same_pipeline else {}
        kept = _replace_documents(store, _extracted(todo, plan, found, hashes), legacy, set(known))
        if not same_pipeline:  # before the fingerprint marks the store as current
            store.refresh_statistics()
            store.replace(plan.build_graph, plan.fingerprint_line)
    hashes.save()
    return _Stored(kept=frozenset(kept), unchanged=unchanged)


def _renew_vocabulary(store, plan: _BuildPlan, found: _Findings) -> None:
    """Ready a store written by another pipeline for re-extraction: no agency counts, the current vocabulary."""
    from .build import vocabulary_ntriples

    store.recount_agencies = False
    store.drop_default_graph()
    store.replace(plan.vocabulary_graph, vocabulary_ntriples())
    found.written.append(plan.vocabulary_graph)


def _replace_documents(store, documents, legacy: dict[str, str], kept: set[str]) -> set[str]:
    """Store each extracted document, removing the graph an older build kept for its file by name; the names kept."""
    for done in documents:
        if done.spooled is not None:
            try:
                store.replace_long_document(done.graph, done.spooled, done.nquads, done.agencies, done.network)
            finally:
                os.unlink(done.spooled)
        else:
            store.replace_document(done.graph, done.nquads)
        if done.summary.source_file in legacy:  # the same file, kept by file name by an older build
            store.remove(legacy.pop(done.summary.source_file))
            kept.discard(done.summary.source_file)
    return kept


def _load_new_store(staging: Path, inputs, plan: _BuildPlan, found: _Findings) -> _Stored:
    """Write a first store with the bulk loader: the vocabulary, every document as its worker makes it, the fingerprint."""
    import multiprocessing

    from .build import vocabulary_ntriples
    from .store import bulk_loading

    hashes = FileHashes(plan.out / HASHES_FILE)
    todo, unchanged = _plan(inputs, {}, found.report, hashes)
    _check_space(plan.out, todo, None, rewrite=True, export=plan.export)
    network = NetworkCounts()
    with bulk_loading(staging, plan.statistics_graph, multiprocessing.get_context(_BULK_CONTEXT)) as sink:
        sink.write(graph_nquads([(plan.vocabulary_graph, vocabulary_ntriples())]))
        found.written.append(plan.vocabulary_graph)
        with closing(_extracted(todo, plan, found, hashes, sink)) as documents:  # its workers are gone before the load ends
            for done in documents:
                network.add(done.network)
        sink.write(graph_nquads([(plan.build_graph, plan.fingerprint_line),
                                 (plan.statistics_graph, totals_ntriples(plan.statistics_graph, network))]))
    hashes.save()
    return _Stored(kept=frozenset(), unchanged=unchanged)


def _finish(store, plan: _BuildPlan, found: _Findings, stored: _Stored, push: str | None) -> BuildReport:
    """Push what this run wrote (with ``push``), then count the store and write the report and the exports."""
    pushed = _push(store, found, push) if push else None
    counts = store_counts(store)
    counts.update({"processed": len(found.summaries), "unchanged": stored.unchanged, "failed": len(found.errors),
                   "warnings": sum(len(s.warnings) for s in found.summaries)})
    if pushed is not None:
        counts["pushed graphs"] = len(pushed.graphs)
    outputs = dict(OUTPUT_FILES) if plan.export else {"report": OUTPUT_FILES["report"]}
    extracted = {s.source_path for s in found.summaries}
    run, carried = _previous_entries(plan.out / OUTPUT_FILES["report"], stored.kept | extracted, extracted)
    report = BuildReport(documents=tuple(sorted(found.summaries, key=lambda d: d.source_path)),
                         errors=tuple(found.errors), counts=counts, outputs=outputs, run=run + 1, carried=carried)
    _write_outputs(store, plan.out, report)
    return report


def _push(store, found: _Findings, url: str):
    """Send the graphs this run wrote, and the shared graph when it extracted any document, to a Graph Store URL."""
    from .remote import push_dataset

    shared = [store.shared_graph] if found.summaries else []  # the documents' agencies, places, parks
    return push_dataset(((g, store.graph_ntriples(g)) for g in found.written + shared), url)


#: Measured on real and generated corpora: a store takes up to 20 times the bytes of its documents, the
#: TriG and Turtle exports about 4 times each, and a new store starts with a few megabytes (the vocabulary).
_STORE_PER_INPUT_BYTE, _EXPORT_PER_INPUT_BYTE, _STORE_BASE = 20, 8, 4_000_000


def _check_space(out: Path, todo: Sequence[tuple[Path, str]], store_dir: Path | None, *, rewrite: bool, export: bool) -> None:
    """Refuse a build the free space cannot hold, before extracting anything.

    New or changed documents take about 20 times their size in the store; an
    update may also rewrite the whole store beside the old version (Oxigraph
    compacts into new files), so re-extracting everything needs the store's
    size again; exports are written beside the previous ones.
    """
    from .store import current_version, folder_size, require_space

    inputs = sum(path.stat().st_size for path, _ in todo if path.is_file())
    current = current_version(store_dir) if store_dir is not None else None
    needed = _STORE_PER_INPUT_BYTE * inputs + (folder_size(current) if current and rewrite else 0)
    needed += 0 if current else _STORE_BASE
    if export:
        old = sum((out / OUTPUT_FILES[k]).stat().st_size for k in ("trig", "turtle") if (out / OUTPUT_FILES[k]).is_file())
        needed += max(old, _EXPORT_PER_INPUT_BYTE * inputs)
    if todo:
        require_space(out, needed, f"this build ({len(todo)} documents to write)")


def _write_outputs(store, out: Path, report: BuildReport) -> None:
    """Write the report, and the exports it lists, from ``store``; a failure leaves the previous outputs as they were."""
    from .serialize import StagedFiles

    with StagedFiles() as staged:
        for kind, fmt in (("trig", "trig"), ("turtle", "turtle")):
            if kind in report.outputs:
                store.write(staged.open(out / OUTPUT_FILES[kind]), fmt)
        staged.open(out / OUTPUT_FILES["report"]).write(
            (json.dumps(report.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))


def _previous_entries(path: Path, in_store: set[str], extracted: set[str]) -> tuple[int, tuple[dict, ...]]:
    """The previous report's run number and its entries for documents still in the store and not re-extracted.

    A missing or unreadable previous report counts as run 0 with no entries:
    the report is a record, never an input the build depends on.
    """
    try:
        previous = json.loads(path.read_text("utf-8"))
        run = int(previous.get("run", 1))
        entries = [d for d in previous["documents"] if isinstance(d, dict) and "source_file" in d]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return 0, ()
    carried = tuple({"run": run, "unrecognised": [], "warnings": []} | d for d in entries
                    if _entry_path(d) in in_store and _entry_path(d) not in extracted)
    return run, carried


_FINGERPRINT = str(PG.buildFingerprint)


class FileHashes:
    """Content hashes of input files, remembered by what ``stat`` says of them, in a file beside the store.

    Why: deciding that 10,000 unchanged inputs need no rebuild should not
    mean reading and hashing 300 MB. But size and modification time alone
    are not enough: ``cp -p``, ``rsync -a``, ``tar x`` and ``unzip`` write new
    bytes under the old size and mtime. A remembered hash is trusted only
    when size, mtime, inode and status-change time (ctime, which no program
    can set back: every write and every ``utime`` moves it) all match what
    was recorded, and the file was last modified or changed well before the
    recording, so an edit within the same clock tick as a build is re-read.
    Any other file is hashed again.
    """

    def __init__(self, path: Path):
        self.path = path
        try:
            data = json.loads(path.read_text("utf-8"))
            self._recorded_at, self._known = int(data["recorded_at_ns"]), dict(data["files"])
        except (OSError, ValueError, KeyError, TypeError):
            self._recorded_at, self._known = 0, {}
        self._seen: dict[str, list] = {}
        self._pending: dict[str, list] = {}

    @staticmethod
    def _signature(st: os.stat_result) -> list:
        return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]

    def will_read(self, file: Path) -> None:
        """Note the stat signature of a file about to be read, before it is read (see :meth:`read`)."""
        self._pending[os.path.abspath(file)] = self._signature(file.stat())

    def read(self, file: str | Path, digest: str) -> None:
        """Remember the hash of a file read by this run, under the signature it had before the reading."""
        key = os.path.abspath(file)
        if key in self._pending:
            self._seen[key] = [*self._pending.pop(key), digest]

    def sha256(self, file: Path) -> str:
        import hashlib

        key = os.path.abspath(file)
        st = file.stat()
        signature = self._signature(st)
        entry = self._known.get(key)
        if (entry and entry[:-1] == signature
                and max(st.st_mtime_ns, st.st_ctime_ns) < self._recorded_at - 2_000_000_000):
            digest = entry[-1]
        else:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
        self._seen[key] = [*signature, digest]
        return digest

    def save(self) -> None:
        """Record the hashes seen by this run (with earlier ones), atomically."""
        import time

        from .serialize import write_atomic

        files = self._known | self._seen
        write_atomic(self.path, json.dumps({"recorded_at_ns": time.time_ns(), "files": files}, sort_keys=True,
                                           ensure_ascii=False).encode("utf-8"))


def _plan(inputs, records: dict, report, hashes: FileHashes | None = None) -> tuple[list[tuple[Path, str]], int]:
    """The (file, source path) pairs to (re)build, and how many are unchanged since the last build.

    ``inputs`` come from :func:`policygraph.load.input_files`; ``records``
    are the store's, by source path. Bad inputs are reported.
    """
    todo: list[tuple[Path, str]] = []
    unchanged = 0
    for path, source_path, error in inputs:
        if error is not None:
            report(path, None, error)
            continue
        record = records.get(source_path)
        try:
            if record is not None and path.is_file() and hashes is not None and hashes.sha256(path) == record.content_hash:
                unchanged += 1
                report(path, None, None)
                continue
            if hashes is not None:
                hashes.will_read(path)
        except OSError as exc:
            report(path, None, InputError(str(path), (exc.strerror or str(exc)).lower()))
            continue
        todo.append((path, source_path))
    return todo, unchanged


#: How the workers of a bulk load start: forked from a clean server process, so none inherits the loader's pipe
#: (a writer left holding it would keep the load from ever seeing the end of its input).
_BULK_CONTEXT = "forkserver"
_WORKER_MODULES = ["policygraph.pipeline", "policygraph.extract", "policygraph.build", "policygraph.load",
                   "policygraph.lexicon", "policygraph.store"]


def _run(paths: list[tuple[Path, str]], base: str, lexicon_dirs: Sequence[Path], jobs: int | None, sink=None):
    """Process documents in order, in worker processes when there are enough of them to pay for it.

    With ``sink`` (a bulk load), each process writes its documents' N-Quads
    into it; the workers then come from :data:`_BULK_CONTEXT`, which starts
    them without the main process's open files (the loader's pipe among them).
    """
    jobs = jobs or os.cpu_count() or 1
    dirs = tuple(str(d) for d in lexicon_dirs)
    if jobs <= 1 or len(paths) < 4 * jobs:
        worker = _worker(base, dirs, sink)
        yield from (_process(worker, (str(p), d)) for p, d in paths)
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    window = 4 * jobs  # documents in flight: workers stay busy, finished graphs never pile up in memory
    context = None
    if sink is not None:
        context = multiprocessing.get_context(_BULK_CONTEXT)
        context.set_forkserver_preload(_WORKER_MODULES)  # imported once by the server, not by every worker
    initargs = (base, dirs, sink.address if sink is not None else None)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_pool_worker, initargs=initargs,
                             mp_context=context) as pool:
        pending: deque = deque()
        for path, source_path in paths:
            pending.append(pool.submit(_process_in_pool, (str(path), source_path)))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


@dataclass(frozen=True)
class Removal:
    """What :func:`remove_documents` did: the documents it removed, the names it found nothing for, the files it rewrote."""

    removed: tuple[str, ...]
    missing: tuple[str, ...]
    rewritten: tuple[str, ...] = ()  # outputs written again from the store (report, exports)
    deleted: tuple[str, ...] = ()  # exports deleted rather than rewritten (``export=False``)
    reasons: tuple[str, ...] = ()  # why each missing name was not removed (not found, or several documents fit)


def remove_documents(names: Sequence[str], out_dir: str | Path, *, base: str = DEFAULT_BASE,
                     wait: float = 60.0, export: bool = True) -> Removal:
    """Delete the named graphs of the given documents from the store, and bring the outputs in line with it.

    A name is a document's path, the path of its file, its file name or its
    文号 (:func:`policygraph.documents.find_document`); one that fits several
    documents is not removed, with the candidates in its reason.

    Agencies, places and parks that other documents also name survive: their
    descriptions live once in the shared graph, and go only when no remaining
    document names them (:meth:`GraphStore.remove`). Names not in
    the store are returned as ``missing`` and the others removed; when none
    is in the store nothing changes and :class:`UnknownNameError` is raised.
    ``build-report.json`` loses the removed documents' entries and gets the
    new totals, and the exports the last build wrote (``graph.trig``,
    ``graph.ttl``) are written again, so no file describes a removed document;
    with ``export=False`` they are deleted instead (``policygraph export``
    writes them when wanted). Readers see the store before or after the
    whole removal, never part of it.
    """
    from .store import STORE_DIR, GraphStore, StoreLock, is_store, writing

    out = Path(out_dir)
    store_dir = out / STORE_DIR
    if not is_store(store_dir):
        raise InputError(str(store_dir), "no store here (run `policygraph build` first)")
    removed, missing = [], []
    with (StoreLock(store_dir, timeout=wait), writing(store_dir) as staging,
          GraphStore(staging, str(statistics_graph_iri(base))) as store):
        by_graph = {r.graph: r for r in store.records().values()}
        refs = [DocumentRef(r.graph, r.source_path, r.source_file, r.number) for r in by_graph.values()]
        reasons = []
        for name in names:
            try:
                found = find_document(name, refs)
            except UnknownNameError as exc:
                missing.append(name)
                reasons.append(exc.reason)
                continue
            refs.remove(found)
            store.remove(found.key)
            removed.append(by_graph[found.key].source_path)
        if not removed:
            raise UnknownNameError(missing[0], reasons[0])
        report, deleted = _report_after_removal(store, out, export)
        _write_outputs(store, out, report)
        for path in deleted:
            path.unlink()
    rewritten = tuple(str(out / OUTPUT_FILES[kind]) for kind in report.outputs)
    return Removal(tuple(removed), tuple(missing), rewritten, tuple(str(p) for p in deleted), tuple(reasons))


def _report_after_removal(store, out: Path, export: bool) -> tuple[BuildReport, list[Path]]:
    """The previous report without the removed documents and with the store's totals; the stale exports to delete."""
    path = out / OUTPUT_FILES["report"]
    try:
        previous = json.loads(path.read_text("utf-8"))
        counts, errors = dict(previous.get("counts", {})), tuple((e["path"], e["reason"]) for e in previous["errors"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        counts, errors = {}, ()
    run, carried = _previous_entries(path, set(store.records()), set())
    exports = [kind for kind in ("trig", "turtle") if (out / OUTPUT_FILES[kind]).is_file()]
    outputs = {kind: OUTPUT_FILES[kind] for kind in (exports if export else [])} | {"report": OUTPUT_FILES["report"]}
    report = BuildReport(documents=(), errors=errors, counts={**counts, **store_counts(store)}, outputs=outputs,
                         run=max(run, 1), carried=carried)
    return report, [] if export else [out / OUTPUT_FILES[kind] for kind in exports]


def export_store(out_dir: str | Path, path: str | Path, fmt: str = "trig", *, wait: float = 60.0) -> Path:
    """Write the whole store as one file (TriG keeps the named graphs; Turtle merges them), atomically."""
    from .serialize import StagedFiles
    from .store import STORE_DIR, GraphStore, StoreLock, is_store

    store_dir = Path(out_dir) / STORE_DIR
    if not is_store(store_dir):
        raise InputError(str(store_dir), "no store here (run `policygraph build` first)")
    with StoreLock(store_dir, timeout=wait), GraphStore(store_dir, read_only=True) as store, StagedFiles() as staged:
        store.write(staged.open(path), fmt)
    return Path(path)
