"""One reader for the knowledge files under ``policygraph/resources/``, and for a user's overlay of them.

Word lists, patterns and tables that describe the language of the documents are data a user
can extend without touching code; every module that needs one reads it through here, so a
missing or malformed file always gives the same error (:class:`~policygraph.errors.ResourceError`),
naming the file and the line, and each file is read and parsed once per overlay.

An overlay is a sequence of folders (``build --lexicon DIR``). A file of the same name in one
of them extends the packaged file, in the order the folders are given:

* ``.csv`` and ``.tsv``: its rows are appended (each file has its own header line, so an overlay
  may leave out columns it does not fill);
* ``.txt``: its lines are appended;
* ``.json``: mappings are merged key by key, lists are extended, and any other value (a string,
  a number) is replaced; a value whose kind differs from the packaged one is an error.

Readers that take no ``overlay`` argument read the overlay made active by :func:`using_overlay`
(none by default), so extraction code deep in the pipeline sees the overlay of the lexicon it
was given without passing it through every call.
"""
from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, wraps
from importlib import resources
from pathlib import Path
from typing import TypeVar

from .errors import ResourceError

__all__ = ["ResourceFile", "Row", "resource_text", "resource_files", "resource_json", "resource_rows",
           "resource_lines", "merge_json", "parse_json", "alternation", "overlay_key", "using_overlay",
           "active_overlay", "per_overlay"]

T = TypeVar("T")

_ACTIVE: ContextVar[tuple[Path, ...]] = ContextVar("policygraph_overlay", default=())


@dataclass(frozen=True)
class ResourceFile:
    """One file of a knowledge resource: the packaged one or an overlay's, with the name errors give it."""

    source: str  # policygraph/resources/NAME, or the overlay file's path
    text: str
    packaged: bool


@dataclass(frozen=True)
class Row:
    """One data row of a table or word list, with the file and line it was read from (for error messages)."""

    fields: dict[str, str] | tuple[str, ...] | str
    source: str
    line: int
    packaged: bool


def overlay_key(dirs: Sequence[str | Path] | None) -> tuple[Path, ...]:
    """The canonical form of an overlay (resolved paths, in order): what caches are keyed by.

    >>> overlay_key(None), overlay_key(())
    ((), ())
    """
    return tuple(Path(d).resolve() for d in dirs or ())


def active_overlay() -> tuple[Path, ...]:
    """The overlay readers without an ``overlay`` argument read (see :func:`using_overlay`)."""
    return _ACTIVE.get()


@contextmanager
def using_overlay(dirs: Sequence[str | Path] | None) -> Iterator[tuple[Path, ...]]:
    """Make ``dirs`` the active overlay inside the ``with`` block, so every reader below honours it.

    >>> with using_overlay(()):
    ...     active_overlay()
    ()
    """
    token = _ACTIVE.set(overlay_key(dirs))
    try:
        yield _ACTIVE.get()
    finally:
        _ACTIVE.reset(token)


def _key(overlay) -> tuple[Path, ...]:
    return active_overlay() if overlay is None else overlay_key(overlay)


def per_overlay(fn: Callable[[], T]) -> Callable[[], T]:
    """Cache a function of the knowledge files once per active overlay.

    Compiled patterns and word tables derived from the files are costly to rebuild and
    must follow the overlay the current extraction uses.
    """
    results: dict[tuple[Path, ...], T] = {}

    @wraps(fn)
    def wrapper() -> T:
        key = active_overlay()
        if key not in results:
            results[key] = fn()
        return results[key]

    wrapper.cache_clear = results.clear  # type: ignore[attr-defined]
    return wrapper


@cache
def resource_text(name: str) -> str:
    """The text of the packaged ``policygraph/resources/NAME``, read once (no overlay)."""
    try:
        return (resources.files("policygraph") / "resources" / name).read_text("utf-8")
    except FileNotFoundError as exc:
        source = f"policygraph/resources/{name}"
        raise ResourceError(source, "missing", message=f"{source} is missing; reinstall policygraph") from exc


@cache
def _files(name: str, overlay: tuple[Path, ...]) -> tuple[ResourceFile, ...]:
    files = [ResourceFile(f"policygraph/resources/{name}", resource_text(name), True)]
    for folder in overlay:
        path = folder / name
        if path.is_file():
            try:
                text = path.read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ResourceError(str(path), f"cannot be read ({exc})") from exc
            files.append(ResourceFile(str(path), text, False))
    return tuple(files)


def resource_files(name: str, overlay: Sequence[str | Path] | None = None) -> tuple[ResourceFile, ...]:
    """The packaged ``NAME`` followed by the overlay folders' files of that name, each read once."""
    return _files(name, _key(overlay))


def parse_json(text: str, source: str):
    """Parse the JSON ``text`` of the file ``source``; a syntax error names the file and the place."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResourceError(source, f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc


def merge_json(base, extra, source: str, path: str = ""):
    """``base`` extended by ``extra``: mappings merged key by key, lists extended, other values replaced.

    A value of another kind than the one it extends (a list for a mapping, a string for
    a list) is an error naming ``source`` and the key, since it cannot say what it adds.

    >>> merge_json({"a": [1], "b": {"x": 1}, "c": "old"}, {"a": [2], "b": {"y": 2}, "c": "new"}, "o.json")
    {'a': [1, 2], 'b': {'x': 1, 'y': 2}, 'c': 'new'}
    """
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for key, value in extra.items():
            out[key] = merge_json(base[key], value, source, f"{path}/{key}") if key in base else value
        return out
    if isinstance(base, list) and isinstance(extra, list):
        return base + extra
    if isinstance(base, (dict, list)) or isinstance(extra, (dict, list)):
        kind = {dict: "a mapping", list: "a list"}
        raise ResourceError(source, f"{path or '/'} is {kind.get(type(extra), 'a single value')} but extends "
                                    f"{kind.get(type(base), 'a single value')}")
    return extra


@cache
def _json(name: str, overlay: tuple[Path, ...]):
    files = _files(name, overlay)
    merged = parse_json(files[0].text, files[0].source)
    for f in files[1:]:
        merged = merge_json(merged, parse_json(f.text, f.source), f.source)
    return merged


def resource_json(name: str, overlay: Sequence[str | Path] | None = None):
    """The parsed JSON of ``NAME``, extended by the overlay, parsed once (treat it as read-only)."""
    return _json(name, _key(overlay))


def _data_lines(text: str) -> Iterator[tuple[int, str]]:
    """Line number and text of each line that is neither blank nor a ``#`` comment."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield number, line


def _table_rows(f: ResourceFile, delimiter: str) -> list[Row]:
    """The rows of one CSV or TSV file as mappings of its header's columns, stripped."""
    lines = list(_data_lines(f.text))
    if not lines:
        return []
    try:
        parsed = [next(csv.reader([line], delimiter=delimiter)) for _, line in lines]
    except csv.Error as exc:
        raise ResourceError(f.source, f"is not a valid table ({exc})") from exc
    header = [h.strip() for h in parsed[0]]
    rows = []
    for (number, _), cells in zip(lines[1:], parsed[1:]):
        if len(cells) > len(header):
            raise ResourceError(f.source, f"has {len(cells)} cells, but the header names {len(header)} columns",
                                line=number)
        fields = {k: (cells[i].strip() if i < len(cells) else "") for i, k in enumerate(header) if k}
        rows.append(Row(fields, f.source, number, f.packaged))
    return rows


@cache
def _rows(name: str, overlay: tuple[Path, ...]) -> tuple[Row, ...]:
    delimiter = "\t" if name.endswith(".tsv") else ","
    return tuple(row for f in _files(name, overlay) for row in _table_rows(f, delimiter))


def resource_rows(name: str, overlay: Sequence[str | Path] | None = None) -> tuple[Row, ...]:
    """The rows of the table ``NAME`` (``.csv`` or ``.tsv``), packaged rows first, then the overlay's.

    Blank lines and lines starting with ``#`` are skipped; the first other line of each
    file is its header, and each row's ``fields`` map the header's columns to stripped cells.
    """
    return _rows(name, _key(overlay))


@cache
def _lines(name: str, overlay: tuple[Path, ...]) -> tuple[Row, ...]:
    return tuple(Row(line.strip(), f.source, number, f.packaged)
                 for f in _files(name, overlay) for number, line in _data_lines(f.text))


def resource_lines(name: str, overlay: Sequence[str | Path] | None = None) -> tuple[Row, ...]:
    """The stripped data lines of the word list ``NAME`` (``.txt``), packaged lines first, then the overlay's."""
    return _lines(name, _key(overlay))


def alternation(words) -> str:
    """A regex alternation of ``words`` (escaped), longest first so a longer word wins over its prefix.

    Ties keep the order of the data file, so the pattern is the same on every run.
    """
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
