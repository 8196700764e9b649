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

**Speed.** The database's work (the row, its checks and six index entries) is most of
the cost, so Python keeps out of its way: rows go in PostgreSQL's binary format, which
the server stores without parsing, encoded here directly (`_encode`: the values that
repeat, a day's timestamps, a region, a set of organizations, are encoded once and
reused), and are sent as they are read, so the server works while Python reads on.

**What an imported row is.** Status `published`, channel `imported`, its number and
day as given; `published_at`, `created_at` and `status_changed_at` are the start of
its day in TALLY_TIME_ZONE (only the day is public; the rollup's look at recent status
changes does not pick up old days, so the import rolls them up itself); `screened_at`
is empty, since nothing screened it here. `content_hash` is computed exactly as intake
computes it (statements.screening.content_hash, on the same NFC name and text), so a
new submission of the same statement is flagged as a copy. `receipt_hash` holds no
receipt's digest, since none was ever given: the column is unique and not null, so it
gets 8 bytes drawn at random for each run and the row's line in the file (8 bytes).
Unique, and in ascending order within a run, so its index takes each at the same spot
(a random value costs the database a random page for each row); a receipt's digest
would have to equal one by chance (2^-128), and receipt look-ups never return an
imported statement in any case (StatementQuerySet.by_receipt). No screening flags
(hints for review, which these statements had elsewhere) and no audit rows: the
StatementImport row is the record of where they came from.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from statements import registration, screening
from statements.choices import Channel, Organization, Region, Status
from statements.models import (
    HASH_BYTES,
    NAME_MAX_LENGTH,
    ORGANIZATION_FIELDS,
    TEXT_MAX_LENGTH,
    Statement,
    StatementImport,
)
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

# The columns the COPY fills, in the order _encode writes them. `id` is the table's
# identity, `hidden` its default (false); the rest are null.
_COPY_COLUMNS = (
    "display_name",
    "is_alias",
    "left_party",
    "left_youth_league",
    "left_young_pioneers",
    "region",
    "text",
    "language",
    "content_hash",
    "receipt_hash",
    "registration_number",
    "published_day",
    "published_at",
    "created_at",
    "status_changed_at",
    "channel",
    "status",
    "screening_flags",
    "rejection_reason",
)
# PostgreSQL's binary COPY format: a signature, then each row as a 16-bit field count
# and each field as a 32-bit length and the value in the type's binary form (text as
# UTF-8, bool one byte, bigint 8 bytes, date the days and timestamptz the microseconds
# since 2000-01-01 UTC, jsonb a version byte and the JSON); -1 ends the data.
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_TRAILER = b"\xff\xff"
_ROW_START = len(_COPY_COLUMNS).to_bytes(2, "big")
_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_BYTES_16 = (16).to_bytes(4, "big")
_BYTES_8 = (8).to_bytes(4, "big")
_TRUE, _FALSE = b"\x00\x00\x00\x01\x01", b"\x00\x00\x00\x01\x00"


def _field(value: bytes) -> bytes:
    return len(value).to_bytes(4, "big") + value


# channel, status, screening_flags ([]), rejection_reason (""): the same in every row.
_CONSTANTS = (
    _field(Channel.IMPORTED.value.encode())
    + _field(Status.PUBLISHED.value.encode())
    + _field(b"\x01[]")
    + _field(b"")
)
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
    refused. Called inside a transaction (as the tests do), each chunk is a savepoint
    and everything commits, or not, with the caller's transaction. Raises
    ImportRefused for a file that cannot be read as statements. Needs PostgreSQL
    (COPY). Does not touch the tallies: the caller rolls up `days`.
    """
    if connection.vendor != "postgresql":
        raise ImportRefused("loading statements needs PostgreSQL (it uses COPY)")
    rejects_path = rejects_path or default_rejects_path(path)
    try:
        with path.open("rb") as raw:
            _header(raw, path)  # refused before anything is written
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


def _header(raw: io.BufferedReader, path: Path) -> tuple[list[str], list[str]]:
    """The column names (lower case), and the header's cells as written."""
    first = raw.readline()
    if first.startswith(_BOM):
        first = first[len(_BOM) :]
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportRefused(f"{path}: line 1: not UTF-8; save the file as CSV UTF-8") from None
    try:
        cells = next(csv.reader([text]), [])
    except csv.Error as error:
        raise ImportRefused(f"{path}: line 1: {error}") from None
    names = [name.strip().lower() for name in cells]
    missing = [name for name in REQUIRED if name not in names]
    unknown = [name for name in names if name not in REQUIRED + OPTIONAL]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if missing or unknown or repeated:
        raise ImportRefused(
            f"{path}: line 1: the header must name the columns "
            f"{', '.join(REQUIRED)}, and may name {', '.join(OPTIONAL)}, each once, in "
            f"any order; it has {', '.join(names) or 'nothing'}"
        )
    return names, cells


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
    rows: list[bytes] = field(default_factory=list)  # encoded for the COPY
    numbers: list[int] = field(default_factory=list)  # each row's number,
    days: list[date] = field(default_factory=list)  # day,
    lines: list[int] = field(default_factory=list)  # line,
    cells: list[list[str]] = field(default_factory=list)  # and cells as read (for rejects)
    seen: dict[int, int] = field(default_factory=dict)  # number -> its line in this chunk
    rejects: list[tuple[int, str, list[str]]] = field(default_factory=list)
    end_line: int = 0  # the last line read, 0 if none
    end_offset: int = 0

    def drop(self, taken: set[int]) -> None:
        """Move the rows with these numbers to the rejects."""
        kept = []
        for row in zip(self.rows, self.numbers, self.days, self.lines, self.cells, strict=True):
            if row[1] in taken:
                self.rejects.append(
                    (
                        row[3],
                        f"registration number {row[1]} is already taken, by a statement "
                        "here or an earlier row of this file",
                        row[4],
                    )
                )
            else:
                kept.append(row)
        self.rows, self.numbers, self.days, self.lines, self.cells = (
            [list(column) for column in zip(*kept, strict=True)] if kept else ([], [], [], [], [])
        )


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
        # See "What an imported row is" in the module's doc.
        self.receipt_prefix = _BYTES_16 + os.urandom(8)
        # Values that repeat, checked and encoded once: raw cell -> encoded or a problem.
        self.day_cache: dict[str, tuple[date, bytes] | str] = {}
        self.organization_cache: dict[str, tuple[bytes, str] | str] = {}
        self.region_cache: dict[str, tuple[bytes, str] | str] = {}
        self.language_cache: dict[str, bytes | str] = {}

    def load(self) -> None:
        with self.path.open("rb") as raw:
            names, cells = _header(raw, self.path)
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
            days = {day.isoformat() for day in set(chunk.days)}
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

    def _rows(self, names: list[str], chunk: _Chunk) -> Iterator[bytes]:
        """The chunk's good rows, encoded, read from the file as the COPY takes them (so
        the database works while Python reads); bad ones go to chunk.rejects."""
        reader, lines = self.reader, self.lines
        width = len(names)
        required = itemgetter(*(names.index(name) for name in REQUIRED))
        text_column = names.index("text") if "text" in names else None
        language_column = names.index("language") if "language" in names else None
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
            if not "".join(cells).strip():
                continue  # a blank row
            if lines.not_utf8:
                chunk.rejects.append((start, "not UTF-8", cells))
                continue
            if len(cells) != width:
                chunk.rejects.append((start, f"{len(cells)} cells, expected {width}", cells))
                continue
            number, day, name, alias, organizations, region = required(cells)
            text = "" if text_column is None else cells[text_column]
            language = "" if language_column is None else cells[language_column]
            row = self._encode(
                number, day, name, alias, organizations, region, text, language, start, chunk
            )
            if row is None:
                chunk.cells.append(cells)
                yield chunk.rows[-1]
            else:
                chunk.rejects.append((start, row, cells))

    def _encode(
        self, number_cell, day_cell, name, alias, organizations, region, text, language, line, chunk
    ) -> str | None:
        """Check one row as intake would and append it, encoded, to the chunk; or say
        why not (every problem of the row). The order of the checks does not matter: a
        row is loaded only if it has none."""
        problems = []
        number = registration.parse(number_cell)
        if number is None:
            problems.append(
                f"registration number {number_cell!r} is not 16 digits with a valid check digit"
            )
        elif number in chunk.seen:
            problems.append(f"registration number {number} is also on line {chunk.seen[number]}")
        day = self.day_cache.get(day_cell) or self._cache(self.day_cache, day_cell, self._day)
        if isinstance(day, str):
            problems.append(day)
        name = screening.normalize(name.strip())
        if not name:
            problems.append("name is empty")
        elif len(name) > NAME_MAX_LENGTH:
            problems.append(f"name has {len(name)} characters, at most {NAME_MAX_LENGTH}")
        else:
            problems += _errors(validate_name, name, "name")
        alias_field = _BOOLEAN_FIELDS.get(alias)
        if alias_field is None:
            alias_field = _BOOLEAN_FIELDS.get(alias.strip().lower())
            if alias_field is None:
                problems.append(f"is_alias {alias!r} is not yes or no")
        organization = self.organization_cache.get(organizations) or self._cache(
            self.organization_cache, organizations, _organizations
        )
        if isinstance(organization, str):
            problems.append(organization)
        place = self.region_cache.get(region) or self._cache(self.region_cache, region, _region)
        if isinstance(place, str):
            problems.append(place)
        if text:
            text = screening.normalize(text.strip())
            if len(text) > TEXT_MAX_LENGTH:
                problems.append(f"text has {len(text)} characters, at most {TEXT_MAX_LENGTH}")
            else:
                problems += _errors(validate_text, text, "text")
        speaks = self.language_cache.get(language) or self._cache(
            self.language_cache, language, _language
        )
        if isinstance(speaks, str):
            problems.append(speaks)
        if problems:
            return "; ".join(problems)
        chunk.seen[number] = line
        # statements.screening.content_hash, on values already NFC: the same bytes
        # (tests/statements/test_import_statements.py holds them side by side).
        content = hashlib.sha256(
            f"{name.strip()}\x1f{text.strip()}\x1f{organization[1]}\x1f{place[1]}".encode()
        ).digest()[:HASH_BYTES]
        name_bytes, text_bytes = name.encode(), text.encode()
        chunk.rows.append(
            b"".join(
                (
                    _ROW_START,
                    len(name_bytes).to_bytes(4, "big"),
                    name_bytes,
                    alias_field,
                    organization[0],
                    place[0],
                    len(text_bytes).to_bytes(4, "big"),
                    text_bytes,
                    speaks,
                    _BYTES_16,
                    content,
                    self.receipt_prefix,
                    line.to_bytes(8, "big"),
                    _BYTES_8,
                    number.to_bytes(8, "big"),
                    day[1],
                )
            )
        )
        chunk.numbers.append(number)
        chunk.days.append(day[0])
        chunk.lines.append(line)
        return None

    @staticmethod
    def _cache(cache: dict, key: str, compute):
        cache[key] = value = compute(key)
        return value

    def _day(self, cell: str) -> tuple[date, bytes] | str:
        """The day and the encoded published_day, published_at, created_at,
        status_changed_at (its first moment in TALLY_TIME_ZONE) and the constants."""
        text = cell.strip()
        day = None
        if _DATE.fullmatch(text):
            with contextlib.suppress(ValueError):
                day = date.fromisoformat(text)
        if day is None:
            return f"day {cell!r} is not a day as YYYY-MM-DD"
        if day > self.today:
            return f"day {text} is in the future"
        moment = _field(((day_bounds(day)[0] - _PG_EPOCH) // _MICROSECOND).to_bytes(8, "big"))
        days = (day - _PG_EPOCH.date()).days.to_bytes(4, "big", signed=True)
        return day, _field(days) + moment * 3 + _CONSTANTS

    def _copy(self, rows) -> None:
        table = connection.ops.quote_name(Statement._meta.db_table)
        sql = f"COPY {table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
        with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            copy.write(_SIGNATURE)
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == 256:
                    copy.write(b"".join(batch))
                    batch.clear()
            copy.write(b"".join(batch) + _TRAILER)

    def _resend_without_taken(self, chunk: _Chunk) -> None:
        """Some numbers of the chunk are taken (by statements here, or rows of the file
        committed before): reject those rows and send the rest again. Repeated, since a
        reviewer may publish a statement under one of the numbers meanwhile."""
        for _attempt in range(10):
            chunk.drop(
                set(
                    Statement.objects.filter(registration_number__in=chunk.numbers).values_list(
                        "registration_number", flat=True
                    )
                )
            )
            try:
                with transaction.atomic():
                    self._copy(chunk.rows)
                return
            except psycopg.errors.UniqueViolation as error:
                if error.diag.constraint_name != _NUMBER_TAKEN:
                    raise
        raise RuntimeError("registration numbers kept colliding while the chunk was resent")


_BOOLEAN_FIELDS = {text: _TRUE if value else _FALSE for text, value in _BOOLEANS.items()}


def _organizations(cell: str) -> tuple[bytes, str] | str:
    """The three left_* fields encoded, and the organizations as content_hash joins them."""
    named = set(_ORGANIZATION_SEPARATORS.split(cell.strip()))
    named.discard("")
    if not named:
        return "no organization"
    if unknown := named - _ORGANIZATIONS:
        return f"not an organization: {', '.join(sorted(unknown))}"
    fields = b"".join(_TRUE if org in named else _FALSE for org in ORGANIZATION_FIELDS)
    return fields, ",".join(sorted(named))


def _region(cell: str) -> tuple[bytes, str] | str:
    code = _REGIONS.get(cell.strip().lower())
    if code is None:
        return f"region {cell!r} is not a region code"
    return _field(code.encode()), code


def _language(cell: str) -> bytes | str:
    code = cell.strip().lower() or DEFAULT_LANGUAGE
    if code not in _LANGUAGES:
        return f"language {cell!r} is not one of {', '.join(sorted(_LANGUAGES))}"
    return _field(code.encode())


def _errors(validate, value: str, what: str) -> list[str]:
    try:
        validate(value)
    except ValidationError as error:
        return [f"{what}: {message}" for message in error.messages]
    return []
