"""Where built graphs live: a persistent Oxigraph store (one named graph per document), and graph files.

The store is the default home of a build: it keeps each document's named
graph with the content hash of the file it was read from, so a rebuild only
re-extracts what changed. What several documents describe alike (agencies,
places, parks, cited policies) is kept once, in a shared graph, so no triple
is in two graphs and every query runs over the union of the graphs computed
at query time (Oxigraph's ``use_default_graph_as_union``), a set: the store
holds no second copy of anything. Each document's graph is added or replaced in one
store transaction, so an interrupted build leaves every document either as it
was or fully updated. A first build writes a new store with Oxigraph's bulk
loader into a staging folder that replaces nothing until it is complete. One
writer at a time: a build takes a lock file beside the store and waits for it,
or refuses, with a message saying why.

Readers never open a store a writer is changing: Oxigraph leaves that
undefined, and in practice a reader then fails on files the writer has just
deleted. ``store`` is a symlink to the current version, ``store.vN``; a
writer changes a copy of it (``store.building``, hard links of its immutable
files, so the copy is cheap) and publishes the copy by swapping the symlink.
A reader opens the version the symlink names and holds a shared lock on it,
so the writer removes an old version only once no reader has it open.
"""
from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from rdflib import Dataset

from .errors import DiskFullError, InputError, PolicyGraphError, StoreBusy, is_disk_full
from .iri import base_of_graph, shared_graph_iri
from .networkcounts import (
    AGENCY_COUNTS, FIRST_SHARED, FIRST_TASK, PAIR_COUNTS, NetworkCounter, NetworkCounts, graph_agencies_ntriples, pair_iri,
    totals_ntriples,
)
from .nquads import DOCUMENT_COUNTS, RESPONSIBLE_AGENCY, document_statistics, graph_nquads, responsible_agencies, split_nquads
from .nquads import lines as _lines
from .sparqltext import names_dataset
from .vocab import PG, PG_NS, PREFIXES, bind_prefixes

__all__ = ["load_graph_file", "open_graph", "rdflib_view", "default_graph_path", "GraphStore", "StoreLock", "StoreBusy",
           "DocumentRecord", "FORMATS", "DEFAULT_OUT", "DEFAULT_STORE", "STORE_DIR", "graph_nquads", "split_nquads", "union_options", "UNION", "bulk_build", "bulk_loading", "NQuadsSink",
           "is_store", "statistics_update", "STORE_MARKER", "check_store_folder", "Snapshot", "open_snapshot",
           "open_store", "current_version", "writing", "folder_size", "require_space", "megabytes",
           "document_statistics", "DOCUMENT_COUNTS", "NativeView", "native_view"]

#: Names that moved to :mod:`policygraph.opening`, still importable from here (read on first use, as
#: ``opening`` itself imports this module).
_OPENING = frozenset({"load_graph_file", "open_graph", "rdflib_view", "default_graph_path", "FORMATS",
                      "NativeView", "native_view"})


def __getattr__(name: str):
    """The names of :data:`_OPENING`, from :mod:`policygraph.opening`, where opening a built graph now lives."""
    if name in _OPENING:
        from . import opening

        return getattr(opening, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DEFAULT_OUT = Path("policygraph-out")
STORE_DIR = "store"
DEFAULT_STORE = DEFAULT_OUT / STORE_DIR
#: Written inside every store a build creates: a folder holding it is ours to update, or to replace on --rebuild.
STORE_MARKER = "policygraph-store.json"
_BUILD_FINGERPRINT = str(PG.buildFingerprint)
_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
#: Prefixes of exports besides the project's (``vocab.PREFIXES``): those the vocabulary graph uses.
_EXPORT_PREFIXES = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "owl": "http://www.w3.org/2002/07/owl#",
                    "vann": "http://purl.org/vocab/vann/"}


@dataclass(frozen=True)
class DocumentRecord:
    """What the store knows of one source document."""

    source_file: str
    graph: str  # named graph IRI
    content_hash: str
    source_path: str = ""  # what identifies the document; the file name for a graph written before paths
    number: str | None = None  # its 文号
    has_path: bool = True  # False for a graph an older build wrote, keyed by file name only

    def __post_init__(self):
        if not self.source_path:
            object.__setattr__(self, "source_path", self.source_file)


def is_store(path: Path) -> bool:
    """Whether ``path`` is an Oxigraph store directory."""
    return path.is_dir() and (path / "CURRENT").is_file()


def check_store_folder(path: Path, *, rebuild: bool = False) -> bool:
    """Whether a build may update the store at ``path`` (True) or must write a new one (False); refuse otherwise.

    Why: the folder may hold anything (a user's notes, another program's
    database, a store whose files were partly deleted), and a build must
    never remove what it did not write. A new store is written where there
    is nothing yet (no folder, or an empty one) and, with ``rebuild``, over a
    store of ours; a store of ours is updated. A store written before stores
    carried :data:`STORE_MARKER` is recognised by its build fingerprint and
    marked. Anything else is refused with what the folder holds.
    """
    if not path.exists():
        return False
    if not path.is_dir():
        raise InputError(str(path), "exists and is not a folder; pass another -o folder")
    entries = sorted(e.name + ("/" if e.is_dir() else "") for e in path.iterdir())
    if not entries:
        return False
    ours = (path / STORE_MARKER).is_file() or (is_store(path) and _has_fingerprint(path))
    if not ours:
        shown = ", ".join(entries[:5]) + (f", … ({len(entries)} entries)" if len(entries) > 5 else "")
        what = "an Oxigraph store that policygraph did not write" if is_store(path) else f"not a policygraph store ({shown})"
        raise InputError(str(path), f"{what}; nothing was changed. Pass another -o folder, or move its contents away")
    if is_store(path) and not (path / STORE_MARKER).is_file():
        _write_marker(path)
    if rebuild:
        return False
    if not is_store(path):
        raise InputError(str(path), "a damaged policygraph store (its CURRENT file is missing); nothing was changed. "
                                    "Run `policygraph build --rebuild` to build it anew from the inputs, "
                                    "or delete the folder")
    return True


def _has_fingerprint(path: Path) -> bool:
    """Whether the Oxigraph store at ``path`` holds a policygraph build fingerprint (a store of an older build)."""
    import pyoxigraph as ox

    try:
        store = ox.Store.read_only(str(path))
    except OSError:
        return False
    return next(iter(store.quads_for_pattern(None, ox.NamedNode(_BUILD_FINGERPRINT), None, None)), None) is not None


def _write_marker(path: Path) -> None:
    (path / STORE_MARKER).write_text('{"written_by": "policygraph", "format": 1}\n', "utf-8")


#: What the store queries see: the union of all graphs, computed at query time (no copy is stored).
UNION = {"use_default_graph_as_union": True}


def union_options(query: str) -> dict:
    """The query options of a SPARQL query over a store: the union of its graphs, unless the query names its own.

    Oxigraph's union option overrides a query's FROM, so a query with FROM
    (or FROM NAMED) gets its own dataset instead.

    >>> union_options("SELECT * { ?s ?p ?o }") == UNION, union_options("SELECT * FROM <urn:g> { ?s ?p ?o }")
    (True, {})
    >>> union_options('SELECT * { ?s ?p "FROM" } # FROM') == UNION
    True
    """
    return {} if names_dataset(query) else UNION


def _decimal_as_written(quad):
    """The quad with an integral decimal object written as the graph writes it ("50.0", which Oxigraph reads as "50")."""
    import pyoxigraph as ox

    o = quad.object
    if isinstance(o, ox.Literal) and o.datatype.value == _DECIMAL and "." not in o.value and "E" not in o.value.upper():
        return ox.Quad(quad.subject, quad.predicate, ox.Literal(o.value + ".0", datatype=o.datatype), quad.graph_name)
    return quad


def _with_canonical_blank_nodes(quads: Iterable) -> Iterator:
    """The quads of one graph, those with blank nodes last and relabelled canonically (``rdflib.compare``).

    Oxigraph labels a blank node afresh whenever it loads one, so only
    canonical labels give the same bytes for the same graph. Blank nodes are
    rare (the ontology's class unions), so they are few to relabel.
    """
    import pyoxigraph as ox
    from .adapters import from_ox, to_ox
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    with_blank, graph_name = Graph(), None
    for q in quads:
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            with_blank.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
            graph_name = q.graph_name
        else:
            yield q
    for triple in sorted(to_canonical_graph(with_blank)) if len(with_blank) else ():
        yield ox.Quad(*(to_ox(t) for t in triple), graph_name)


class NQuadsSink:
    """Where the writers of a bulk load put N-Quads: the pipe the loader reads, one whole document at a time.

    Why: the loader then reads the bytes straight from the kernel, in its own
    thread and without Python, while extraction runs elsewhere; the bytes a
    worker made are never copied into the main process. Each writer (the
    main process, each worker) opens the pipe by its path; a lock shared by
    all of them keeps a document's lines together, since the kernel only
    keeps writes of a few kilobytes whole.
    """

    def __init__(self, path: str, lock):
        self.path, self.lock = path, lock
        self._fd: int | None = os.open(path, os.O_WRONLY)

    @property
    def address(self) -> tuple[str, object]:
        """What another process needs to open its own sink on the same load (pass it when starting the process)."""
        return self.path, self.lock

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        with self.lock:
            while view:
                view = view[os.write(self._fd, view):]

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


#: Bytes the kernel holds between the writers and the loader (the largest a pipe gets without privileges).
_PIPE_BYTES = 1 << 20

def load_part_bytes() -> int:
    """How many bytes of N-Quads one run of Oxigraph's bulk loader reads: a sixteenth of the machine's memory.

    The loader's memory grows with what one run reads, to about 2.7 bytes a
    byte of N-Quads (1.5 GB for 1,000 generated documents, 1.7 GB for a
    50 MiB document, and no more than that at 10,000 documents: the engine
    flushes its own batches). A run of this size keeps the loader under
    about a sixth of the memory on any machine; on a large one, builds of
    up to a few thousand documents load in one run, which gives the
    smallest store and the fastest load (in parts of 48 MiB, 1,000
    documents took twice as long and made a store half as large again).
    """
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        memory = 8 << 30
    return max(64 << 20, memory // 16)


class _LoadPart:
    """One run's share of a pipe of N-Quads: a binary reader that ends after about ``budget`` bytes, at a line end.

    Why: the bulk loader's memory grows with what one run of it reads, so a
    build of any size is loaded as runs of bounded size from the one pipe
    the writers fill. Writers put whole lines in the pipe, so a run that ends
    at a newline ends between quads; the bytes read past it start the next
    run (:meth:`next`). :attr:`ended` says the writers are all gone and
    every byte was read.
    """

    def __init__(self, fd: int, budget: int, carried: bytes = b""):
        self.fd, self.budget, self.carried = fd, budget, carried
        self.given, self.ended = 0, False

    def read(self, size: int = -1) -> bytes:
        if self.given >= self.budget or self.ended:
            return b""
        data, self.carried = self.carried or os.read(self.fd, size if size and size > 0 else 1 << 16), b""
        if not data:
            self.ended = True
            return b""
        if 0 < size < len(data):
            data, self.carried = data[:size], data[size:]
        self.given += len(data)
        if self.given >= self.budget:
            cut = data.rfind(b"\n") + 1
            if cut == 0:  # no line ends in this piece: read on until one does
                self.given = self.budget - 1
                return data
            data, self.carried = data[:cut], data[cut:] + self.carried
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def next(self) -> "_LoadPart":
        """The reader of the next run, starting with the bytes this one read past its end."""
        return _LoadPart(self.fd, self.budget, self.carried)


def bulk_load_in_runs(store, path: str | Path) -> None:
    """Bulk-load the N-Quads of a file or named pipe into a pyoxigraph ``store``, in runs of :func:`load_part_bytes`."""
    import pyoxigraph as ox

    fd = os.open(path, os.O_RDONLY)
    try:
        part = _LoadPart(fd, load_part_bytes())
        while True:
            store.bulk_load(part, format=ox.RdfFormat.N_QUADS)
            if part.ended:
                return
            part = part.next()
    finally:
        os.close(fd)


@contextmanager
def bulk_loading(store_dir: str | Path, statistics_graph: str | None = None, context=None) -> Iterator[NQuadsSink]:
    """Write a new store at ``store_dir`` with Oxigraph's bulk loader, fed through the yielded :class:`NQuadsSink`.

    The loader runs in a thread of its own and reads a named pipe (its work
    releases the GIL), so it loads one document while the next are being
    extracted. Other processes join with ``NQuadsSink(*sink.address)``; the
    load ends when every sink is closed (a worker's closes when it exits),
    so every process given the address must be gone before the block ends.
    ``context`` is the multiprocessing context those processes come from
    (the lock is made from it). The bulk loader is several times faster than
    transactions but is not itself safe to interrupt, so ``store_dir`` should
    be a staging folder that nothing reads (:func:`writing` gives one and
    publishes it once complete). With ``statistics_graph``, the per-agency
    counts are computed once at the end. An error of the loader (a full
    disk, say) is raised in place of what it caused in the writers (a broken
    pipe).
    """
    import multiprocessing
    import tempfile

    import pyoxigraph as ox

    store_dir = Path(store_dir)
    if is_store(store_dir):
        raise PolicyGraphError(f"{store_dir}: a store is already there; a bulk build only writes a new one")
    shutil.rmtree(store_dir, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="policygraph-load-") as folder:
        pipe, keep = _load_pipe(folder)
        store = ox.Store(str(store_dir))
        failure: list[BaseException] = []
        loader = _start_loader(store, pipe, keep, failure)
        sink, stopped = NQuadsSink(pipe, (context or multiprocessing).Lock()), None
        try:
            yield sink
        except BaseException as exc:
            stopped = exc
        finally:
            sink.close()
            loader.join()
        try:
            if failure:
                raise failure[0] from stopped
            if stopped is not None:
                raise stopped
            if statistics_graph:
                store.update(statistics_update(statistics_graph))
            store.flush()
        finally:
            del store


def _load_pipe(folder: str) -> tuple[str, int]:
    """A named pipe in ``folder`` for the loader to read, and a reading end held open until the loader is done.

    Why the held end: writers can open the pipe before the loader does, and
    get a broken pipe, rather than block, once it has stopped reading.
    """
    pipe = os.path.join(folder, "quads.nq")
    os.mkfifo(pipe, 0o600)
    keep = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
    try:
        fcntl.fcntl(keep, getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
    except OSError:  # a lower limit for this user: the default size works too, with more switches
        pass
    return pipe, keep


def _start_loader(store, pipe: str, keep: int, failure: list[BaseException]):
    """Start the thread that bulk-loads ``pipe`` into ``store``, in runs of :func:`load_part_bytes` each; its error
    goes into ``failure``, and ``keep`` is closed when it ends."""
    import threading

    def load() -> None:
        try:
            bulk_load_in_runs(store, pipe)
        except BaseException as exc:  # handed to the main thread, raised there
            failure.append(exc)
        finally:
            os.close(keep)

    loader = threading.Thread(target=load, name="policygraph-bulk-load", daemon=True)
    loader.start()
    return loader


def bulk_build(store_dir: str | Path, chunks: Iterable[bytes], statistics_graph: str | None = None) -> None:
    """Write a new store at ``store_dir`` from N-Quads chunks with Oxigraph's bulk loader (see :func:`bulk_loading`).

    With ``statistics_graph``, the agency network is counted from the stored
    documents afterwards, as no worker counted it while the chunks were written.
    """
    with bulk_loading(store_dir, statistics_graph) as sink:
        for chunk in chunks:
            sink.write(chunk)
    if statistics_graph:
        with GraphStore(store_dir, statistics_graph) as store:
            store.refresh_statistics()


#: Inside each store version: the lock file readers hold (shared) while they have that version open.
READERS_LOCK = ".policygraph-readers.lock"
#: Inside a staging folder copied from a version: that version's name, so an interrupted update can be resumed.
_STAGED_FROM = ".policygraph-staged-from"
#: Files of a store that are never changed once written: a copy may share them (hard links).
_IMMUTABLE = (".sst", ".blob")


def version_path(store_dir: str | Path, number: int) -> Path:
    """The folder of version ``number`` of a store (``store.v3``), beside the ``store`` symlink."""
    return Path(f"{str(store_dir).rstrip('/')}.v{number}")


def _versions(store_dir: Path) -> dict[int, Path]:
    """Every version folder of a store, by number."""
    pattern = re.compile(re.escape(store_dir.name) + r"\.v(\d+)")
    try:
        names = os.listdir(store_dir.parent)
    except OSError:
        return {}
    return {int(m.group(1)): store_dir.parent / name for name in names if (m := pattern.fullmatch(name))}


def current_version(store_dir: str | Path) -> Path | None:
    """The folder holding the store's current version (``store`` itself for a store written before versions)."""
    path = Path(store_dir)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    return target if is_store(target) else None


class Snapshot:
    """One version of a store opened read-only, kept from removal until :meth:`close` (or the end of the process).

    Why: a published version never changes, so whatever a reader asks of it
    is answered from one consistent state, however many builds run meanwhile.
    """

    def __init__(self, store, path: Path, fd: int | None):
        self.store = store
        self.path = path
        self._fd = fd

    def close(self) -> None:
        """Let a writer remove this version (the store object must not be used afterwards)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _hold(version: Path) -> int | None:
    """A shared lock on a version's readers lock file; None where the folder is not writable and has none."""
    path = version / READERS_LOCK
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    except PermissionError:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return None
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def open_snapshot(store_dir: str | Path, wait: float = 10.0) -> Snapshot:
    """Open the current version of a store read-only; a version removed meanwhile is retried, for up to ``wait`` seconds.

    Raises :class:`InputError` when there is no store, or when it cannot be
    opened (damaged, unreadable).
    """
    import pyoxigraph as ox

    deadline = time.monotonic() + wait
    delay = 0.01
    while True:
        version, fd = current_version(store_dir), None
        try:
            if version is None:
                raise FileNotFoundError(errno.ENOENT, "no store here (run `policygraph build` first)")
            fd = _hold(version)
            if not is_store(version):  # removed by a writer between finding and locking it
                raise FileNotFoundError(errno.ENOENT, "the store's version was replaced")
            return Snapshot(ox.Store.read_only(str(version)), version, fd)
        except OSError as exc:
            if fd is not None:
                os.close(fd)
            if time.monotonic() >= deadline or (version is None and not _writer_active(Path(store_dir))):
                reason = exc.strerror if isinstance(exc, FileNotFoundError) and exc.strerror else exc
                raise InputError(str(store_dir), f"cannot open the store: {reason}") from exc
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def _writer_active(store_dir: Path) -> bool:
    """Whether a writer holds the store's lock (a reader finding no store then waits for it to publish one)."""
    try:
        fd = os.open(f"{str(store_dir).rstrip('/')}.lock", os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


_PINNED: list[Snapshot] = []


def open_store(store_dir: str | Path, read_only: bool = True):
    """The pyoxigraph store of the current version, read-only, kept from removal for the life of the process.

    For long-lived readers that open a store once (the server's workers);
    others use :func:`open_snapshot` and close it.
    """
    if not read_only:
        raise ValueError("stores are changed through policygraph.store.writing, never opened for writing in place")
    snapshot = open_snapshot(store_dir)
    _PINNED.append(snapshot)
    return snapshot.store


def _clone(version: Path, staging: Path) -> None:
    """A copy of a closed store version that shares its immutable files (hard links), for a writer to change."""
    staging.mkdir(parents=True)
    for entry in sorted(os.scandir(version), key=lambda e: e.name):
        name = entry.name
        if name in ("LOCK", READERS_LOCK, _STAGED_FROM) or name.startswith("LOG") or not entry.is_file():
            continue
        if name.endswith(_IMMUTABLE):
            try:
                os.link(entry.path, staging / name)
                continue
            except OSError:  # a file system without hard links: copy
                pass
        shutil.copy2(entry.path, staging / name)
    (staging / _STAGED_FROM).write_text(version.name, "utf-8")


def _resumable(staging: Path, current: Path | None) -> bool:
    """Whether a staging folder left by an interrupted update is a copy of the current version (its changes whole)."""
    try:
        return current is not None and is_store(staging) and (staging / _STAGED_FROM).read_text("utf-8") == current.name
    except OSError:
        return False


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(store_dir: Path, staging: Path) -> None:
    """Make the staged store the current version: rename it to ``store.vN`` and point the ``store`` symlink at it."""
    numbers = set(_versions(store_dir))
    number = max(numbers, default=0) + 1
    legacy = store_dir.exists() and not store_dir.is_symlink()
    if legacy:  # a store written before versions, or an empty folder: it becomes a version of its own
        number += 1
    version = version_path(store_dir, number)
    os.rename(staging, version)
    link = store_dir.parent / f".{store_dir.name}.link-{os.getpid()}"
    for stale in store_dir.parent.glob(f".{store_dir.name}.link-*"):
        stale.unlink()
    os.symlink(version.name, link)
    if legacy:
        if is_store(store_dir):
            os.rename(store_dir, version_path(store_dir, number - 1))
        else:  # an empty folder, or a damaged store of ours being rebuilt (check_store_folder refused the rest)
            shutil.rmtree(store_dir)
    os.replace(link, store_dir)
    _fsync_dir(store_dir.parent)


def _prune(store_dir: Path) -> list[Path]:
    """Remove the versions no longer current that no reader has open; the others wait for a later write."""
    current = current_version(store_dir)
    removed = []
    for number, version in sorted(_versions(store_dir).items()):
        if current is not None and version.resolve() == current.resolve():
            continue
        try:
            fd = os.open(version / READERS_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        try:
            shutil.rmtree(version, ignore_errors=True)
            removed.append(version)
        finally:
            os.close(fd)
    return removed


def folder_size(folder: Path, own_only: bool = False) -> int:
    """Bytes of the files in ``folder``; ``own_only`` leaves out those shared with another version (hard links)."""
    total = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if entry.is_file(follow_symlinks=False) and not (own_only and st.st_nlink > 1):
            total += st.st_size
    return total


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def require_space(folder: Path, needed: int, what: str) -> None:
    """Refuse to start work that needs ``needed`` bytes in ``folder`` when its file system has fewer free."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free < needed:
        raise DiskFullError(f"{folder}: not enough free space for {what}: it needs about {megabytes(needed)}, "
                            f"{megabytes(free)} are free; free some space or write to another folder with -o")


@contextmanager
def writing(store_dir: str | Path, *, rebuild: bool = False) -> Iterator[Path]:
    """Change a store without disturbing its readers: yields the folder to write the next version in.

    That folder (``store.building``) is a copy of the current version, or
    absent before a first build. Leaving the block without an error
    publishes it as the current version and removes the old versions no
    reader has open; an error removes it, leaving the store as it was. An
    update killed part-way leaves its copy, each document in it whole: the
    next write resumes from it when the store has not changed since. Hold
    the :class:`StoreLock` around it. A full disk removes the folder and
    raises :class:`DiskFullError` saying how much had been written.

    Only a store of ours is ever changed or replaced (:func:`check_store_folder`
    refuses anything else); with ``rebuild`` the folder starts empty, so the
    writer builds a new store in place of the current one.
    """
    store_dir = Path(store_dir)
    staging = staging_path(store_dir)
    update = check_store_folder(store_dir, rebuild=rebuild)
    current = current_version(store_dir) if update else None
    if not update or not _resumable(staging, current):
        shutil.rmtree(staging, ignore_errors=True)
        if current is not None:
            _clone(current, staging)
    try:
        yield staging
        (staging / _STAGED_FROM).unlink(missing_ok=True)
        _write_marker(staging)
        _publish(store_dir, staging)
    except Exception as exc:
        written = folder_size(staging, own_only=True)
        _let_go(exc)
        shutil.rmtree(staging, ignore_errors=True)
        if is_disk_full(exc) and not isinstance(exc, DiskFullError):
            raise DiskFullError(_store_full(store_dir, staging, current, written)) from exc
        raise
    _prune(store_dir)


def _let_go(exc: BaseException) -> None:
    """Release what the failed writer's frames still hold (a store, an iterator over it), so it closes now.

    Why: an open store keeps writing its own files (its log, a flush) into
    the folder being removed, which then survives the removal; the frames of
    the traceback are what keep it open.
    """
    import gc
    import traceback

    traceback.clear_frames(exc.__traceback__)
    gc.collect()


def _store_full(store_dir: Path, staging: Path, current: Path | None, written: int) -> str:
    """The one-line message of a store write stopped by a full disk: what, how much it had written, what it needs."""
    free = shutil.disk_usage(store_dir.parent).free
    need = (f"an update needs about twice the store's size, {megabytes(2 * folder_size(current))}" if current
            else "a first build needs about 20 times the size of its input documents, plus the exports")
    return (f"{staging}: could not be written: no space left on device after {megabytes(written)} "
            f"(removed again; {megabytes(free)} free now). The store is unchanged; {need}. "
            "Free some space or build into another folder with -o")


#: How many shared descriptions can point one to the next: an agency, its town, district, city, province, nation.
_SHARED_DEPTH = 7
def statistics_update(graph: str, agencies: Iterable[str] | None = None) -> str:
    """SPARQL Update recomputing the task counts of some agencies (all when None) from the document graphs.

    The counts live in ``graph``: one ``pg:taskCount``, ``pg:leadTaskCount``
    and ``pg:supportTaskCount`` per agency named in some task. They let the
    top-agencies query read a few thousand numbers instead of aggregating
    every assignment of the corpus. A task is in one document graph only, so
    counting over all graphs counts each task once.
    """
    values = "" if agencies is None else "VALUES ?a { " + " ".join(f"<{a}>" for a in sorted(agencies)) + " }"
    counts = f"?a <{PG_NS}taskCount> ?n ; <{PG_NS}leadTaskCount> ?l ; <{PG_NS}supportTaskCount> ?s ."

    def count(predicate: str, name: str) -> str:
        return (f"SELECT ?a (COUNT(?t) AS ?{name}) WHERE {{ {values} GRAPH ?g {{ ?t <{PG_NS}{predicate}> ?a }} }} "
                "GROUP BY ?a")

    predicates = f"VALUES ?p {{ <{PG_NS}taskCount> <{PG_NS}leadTaskCount> <{PG_NS}supportTaskCount> }}"
    return (f"DELETE {{ GRAPH <{graph}> {{ ?a ?p ?v }} }} "
            f"WHERE {{ {values} {predicates} GRAPH <{graph}> {{ ?a ?p ?v }} }} ;\n"
            f"INSERT {{ GRAPH <{graph}> {{ {counts} }} }} WHERE {{\n"
            f"  {{ {count('responsibleAgency', 'n')} }}\n"
            f"  OPTIONAL {{ {count('leadAgency', 'l0')} }}\n"
            f"  OPTIONAL {{ {count('supportingAgency', 's0')} }}\n"
            f"  BIND(COALESCE(?l0, 0) AS ?l) BIND(COALESCE(?s0, 0) AS ?s)\n}}")


def network_counts(ntriples: str) -> NetworkCounts:
    """The agency network counts of one document graph's N-Triples."""
    counter = NetworkCounter()
    counter.add(_lines(ntriples))
    return counter.counts()


def _iris(iris: Iterable[str]) -> str:
    return " ".join(f"<{iri}>" for iri in sorted(iris))


#: A document graph, as opposed to the vocabulary or build graph: it names its source file.
_DOCUMENT_GRAPH = re.compile(f"<{re.escape(PG_NS)}sourceFile>")


def staging_path(store_dir: str | Path) -> Path:
    """Where a first build stages its store; what is left there after an interruption is discarded."""
    return Path(str(store_dir).rstrip("/") + ".building")


class StoreLock:
    """An exclusive lock file beside a store, held while a build or a removal writes to it."""

    def __init__(self, store_dir: str | Path, timeout: float = 60.0):
        self.path = Path(str(store_dir).rstrip("/") + ".lock")
        self.timeout = timeout
        self._fd: int | None = None

    def __enter__(self) -> "StoreLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "another process"
                    os.close(fd)
                    raise StoreBusy(f"{self.path.parent / self.path.stem}: another build (pid {holder}) is writing to "
                                    f"this store; waited {self.timeout:g} s. Try again when it has finished, or pass "
                                    "--wait SECONDS to wait longer.") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class GraphStore:
    """An Oxigraph store of per-document named graphs: a staging folder to write, or, ``read_only``, a published version.

    Write inside :class:`StoreLock` and :func:`writing`;
    :func:`policygraph.pipeline.build_corpus` does both.
    """

    def __init__(self, store_dir: str | Path, statistics_graph: str | None = None, recount_agencies: bool = True,
                 read_only: bool = False, shared_graph: str | None = None):
        import pyoxigraph as ox

        self.path = Path(store_dir)
        self.statistics_graph = statistics_graph
        #: The shared graph of the base the statistics graph was minted with, that of the default base without one.
        self.shared_graph = shared_graph or str(shared_graph_iri(base_of_graph(statistics_graph)) if statistics_graph
                                                else shared_graph_iri())
        self.recount_agencies = recount_agencies
        self._snapshot = open_snapshot(self.path) if read_only else None
        if self._snapshot is not None:
            self._store = self._snapshot.store
            return
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            self._store = ox.Store(str(self.path))
        except OSError as exc:
            if is_disk_full(exc):
                raise
            raise StoreBusy(f"{self.path}: cannot open the store for writing: {exc}") from exc

    def close(self) -> None:
        try:
            if self._snapshot is None:
                self._store.flush()
        finally:  # even when flushing fails (a full disk): the files are let go, and their space with them
            del self._store
            if self._snapshot is not None:
                self._snapshot.close()

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def records(self) -> dict[str, DocumentRecord]:
        """Every read document in the store, by source path (by file name for a graph of an older build).

        Read from index scans rather than a SPARQL join over every graph,
        which takes seconds on a store of 10,000 documents.
        """
        import pyoxigraph as ox

        def by_graph(predicate: str) -> dict[tuple[str, str], str]:
            return {(q.graph_name.value, q.subject.value): q.object.value
                    for q in self._store.quads_for_pattern(None, ox.NamedNode(PG_NS + predicate), None, None)
                    if isinstance(q.graph_name, ox.NamedNode)}

        hashes, paths, numbers = by_graph("contentHash"), by_graph("sourcePath"), by_graph("documentNumber")
        records = (DocumentRecord(file, key[0], hashes[key], paths.get(key, ""), numbers.get(key), key in paths)
                   for key, file in by_graph("sourceFile").items() if key in hashes)
        return {r.source_path: r for r in sorted(records, key=lambda r: (r.has_path, r.graph))}

    def value(self, graph: str, predicate: str) -> str | None:
        """One literal value stored in ``graph`` (the build fingerprint, for instance)."""
        rows = list(self._store.query(f"SELECT ?v WHERE {{ GRAPH <{graph}> {{ ?s <{predicate}> ?v }} }} LIMIT 1"))
        return rows[0]["v"].value if rows else None

    def replace(self, graph: str, ntriples: str) -> None:
        """Replace one named graph that shares nothing (the vocabulary, the build graph) by the given N-Triples."""
        self._store.update(f"{self._withdraw(graph)} ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}} }}")

    def replace_document(self, graph: str, nquads: bytes) -> None:
        """Replace one document by its N-Quads (:func:`graph_nquads`), in one transaction.

        Its own triples replace its named graph; what it describes of shared
        resources joins the shared graph; shared descriptions and names that
        no document needs any more (:meth:`_unshare`) go, and the statistics
        follow.
        """
        parts = split_nquads(nquads)
        ntriples, shared = parts.get(graph, ""), parts.get(self.shared_graph, "")
        agencies = self._agencies_in(graph) | responsible_agencies(_lines(ntriples))
        affected = self._shared_used_by(graph) | {line.split(" ", 1)[0][1:-1] for line in _lines(shared)}
        counts = network_counts(ntriples)
        statistics = ""
        if self.statistics_graph and _DOCUMENT_GRAPH.search(ntriples):
            named = graph_agencies_ntriples(graph, counts)
            statistics = (f" ;\nINSERT DATA {{ GRAPH <{self.statistics_graph}> {{ {document_statistics(graph, ntriples)}"
                          f"{named} }} }}")
        network = self._network_update(graph, counts)
        self._store.update(f"{self._withdraw(graph)} ;\n"
                           f"INSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}} GRAPH <{self.shared_graph}> {{\n{shared}\n}} }}"
                           + statistics + network + self._unshare(affected) + self._refresh(agencies))

    def replace_long_document(self, graph: str, spooled: str | Path, nquads: bytes, agencies: Iterable[str],
                              network: NetworkCounts | None = None) -> None:
        """Replace one document whose own graph is too long to hold: bulk-loaded from the file ``spooled``.

        ``nquads`` hold the rest (:func:`graph_nquads`): what it describes in
        the shared graph, its statistics, and the line of its own graph that
        makes it a record (its ``pg:contentHash``); ``agencies`` are those its
        graph names as responsible, ``network`` its agency network counts
        (:class:`policygraph.networkcounts.NetworkCounter` of its lines). Three steps, not one transaction: the old
        graph goes; the file is loaded in runs of bounded size
        (:func:`load_part_bytes`), so memory does not grow with the document;
        then the rest, in one transaction. Until that last step the document
        has no content hash, so a build stopped in between is no record of
        it and the next build reads it again.
        """
        parts = split_nquads(nquads)
        ntriples, shared = parts.get(graph, ""), parts.get(self.shared_graph, "")
        agencies = self._agencies_in(graph) | set(agencies)
        affected = self._shared_used_by(graph) | {line.split(" ", 1)[0][1:-1] for line in _lines(shared)}
        sums = self._network_update(graph, network or NetworkCounts())  # from the old graph, before it goes
        self._store.update(self._withdraw(graph))
        bulk_load_in_runs(self._store, spooled)
        statistics = ""
        if self.statistics_graph and self.statistics_graph in parts:
            statistics = f" GRAPH <{self.statistics_graph}> {{\n{parts[self.statistics_graph]}\n}}"
        self._store.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}} GRAPH <{self.shared_graph}> {{\n{shared}\n}}"
                           f"{statistics} }}" + sums + self._unshare(affected) + self._refresh(agencies))

    def compact(self) -> None:
        """Merge the store's files into as few as the engine keeps (Oxigraph's ``optimize``).

        Measured on 1,000 generated documents: 8.6 s; the first pages of the
        fifteen named queries then took 3.6–4.2 s together instead of
        5.1–5.6 s, and the store grew from 473 to 781 MB, as the merged
        files are compressed less than the bulk loader's. So it is asked
        for (``build --compact``), never done unasked.
        """
        self._store.optimize()

    def remove(self, graph: str) -> None:
        """Remove one named graph, and the shared descriptions and names only it needed, in one transaction."""
        network = self._network_update(graph, NetworkCounts())
        self._store.update(self._withdraw(graph) + network + self._unshare(self._shared_used_by(graph))
                           + self._refresh(self._agencies_in(graph)))

    def drop_default_graph(self) -> None:
        """Empty the default graph, where stores of earlier versions kept a copy of every graph as their union."""
        self._store.update("DROP SILENT DEFAULT")

    def refresh_statistics(self) -> None:
        """Recount every agency and the agency network into the statistics graph (after a rebuild by a new pipeline)."""
        totals = NetworkCounts()
        for record in self.records().values():
            totals.add(network_counts(self.graph_ntriples(record.graph).decode("utf-8")))
        self._store.update(statistics_update(self.statistics_graph) + " ;\n" + self._network_cleared()
                           + f" ;\nINSERT DATA {{ GRAPH <{self.statistics_graph}> {{\n"
                           f"{totals_ntriples(self.statistics_graph, totals)}\n}} }}")

    def _network_cleared(self) -> str:
        """SPARQL Update removing every network count from the statistics graph."""
        stats, props = f"<{self.statistics_graph}>", " ".join(f"<{PG_NS}{p}>" for p in (FIRST_TASK, *AGENCY_COUNTS))
        return (f"DELETE {{ GRAPH {stats} {{ ?s ?p ?o }} }} WHERE {{ VALUES ?p {{ {props} }} GRAPH {stats} {{ ?s ?p ?o }} }} ;\n"
                f"DELETE {{ GRAPH {stats} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {stats} {{ ?s <{PG_NS}firstAgency> ?a ; ?p ?o }} }}")

    def _network_update(self, graph: str, new: NetworkCounts) -> str:
        """SPARQL Update changing the network sums from what ``graph`` holds now to the counts ``new``.

        The sums of the agencies and pairs either version names are read,
        the old contribution taken off and the new one added; an agency whose
        first task was in the old version gets its first task from the other
        documents again. Empty when the store keeps no agency counts.
        """
        if not (self.statistics_graph and self.recount_agencies):
            return ""
        old = network_counts(self.graph_ntriples(graph).decode("utf-8"))
        agencies = old.named() | new.named()
        if not agencies:
            return ""
        pairs = {kind: set(getattr(old, kind)) | set(getattr(new, kind)) for kind in PAIR_COUNTS}
        totals = self._network_totals(agencies, pairs)
        for counted in ("agencies", "shared", "led"):
            getattr(totals, counted).subtract(getattr(old, counted))
            getattr(totals, counted).update(getattr(new, counted))
        lost = {a for a in agencies if a in old.first and totals.first.get(a) == old.first[a]}
        lost_pairs = {p for p in pairs["shared"] if p in old.shared_first and totals.shared_first.get(p) == old.shared_first[p]}
        for agency in lost:
            del totals.first[agency]
        for pair in lost_pairs:
            del totals.shared_first[pair]
        totals.add(NetworkCounts(first=self._first_tasks(lost, graph), shared_first=self._first_shared(lost_pairs, graph)))
        totals.add(NetworkCounts(first=new.first, shared_first=new.shared_first))
        nodes = sorted(pair_iri(self.statistics_graph, kind, a, b) for kind in PAIR_COUNTS for a, b in pairs[kind])
        stats, props = f"<{self.statistics_graph}>", " ".join(f"<{PG_NS}{p}>" for p in (FIRST_TASK, *AGENCY_COUNTS))
        return (f" ;\nDELETE {{ GRAPH {stats} {{ ?s ?p ?o }} }} WHERE {{ VALUES ?s {{ {_iris(agencies)} }} "
                f"VALUES ?p {{ {props} }} GRAPH {stats} {{ ?s ?p ?o }} }}"
                f" ;\nDELETE {{ GRAPH {stats} {{ ?s ?p ?o }} }} WHERE {{ VALUES ?s {{ {_iris(nodes)} }} GRAPH {stats} {{ ?s ?p ?o }} }}"
                f" ;\nINSERT DATA {{ GRAPH {stats} {{\n{totals_ntriples(self.statistics_graph, totals, agencies, pairs)}\n}} }}")

    def _network_totals(self, agencies: set[str], pairs: dict[str, set[tuple[str, str]]]) -> NetworkCounts:
        """The network sums the store holds now for some agencies and pairs (with each agency's pg:taskCount)."""
        import pyoxigraph as ox

        totals = NetworkCounts()
        stats = ox.NamedNode(self.statistics_graph)
        for agency in agencies:
            for q in self._store.quads_for_pattern(ox.NamedNode(agency), None, None, stats):
                prop = q.predicate.value[len(PG_NS):]
                if prop == FIRST_TASK:
                    totals.first[agency] = q.object.value
                elif prop in AGENCY_COUNTS or prop == "taskCount":
                    totals.agencies[(agency, prop)] = int(q.object.value)
        for kind, prop in PAIR_COUNTS.items():
            for a, b in pairs[kind]:
                for q in self._store.quads_for_pattern(ox.NamedNode(pair_iri(self.statistics_graph, kind, a, b)),
                                                       None, None, stats):
                    if q.predicate.value == PG_NS + prop:
                        getattr(totals, kind)[(a, b)] = int(q.object.value)
                    elif q.predicate.value == PG_NS + FIRST_SHARED:
                        totals.shared_first[(a, b)] = q.object.value
        return totals

    def _first_tasks(self, agencies: set[str], graph: str) -> dict[str, str]:
        """The smallest task IRI naming each of ``agencies`` in the documents other than ``graph``."""
        if not agencies:
            return {}
        rows = self._store.query(f"SELECT ?a (MIN(STR(?t)) AS ?first) WHERE {{ VALUES ?a {{ {_iris(agencies)} }} "
                                 f"GRAPH ?g {{ ?t {RESPONSIBLE_AGENCY} ?a }} FILTER(?g != <{graph}>) }} GROUP BY ?a")
        return {r["a"].value: r["first"].value for r in rows if r["first"] is not None}

    def _first_shared(self, pairs: set[tuple[str, str]], graph: str) -> dict[tuple[str, str], str]:
        """The smallest task IRI naming both agencies of each pair in the documents other than ``graph``."""
        if not pairs:
            return {}
        values = " ".join(f"(<{a}> <{b}>)" for a, b in sorted(pairs))
        rows = self._store.query(f"SELECT ?a ?b (MIN(STR(?t)) AS ?first) WHERE {{ VALUES (?a ?b) {{ {values} }} "
                                 f"GRAPH ?g {{ ?t {RESPONSIBLE_AGENCY} ?a, ?b }} FILTER(?g != <{graph}>) }} GROUP BY ?a ?b")
        return {(r["a"].value, r["b"].value): r["first"].value for r in rows if r["first"] is not None}

    def document_totals(self) -> dict[str, int] | None:
        """Sums of the per-document counts, or None when some document graph has none (a store of an older build).

        One single-pattern aggregate per count: Oxigraph joins the seven
        counts of 10,000 documents far more slowly than it sums each alone.
        """
        import pyoxigraph as ox

        documents = sum(1 for q in self._store.quads_for_pattern(None, ox.NamedNode(PG_NS + "sourceFile"), None, None)
                        if isinstance(q.graph_name, ox.NamedNode))
        totals = {"documents": documents}
        for key, (prop, _) in DOCUMENT_COUNTS.items():
            row, = self._store.query(f"SELECT (COUNT(?n) AS ?graphs) (SUM(?n) AS ?sum) "
                                     f"WHERE {{ GRAPH <{self.statistics_graph}> {{ ?g <{PG_NS}{prop}> ?n }} }}")
            if int(row["graphs"].value) != documents:
                return None
            totals[key] = int(row["sum"].value) if row["sum"] is not None else 0
        return totals

    def _agencies_in(self, graph: str) -> set[str]:
        if not (self.statistics_graph and self.recount_agencies):
            return set()
        rows = self._store.query(f"SELECT DISTINCT ?a WHERE {{ GRAPH <{graph}> {{ ?t {RESPONSIBLE_AGENCY} ?a }} }}")
        return {r["a"].value for r in rows}

    def _refresh(self, agencies: set[str]) -> str:
        if not (self.statistics_graph and self.recount_agencies and agencies):
            return ""
        return " ;\n" + statistics_update(self.statistics_graph, agencies)

    def _shared_used_by(self, graph: str) -> set[str]:
        """The shared resources a named graph points to, and those their descriptions point to, transitively."""
        import pyoxigraph as ox

        shared = ox.NamedNode(self.shared_graph)
        rows = self._store.query(f"SELECT DISTINCT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o FILTER(isIRI(?o)) }} "
                                 f"GRAPH <{self.shared_graph}> {{ ?o ?q ?v }} }}")
        found, todo = set(), [r["o"].value for r in rows]
        while todo:
            iri = todo.pop()
            if iri in found:
                continue
            found.add(iri)
            todo += [q.object.value for q in self._store.quads_for_pattern(ox.NamedNode(iri), None, None, shared)
                     if isinstance(q.object, ox.NamedNode)]
        return found

    def _unshare(self, affected: set[str]) -> str:
        """SPARQL Update keeping the shared graph what the remaining documents describe, for ``affected`` resources.

        A name (an agency's skos:altLabel, a cited policy's dcterms:title, a
        park's, fund's or program's rdfs:label) stays while some document
        records writing it — an assignment's pg:surface, a pg:NameMention; a
        description stays while some graph points to it. Descriptions point
        to others (an agency to its jurisdiction, a town to its district), so
        the second step repeats, once per level such a chain can have.
        """
        if not affected:
            return ""
        values = "VALUES ?s { " + " ".join(f"<{iri}>" for iri in sorted(affected)) + " }"
        shared, rdfs, pg = f"<{self.shared_graph}>", "http://www.w3.org/2000/01/rdf-schema#", PG_NS
        names = (f" ;\nDELETE {{ GRAPH {shared} {{ ?s ?p ?v }} }} WHERE {{ {values} "
                 f"VALUES ?p {{ <http://www.w3.org/2004/02/skos/core#altLabel> <http://purl.org/dc/terms/title> }} "
                 f"GRAPH {shared} {{ ?s ?p ?v }} "
                 f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?x <{pg}agent>|<{pg}names> ?s ; <{pg}surface> ?v }} }} }}"
                 f" ;\nDELETE {{ GRAPH {shared} {{ ?s <{rdfs}label> ?v }} }} WHERE {{ {values} "
                 f"VALUES ?c {{ <{pg}Park> <{pg}Fund> <{pg}Program> }} "
                 f"GRAPH {shared} {{ ?s a ?c ; <{rdfs}label> ?v }} BIND(STR(?v) AS ?w) "
                 f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?x <{pg}names> ?s ; <{pg}surface> ?w }} }} }}")
        unused = (f" ;\nDELETE {{ GRAPH {shared} {{ ?s ?p ?o }} }} WHERE {{ {values} GRAPH {shared} {{ ?s ?p ?o }} "
                  f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?x ?q ?s }} FILTER(?x != ?s) }} }}")
        return names + unused * _SHARED_DEPTH

    def _withdraw(self, graph: str) -> str:
        """SPARQL Update that takes a named graph, and its counts, out of the store."""
        counts = ""
        if self.statistics_graph:
            counts = (f" ;\nDELETE {{ GRAPH <{self.statistics_graph}> {{ <{graph}> ?p ?v }} }} "
                      f"WHERE {{ GRAPH <{self.statistics_graph}> {{ <{graph}> ?p ?v }} }}")
        return f"DROP SILENT GRAPH <{graph}>" + counts

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    def graph_ntriples(self, graph: str) -> bytes:
        """One named graph as N-Triples, lines sorted (deterministic bytes)."""
        import pyoxigraph as ox

        data = self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        return b"".join(sorted(data.splitlines(keepends=True)))

    def count(self, query: str) -> int:
        """The single integer a ``SELECT (COUNT(…) AS ?n)`` query returns, over the union of the graphs."""
        rows = list(self._store.query(query, **union_options(query)))
        return int(rows[0]["n"].value) if rows else 0

    def dataset(self) -> Dataset:
        """The store's named graphs copied into an in-memory rdflib dataset, whose default graph is their union."""
        import io

        ds = Dataset(default_union=True)
        bind_prefixes(ds)
        data = io.BytesIO()
        self.write(data, "nquads")
        ds.parse(data=data.getvalue().decode("utf-8"), format="nquads")
        return ds

    def write(self, output: BinaryIO, fmt: str) -> None:
        """Write the store to ``output``: ``trig`` and ``nquads`` keep the named graphs (in IRI order), ``turtle`` and ``nt`` merge them.

        Oxigraph serialises the quads as it reads them, so memory stays flat
        whatever the store's size; a copy in rdflib takes gigabytes and minutes
        per thousand documents. No triple is in two graphs, so the merge is the
        graphs one after the other, each triple once. Quads come in index
        order, the same for the same content, so the same store gives the same bytes.
        """
        import pyoxigraph as ox

        named = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
        merged = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
        if fmt not in named and fmt not in merged:
            raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join([*named, *merged])}")
        graphs = sorted((g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)
        if fmt in merged:
            graphs = [ox.DefaultGraph(), *graphs]
        quads = (q for g in graphs for q in _with_canonical_blank_nodes(self._store.quads_for_pattern(None, None, None, g)))
        items = (_decimal_as_written(q) if fmt in named else _decimal_as_written(q).triple for q in quads)
        ox.serialize(items, output, format=named.get(fmt) or merged[fmt], prefixes={**_EXPORT_PREFIXES, **PREFIXES})
