"""Tests for number parsing: full-width and Chinese numerals, multipliers, fractions, ranges."""
from __future__ import annotations

from decimal import Decimal

import pytest

from policygraph.numbers import parse_number, parse_quantity

__all__: list[str] = []


@pytest.mark.parametrize(
    "surface, value",
    [
        ("50", "50"),
        ("５０００", "5000"),
        ("１,０００", "1000"),
        ("1.5万", "15000"),
        ("40万", "400000"),
        ("50亿", "5000000000"),
        ("3千万", "30000000"),
        ("5千", "5000"),
        ("十", "10"),
        ("两", "2"),
        ("三十", "30"),
        ("一百二十", "120"),
        ("两千零五", "2005"),
        ("四十万", "400000"),
        ("一亿二千万", "120000000"),
        ("二〇二〇", "2020"),
        ("30%", "30"),
        ("４．５％", "4.5"),
        ("1/3", "0.3333333333333333"),
        ("三分之一", "0.3333333333333333"),
        ("1/2", "0.5"),
    ],
)
def test_parse_number(surface, value):
    assert parse_number(surface) == Decimal(value)


@pytest.mark.parametrize("surface", ["", "万众", "abc", "1/0", "家"])
def test_parse_number_rejects(surface):
    assert parse_number(surface) is None


def test_multiplier_result_is_integral():
    assert str(parse_number("1.5万")) == "15000"


@pytest.mark.parametrize(
    "surface, low, high",
    [
        ("1-2", "1", "2"),
        ("１～２", "1", "2"),
        ("1至2", "1", "2"),
        ("三至五", "3", "5"),
        ("3-5万", "30000", "50000"),
        ("1万-2万", "10000", "20000"),
        ("6%-10%", "6", "10"),
        ("50", "50", None),
        ("1.5万", "15000", None),
    ],
)
def test_parse_quantity(surface, low, high):
    value, value_max = parse_quantity(surface)
    assert value == Decimal(low)
    assert value_max == (None if high is None else Decimal(high))


def test_parse_quantity_rejects():
    assert parse_quantity("众创") is None
    assert parse_quantity("1-众") is None
