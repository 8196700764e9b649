import csv
import io

import pytest

from tuidang.lib.csv import csv_lines, neutralize


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("a=b", "a=b"),
        ("2026-03-01", "2026-03-01"),
        (1234, "1234"),
        (None, ""),
        ("", ""),
        ("退党", "退党"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_written_as_text(cell, written):
    assert neutralize(cell) == written


def test_lines_are_csv_with_every_cell_neutralized():
    lines = list(csv_lines([("name", "note"), ("=1+2", 'say "hi", then go'), (7, None)]))

    assert lines == ["name,note\r\n", '\'=1+2,"say ""hi"", then go"\r\n', "7,\r\n"]
    assert list(csv.reader(io.StringIO("".join(lines)))) == [
        ["name", "note"],
        ["'=1+2", 'say "hi", then go'],
        ["7", ""],
    ]


def test_lines_are_made_one_at_a_time():
    def rows():
        yield ("a",)
        raise AssertionError("read past the first row")

    assert next(csv_lines(rows())) == "a\r\n"
