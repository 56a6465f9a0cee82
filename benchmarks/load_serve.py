"""Load test of `policygraph serve`: N concurrent clients for S seconds, then requests, errors and latency percentiles.

Usage::

    python benchmarks/load_serve.py --store policygraph-out/store          # starts a server on a free port
    python benchmarks/load_serve.py --url http://127.0.0.1:8737/            # against a running server

Each client is a thread with its own keep-alive HTTP connection that sends the named queries
(the query page's examples) round-robin, as a POSTed form, until the time is up; it stops by
itself. An error is any answer other than 200, a truncated answer, or a failed connection.

``--hostile N`` runs the light load twice in one run: alone, then beside N clients that send
hostile queries in a loop (a join that grows without bound, a query past the time limit, SERVICE
spelled to slip past a text filter, 5,000 levels of nesting, an answer of hundreds of megabytes
built with CONCAT). It reports the light clients' errors and p95 in both phases, the peak RSS of
the server with its workers, and whether ``/health`` is good afterwards.
"""
from __future__ import annotations

import argparse
import http.client
import json
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

__all__ = ["run_load", "start_server", "main"]


HOSTILE = [
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "PREFIX ex: <http://e/> SELECT ?x WHERE { BIND(ex:a\\# AS ?h) SERVICE <http://127.0.0.1:9/x> { ?x ?y ?z } }",
    "ASK { " + "{" * 5000 + "}" * 5000 + " }",
    "SELECT ?big WHERE { ?a ?b ?c . ?d ?e ?f BIND(CONCAT(STR(?c), STR(?f), STR(?a), STR(?d)) AS ?big) }",
]


def start_server(store: Path, workers: int | None, *options: str) -> tuple[subprocess.Popen, str]:
    """`python -m policygraph serve --port 0` in a subprocess; returns it and its base URL."""
    cmd = [sys.executable, "-m", "policygraph", "serve", "--graph", str(store), "--port", "0", *options]
    if workers:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    match = re.search(r"at (http://[\d.]+:\d+/)", line)
    if not match:
        proc.kill()
        raise SystemExit(f"server did not start: {line}")
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc, match.group(1)


def _examples(base: str) -> list[str]:
    with urllib.request.urlopen(base, timeout=30) as response:
        page = response.read().decode("utf-8")
    data = re.search(r'<script type="application/json" id="pg-data">(.*?)</script>', page, re.S).group(1)
    return [e["text"] for e in json.loads(data)["examples"]]


def _client(base: str, queries: list[str], offset: int, stop_at: float, out: list, lock: threading.Lock) -> None:
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    latencies, statuses, errors = [], {}, []
    i = offset
    while time.perf_counter() < stop_at:
        body = urllib.parse.urlencode({"query": queries[i % len(queries)]})
        i += 1
        started = time.perf_counter()
        try:
            conn.request("POST", "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                   "Accept": "application/sparql-results+json"})
            response = conn.getresponse()
            data = response.read()
            elapsed = time.perf_counter() - started
            statuses[response.status] = statuses.get(response.status, 0) + 1
            if response.status != 200 or response.getheader("X-Results-Truncated"):
                errors.append(f"{response.status}: {data[:120]!r}")
            else:
                json.loads(data)
            latencies.append(elapsed)
        except Exception as exc:  # a failed connection counts as an error, then reconnect
            errors.append(f"{type(exc).__name__}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    conn.close()
    with lock:
        out.append((latencies, statuses, errors))


def _hostile(base: str, stop_at: float, out: list, lock: threading.Lock) -> None:
    url = urllib.parse.urlsplit(base)
    statuses: dict[int, int] = {}
    i = 0
    while time.perf_counter() < stop_at:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        try:
            conn.request("POST", "/sparql", HOSTILE[i % len(HOSTILE)].encode(),
                         {"Content-Type": "application/sparql-query"})
            response = conn.getresponse()
            response.read()
            statuses[response.status] = statuses.get(response.status, 0) + 1
        except Exception:
            statuses[0] = statuses.get(0, 0) + 1
        finally:
            conn.close()
        i += 1
    with lock:
        out.append(statuses)


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] if ordered else float("nan")


def run_load(base: str, clients: int = 50, seconds: float = 30.0, hostile: int = 0) -> dict:
    """Run the load and return the summary (requests, errors, requests/s, latency percentiles in ms)."""
    queries = _examples(base)
    out: list = []
    hostile_out: list = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    threads = [threading.Thread(target=_client, args=(base, queries, n, stop_at, out, lock), daemon=True)
               for n in range(clients)]
    threads += [threading.Thread(target=_hostile, args=(base, stop_at, hostile_out, lock), daemon=True)
                for _ in range(hostile)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 300)
    wall = time.perf_counter() - started
    latencies = [x for lat, _, _ in out for x in lat]
    statuses: dict[int, int] = {}
    for _, st, _ in out:
        for k, v in st.items():
            statuses[k] = statuses.get(k, 0) + v
    errors = [e for _, _, errs in out for e in errs]
    return {
        "clients": clients, "seconds": round(wall, 1), "queries": len(queries), "requests": len(latencies),
        "errors": len(errors), "error_samples": errors[:5], "statuses": statuses,
        "requests_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(1000 * _percentile(latencies, 50), 1), "p95_ms": round(1000 * _percentile(latencies, 95), 1),
        "p99_ms": round(1000 * _percentile(latencies, 99), 1), "max_ms": round(1000 * max(latencies, default=0), 1),
        "mean_ms": round(1000 * statistics.fmean(latencies), 1) if latencies else None,
        "hostile_clients": hostile,
        "hostile_statuses": {k: sum(st.get(k, 0) for st in hostile_out) for k in sorted({k for st in hostile_out
                                                                                          for k in st})},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="Base URL of a running server.")
    where.add_argument("--store", type=Path, help="Store to serve in a fresh server process.")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, help="Query workers of the started server (default: its own).")
    parser.add_argument("--hostile", type=int, default=0,
                        help="Also run a second phase beside this many clients sending hostile queries.")
    parser.add_argument("--memory-limit", default="1G", help="--memory-limit of the started server.")
    parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")
    args = parser.parse_args(argv)
    proc = None
    base = args.url
    if args.store:
        proc, base = start_server(args.store, args.workers, "--memory-limit", args.memory_limit)
    peak = [0]
    sampling = threading.Event()

    def sample():
        while not sampling.wait(0.1):
            peak[0] = max(peak[0], _tree_rss(proc.pid))

    if proc is not None:
        threading.Thread(target=sample, daemon=True).start()
    try:
        summary = run_load(base, args.clients, args.seconds)
        if args.hostile:
            alone_peak = peak[0]
            beside = run_load(base, args.clients, args.seconds, args.hostile)
            summary = {"alone": summary, "beside_hostile": beside,
                       "light_p95_ratio": round(beside["p95_ms"] / summary["p95_ms"], 2),
                       "peak_rss_alone_mb": round(alone_peak / 2**20)}
            time.sleep(5)
            with urllib.request.urlopen(base + "health", timeout=30) as response:
                summary["health_after"] = json.loads(response.read())
        summary["peak_rss_mb"] = round(peak[0] / 2**20) if proc is not None else None
    finally:
        sampling.set()
        if proc is not None:
            proc.terminate()
            proc.wait(30)
    summary["machine"] = f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}"
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        for key, value in summary.items():
            print(f"{key:<14} {value}")
    light = [summary] if "errors" in summary else [summary["alone"], summary["beside_hostile"]]
    return 1 if any(part["errors"] for part in light) else 0


if __name__ == "__main__":
    sys.exit(main())
