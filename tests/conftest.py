"""Shared fixtures: the seed corpus, its gold annotations, and a graph built once per session."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "seeds"
GOLD = ROOT / "data" / "gold"
CASES = Path(__file__).resolve().parent / "cases"
SEED_FILES = sorted(p.name for p in SEEDS.glob("*.txt"))


def load_cases(name: str) -> list[dict]:
    return json.loads((CASES / name).read_text("utf-8"))


def seed_text(name: str) -> str:
    return (SEEDS / name).read_text("utf-8")


def gold(name: str) -> dict:
    return json.loads((GOLD / name.replace(".txt", ".json")).read_text("utf-8"))


@pytest.fixture(scope="session")
def lexicon():
    from policygraph.lexicon import load_lexicon

    return load_lexicon()


@pytest.fixture(scope="session")
def seed_extractions(lexicon):
    from policygraph.pipeline import extract_document
    from policygraph.load import load_document

    return {name: extract_document(load_document(SEEDS / name), lexicon) for name in SEED_FILES}


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """The embedded corpus built once through the library, as the CLI does."""
    from policygraph.pipeline import build_corpus

    out = tmp_path_factory.mktemp("seed-build")
    report, dataset = build_corpus(None, out, load=True)
    return report, dataset, out


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="Rewrite tests/golden/ from the current output instead of comparing with it.")


@pytest.fixture
def golden(request):
    """Compare a graph with tests/golden/<name> as graphs (rdflib.compare), or rewrite it with --update-golden."""
    from rdflib import Graph
    from rdflib.compare import graph_diff, to_isomorphic

    def check(graph: Graph, name: str) -> None:
        path = Path(__file__).resolve().parent / "golden" / name
        if request.config.getoption("--update-golden") or not path.exists():
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(graph.serialize(format="turtle", encoding="utf-8"))
            if not request.config.getoption("--update-golden"):
                pytest.fail(f"{path} did not exist and was written; check it and commit it")
            return
        expected = Graph().parse(path, format="turtle")
        got, want = to_isomorphic(graph), to_isomorphic(expected)
        if got != want:
            _, only_got, only_want = graph_diff(got, want)
            lines = [f"+ {t}" for t in sorted(only_got)[:20]] + [f"- {t}" for t in sorted(only_want)[:20]]
            pytest.fail(f"graph differs from {path} (rerun with --update-golden if the change is intended):\n"
                        + "\n".join(lines))

    return check


@pytest.fixture(scope="session")
def seed_graph(seed_build):
    """The seed build's graph.trig read back as a union dataset, as `policygraph query` and `rank` read it."""
    from policygraph.store import load_graph_file

    return load_graph_file(seed_build[2] / "graph.trig")


@pytest.fixture(scope="session")
def small_graph():
    """tests/fixtures/small_graph.ttl: the hand-made graph whose measures test_analyse.py computes by hand."""
    from policygraph.store import load_graph_file

    return load_graph_file(Path(__file__).resolve().parent / "fixtures" / "small_graph.ttl")


def corpus_report(folder: Path, out: Path, gold: Path | None = None):
    """Build every document of a test corpus into ``out`` and score it against ``gold`` (default ``folder/gold``)."""
    from policygraph.evaluate import evaluate
    from policygraph.load import load_document
    from policygraph.pipeline import build_corpus

    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".txt", ".html"))
    _, dataset = build_corpus(files, out, load=True)
    return evaluate(dataset, gold or folder / "gold", texts={p.name: load_document(p).text for p in files})


#: The real documents beside the repository (../shared/corpus): docs/ with their gold/; absent in a user's clone.
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def real_corpus_report(tmp_path_factory):
    """../shared/corpus built once and scored against its gold; skips where the corpus is absent."""
    docs, gold = SHARED_CORPUS / "docs", SHARED_CORPUS / "gold"
    if not (docs.is_dir() and gold.is_dir() and any(gold.glob("*.json"))):
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    return corpus_report(docs, tmp_path_factory.mktemp("real-corpus"), gold)
