"""Load the operation's daily tallies from before the cut-over day."""

import csv
import io
import re
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from counts import services

COLUMNS = ("date", "total", "party", "youth_league", "young_pioneers")
# Problems listed in the error; the rest are counted.
SHOWN_PROBLEMS = 100
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_COUNT = re.compile(r"-?\d+")


class Command(BaseCommand):
    help = (
        "Import daily tallies from before the cut-over day from a CSV file with the header "
        "date,total,party,youth_league,young_pioneers (UTF-8, with or without a BOM). "
        "All rows or none are imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace days imported before (never days counted from statements).",
        )

    @no_translations
    def handle(self, *args, file: Path, replace: bool, **options):
        rows, problems = read_history(file)
        if not rows and not problems:
            raise CommandError(f"{file}: no rows under the header; nothing imported.")
        if problems:
            # Report the database's objections too, so one pass fixes the whole file.
            problems += services.history_problems(rows=rows, replace=replace)
            _refuse(file, problems)
        try:
            result = services.import_history(rows=rows, replace=replace)
        except services.HistoryRefused as refused:
            _refuse(file, refused.problems)
        replaced = f" ({result.replaced} replaced)" if result.replaced else ""
        self.stdout.write(
            f"Imported {result.days:,} days{replaced}, {result.first} to {result.last}: "
            f"{result.total:,} people."
        )


def _refuse(file: Path, problems: list[tuple[int, str]]):
    problems = sorted(set(problems))
    lines = [f"  line {line}: {reason}" for line, reason in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(f"  … and {len(problems) - SHOWN_PROBLEMS:,} more")
    bad_lines = len({line for line, _reason in problems})
    raise CommandError(f"{file}: {bad_lines:,} bad rows; nothing imported.\n" + "\n".join(lines))


def read_history(file: Path) -> tuple[list[services.HistoryDay], list[tuple[int, str]]]:
    """The rows that parse, and (line, reason) for those that do not. Line numbers are
    the file's (the header is line 1); blank rows are skipped."""
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise CommandError(f"{file}: {error.strerror}.") from None
    try:
        text = raw.decode("utf-8-sig")  # strips a BOM if there is one
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{file}: not UTF-8 (byte {error.start}); save it as CSV UTF-8."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CommandError(f"{file}: the file is empty.") from None
    except csv.Error as error:
        raise CommandError(f"{file}: line 1: {error}.") from None
    names = [cell.strip().lower() for cell in header]
    if sorted(names) != sorted(COLUMNS):
        raise CommandError(
            f"{file}: line 1: the header must name the columns {', '.join(COLUMNS)} "
            f"(in any order); it has {', '.join(names) or 'nothing'}."
        )
    position = {name: names.index(name) for name in COLUMNS}
    rows: list[services.HistoryDay] = []
    problems: list[tuple[int, str]] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append((reader.line_num, str(error)))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(COLUMNS):
            problems.append((line, f"{len(cells)} cells, expected {len(COLUMNS)}"))
            continue
        values = {name: cells[index].strip() for name, index in position.items()}
        row_problems = []
        day = _parse_day(values["date"])
        if day is None:
            row_problems.append(f"date {values['date']!r} is not a day as YYYY-MM-DD")
        counts = {}
        for name in COLUMNS[1:]:
            if _COUNT.fullmatch(values[name]):
                counts[name] = int(values[name])
            else:
                row_problems.append(f"{name} {values[name]!r} is not a whole number")
        if row_problems:
            problems += [(line, reason) for reason in row_problems]
            continue
        rows.append(services.HistoryDay(line=line, day=day, **counts))
    return rows, problems


def _parse_day(text: str) -> date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
