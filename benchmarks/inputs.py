"""Time and peak memory of reading and extracting single large inputs, each in a fresh process.

    python benchmarks/inputs.py --text-mib 1 5 20 50 --html-depth 10000 20000 40000

Text rows: a seed document repeated up to the size, then load + extract (the stages whose memory grows with
one document). HTML rows: a page of N nested ``<div class="share">`` bars around a short document, loaded.
Prints Markdown rows for benchmarks/RESULTS.md.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = sorted((ROOT / "data" / "seeds").glob("*.txt"))[0]

_TEXT = """import sys
from policygraph.load import load_document
from policygraph.extract import extract
x = extract(load_document(sys.argv[1]))
print(len(x.tasks))
"""
_HTML = """import sys
from policygraph.load import load_document
print(len(load_document(sys.argv[1]).text))
"""


def measure(code: str, path: Path) -> tuple[float, float, str]:
    """Seconds, peak RSS in MiB of the child process, and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    seconds = time.perf_counter() - start
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return seconds, peak, out.stdout.strip()


def text_file(folder: Path, mib: int) -> Path:
    seed = SEED.read_bytes()
    path = folder / f"text-{mib}.txt"
    with path.open("wb") as f:
        written = 0
        while written + len(seed) <= mib * 1024 * 1024 - 1024:
            f.write(seed)
            written += len(seed)
    return path


def html_file(folder: Path, depth: int) -> Path:
    path = folder / f"deep-{depth}.html"
    page = ("<html><body><article><h1>关于推进科技创新的实施方案</h1><p>一、总体要求</p></article>"
            + '<div class="share">分享到：' * depth + "</div>" * depth + "</body></html>")
    path.write_text(page, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text-mib", type=int, nargs="*", default=[1, 5, 20, 50])
    parser.add_argument("--html-depth", type=int, nargs="*", default=[10000, 20000, 40000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("| input | size KiB | seconds | peak RSS MiB | result |\n|---|---|---|---|---|")
        for depth in args.html_depth:
            path = html_file(folder, depth)
            s, rss, out = measure(_HTML, path)
            print(f"| HTML, {depth:,} nested share bars | {path.stat().st_size // 1024:,} | {s:.2f} | {rss:.0f} | "
                  f"{out} characters of text |", flush=True)
        for mib in args.text_mib:
            path = text_file(folder, mib)
            s, rss, out = measure(_TEXT, path)
            print(f"| text, {mib} MiB | {path.stat().st_size // 1024:,} | {s:.2f} | {rss:.0f} | {out} tasks |",
                  flush=True)


if __name__ == "__main__":
    main()
