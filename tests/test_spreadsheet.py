"""CSV cells a spreadsheet would run as formulas are defused; numbers stay numbers."""
from __future__ import annotations

import pytest

from comments_store.spreadsheet import cell, render


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+33 6 12", "'+33 6 12"), ("-rm", "'-rm"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=x", "'\t=x"), ("Bonjour", "Bonjour"), ("-0,250", "-0,250"), ("+12", "+12"), (-3, -3), (None, None),
])
def test_cells(value, expected):
    assert cell(value) == expected


def test_the_file_starts_with_a_byte_order_mark_and_uses_semicolons():
    assert render(["a", "b"], [["=x", 1]]) == "\ufeffa;b\r\n'=x;1\r\n"
