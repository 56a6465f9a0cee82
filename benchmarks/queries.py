"""First-page latency of every named query on a built store.

Usage::

    python benchmarks/queries.py STORE_DIR [--limit 100] [--query NAME ...] [--all]

For each named query (parameters: agency 省科技厅, type 科技, metric 孵化器, year 2020)
it prints the seconds to the first page of ``--limit`` rows as ``policygraph query``
shows it (the store opened once, as the command does), and with ``--all`` the
seconds to read every row.
"""
from __future__ import annotations

import argparse
import sys
import time

__all__ = ["PARAMS", "first_page", "main"]

#: The value each query parameter gets in the measurements.
PARAMS = {"agency": "省科技厅", "type": "科技", "metric": "孵化器", "year": "2020"}


def first_page(graph, name: str, limit: int | None) -> tuple[float, int]:
    """Seconds to the first page (``limit`` None: every row) and the rows it held."""
    from policygraph.query import query_pages, resolve_query

    named = resolve_query(name)
    params = {k: v for k, v in PARAMS.items() if k in named.params}
    start = time.perf_counter()
    rows = 0
    for page in query_pages(graph, named, params, limit=limit, page_rows=limit or 1000):
        rows += len(page.rows)
        if limit is not None:
            break
    return time.perf_counter() - start, rows


def main(argv=None) -> int:
    from policygraph.query import list_queries
    from policygraph.store import load_graph_file

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--query", action="append")
    parser.add_argument("--all", action="store_true", help="also time reading every row")
    args = parser.parse_args(argv)
    graph = load_graph_file(args.store)
    for name in args.query or [q.name for q in list_queries()]:
        seconds, rows = first_page(graph, name, args.limit)
        line = f"{name}\t{seconds:.3f}\t{rows}"
        if args.all:
            seconds, rows = first_page(graph, name, None)
            line += f"\t{seconds:.3f}\t{rows}"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
