"""The exceptions policygraph raises on purpose; the CLI turns them into friendly exits."""
from __future__ import annotations

__all__ = ["PolicyGraphError", "InputError", "OntologyError", "ResourceError", "QueryError", "UsageError", "UnknownNameError",
           "DiskFullError", "StoreBusy", "RemoteError", "is_disk_full"]


class PolicyGraphError(Exception):
    """Root of every error the library raises on purpose."""


class InputError(PolicyGraphError):
    """An input file cannot be used; the message names the file and the reason."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class OntologyError(PolicyGraphError):
    """The ontology or a lexicon data file is missing or malformed."""


class ResourceError(OntologyError):
    """A knowledge file (packaged or a ``--lexicon`` overlay's) is missing or malformed.

    The message names the file, and for a malformed row its line, so the user knows what to fix.
    """

    def __init__(self, source: str, reason: str, line: int | None = None, *, message: str | None = None):
        super().__init__(message or (f"{source}: row {line} {reason}" if line is not None else f"{source}: {reason}"))
        self.source = source
        self.reason = reason
        self.line = line


class QueryError(PolicyGraphError):
    """A SPARQL query is malformed or cannot be run."""


class UsageError(QueryError):
    """The command line asks for what cannot be: exit code 2 in every command, like click's own.

    An unknown measure, role, name or format, a malformed query or a missing parameter.
    It stays a QueryError, so code that catches QueryError still catches these.
    """

    exit_code = 2


class UnknownNameError(InputError, UsageError):
    """A name given on the command line (agency, document, jurisdiction) matches nothing in the graph."""


class DiskFullError(PolicyGraphError):
    """A file or folder could not be written for lack of space; the message names it and the space it needed."""


class StoreBusy(PolicyGraphError):
    """Another process is writing to the store."""


class RemoteError(PolicyGraphError):
    """A remote endpoint or graph store cannot be reached, refuses a request or answers with an error."""


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` reports a full disk (or quota): Python's OSError, or Oxigraph's IO error text."""
    import errno

    return isinstance(exc, OSError) and (exc.errno in (errno.ENOSPC, errno.EDQUOT)
                                         or "No space left on device" in str(exc) or "Disk quota exceeded" in str(exc))


class ViewTooLarge(UsageError):
    """The view asked for has more nodes than a browser can draw: narrow it (--document, --jurisdiction, --focus)."""
