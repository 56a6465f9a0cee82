"""Writing files atomically: readers see the old outputs or the new ones, never half of one."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic", "StagedFiles"]


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

    def open(self, path: str | Path):
        """A binary file to write ``path``'s new content to."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        f = os.fdopen(fd, "wb")
        self._staged.append((f, tmp, path))
        return f

    def __enter__(self) -> "StagedFiles":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if kind is None:
                for f, tmp, _ in self._staged:
                    f.flush()
                    os.fsync(f.fileno())
                    f.close()
                    os.chmod(tmp, 0o666 & ~_umask())
                for _, tmp, path in self._staged:
                    os.replace(tmp, path)
        finally:
            for f, tmp, _ in self._staged:
                f.close()
                try:
                    os.unlink(tmp)
                except FileNotFoundError:
                    pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
