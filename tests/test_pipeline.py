"""The whole job on files: other encodings and HTML give the same facts; outputs are never half-written."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from policygraph import serialize
from policygraph.pipeline import OUTPUT_FILES, build_corpus, extract_paths

from .conftest import ROOT, SEED_FILES, SEEDS

NINGXIA = SEEDS / "004_804e474c68a51211.txt"


def facts(extraction):
    return [(t.node.outline, a.mention.surface, a.mention.role, a.agency.name if a.agency else None)
            for t in extraction.tasks for a in t.assignments]


@pytest.mark.parametrize("codec", ["utf-8-sig", "gb18030", "utf-16"])
def test_other_encodings_give_the_same_facts(tmp_path, codec):
    text = NINGXIA.read_text("utf-8")
    copy = tmp_path / NINGXIA.name
    copy.write_bytes(text.encode(codec))
    (original,), _ = extract_paths([NINGXIA])
    (decoded,), errors = extract_paths([copy])
    assert not errors
    assert facts(decoded) == facts(original)
    assert [t.value for t in decoded.targets] == [t.value for t in original.targets]


def test_html_page_gives_the_same_facts(tmp_path):
    text = NINGXIA.read_text("utf-8")
    paragraphs = "".join(f"<p>{line}</p>\n" for line in text.splitlines() if line.strip())
    page = tmp_path / "page.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>宁夏</title>"
        "<script>var menu = '（自治区科技厅牵头）';</script><style>p{margin:0}</style></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/zc'>政策文件</a></div>"
        "<div class='article'>" + paragraphs + "</div>"
        "<div class='footer'>版权所有：宁夏回族自治区人民政府 宁ICP备05001234号</div></body></html>", encoding="utf-8")
    (original,), _ = extract_paths([NINGXIA])
    (html,), errors = extract_paths([page])
    assert not errors and html.document.media_type == "text/html"
    assert facts(html) == facts(original)
    assert "menu" not in html.document.text and "ICP" not in html.document.text


def test_files_of_the_same_name_in_two_folders_are_two_documents(tmp_path):
    for province in ("gansu", "qinghai"):
        (tmp_path / province).mkdir()
        (tmp_path / province / "plan.txt").write_bytes(NINGXIA.read_bytes())
    extractions, errors = extract_paths([tmp_path / "gansu", tmp_path / "qinghai" / "plan.txt"])
    assert not errors
    assert [x.document.source_path for x in extractions] == ["gansu/plan.txt", "qinghai/plan.txt"]


def test_two_inputs_that_would_be_one_document_are_an_error_for_the_second(tmp_path):
    for side in ("a", "b"):
        (tmp_path / side / "docs").mkdir(parents=True)
        (tmp_path / side / "docs" / "plan.txt").write_bytes(NINGXIA.read_bytes())
    extractions, errors = extract_paths([tmp_path / "a" / "docs", tmp_path / "b" / "docs"])
    assert len(extractions) == 1 and len(errors) == 1
    assert str(errors[0]) == (f"{tmp_path}/b/docs/plan.txt: another input is also document docs/plan.txt "
                              f"({tmp_path}/a/docs/plan.txt); pass --root DIR to name documents by their path under DIR")
    extractions, errors = extract_paths([tmp_path / "a" / "docs", tmp_path / "b" / "docs"], root=tmp_path)
    assert not errors and [x.document.source_path for x in extractions] == ["a/docs/plan.txt", "b/docs/plan.txt"]


def test_interrupted_write_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "graph.ttl"
    target.write_bytes(b"previous graph\n")

    class Interrupted(Exception):
        pass

    real_fsync = os.fsync

    def failing_fsync(fd):
        raise Interrupted

    monkeypatch.setattr(serialize.os, "fsync", failing_fsync)
    with pytest.raises(Interrupted):
        serialize.write_atomic(target, b"new graph that never lands\n" * 1000)
    monkeypatch.setattr(serialize.os, "fsync", real_fsync)
    assert target.read_bytes() == b"previous graph\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]


def test_failed_build_leaves_earlier_outputs_untouched(tmp_path, monkeypatch):
    from policygraph.errors import DiskFullError
    from policygraph.store import GraphStore

    out = tmp_path / "out"
    build_corpus([NINGXIA], out)
    outputs = set(OUTPUT_FILES.values())  # the store (and its hash cache) did take the new documents in
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name in outputs}
    real = GraphStore.write

    def failing(store, output, fmt):
        real(store, output, fmt)
        if fmt == "turtle":  # after the TriG was written, and half of the Turtle
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(GraphStore, "write", failing)
    with pytest.raises(DiskFullError, match="graph.ttl: could not be written: no space left on device"):
        build_corpus(None, out)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name in outputs} == before and len(before) == 3
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_wheel_ships_ontology_seeds_and_gold(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {result.stderr[-300:]}")
    wheel, = tmp_path.glob("policygraph-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("policygraph/_embedded/ontology/policygraph.ttl", "policygraph/_embedded/ontology/shapes.ttl",
                     "policygraph/_embedded/ontology/agency-types.ttl",
                     "policygraph/_embedded/seeds/000_34f3cba3223de74d.txt",
                     "policygraph/_embedded/gold/000_34f3cba3223de74d.json",
                     "policygraph/resources/agencies.csv", "policygraph/resources/places.tsv"):
        assert required in names, required


def _recorded(path: Path, shift_ns: int) -> None:
    """Move the recording time of a hashes file, as if the recording had been made ``shift_ns`` later."""
    import json

    data = json.loads(path.read_text("utf-8"))
    data["recorded_at_ns"] += shift_ns
    path.write_text(json.dumps(data), "utf-8")


def test_file_hashes_are_trusted_only_for_a_file_untouched_since(tmp_path):
    import hashlib

    from policygraph.pipeline import FileHashes

    doc = tmp_path / "a.txt"
    doc.write_text("一、总体要求", "utf-8")
    old = doc.stat().st_mtime_ns - 60_000_000_000
    os.utime(doc, ns=(old, old))
    first = hashlib.sha256(doc.read_bytes()).hexdigest()
    hashes = FileHashes(tmp_path / "hashes.json")
    hashes.will_read(doc)
    hashes.read(doc, "remembered")
    hashes.save()
    _recorded(tmp_path / "hashes.json", 10_000_000_000)
    assert FileHashes(tmp_path / "hashes.json").sha256(doc) == "remembered"  # untouched: not read again
    doc.write_text("二、重点任务", "utf-8")
    os.utime(doc, ns=(old, old))  # what cp -p, rsync -a and tar x do: new bytes, the old size and mtime
    assert FileHashes(tmp_path / "hashes.json").sha256(doc) == hashlib.sha256(doc.read_bytes()).hexdigest() != first
    recent = FileHashes(tmp_path / "hashes.json")  # changed within two seconds of the recording: read again
    recent._recorded_at = doc.stat().st_ctime_ns + 1_000_000_000
    recent._known[os.path.abspath(doc)] = recent._signature(doc.stat()) + ["stale"]
    assert recent.sha256(doc) != "stale"
    (tmp_path / "hashes.json").write_text("not json", "utf-8")
    assert FileHashes(tmp_path / "hashes.json").sha256(doc) == hashlib.sha256(doc.read_bytes()).hexdigest()


def test_a_file_copied_back_with_its_old_size_and_mtime_is_rebuilt(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    doc = folder / NINGXIA.name
    doc.write_bytes(NINGXIA.read_bytes())
    old = doc.stat().st_mtime_ns - 60_000_000_000
    os.utime(doc, ns=(old, old))
    out = tmp_path / "out"
    build_corpus([folder], out, export=False, jobs=1)
    _recorded(out / "store.hashes.json", 10_000_000_000)
    text = NINGXIA.read_text("utf-8")
    edited = text.replace("自治区财政厅", "自治区科技厅", 1)
    assert len(edited.encode("utf-8")) == len(text.encode("utf-8")) and edited != text
    doc.write_text(edited, "utf-8")
    os.utime(doc, ns=(old, old))
    report, _ = build_corpus([folder], out, export=False, jobs=1)
    assert (report.counts["processed"], report.counts["unchanged"]) == (1, 0)
    again, _ = build_corpus([folder], out, export=False, jobs=1)
    assert (again.counts["processed"], again.counts["unchanged"]) == (0, 1)


def test_force_re_extracts_unchanged_inputs(tmp_path):
    out = tmp_path / "out"
    build_corpus(None, out, export=False, jobs=1)
    result = _cli_build(["-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert "processed           5" in result.output and "unchanged           0" in result.output


# ---------------------------------------------------------------- bad inputs: reported, skipped, the rest built


def _cli_build(args):
    from click.testing import CliRunner

    from policygraph.cli import cli

    return CliRunner().invoke(cli, ["build", "-j", "1", "--no-export", *args])


def test_a_file_name_that_is_not_utf8_is_one_failed_input(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_bytes((SEEDS / SEED_FILES[0]).read_bytes())
    odd = os.fsdecode(os.fsencode(folder) + b"/plan\xff.txt")
    Path(odd).write_bytes((SEEDS / SEED_FILES[1]).read_bytes())
    for args in ([str(folder)], [str(folder / "good.txt"), odd]):
        out = tmp_path / f"out{len(args)}"
        result = _cli_build([*args, "-o", str(out)])
        assert result.exit_code == 1, result.output
        assert "plan\\xff.txt: file name is not valid UTF-8 (shown escaped)" in result.output
        assert "Traceback" not in result.output
        assert "documents           1" in result.output
        assert (out / "store").is_dir()


def test_special_entries_in_a_folder_are_reported_with_their_reason(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_bytes((SEEDS / SEED_FILES[0]).read_bytes())
    os.mkfifo(folder / "pipe.txt")
    (folder / "dangling.txt").symlink_to("gone.txt")
    (folder / "loop.txt").symlink_to("loop.txt")
    result = _cli_build([str(folder), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert f"{folder / 'pipe.txt'}: not a regular file (FIFO)" in result.output
    assert f"{folder / 'dangling.txt'}: dangling symlink to gone.txt" in result.output
    assert f"{folder / 'loop.txt'}: symlink loop" in result.output
    assert "documents           1" in result.output
    named = _cli_build([str(folder / "pipe.txt"), str(folder / "loop.txt"), str(folder / "good.txt"),
                        "-o", str(tmp_path / "named")])
    assert named.exit_code == 1
    assert "not a regular file (FIFO)" in named.output and "symlink loop" in named.output
    assert "documents           1" in named.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_reported_and_skipped_on_the_command_line_and_in_a_folder(tmp_path):
    import shutil
    import tempfile

    work = Path(tempfile.mkdtemp())  # outside tmp_path, whose parents only root may enter
    request_cleanup = work
    work.chmod(0o777)
    folder = work / "docs"
    folder.mkdir()
    folder.chmod(0o755)
    good = folder / "good.txt"
    good.write_bytes((SEEDS / SEED_FILES[0]).read_bytes())
    good.chmod(0o644)
    secret = folder / "secret.txt"
    secret.write_bytes((SEEDS / SEED_FILES[1]).read_bytes())
    secret.chmod(0o000)
    for n, args in enumerate(([str(secret), str(good)], [str(folder)])):
        result = _cli_build([*args, "-o", str(work / f"out{n}")])
        code, output = result.exit_code, result.output
        assert code == 1, output
        assert f"{secret}: permission denied" in output
        assert "documents           1" in output
    shutil.rmtree(request_cleanup)


NOTICE = "关于召开会议的通知\n各单位：\n定于下周召开工作会议，请准时参加。\n"
PLAN = ("嘉定区推进海绵城市建设的实施方案\n一、重点任务\n"
        "1.强化规划管控。落实海绵城市建设要求。（责任单位：区建设管理委、区城市网格化综合管理中心）\n")


def _report(out):
    import json

    return json.loads((out / OUTPUT_FILES["report"]).read_text("utf-8"))


def test_rebuild_keeps_the_entries_of_unchanged_documents_with_the_run_that_read_them(tmp_path):
    from policygraph.pipeline import remove_documents

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notice.txt").write_text(NOTICE, encoding="utf-8")
    (docs / "plan.txt").write_text(PLAN, encoding="utf-8")
    out = tmp_path / "out"
    build_corpus([docs], out, export=False, jobs=1)
    first = _report(out)
    build_corpus([docs], out, export=False, jobs=1)
    second = _report(out)
    assert second["run"] == 2 and second["counts"]["unchanged"] == 2
    assert second["documents"] == first["documents"]
    assert [(d["source_file"], d["run"]) for d in second["documents"]] == [("notice.txt", 1), ("plan.txt", 1)]
    assert second["documents"][0]["warnings"] == ["no responsibility clauses found", "no tasks found"]
    assert second["unrecognised_bodies"] == first["unrecognised_bodies"] != []

    (docs / "plan.txt").write_text(PLAN.replace("落实", "全面落实"), encoding="utf-8")
    build_corpus([docs], out, export=False, jobs=1)
    assert [(d["source_file"], d["run"]) for d in _report(out)["documents"]] == [("notice.txt", 1), ("plan.txt", 3)]

    remove_documents(["notice.txt"], out)
    build_corpus([docs / "plan.txt"], out, export=False, jobs=1)
    assert [(d["source_file"], d["run"]) for d in _report(out)["documents"]] == [("plan.txt", 3)]


def test_unreadable_previous_report_starts_again_from_run_one(tmp_path):
    (tmp_path / "plan.txt").write_text(PLAN, encoding="utf-8")
    out = tmp_path / "out"
    build_corpus([tmp_path / "plan.txt"], out, export=False, jobs=1)
    (out / OUTPUT_FILES["report"]).write_text("{not json", encoding="utf-8")
    build_corpus([tmp_path / "plan.txt"], out, export=False, jobs=1)
    report = _report(out)
    assert report["run"] == 1 and report["documents"] == []


def test_a_first_build_by_worker_processes_writes_the_same_files_as_one_process(tmp_path):
    """Workers write their documents straight into the bulk load, in whatever order they finish: the same outputs."""
    corpus = tmp_path / "corpus"
    for folder in ("a", "b"):
        (corpus / folder).mkdir(parents=True)
        for seed in SEED_FILES:
            (corpus / folder / seed).write_bytes((SEEDS / seed).read_bytes())
    one, many = tmp_path / "one", tmp_path / "many"
    single, _ = build_corpus([corpus], one, jobs=1)
    parallel, _ = build_corpus([corpus], many, jobs=2)  # 10 documents: enough for worker processes
    assert parallel.counts == single.counts and parallel.counts["documents"] == 10
    for name in OUTPUT_FILES.values():
        assert (many / name).read_bytes() == (one / name).read_bytes(), name
