"""Where policygraph reaches into other libraries' internals: the one module that does, and why each time.

oxrdflib converts terms between pyoxigraph and rdflib and keeps the
pyoxigraph store under its rdflib Store, but only in private names
(``oxrdflib._converter``, ``OxigraphStore._inner``); rdflib keeps a prepared
query's text only in ``Query._original_args``. Each is read here and nowhere
else, and tests/test_adapters.py checks them against the installed
libraries, so an upgrade that moves one fails there, by name, not as a
wrong answer somewhere else.
"""
from __future__ import annotations

__all__ = ["from_ox", "to_ox", "native_store", "prepared_query_text"]


def from_ox(term):
    """The rdflib term (or triple) of a pyoxigraph one, as oxrdflib converts it."""
    from oxrdflib._converter import from_ox as convert

    return convert(term)


def to_ox(term):
    """The pyoxigraph term (or triple) of an rdflib one, as oxrdflib converts it."""
    from oxrdflib._converter import to_ox as convert

    return convert(term)


def native_store(store):
    """The ``pyoxigraph.Store`` under an oxrdflib ``OxigraphStore``; None for any other rdflib store."""
    try:
        from oxrdflib import OxigraphStore
    except ImportError:  # pragma: no cover - oxrdflib is a dependency
        return None
    return getattr(store, "_inner", None) if isinstance(store, OxigraphStore) else None


def prepared_query_text(query) -> tuple[str, dict] | None:
    """The SPARQL text and namespaces a query prepared by rdflib was made from; None when it kept none."""
    original = getattr(query, "_original_args", None)
    if not original:
        return None
    text, namespaces, _base = original
    return text, dict(namespaces or {})
