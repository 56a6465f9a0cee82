"""The exceptions policygraph raises on purpose; the CLI turns them into friendly exits."""
from __future__ import annotations

__all__ = ["PolicyGraphError", "InputError", "OntologyError", "QueryError"]


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


class QueryError(PolicyGraphError):
    """A SPARQL query is malformed or cannot be run."""
