"""Time and peak memory of reading and extracting single large inputs, each in a fresh process.

    python benchmarks/inputs.py --text-mib 1 5 20 50 --html-depth 10000 20000 40000
    python benchmarks/inputs.py --text-mib 1 5 20 --html-depth --texts data/seeds ../shared/corpus/docs --root ../main

Text rows: documents concatenated in turn up to the size (the first seed alone unless ``--texts`` names
folders), then load + extract (the stages whose memory grows with one document). HTML rows: a page of N
nested ``<div class="share">`` bars around a short document, loaded. ``--root`` measures another checkout
of the code on the same inputs, for before/after rows. Seconds are wall time and the child's CPU time
(user + system, which a busy machine changes less); peak RSS is the child's own.
Prints Markdown rows for benchmarks/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = sorted((ROOT / "data" / "seeds").glob("*.txt"))[0]

_TEXT = """import sys
from policygraph.load import load_document
from policygraph.pipeline import extract_document
x = extract_document(load_document(sys.argv[1]))
print(len(x.tasks))
"""
_HTML = """import sys
from policygraph.load import load_document
print(len(load_document(sys.argv[1]).text))
"""


def measure(code: str, path: Path, root: Path = ROOT) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS in MiB of one child process, and what it printed.

    The child runs in ``root``: ``python -c`` puts its working directory first on the path.
    """
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True,
                             env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, cwd=root)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if child.returncode:
        raise SystemExit(f"{path}: the measured process failed with exit code {child.returncode}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.strip()


def text_file(folder: Path, mib: int, sources: list[Path] | None = None) -> Path:
    """A text of about ``mib`` MiB: the ``sources`` (the first seed when None) written in turn, whole."""
    texts = [p.read_bytes().rstrip(b"\n") + b"\n\n" for p in sources] if sources else [SEED.read_bytes()]
    path = folder / f"text-{mib}.txt"
    with path.open("wb") as f:
        written = 0
        for k in range(1 << 30):
            text = texts[k % len(texts)]
            if written + len(text) > mib * 1024 * 1024 - 1024:
                break
            f.write(text)
            written += len(text)
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
    parser.add_argument("--texts", type=Path, nargs="*", default=[],
                        help="folders whose .txt documents, in turn, make the text inputs")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code is measured")
    args = parser.parse_args()
    sources = [p for folder in args.texts for p in sorted(folder.glob("*.txt"))]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("| input | size KiB | seconds | CPU seconds | peak RSS MiB | result |\n|---|---|---|---|---|---|")
        for depth in args.html_depth:
            path = html_file(folder, depth)
            s, cpu, rss, out = measure(_HTML, path, args.root)
            print(f"| HTML, {depth:,} nested share bars | {path.stat().st_size // 1024:,} | {s:.2f} | {cpu:.2f} | "
                  f"{rss:.0f} | {out} characters of text |", flush=True)
        for mib in args.text_mib:
            path = text_file(folder, mib, sources)
            s, cpu, rss, out = measure(_TEXT, path, args.root)
            what = f"{len(sources)} documents in turn" if sources else "one seed repeated"
            print(f"| text, {mib} MiB, {what} | {path.stat().st_size // 1024:,} | {s:.2f} | {cpu:.2f} | {rss:.0f} | "
                  f"{out} tasks |", flush=True)


if __name__ == "__main__":
    main()
