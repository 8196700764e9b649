"""Loading statements published before the cut-over, at COPY speed.

`load_statements` reads a CSV file of statements the operation published elsewhere,
each with its registration number and publication day, checks every row as intake
would, and streams the good rows with PostgreSQL's binary COPY straight into the
statement table, published. Called by `manage.py import_statements` (in counts, which
then brings the tallies up to date: statements never imports counts).

**The file.** UTF-8 with or without a BOM; the first line names the columns, in any
order: `registration_number` (16 digits with their check digit, spaces or dashes
allowed), `day` (YYYY-MM-DD, the publication day in TALLY_TIME_ZONE), `name`, `is_alias`
(`1`/`0`, `true`/`false`, `yes`/`no`, empty for no), `organizations` (one or more of
`party`, `youth_league`, `young_pioneers`, separated by `;`), `region` (a code as the
API takes it) and, optionally, `text` and `language` (`zh-hans`, the default,
`zh-hant` or `en`). One column for the organizations rather than three booleans: it
reads as the API's list, and a row cannot name an organization that does not exist.

**Rows are checked as intake checks them**: name and text stripped and put in NFC
before their lengths are counted, the same validators (statements.validators), the
same choices, at least one organization; and the day is not in the future. A bad row
does not stop the load: it goes to the rejects file (CSV: `line`, `reason`, then the
row's own cells) and the rest load. So does a number already taken, by a statement here
or by an earlier row of the file.

**Chunks and resume.** Rows load in chunks (CHUNK_ROWS), each one transaction: the
COPY of its rows and the new position of its StatementImport row commit together, so
a chunk is in or out whole and the position always says where the statements end.
Running the same file again (the same sha256) seeks to that position and carries on;
the rejects file is cut back to its length at the same commit, so an interrupted
chunk's rejects are not written twice. The session commits with `synchronous_commit =
off`: a crash of the database may lose the last chunks committed, but together with
their position, so the resume loads them again; nothing is lost or doubled.

**Why COPY straight into the table, not a staging table.** A staging table would copy
every row twice. Numbers taken are rare, so the COPY is tried first and the unique index
finds them: on that error the chunk goes back to a savepoint, the taken numbers are
looked up with one query, their rows go to the rejects file and the chunk is sent again
from memory. Within a chunk, a repeated number is caught before it is sent.

**What an imported row is.** Status `published`, channel `imported`, its number and
day as given; `published_at`, `created_at`, `screened_at` and `status_changed_at` are
the start of its day in TALLY_TIME_ZONE (only the day is public; the rollup's look at
recent status changes does not pick up old days, the import rolls them up itself).
`content_hash` is computed exactly as intake computes it (statements.screening), so a
new submission of the same statement is flagged as a copy. `receipt_hash` is 16 random
bytes: no receipt was ever given, the column is unique and not null, and receipt
look-ups never return an imported statement (StatementQuerySet.by_receipt). No
screening flags (they are hints for review, which these statements had elsewhere) and
no audit rows: the StatementImport row is the record of where they came from.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from psycopg.types.json import Jsonb

from statements import registration, screening
from statements.choices import Channel, Organization, Region, Status
from statements.models import NAME_MAX_LENGTH, TEXT_MAX_LENGTH, Statement, StatementImport
from statements.validators import validate_name, validate_text
from tuidang.lib.days import day_bounds, tally_today

REQUIRED = ("registration_number", "day", "name", "is_alias", "organizations", "region")
OPTIONAL = ("text", "language")
# A chunk is one transaction. 100,000 rows hold some 30 MB in memory (kept in case the
# chunk must be sent again) and commit every second or two; bigger chunks gain nothing.
CHUNK_ROWS = 100_000
# How often (rows read) the progress callback is called between commits.
TICK_ROWS = 10_000
DEFAULT_LANGUAGE = "zh-hans"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ORGANIZATION_SEPARATORS = re.compile(r"[;,\s]+")
_BOOLEANS = {
    "": False,
    "0": False,
    "false": False,
    "no": False,
    "n": False,
    "1": True,
    "true": True,
    "yes": True,
    "y": True,
}
_REGIONS = {code.lower(): code for code in Region.values}
_ORGANIZATIONS = frozenset(Organization.values)
_LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)
_BOM = b"\xef\xbb\xbf"

# The columns the COPY fills, in order, and their types for the binary format. `id` is
# the table's identity, `hidden` its default (false); the rest are null.
_COPY_COLUMNS = (
    ("display_name", "text"),
    ("is_alias", "bool"),
    ("left_party", "bool"),
    ("left_youth_league", "bool"),
    ("left_young_pioneers", "bool"),
    ("region", "text"),
    ("text", "text"),
    ("language", "text"),
    ("content_hash", "bytea"),
    ("receipt_hash", "bytea"),
    ("registration_number", "int8"),
    ("published_day", "date"),
    ("published_at", "timestamptz"),
    ("created_at", "timestamptz"),
    ("screened_at", "timestamptz"),
    ("status_changed_at", "timestamptz"),
    ("channel", "text"),
    ("status", "text"),
    ("screening_flags", "jsonb"),
    ("rejection_reason", "text"),
)
_CONSTANTS = (Channel.IMPORTED.value, Status.PUBLISHED.value, Jsonb([]), "")
_NUMBER = _COPY_COLUMNS.index(("registration_number", "int8"))
_DAY = _COPY_COLUMNS.index(("published_day", "date"))
_NUMBER_TAKEN = "statements_statement_registration_number_key"
# Any constant unique among the project's advisory locks, with the import's id.
_IMPORT_LOCK_ID = 7_202_613


class ImportRefused(Exception):
    """The file cannot be loaded at all (its header, its encoding, the database); nothing
    was written."""


@dataclass(frozen=True)
class Progress:
    """Where a load is, for a progress bar. `offset` and `size` are bytes of the file."""

    offset: int
    size: int
    read: int  # rows read in this run
    loaded: int  # rows committed in this run
    rejected: int  # rows rejected in this run


@dataclass(frozen=True)
class ImportResult:
    loaded: int  # in this run
    rejected: int  # in this run
    total_loaded: int  # by every run of this file
    total_rejected: int
    resumed_after_line: int | None  # None: the load started at the top of the file
    already_finished: bool
    rejects: Path | None  # None when no row of the file was rejected
    days: list[date] = field(default_factory=list)  # every day loaded from the file


def default_rejects_path(path: Path) -> Path:
    """FILE.csv -> FILE.rejects.csv, beside it."""
    return path.with_name(f"{path.stem}.rejects{path.suffix or '.csv'}")


def load_statements(
    *,
    path: Path,
    rejects_path: Path | None = None,
    restart: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[Progress], None] | None = None,
    tick_rows: int = TICK_ROWS,
) -> ImportResult:
    """Load the published statements in the CSV file at `path`; see the module's doc.

    Resumes the same file after its last committed chunk unless `restart` (then its
    rows already loaded are rejected as taken numbers). A file loaded to the end loads
    nothing again and answers `already_finished`. `progress` is called every
    `tick_rows` rows and after each commit; whatever it raises stops the load, and the
    chunk under way is rolled back. Two loads of the same file at once: the second is
    refused. Raises ImportRefused for a file that cannot be read as statements.
    Needs PostgreSQL (COPY). Does not touch the tallies: the caller rolls up `days`.
    """
    if connection.vendor != "postgresql":
        raise ImportRefused("loading statements needs PostgreSQL (it uses COPY)")
    if connection.in_atomic_block:
        raise ImportRefused("load_statements commits chunk by chunk; call it outside a transaction")
    rejects_path = rejects_path or default_rejects_path(path)
    try:
        digest, size = _digest(path)
    except OSError as error:
        raise ImportRefused(f"{path}: {error.strerror}") from None
    run, created = StatementImport.objects.get_or_create(
        digest=digest, defaults={"file_name": path.name[:255], "size": size}
    )
    with _locked(run):
        run.refresh_from_db()
        if restart and not created:
            _reset(run)
        if run.finished_at is not None:
            return _result(
                run, loaded=0, rejected=0, resumed=None, finished=True, path=rejects_path
            )
        resumed = run.line if run.offset else None
        loader = _Loader(
            run=run,
            path=path,
            rejects_path=rejects_path,
            chunk_rows=chunk_rows,
            progress=progress,
            tick_rows=tick_rows,
        )
        loader.load()
        run.refresh_from_db()
        return _result(
            run,
            loaded=loader.loaded,
            rejected=loader.rejected,
            resumed=resumed,
            finished=False,
            path=rejects_path,
        )


def _digest(path: Path) -> tuple[bytes, int]:
    sha, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            sha.update(block)
            size += len(block)
    return sha.digest(), size


class _locked:
    """A session advisory lock on one import, so two loads of a file never interleave
    (the second would find every number taken)."""

    def __init__(self, run: StatementImport):
        self.key = run.pk

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_IMPORT_LOCK_ID, self.key])
            (locked,) = cursor.fetchone()
        if not locked:
            raise ImportRefused("this file is being loaded by another process")

    def __exit__(self, *exc):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_IMPORT_LOCK_ID, self.key])
        except DatabaseError:
            pass  # the connection is gone, and the lock with its session


def _reset(run: StatementImport) -> None:
    StatementImport.objects.filter(pk=run.pk).update(
        line=1,
        offset=0,
        loaded=0,
        rejected=0,
        rejects_size=0,
        days=[],
        started_at=timezone.now(),
        updated_at=timezone.now(),
        finished_at=None,
    )
    run.refresh_from_db()


def _result(run, *, loaded, rejected, resumed, finished, path) -> ImportResult:
    return ImportResult(
        loaded=loaded,
        rejected=rejected,
        total_loaded=run.loaded,
        total_rejected=run.rejected,
        resumed_after_line=resumed,
        already_finished=finished,
        rejects=path if run.rejected else None,
        days=sorted(date.fromisoformat(day) for day in run.days),
    )


class _Lines:
    """The file's lines as text for the csv module, counting bytes (for the position a
    resume seeks to) and noting lines that are not UTF-8 (rejected with their row)."""

    def __init__(self, raw: io.BufferedReader, offset: int):
        self.raw = raw
        self.offset = offset
        self.not_utf8 = False

    def __iter__(self) -> Iterator[str]:
        for line in self.raw:
            self.offset += len(line)
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                self.not_utf8 = True
                yield line.decode("utf-8", "surrogateescape")


@dataclass
class _Chunk:
    rows: list[tuple] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # each row's line, for rejects
    cells: list[list[str]] = field(default_factory=list)  # each row as read, for rejects
    numbers: dict[int, int] = field(default_factory=dict)  # number -> line in this chunk
    rejects: list[tuple[int, str, list[str]]] = field(default_factory=list)
    end_line: int = 0  # the last line read, 0 if none
    end_offset: int = 0


class _Loader:
    def __init__(self, *, run, path, rejects_path, chunk_rows, progress, tick_rows):
        self.run = run
        self.path = path
        self.rejects_path = rejects_path
        self.chunk_rows = max(1, chunk_rows)
        self.progress = progress
        self.tick_rows = max(1, tick_rows)
        self.read = self.loaded = self.rejected = 0
        self.today = tally_today()
        self.days: dict[str, tuple[date, datetime] | None] = {}

    def load(self) -> None:
        with self.path.open("rb") as raw:
            names, cells = self._header(raw)
            start = max(self.run.offset, raw.tell())
            raw.seek(start)
            self.lines = _Lines(raw, start)
            self.reader = csv.reader(self.lines)
            self.line = self.line_base = self.run.line
            with self._open_rejects(header=cells) as rejects:
                while self._load_chunk(names, rejects):
                    pass
                StatementImport.objects.filter(pk=self.run.pk).update(
                    finished_at=timezone.now(), updated_at=timezone.now()
                )
            if not self.run.rejected:
                self.rejects_path.unlink(missing_ok=True)
        self._tick()

    def _header(self, raw: io.BufferedReader) -> tuple[list[str], list[str]]:
        """The column names (lower case), and the header's cells as written."""
        first = raw.readline()
        if first.startswith(_BOM):
            first = first[len(_BOM) :]
        try:
            text = first.decode("utf-8")
        except UnicodeDecodeError:
            raise ImportRefused(
                f"{self.path}: line 1: not UTF-8; save the file as CSV UTF-8"
            ) from None
        try:
            cells = next(csv.reader([text]), [])
        except csv.Error as error:
            raise ImportRefused(f"{self.path}: line 1: {error}") from None
        names = [name.strip().lower() for name in cells]
        missing = [name for name in REQUIRED if name not in names]
        unknown = [name for name in names if name not in REQUIRED + OPTIONAL]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if missing or unknown or repeated:
            raise ImportRefused(
                f"{self.path}: line 1: the header must name the columns "
                f"{', '.join(REQUIRED)}, and may name {', '.join(OPTIONAL)}, each once, in "
                f"any order; it has {', '.join(names) or 'nothing'}"
            )
        return names, cells

    def _open_rejects(self, *, header: list[str]) -> io.TextIOWrapper:
        """The rejects file, cut back to its length at the last commit (a new file for a
        load from the top). Rejected rows hold people's names: readable by the owner only."""
        if self.run.offset:
            try:
                raw = open(self.rejects_path, "r+b")  # noqa: SIM115 - the caller closes it
            except FileNotFoundError:
                raw = None
            if raw is None or os.fstat(raw.fileno()).st_size < self.run.rejects_size:
                raise ImportRefused(
                    f"{self.rejects_path}: the rejects file of the interrupted load is "
                    "missing or shorter than it was; put it back, or start again with "
                    "--restart"
                )
            raw.truncate(self.run.rejects_size)
            raw.seek(self.run.rejects_size)
            return io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")
        fd = os.open(self.rejects_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        text = io.TextIOWrapper(
            os.fdopen(fd, "wb"), encoding="utf-8", errors="surrogateescape", newline=""
        )
        csv.writer(text).writerow(["line", "reason", *header])
        return text

    def _load_chunk(self, names: list[str], rejects: io.TextIOWrapper) -> bool:
        """Read up to chunk_rows good rows and COPY them, write the chunk's rejects, and
        commit the rows with the import's new position, in one transaction. False at
        the end of the file."""
        chunk = _Chunk()
        rows = self._rows(names, chunk)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
            try:
                with transaction.atomic():
                    self._copy(rows)
            except psycopg.errors.UniqueViolation as error:
                if error.diag.constraint_name != _NUMBER_TAKEN:
                    raise
                for _row in rows:  # the COPY may have stopped before the chunk's end
                    pass
                self._resend_without_taken(chunk)
            if not chunk.end_line:
                return False
            # Written before the commit: if the commit never happens, the resume cuts
            # the file back to rejects_size and this chunk's rejects are written again.
            writer = csv.writer(rejects)
            for line, reason, cells in sorted(chunk.rejects, key=lambda r: r[0]):
                writer.writerow([line, reason, *cells])
            rejects.flush()
            os.fsync(rejects.fileno())
            days = {row[_DAY].isoformat() for row in chunk.rows}
            self.run.days = sorted(days.union(self.run.days))
            StatementImport.objects.filter(pk=self.run.pk).update(
                line=chunk.end_line,
                offset=chunk.end_offset,
                loaded=F("loaded") + len(chunk.rows),
                rejected=F("rejected") + len(chunk.rejects),
                rejects_size=rejects.buffer.tell(),
                days=self.run.days,
                updated_at=timezone.now(),
            )
        self.loaded += len(chunk.rows)
        self.rejected += len(chunk.rejects)
        self.run.rejected += len(chunk.rejects)
        self._tick()
        return True

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(
                Progress(
                    offset=self.lines.offset,
                    size=self.run.size,
                    read=self.read,
                    loaded=self.loaded,
                    rejected=self.rejected,
                )
            )

    def _rows(self, names: list[str], chunk: _Chunk) -> Iterator[tuple]:
        """The chunk's good rows, read from the file as the COPY takes them (so the
        database works while Python parses); bad ones go to chunk.rejects."""
        position = {name: names.index(name) for name in names}
        reader, lines = self.reader, self.lines
        width = len(names)
        while len(chunk.rows) < self.chunk_rows:
            start = self.line + 1
            lines.not_utf8 = False
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                # Only an unclosed quote at the end of the file gets here: the rest of the
                # file was this row.
                self.line = chunk.end_line = self.line_base + reader.line_num
                chunk.end_offset = lines.offset
                chunk.rejects.append((start, f"not CSV: {error}", []))
                return
            self.line = chunk.end_line = self.line_base + reader.line_num
            chunk.end_offset = lines.offset
            self.read += 1
            if self.read % self.tick_rows == 0:
                self._tick()
            if not any(cell.strip() for cell in cells):
                continue
            if lines.not_utf8:
                chunk.rejects.append((start, "not UTF-8", cells))
                continue
            if len(cells) != width:
                chunk.rejects.append((start, f"{len(cells)} cells, expected {width}", cells))
                continue
            row = self._row({name: cells[i] for name, i in position.items()}, start, chunk)
            if isinstance(row, str):
                chunk.rejects.append((start, row, cells))
                continue
            chunk.rows.append(row)
            chunk.lines.append(start)
            chunk.cells.append(cells)
            yield row

    def _row(self, values: dict[str, str], line: int, chunk: _Chunk) -> tuple | str:
        """The row to COPY, or why not (every problem of the row, joined)."""
        problems = []
        number = registration.parse(values["registration_number"])
        if number is None:
            problems.append(
                f"registration number {values['registration_number']!r} is not 16 digits "
                "with a valid check digit"
            )
        elif number in chunk.numbers:
            problems.append(f"registration number {number} is also on line {chunk.numbers[number]}")
        day_text = values["day"].strip()
        if day_text not in self.days:
            self.days[day_text] = self._day(day_text)
        day = self.days[day_text]
        if day is None:
            problems.append(f"day {day_text!r} is not a day as YYYY-MM-DD")
        elif day[0] > self.today:
            problems.append(f"day {day_text} is in the future")
        name = screening.normalize(values["name"].strip())
        if not name:
            problems.append("name is empty")
        elif len(name) > NAME_MAX_LENGTH:
            problems.append(f"name has {len(name)} characters, at most {NAME_MAX_LENGTH}")
        else:
            problems += _errors(validate_name, name, "name")
        is_alias = _BOOLEANS.get(values["is_alias"].strip().lower())
        if is_alias is None:
            problems.append(f"is_alias {values['is_alias']!r} is not yes or no")
        organizations = set(_ORGANIZATION_SEPARATORS.split(values["organizations"].strip()))
        organizations.discard("")
        if not organizations:
            problems.append("no organization")
        elif unknown := organizations - _ORGANIZATIONS:
            problems.append(f"not an organization: {', '.join(sorted(unknown))}")
        region = _REGIONS.get(values["region"].strip().lower())
        if region is None:
            problems.append(f"region {values['region']!r} is not a region code")
        text = screening.normalize(values.get("text", "").strip())
        if len(text) > TEXT_MAX_LENGTH:
            problems.append(f"text has {len(text)} characters, at most {TEXT_MAX_LENGTH}")
        else:
            problems += _errors(validate_text, text, "text")
        language = values.get("language", "").strip().lower() or DEFAULT_LANGUAGE
        if language not in _LANGUAGES:
            problems.append(f"language {language!r} is not one of {', '.join(sorted(_LANGUAGES))}")
        if problems:
            return "; ".join(problems)
        chunk.numbers[number] = line
        moment = day[1]
        return (
            name,
            is_alias,
            Organization.PARTY in organizations,
            Organization.YOUTH_LEAGUE in organizations,
            Organization.YOUNG_PIONEERS in organizations,
            region,
            text,
            language,
            screening.content_hash(
                name=name, text=text, organizations=organizations, region=region
            ),
            # No receipt was ever given: random bytes that only fill the unique column.
            os.urandom(16),
            number,
            day[0],
            moment,
            moment,
            moment,
            moment,
            *_CONSTANTS,
        )

    @staticmethod
    def _day(text: str) -> tuple[date, datetime] | None:
        """The day and its first moment in TALLY_TIME_ZONE, or None."""
        if not _DATE.fullmatch(text):
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
        return day, day_bounds(day)[0]

    def _copy(self, rows) -> None:
        columns = ", ".join(name for name, _type in _COPY_COLUMNS)
        table = Statement._meta.db_table
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN (FORMAT BINARY)') as copy,
        ):
            copy.set_types([kind for _name, kind in _COPY_COLUMNS])
            for row in rows:
                copy.write_row(row)

    def _resend_without_taken(self, chunk: _Chunk) -> None:
        """Some numbers of the chunk are taken (by statements here, or rows of the file
        committed before): reject those rows and send the rest again. Repeated, since a
        reviewer may publish a statement under one of the numbers meanwhile."""
        for _attempt in range(10):
            taken = set(
                Statement.objects.filter(
                    registration_number__in=[row[_NUMBER] for row in chunk.rows]
                ).values_list("registration_number", flat=True)
            )
            kept = [
                (row, line, cells)
                for row, line, cells in zip(chunk.rows, chunk.lines, chunk.cells, strict=True)
                if row[_NUMBER] not in taken
            ]
            chunk.rejects += [
                (
                    line,
                    f"registration number {row[_NUMBER]} is already taken, by a statement "
                    "here or an earlier row of this file",
                    cells,
                )
                for row, line, cells in zip(chunk.rows, chunk.lines, chunk.cells, strict=True)
                if row[_NUMBER] in taken
            ]
            chunk.rows = [row for row, _line, _cells in kept]
            chunk.lines = [line for _row, line, _cells in kept]
            chunk.cells = [cells for _row, _line, cells in kept]
            try:
                with transaction.atomic():
                    self._copy(chunk.rows)
                return
            except psycopg.errors.UniqueViolation as error:
                if error.diag.constraint_name != _NUMBER_TAKEN:
                    raise
        raise RuntimeError("registration numbers kept colliding while the chunk was resent")


def _errors(validate, value: str, what: str) -> list[str]:
    try:
        validate(value)
    except ValidationError as error:
        return [f"{what}: {message}" for message in error.messages]
    return []
