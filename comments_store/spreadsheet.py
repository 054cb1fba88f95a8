"""CSV files that open safely in a French spreadsheet: UTF-8 with BOM, ';', and no cell read as a formula."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def cell(value: object) -> object:
    """The value, with a leading apostrophe if a spreadsheet would run it; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def render(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return "\ufeff" + buffer.getvalue()
