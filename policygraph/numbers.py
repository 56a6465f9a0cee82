"""Number parsing for Chinese policy text: full-width and Chinese numerals, 万/亿 multipliers, fractions, ranges."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext

from policygraph.knowledge import per_overlay, resource_json
from policygraph.normalize import fold

__all__ = ["parse_number", "parse_quantity", "lexicon", "number_pattern", "tidy"]

#: Significant digits kept for values that do not terminate (1/3); matches a JSON float.
_FRACTION_DIGITS = 16


def lexicon() -> dict:
    """The units lexicon (``resources/units.json``), read once.

    Numerals, multipliers and every cue list used by the target extractor
    live there, so tuning them never needs a code change.
    """
    return resource_json("units.json")


def _ten() -> str:
    """The multiplier worth ten, which may open a numeral (十五) without a digit."""
    return next(m for m, v in _multipliers().items() if v == 10)


def _group_multipliers() -> tuple[str, ...]:
    """Multipliers that close a four-digit group (亿, 万), largest first, for splitting."""
    big = [(v, m) for m, v in _multipliers().items() if v >= 10000]
    return tuple(m for _, m in sorted(big, reverse=True))


def _fraction_mark() -> str:
    """The word between denominator and numerator in a Chinese fraction (三分之一)."""
    return lexicon()["numerals"]["fraction_mark"]


def _digits() -> dict[str, int]:
    return lexicon()["numerals"]["digits"]


def _multipliers() -> dict[str, int]:
    return lexicon()["numerals"]["multipliers"]


def tidy(value: Decimal) -> Decimal:
    """Drop a meaningless fractional part so 1.5万 prints as 15000, not 15000.0.

    >>> tidy(Decimal("15000.0"))
    Decimal('15000')
    >>> tidy(Decimal("0.50"))
    Decimal('0.5')
    """
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def _multiplier_alternatives() -> list[str]:
    """Arabic multipliers as regex alternatives, each barred from eating the head of a unit.

    A unit that begins with a multiplier character (千瓦, 千米) must not lose
    it to the number: 800千瓦 is 800 of 千瓦, not 800000 of 瓦.
    """
    units = [u["surface"] for u in lexicon()["units"]]
    out = []
    for mult in sorted(lexicon()["arabic_multipliers"], key=len, reverse=True):
        tails = sorted({u[k:] for u in units for k in range(1, len(u)) if mult.endswith(u[:k])}, key=len, reverse=True)
        out.append(re.escape(mult) + (f"(?!{'|'.join(map(re.escape, tails))})" if tails else ""))
    return out


@per_overlay
def number_pattern() -> str:
    """Regex source for one number on folded text, with an optional trailing multiplier.

    Arabic numbers may carry 万/亿/千/百 (``1.5万``, ``50亿``); Chinese numerals
    must start with a digit or 十, so 万众创新 and 千亿元 are not numbers.
    Fractions (``1/3``, ``三分之一``) are included.
    """
    digits = "".join(_digits())
    mults = "".join(_multipliers())
    first = "".join(d for d in _digits() if _digits()[d] > 0) + _ten()
    arabic_mult = "|".join(_multiplier_alternatives())
    arabic = rf"\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?"
    chinese = rf"[{first}][{digits}{mults}]*"
    return (
        rf"(?:\d+/\d+|[{digits}{mults}]+{re.escape(_fraction_mark())}[{digits}{mults}]+"
        rf"|(?:{arabic})(?:{arabic_mult})?|{chinese})"
    )


def _chinese_small(s: str) -> int | None:
    """Value of a Chinese numeral below 10000 (三十, 一百二十, 两千零五)."""
    digits, mults = _digits(), _multipliers()
    if s and all(c in digits for c in s):
        return int("".join(str(digits[c]) for c in s))
    total, current = 0, 0
    for ch in s:
        if ch in digits:
            current = digits[ch]
        elif ch in mults and mults[ch] < 10000:
            total += (current or 1) * mults[ch]
            current = 0
        else:
            return None
    return total + current


def _chinese(s: str) -> int | None:
    """Value of a Chinese numeral, splitting on 亿 then 万."""
    if not s:
        return 0
    for big in _group_multipliers():
        if big in s:
            high, _, low = s.partition(big)
            h = _chinese(high) if high else 1
            lo = _chinese(low)
            if h is None or lo is None:
                return None
            return h * _multipliers()[big] + lo
    return _chinese_small(s)


def _arabic(s: str) -> Decimal | None:
    """Arabic number with optional trailing multipliers (1.5万, 3千万, 1,000)."""
    m = re.fullmatch(r"([\d,]*\d(?:\.\d+)?)(\D*)", s)
    if not m:
        return None
    try:
        value = Decimal(m.group(1).replace(",", ""))
    except InvalidOperation:
        return None
    for ch in m.group(2):
        if ch not in _multipliers():
            return None
        value *= _multipliers()[ch]
    return value


def _divide(a: Decimal, b: Decimal) -> Decimal | None:
    if b == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = _FRACTION_DIGITS
        return +(a / b)


def parse_number(s: str) -> Decimal | None:
    """Parse one number as written in a Chinese document, multipliers folded in.

    Returns None when ``s`` is not a number. A trailing ``%`` is dropped (the
    caller keeps ``%`` as the unit); fractions that do not terminate keep 16
    significant digits.

    Examples
    --------
    >>> parse_number("50")
    Decimal('50')
    >>> parse_number("５０００")
    Decimal('5000')
    >>> parse_number("1.5万")
    Decimal('15000')
    >>> parse_number("50亿")
    Decimal('5000000000')
    >>> parse_number("三十"), parse_number("一百二十"), parse_number("两"), parse_number("十")
    (Decimal('30'), Decimal('120'), Decimal('2'), Decimal('10'))
    >>> parse_number("1/3")
    Decimal('0.3333333333333333')
    >>> parse_number("三分之一") == parse_number("1/3")
    True
    >>> parse_number("30%")
    Decimal('30')
    >>> parse_number("万众") is None
    True
    """
    s = fold(s).strip()
    if s.endswith("%"):
        s = s[:-1]
    if not s:
        return None
    if "/" in s:
        a, _, b = s.partition("/")
        na, nb = parse_number(a), parse_number(b)
        return None if na is None or nb is None else _divide(na, nb)
    if _fraction_mark() in s:
        b, _, a = s.partition(_fraction_mark())
        na, nb = parse_number(a), parse_number(b)
        return None if na is None or nb is None else _divide(na, nb)
    if s[0].isdigit():
        value = _arabic(s)
    else:
        n = _chinese(s)
        value = None if n is None else Decimal(n)
    return None if value is None else tidy(value)


def _split_range(s: str) -> tuple[str, str] | None:
    seps = sorted(lexicon()["range_separators"], key=len, reverse=True)
    for sep in seps:
        head, found, tail = s.partition(sep)
        if found and head and tail:
            return head, tail
    return None


def parse_quantity(s: str) -> tuple[Decimal, Decimal | None] | None:
    """Parse a number or a range into ``(value, value_max)``.

    A multiplier written only on the upper bound applies to both
    (``3-5万`` is 30000 to 50000), as Chinese writers intend.

    Examples
    --------
    >>> parse_quantity("1-2")
    (Decimal('1'), Decimal('2'))
    >>> parse_quantity("１～２")
    (Decimal('1'), Decimal('2'))
    >>> parse_quantity("3至5万")
    (Decimal('30000'), Decimal('50000'))
    >>> parse_quantity("40万")
    (Decimal('400000'), None)
    >>> parse_quantity("6%-10%")
    (Decimal('6'), Decimal('10'))
    >>> parse_quantity("abc") is None
    True
    """
    s = fold(s).strip()
    parts = _split_range(s)
    if parts is None:
        value = parse_number(s)
        return None if value is None else (value, None)
    head, tail = parts
    low, high = parse_number(head), parse_number(tail)
    if low is None or high is None:
        return None
    head_bare = head.rstrip("%")
    trailing = re.search(r"[" + "".join(_multipliers()) + r"]+$", tail.rstrip("%"))
    if trailing and (head_bare[-1:].isdigit() or head_bare[-1:] in _digits()):
        scale = parse_number("1" + trailing.group(0))
        low = tidy(low * scale)
    return low, high
