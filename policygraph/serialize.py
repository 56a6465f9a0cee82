"""Writing files atomically: readers see the old outputs or the new ones, never half of one."""
from __future__ import annotations

import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path

from .errors import DiskFullError, is_disk_full

__all__ = ["write_atomic", "StagedFiles", "TEMP_MARK", "remove_stale_temporaries"]

TEMP_MARK = ".policygraph-tmp-"
_TEMP_NAME = re.compile(r"^\..*" + re.escape(TEMP_MARK) + r"(\d+)-.*\.tmp$")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half of one."""
    with StagedFiles() as staged:
        staged.open(path).write(data)


class StagedFiles:
    """Files written beside their targets and moved into place together, only if every one was written.

    Each target gets a temporary file in its own folder; on leaving the
    ``with`` block without an error they are synced and renamed over their
    targets, and on an error they are deleted, so a failure part-way leaves
    every earlier output as it was. Writers may stream: nothing is held in memory.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[object, str, Path]] = []
        self._through: list[object] = []

    def open(self, path: str | Path):
        """A binary file to write ``path``'s new content to.

        ``-`` is standard output. A symlink is followed, so its target is
        replaced and the link kept; a character device or a FIFO (``/dev/stdout``)
        is written through, since renaming over it would destroy it.
        """
        if str(path) == "-":
            return _Unclosed(sys.stdout.buffer)
        path = Path(os.path.realpath(path))
        if _is_stream(path):
            f = open(path, "wb")
            self._through.append(f)
            return f
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TEMP_MARK}{os.getpid()}-", suffix=".tmp", dir=path.parent)
        f = os.fdopen(fd, "wb")
        self._staged.append((f, tmp, path))
        return f

    def __enter__(self) -> "StagedFiles":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        failing = self._staged[-1] if self._staged else None  # writers write one file after another
        try:
            if kind is None:
                for staged in self._staged:
                    f, tmp, _ = failing = staged
                    f.flush()
                    os.fsync(f.fileno())
                    f.close()
                    os.chmod(tmp, 0o666 & ~_umask())
                for _, tmp, path in self._staged:
                    os.replace(tmp, path)
        except OSError as exc:
            value = exc
            raise
        finally:
            written = _size(failing[1]) if failing else 0
            for f in self._through:
                f.close()
            for f, tmp, _ in self._staged:
                try:
                    f.close()
                except OSError:  # flushing the rest of a file onto a full disk
                    pass
                try:
                    os.unlink(tmp)
                except FileNotFoundError:
                    pass
            if failing is not None and is_disk_full(value) and not isinstance(value, DiskFullError):
                path = failing[2]
                free = shutil.disk_usage(path.parent).free
                raise DiskFullError(f"{path}: could not be written: no space left on device after "
                                    f"{written / 1e6:.1f} MB (the file needs more; {free / 1e6:.1f} MB free now); "
                                    "any previous file is unchanged, the partial copy removed") from value


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class _Unclosed:
    """Standard output handed to a writer that closes what it is given: flushed, never closed."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, data: bytes) -> int:
        return self._stream.write(data)

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        self._stream.flush()


def _is_stream(path: Path) -> bool:
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete our temporaries in ``folder`` whose writing process is gone (a killed build or export).

    Only names made by :class:`StagedFiles` are considered, and a live owner's
    file is kept, so a parallel run and users' files are never touched.
    """
    removed = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return removed
    for name in names:
        m = _TEMP_NAME.match(name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            try:
                os.unlink(Path(folder) / name)
                removed.append(Path(folder) / name)
            except OSError:
                pass
    return removed
