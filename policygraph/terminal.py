"""Text made safe and measured for a terminal: control characters shown escaped, wide characters counted twice.

A downloaded plan may carry an ESC sequence (which retitles or reprograms the
terminal) or a bidi override (which makes a line read differently from what
it contains). The graph and the machine formats (JSON, CSV, RDF) keep such text
exactly; everything printed for a person goes through :func:`safe_text`.
Tables and carets under query text line up with Chinese because :func:`display_width`
counts East Asian wide characters as two columns.
"""
from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["safe_text", "display_width"]

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str, multiline: bool = True) -> str:
    r"""``text`` with C0/C1 controls, DEL and bidi overrides written as ``\x1b`` or ``\u202e``.

    Newlines and tabs stay when ``multiline`` (tables, reports); a one-line
    message escapes them too, so a quoted value cannot fake a second line.

    Examples
    --------
    >>> safe_text("省科技厅\x1b]0;pwned\x07\u202e")
    '省科技厅\\x1b]0;pwned\\x07\\u202e'
    >>> safe_text("a\tb\nc")
    'a\tb\nc'
    >>> safe_text("a\nb", multiline=False)
    'a\\x0ab'
    """
    pattern = _UNSAFE if multiline else _UNSAFE_ONE_LINE
    return pattern.sub(_escape, str(text))


def display_width(text: str) -> int:
    """Terminal columns a string takes: East Asian wide and full-width characters count twice.

    Examples
    --------
    >>> display_width("省科技厅"), display_width("abc"), display_width("（１）")
    (8, 3, 6)
    """
    return len(text) if text.isascii() else sum(map(_char_width, text))


@functools.lru_cache(maxsize=None)
def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
