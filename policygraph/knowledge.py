"""One reader for the knowledge files under ``policygraph/resources/``.

Word lists, patterns and tables that describe the language of the documents are data a user
can extend without touching code; every module that needs one reads it through here, so a
missing or malformed file always gives the same error, naming the file.
"""
from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from .errors import OntologyError

__all__ = ["resource_text", "resource_json", "parse_json", "alternation"]


@cache
def resource_text(name: str) -> str:
    """The text of ``policygraph/resources/NAME``, read once."""
    try:
        return (resources.files("policygraph") / "resources" / name).read_text("utf-8")
    except FileNotFoundError as exc:
        raise OntologyError(f"policygraph/resources/{name} is missing; reinstall policygraph") from exc


@cache
def resource_json(name: str):
    """The parsed JSON of ``policygraph/resources/NAME``, read once (treat it as read-only)."""
    return parse_json(resource_text(name), f"policygraph/resources/{name}")


def parse_json(text: str, source: str):
    """Parse the JSON ``text`` of the file ``source``; a syntax error names the file and the place."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise OntologyError(f"{source}: not valid JSON at line {exc.lineno}, "
                            f"column {exc.colno}: {exc.msg}") from exc

def alternation(words) -> str:
    """A regex alternation of ``words`` (escaped), longest first so a longer word wins over its prefix.

    Ties keep the order of the data file, so the pattern is the same on every run.
    """
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
