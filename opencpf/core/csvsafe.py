"""CSV written for people's spreadsheets: a cell starting with = + - @ (or a tab / carriage return) would be run
as a formula by Excel or LibreOffice (CSV injection); such text is prefixed with an apostrophe. Plain numbers
(-12, +33 6…, -1 234,50) are left alone. Every CSV export of the product goes through `writer`."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d[\d\s.,\u202f\u00a0]*$")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


class SafeWriter:
    def __init__(self, out: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: Any, **kwargs: Any) -> SafeWriter:
    """Like `csv.writer`, with formula-looking text neutralised."""
    return SafeWriter(out, **kwargs)
