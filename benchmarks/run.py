"""Benchmarks at several corpus sizes: build, incremental rebuild, removal, named queries, rank, viz, and the
rdflib-in-memory + networkx baseline. Writes a Markdown results table (and the raw numbers as JSON).

    python benchmarks/run.py --sizes 10 100 1000 --repeat 3 --out benchmarks/RESULTS.md

Each build runs in a fresh process (``python -m policygraph build``) so that its peak RSS is its own; the
figures are medians over ``--repeat`` runs. Documents come from benchmarks/generate.py (seeded).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def run(args: list[str], **kw) -> tuple[float, int]:
    """Run a command in a fresh process: (seconds, peak RSS of that process tree in MiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) // 1024


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def store_triples(out: Path) -> int:
    import pyoxigraph as ox

    return len(ox.Store.read_only(str(out / "store")))


def baseline_build(corpus: Path) -> tuple[float, object]:
    """What a user would write by hand: rdflib in-memory graph of every document, then networkx."""
    from rdflib import Dataset

    from policygraph.build import document_graph, document_graph_iri
    from policygraph.extract import extract
    from policygraph.lexicon import load_lexicon
    from policygraph.load import load_document

    lexicon = load_lexicon()
    started = time.perf_counter()
    ds = Dataset(default_union=True)
    for path in sorted(corpus.glob("*.txt")):
        x = extract(load_document(path), lexicon)
        document_graph(x, lexicon=lexicon, graph=ds.graph(document_graph_iri(path.name)))
    return time.perf_counter() - started, ds


def bench_size(n: int, repeat: int, work: Path, baseline: bool, baseline_queries: bool = True) -> dict:
    from policygraph.analyse import rank
    from policygraph.query import list_queries, run_query
    from policygraph.store import load_graph_file

    corpus = work / f"corpus{n}"
    if not corpus.exists():
        subprocess.run([PY, str(ROOT / "benchmarks" / "generate.py"), str(n), str(corpus), "--seed", "1",
                        "--gold-dir", str(work / f"gold{n}")], check=True, capture_output=True)
    row: dict = {"documents": n}
    builds = []
    for _ in range(repeat):
        out = work / f"out{n}"
        shutil.rmtree(out, ignore_errors=True)
        builds.append(run([PY, "-m", "policygraph", "build", str(corpus), "-o", str(out), "--no-export"]))
    row["build_s"] = statistics.median(s for s, _ in builds)
    row["build_peak_rss_mib"] = max(m for _, m in builds)
    row["triples"] = store_triples(work / f"out{n}")
    row["docs_per_s"] = n / row["build_s"]
    row["triples_per_s"] = row["triples"] / row["build_s"]
    out = work / f"out{n}"
    victim = sorted(corpus.glob("*.txt"))[n // 2]
    original = victim.read_bytes()
    rebuilds = []
    for i in range(repeat):
        victim.write_bytes(original + f"\n（{i}）补充说明。\n".encode("utf-8"))
        rebuilds.append(run([PY, "-m", "policygraph", "build", str(corpus), "-o", str(out), "--no-export"])[0])
    victim.write_bytes(original)
    row["rebuild_one_s"] = statistics.median(rebuilds)
    row["remove_one_s"] = run([PY, "-m", "policygraph", "remove", victim.name, "-o", str(out)])[0]
    run([PY, "-m", "policygraph", "build", str(corpus), "-o", str(out), "--no-export"])
    graph = load_graph_file(out)
    params = {"agency-tasks": {"agency": "省科技厅"}, "co-agencies": {"agency": "省科技厅"},
              "agency-type-compare": {"type": "ScienceTechnology"}, "targets-compare": {"metric": "众创空间"}}
    row["queries_s"] = {}
    for named in list_queries():
        row["queries_s"][named.name] = timed(lambda: run_query(graph, named, params.get(named.name, {})), repeat)
    row["rank_s"] = timed(lambda: rank(graph, top=20), 1)
    viz = run([PY, "-m", "policygraph", "viz", "-g", str(out), "--view", "agencies", "-o", str(work / "a.html")])
    row["viz_agencies_s"] = viz[0]
    if baseline:
        seconds, ds = baseline_build(corpus)
        row["baseline_build_s"] = seconds
        if baseline_queries:
            from policygraph.query import resolve_query

            top = resolve_query("agencies-by-tasks")
            row["baseline_top_query_s"] = timed(lambda: run_query(ds, top), 1)
            row["baseline_rank_s"] = timed(lambda: rank(ds, top=20), 1)
        del ds
    return row


def table(rows: list[dict], machine: str) -> str:
    lines = [
        "# Benchmark results", "",
        f"Machine: {machine}", "",
        "Generated corpus (benchmarks/generate.py, seed 1); medians of the runs; every build in a fresh process "
        "with all cores (`--jobs` default) and `--no-export`.", "",
        "| documents | triples | build s | docs/s | triples/s | peak RSS MiB | rebuild 1 doc s | remove 1 doc s "
        "| agencies-by-tasks s | slowest named query | rank s | viz agencies s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        slowest = max(r["queries_s"].items(), key=lambda kv: kv[1])
        lines.append(f"| {r['documents']:,} | {r['triples']:,} | {r['build_s']:.1f} | {r['docs_per_s']:.1f} | "
                     f"{r['triples_per_s']:,.0f} | {r['build_peak_rss_mib']:,} | {r['rebuild_one_s']:.2f} | "
                     f"{r['remove_one_s']:.2f} | {r['queries_s']['agencies-by-tasks']:.3f} | "
                     f"{slowest[0]} {slowest[1]:.3f} | {r['rank_s']:.2f} | {r['viz_agencies_s']:.1f} |")
    base = [r for r in rows if "baseline_build_s" in r]
    if base:
        lines += ["", "## Against the baseline a user would write by hand (rdflib in-memory Dataset + networkx)", "",
                  "| documents | policygraph build s | rdflib build s | ratio | top query: store s / rdflib s "
                  "| rank: store s / rdflib s |", "|---|---|---|---|---|---|"]
        for r in base:
            top = (f"{r['queries_s']['agencies-by-tasks']:.3f} / {r['baseline_top_query_s']:.3f}"
                   if "baseline_top_query_s" in r else "not run")
            ranked = f"{r['rank_s']:.2f} / {r['baseline_rank_s']:.2f}" if "baseline_rank_s" in r else "not run"
            lines.append(f"| {r['documents']:,} | {r['build_s']:.1f} | {r['baseline_build_s']:.1f} | "
                         f"{r['baseline_build_s'] / r['build_s']:.1f}× | {top} | {ranked} |")
    lines += ["", "## Every named query (seconds)", "", "| query | " + " | ".join(f"{r['documents']:,} docs" for r in rows)
              + " |", "|---|" + "---|" * len(rows)]
    for name in rows[0]["queries_s"]:
        lines.append(f"| {name} | " + " | ".join(f"{r['queries_s'][name]:.3f}" if name in r["queries_s"] else "–"
                                                  for r in rows) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-max", type=int, default=1000, help="run the rdflib baseline build up to this size")
    parser.add_argument("--baseline-queries-max", type=int, default=100,
                        help="run the baseline's query and rank up to this size (rdflib's engine takes many minutes beyond)")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="pg-bench-"))
    import pyoxigraph
    import rdflib

    from policygraph import __version__

    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, policygraph "
               f"{__version__}, rdflib {rdflib.__version__}, pyoxigraph {pyoxigraph.__version__}")
    rows = []
    for n in args.sizes:
        rows.append(bench_size(n, args.repeat if n < 10_000 else 1, work, n <= args.baseline_max,
                               n <= args.baseline_queries_max))
        print(json.dumps(rows[-1]), flush=True)
        args.out.write_text(table(rows, machine), "utf-8")
        args.out.with_suffix(".json").write_text(json.dumps(rows, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
