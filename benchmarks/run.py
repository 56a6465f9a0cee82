"""Benchmarks at several corpus sizes, side by side with the storage engine's own limit and the rdflib baseline.

    python benchmarks/run.py --sizes 10 100 1000 --repeat 3 --out benchmarks/RESULTS.md
    python benchmarks/run.py --sizes 10 100 1000 --large      # and 10,000 documents (one run)

Per size (documents from benchmarks/generate.py, seeded): ``policygraph build --no-export`` in a fresh process
(its wall time and peak RSS); Oxigraph's own ``bulk_load`` of the same quads (the store's content dumped as
N-Quads, loaded into a new store in a fresh process: the engine's limit) and the ratio of the two, measured
alternately in the same run; the rdflib in-memory + networkx baseline up to ``--baseline-max`` (ratio); bytes
and quads per document; rebuild and removal of one document; the first page of every named query; rank; viz.
Then the real documents (``../shared/corpus/docs``, ``../shared/corpus/shanghai`` when present): build time,
documents per second and the same ratio. Figures are medians over ``--repeat`` runs; the raw numbers go to
the ``.json`` beside ``--out``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
#: Rows of a named query's first page: what an analyst sees before deciding whether to ask for more.
PAGE = 50
REAL = {"corpus/docs": ROOT.parent / "shared" / "corpus" / "docs",
        "corpus/shanghai": ROOT.parent / "shared" / "corpus" / "shanghai"}
#: What follows this line in the results file is kept when the tables above it are written again.
KEEP = "<!-- the tables above are written by benchmarks/run.py; what follows is kept -->\n"
_LOADER = """
import shutil, sys, pyoxigraph as ox
shutil.rmtree(sys.argv[2], ignore_errors=True)
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
store.flush()
"""


def run(args: list[str], **kw) -> tuple[float, int]:
    """Run a command in a fresh process: (seconds, peak RSS of its largest process in MiB)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=errors, **kw)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(args)} failed: {errors.read().decode('utf-8', 'replace')[-2000:]}")
    return seconds, usage.ru_maxrss // 1024


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def build(corpus: Path, out: Path) -> tuple[float, int]:
    shutil.rmtree(out, ignore_errors=True)
    return run([PY, "-m", "policygraph", "build", str(corpus), "-g", str(out), "--no-export"])


def dump_quads(out: Path, path: Path) -> tuple[int, int]:
    """Every quad of the store (named graphs and default graph alike) as one N-Quads file: (quads, bytes)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(out / "store"))
    store.dump(path, format=ox.RdfFormat.N_QUADS)
    quads = len(store)
    del store
    return quads, path.stat().st_size


def engine_load(quads: Path, target: Path) -> tuple[float, int]:
    """Oxigraph's own bulk_load of ``quads`` into a new store, in a fresh process: (seconds, peak RSS MiB)."""
    try:
        return run([PY, "-c", _LOADER, str(quads), str(target)])
    finally:
        shutil.rmtree(target, ignore_errors=True)


def store_bytes(out: Path) -> int:
    from policygraph.store import current_version, folder_size

    return folder_size(current_version(out / "store"))


def build_and_limit(corpus: Path, out: Path, work: Path, repeat: int) -> dict:
    """Build ``corpus`` and bulk-load the same quads, alternately ``repeat`` times: the figures and their ratio."""
    builds, loads, row = [], [], {}
    quads_file = work / "quads.nq"
    for i in range(repeat):
        builds.append(build(corpus, out))
        if i == 0:
            row["quads"], row["nquads_bytes"] = dump_quads(out, quads_file)
        loads.append(engine_load(quads_file, work / "engine-store"))
    quads_file.unlink()
    row["build_s"] = statistics.median(s for s, _ in builds)
    row["build_peak_rss_mib"] = max(m for _, m in builds)
    row["engine_load_s"] = statistics.median(s for s, _ in loads)
    row["engine_load_peak_rss_mib"] = max(m for _, m in loads)
    row["build_over_engine"] = row["build_s"] / row["engine_load_s"]
    row["store_bytes"] = store_bytes(out)
    return row


def baseline_build(corpus: Path) -> tuple[float, object]:
    """What a user would write by hand: rdflib in-memory graph of every document, then networkx."""
    from rdflib import Dataset

    from policygraph.build import document_graph
    from policygraph.iri import document_graph_iri
    from policygraph.pipeline import extract_document
    from policygraph.lexicon import load_lexicon
    from policygraph.load import load_document

    lexicon = load_lexicon()
    started = time.perf_counter()
    ds = Dataset(default_union=True)
    for path in sorted(corpus.glob("*.txt")):
        x = extract_document(load_document(path), lexicon)
        document_graph(x, lexicon=lexicon, graph=ds.graph(document_graph_iri(path.name)))
    return time.perf_counter() - started, ds


#: Parameters of the named queries that take one, chosen to have answers in the generated corpora.
PARAMS = {"agency-tasks": {"agency": "省科技厅"}, "co-agencies": {"agency": "省科技厅"},
          "agency-type-compare": {"type": "ScienceTechnology"}, "targets-compare": {"metric": "众创空间"}}


def first_page(graph, named, params: dict) -> float:
    """Seconds until the first :data:`PAGE` rows of a named query are in hand, read as ``policygraph query`` reads
    them (the store variant where the query has one, one page)."""
    from policygraph.query import query_pages

    started = time.perf_counter()
    rows = next(iter(query_pages(graph, named, params, limit=PAGE, page_rows=PAGE))).rows
    seconds = time.perf_counter() - started
    if not rows and named.name not in ("tasks-without-agency", "generic-bodies"):
        print(f"note: {named.name} gave no rows", file=sys.stderr)
    return seconds


def bench_size(n: int, repeat: int, work: Path, baseline: bool, baseline_queries: bool) -> dict:
    from policygraph.analyse import rank
    from policygraph.query import list_queries
    from policygraph.store import load_graph_file

    corpus = work / f"corpus{n}"
    if not corpus.exists():
        subprocess.run([PY, str(ROOT / "benchmarks" / "generate.py"), str(n), str(corpus), "--seed", "1",
                        "--gold-dir", str(work / f"gold{n}")], check=True, capture_output=True)
    out = work / f"out{n}"
    row: dict = {"documents": n, **build_and_limit(corpus, out, work, repeat)}
    row["docs_per_s"] = n / row["build_s"]
    row["quads_per_doc"] = row["quads"] / n
    row["bytes_per_doc"] = row["store_bytes"] / n
    victim = sorted(corpus.glob("*.txt"))[n // 2]
    original = victim.read_bytes()
    rebuilds = []
    for i in range(repeat):
        victim.write_bytes(original + f"\n（{i}）补充说明。\n".encode("utf-8"))
        rebuilds.append(run([PY, "-m", "policygraph", "build", str(corpus), "-g", str(out), "--no-export"])[0])
    victim.write_bytes(original)
    row["rebuild_one_s"] = statistics.median(rebuilds)
    row["remove_one_s"] = run([PY, "-m", "policygraph", "remove", victim.name, "-g", str(out), "--no-export"])[0]
    run([PY, "-m", "policygraph", "build", str(corpus), "-g", str(out), "--no-export"])
    graph = load_graph_file(out)
    row["first_page_s"] = {q.name: timed(lambda q=q: first_page(graph, q, PARAMS.get(q.name, {})), repeat)
                           for q in list_queries()}
    row["rank_s"] = timed(lambda: rank(graph, top=20), 1)
    del graph
    row["viz_agencies_s"] = run([PY, "-m", "policygraph", "viz", "-g", str(out), "--view", "agencies",
                                 "-o", str(work / "a.html")])[0]
    if baseline:
        seconds, ds = baseline_build(corpus)
        row["baseline_build_s"] = seconds
        row["baseline_over_build"] = seconds / row["build_s"]
        if baseline_queries:
            from policygraph.query import resolve_query, run_query

            row["baseline_top_query_s"] = timed(lambda: run_query(ds, resolve_query("agencies-by-tasks")), 1)
            row["baseline_rank_s"] = timed(lambda: rank(ds, top=20), 1)
        del ds
    shutil.rmtree(out, ignore_errors=True)
    return row


def bench_real(name: str, folder: Path, work: Path, repeat: int) -> dict:
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in (".txt", ".html", ".htm")]
    out = work / f"real-{name.replace('/', '-')}"
    row = {"corpus": name, "documents": len(files), **build_and_limit(folder, out, work, repeat)}
    row["docs_per_s"] = len(files) / row["build_s"]
    row["quads_per_doc"] = row["quads"] / len(files)
    row["bytes_per_doc"] = row["store_bytes"] / len(files)
    shutil.rmtree(out, ignore_errors=True)
    return row


def table(rows: list[dict], real: list[dict], machine: str, note: str) -> str:
    lines = [
        "# Benchmark results", "",
        f"Machine: {machine}.{(' ' + note) if note else ''}", "",
        "Generated corpus (benchmarks/generate.py, seed 1); medians of the runs; every build in a fresh process "
        "with all cores (`--jobs` default) and `--no-export`. \"engine load\" is Oxigraph's own `bulk_load` of the "
        "store's quads dumped as one N-Quads file, in a fresh process, measured alternately with the builds; "
        "\"build / engine\" is the ratio of the two (1.0 would be the engine's own speed, extraction included).", "",
        "| documents | quads | quads/doc | store bytes/doc | build s | engine load s | build / engine | docs/s "
        "| peak RSS MiB (engine) | rebuild 1 doc s | remove 1 doc s | slowest first page | rank s | viz agencies s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        slowest = max(r["first_page_s"].items(), key=lambda kv: kv[1])
        lines.append(f"| {r['documents']:,} | {r['quads']:,} | {r['quads_per_doc']:,.0f} | {r['bytes_per_doc']:,.0f} | "
                     f"{r['build_s']:.1f} | {r['engine_load_s']:.1f} | {r['build_over_engine']:.2f}× | "
                     f"{r['docs_per_s']:.1f} | {r['build_peak_rss_mib']:,} ({r['engine_load_peak_rss_mib']:,}) | "
                     f"{r['rebuild_one_s']:.2f} | {r['remove_one_s']:.2f} | {slowest[0]} {slowest[1]:.3f} | "
                     f"{r['rank_s']:.2f} | {r['viz_agencies_s']:.1f} |")
    if real:
        lines += ["", "## Real documents", "",
                  "| corpus | documents | quads/doc | store bytes/doc | build s | docs/s | engine load s | build / engine "
                  "| peak RSS MiB |", "|---|---|---|---|---|---|---|---|---|"]
        for r in real:
            lines.append(f"| {r['corpus']} | {r['documents']:,} | {r['quads_per_doc']:,.0f} | {r['bytes_per_doc']:,.0f} | "
                         f"{r['build_s']:.2f} | {r['docs_per_s']:.1f} | {r['engine_load_s']:.2f} | "
                         f"{r['build_over_engine']:.2f}× | {r['build_peak_rss_mib']:,} |")
    base = [r for r in rows if "baseline_build_s" in r]
    if base:
        lines += ["", "## Against the baseline a user would write by hand (rdflib in-memory Dataset + networkx)", "",
                  "| documents | policygraph build s | rdflib build s | rdflib / policygraph | top query: rdflib s "
                  "| rank: store s / rdflib s |", "|---|---|---|---|---|---|"]
        for r in base:
            top = f"{r['baseline_top_query_s']:.3f}" if "baseline_top_query_s" in r else "not run"
            ranked = f"{r['rank_s']:.2f} / {r['baseline_rank_s']:.2f}" if "baseline_rank_s" in r else "not run"
            lines.append(f"| {r['documents']:,} | {r['build_s']:.1f} | {r['baseline_build_s']:.1f} | "
                         f"{r['baseline_over_build']:.1f}× | {top} | {ranked} |")
    lines += ["", f"## First page ({PAGE} rows) of every named query, seconds", "",
              "| query | " + " | ".join(f"{r['documents']:,} docs" for r in rows) + " |", "|---|" + "---|" * len(rows)]
    for name in rows[0]["first_page_s"] if rows else ():
        lines.append(f"| {name} | " + " | ".join(f"{r['first_page_s'][name]:.3f}" if name in r["first_page_s"] else "–"
                                                  for r in rows) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--large", action="store_true", help="also 10,000 documents (one run)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-max", type=int, default=1000, help="run the rdflib baseline build up to this size")
    parser.add_argument("--baseline-queries-max", type=int, default=100,
                        help="run the baseline's query and rank up to this size (rdflib's engine takes many minutes beyond)")
    parser.add_argument("--no-real", action="store_true", help="skip the rows of real documents")
    parser.add_argument("--note", default="", help="a sentence on the conditions (other work running, say)")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="pg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    import pyoxigraph
    import rdflib

    from policygraph import __version__

    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, policygraph "
               f"{__version__}, rdflib {rdflib.__version__}, pyoxigraph {pyoxigraph.__version__}")
    rows, real = [], []

    def save() -> None:
        kept = args.out.read_text("utf-8").partition(KEEP)[2] if args.out.is_file() else ""
        args.out.write_text(table(rows, real, machine, args.note) + "\n" + KEEP + kept, "utf-8")
        args.out.with_suffix(".json").write_text(json.dumps({"machine": machine, "note": args.note, "sizes": rows,
                                                             "real": real}, indent=2, ensure_ascii=False), "utf-8")

    for name, folder in ({} if args.no_real else REAL).items():
        if folder.is_dir():
            real.append(bench_real(name, folder, work, args.repeat))
            print(json.dumps(real[-1], ensure_ascii=False), flush=True)
            save()
    for n in sorted(set(args.sizes) | ({10_000} if args.large else set())):
        rows.append(bench_size(n, args.repeat if n < 10_000 else 1, work, n <= args.baseline_max,
                               n <= args.baseline_queries_max))
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
