"""Atomic writes: regular files replaced, symlinks kept, streams written through, stale temporaries removed."""
import os
import subprocess
import sys

from policygraph.serialize import TEMP_MARK, remove_stale_temporaries, write_atomic


def test_symlink_is_kept_and_its_target_written(tmp_path):
    target = tmp_path / "real.nt"
    target.write_bytes(b"old")
    link = tmp_path / "link.nt"
    link.symlink_to(target)
    write_atomic(link, b"new")
    assert link.is_symlink()
    assert target.read_bytes() == b"new"


def test_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen([sys.executable, "-c", f"print(open({str(fifo)!r}).read(), end='')"],
                              stdout=subprocess.PIPE)
    write_atomic(fifo, b"through")
    assert reader.communicate()[0] == b"through"
    assert fifo.is_fifo()


def test_stale_temporary_of_a_dead_process_is_removed(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".out.nt{TEMP_MARK}{dead.pid}-abc.tmp"
    stale.write_bytes(b"x")
    live = tmp_path / f".out.nt{TEMP_MARK}{os.getppid()}-abc.tmp"
    live.write_bytes(b"x")
    user = tmp_path / ".out.nt.abc.tmp"
    user.write_bytes(b"x")
    write_atomic(tmp_path / "out.nt", b"data")
    assert not stale.exists()
    assert live.exists() and user.exists()
    assert remove_stale_temporaries(tmp_path) == []
