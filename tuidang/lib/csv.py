"""CSV for downloads that people open in spreadsheets.

A cell that begins with = + - @ or a tab or carriage return is read by Excel, LibreOffice
and Google Sheets as a formula, which can run commands or send the sheet's data away
(CSV injection). Such a cell gets a leading apostrophe, which spreadsheets show as text
and never evaluate. Every cell of every CSV this site writes goes through neutralize.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: object) -> str:
    """The cell as text, with a leading `'` if a spreadsheet would read it as a formula.
    None is an empty cell."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """A file-like object that hands back what csv.writer writes, line by line."""

    def write(self, line: str) -> str:
        return line


def csv_lines(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """Each row as one CSV line (RFC 4180: quoted where needed, CRLF line ends), every
    cell neutralized: for StreamingHttpResponse, so nothing is built in memory."""
    writer = csv.writer(_Line())
    for row in rows:
        yield writer.writerow([neutralize(cell) for cell in row])
