"""Character-level normalisation that keeps offsets: full-width forms, brackets, 文号.

:func:`fold` maps every character to exactly one character, so a span found in
the folded text is the same span in the original text. Extractors search the
folded text and slice surfaces from the original.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .knowledge import per_overlay, resource_json, using_overlay

__all__ = ["fold", "entity_key", "normalize_document_number", "document_number_re", "DOCUMENT_NUMBER_RE"]

_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD.update({
    0x3000: 0x20,  # ideographic space
    0xFF3B: 0x3014, 0xFF3D: 0x3015,  # ［］ → 〔〕, the brackets 文号 keep
    0x00A0: 0x20,
    0xFE52: ord("."),  # ﹒ small full stop, used after item numbers
})
_FOLD_TABLE = {k: chr(v) for k, v in _FOLD.items()}


_SHORT = 512


def fold(text: str) -> str:
    """Map full-width ASCII to half-width, one character for one.

    Remembers recent answers: every extractor folds the same document text.
    Only the last two long texts are kept (a document and a passage of it), so
    the cache holds one document's folded copy however many documents, or
    however long ones, a build reads.

    >>> fold("２０２０年（责任单位：省科技厅）")
    '2020年(责任单位:省科技厅)'
    """
    return _fold_short(text) if len(text) < _SHORT else _fold_long(text)


@lru_cache(maxsize=1024)
def _fold_short(text: str) -> str:
    return text.translate(_FOLD_TABLE)


@lru_cache(maxsize=2)
def _fold_long(text: str) -> str:
    return text.translate(_FOLD_TABLE)


@per_overlay
def _key_drop() -> dict[int, None]:
    """The characters an entity's key leaves out (``named.json`` ``syntax.key_drop``): quotes and title brackets."""
    return str.maketrans("", "", resource_json("named.json")["syntax"]["key_drop"])


def entity_key(name: str) -> str:
    """The key of a park, fund or program name, or of a title: folded, without quotes, title brackets or blanks.

    Extraction merges names and mints their IRIs by it and evaluation compares
    extracted names with the gold ones by it, so both layers must agree on what
    makes two spellings one name.

    >>> entity_key("“创业在家乡” 计划") == entity_key("创业在家乡计划") == entity_key("「创业在家乡」计划")
    True
    """
    return "".join(fold(name).translate(_key_drop()).split())


def _number() -> dict:
    return resource_json("metadata.json")["document_number"]


def _chars(chars: str) -> str:
    return "".join(re.escape(c) for c in chars)


@per_overlay
def document_number_re() -> re.Pattern[str]:
    """A 文号 such as 国办发〔2015〕9号, 吉政办发〔２０１５〕３１号 or 青政办[2017]2号 (on folded text), per overlay."""
    number = _number()
    return re.compile(
        rf"(?P<prefix>[\u4e00-\u9fff]{{1,10}}?)\s*[{_chars(number['open_brackets'])}]"
        rf"(?P<year>(?:19|20)\d\d)[{_chars(number['close_brackets'])}]\s*(?P<seq>\d{{1,4}})\s*"
        rf"{re.escape(number['sequence_mark'])}"
    )


with using_overlay(()):
    #: The packaged 文号 pattern (:func:`document_number_re` gives that of the active overlay).
    DOCUMENT_NUMBER_RE = document_number_re()


def normalize_document_number(surface: str) -> str | None:
    """Normalise a 文号 to half-width digits and 〔〕 brackets, or None if it is not one.

    >>> normalize_document_number("吉政办发〔２０１５〕３１号")
    '吉政办发〔2015〕31号'
    >>> normalize_document_number("国办发[2016]7号")
    '国办发〔2016〕7号'
    """
    m = document_number_re().search(fold(surface))
    if not m:
        return None
    number = _number()
    opening, closing = number["canonical_brackets"]
    return f"{m['prefix']}{opening}{m['year']}{closing}{int(m['seq'])}{number['sequence_mark']}"
