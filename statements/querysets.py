from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, models
from django.db.models import Count, F, Min
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from statements import receipts, registration
from statements.choices import GONE, Channel, Status

PUBLISHED_PAGE_SIZE = 50


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    """A position in the public list: a row's publication day and registration number,
    both shown on the page, so a cursor tells nothing the page does not.

    Keyset pagination: a page is a range scan on statement_published_idx (or the region
    index) from this point, so page 10,000 costs what page 1 costs (no OFFSET).
    """

    day: date
    number: int

    def encode(self) -> str:
        return f"{self.day:%Y%m%d}-{self.number}"

    @classmethod
    def decode(cls, raw: str) -> Cursor:
        day_text, _, number_text = raw.partition("-")
        digits = day_text + number_text
        if len(day_text) != 8 or not digits.isascii() or not digits.isdecimal():
            raise InvalidCursor(raw)
        if len(number_text) != registration.DIGITS:
            raise InvalidCursor(raw)
        try:
            day = datetime.strptime(day_text, "%Y%m%d").date()
        except ValueError:
            raise InvalidCursor(raw) from None
        return cls(day=day, number=int(number_text))

    @classmethod
    def of(cls, statement) -> Cursor:
        return cls(day=statement.published_day, number=statement.registration_number)


@dataclass(frozen=True)
class Page:
    """Statements newest first, with the cursors of the pages either side (None at an end:
    `newer` at the newest, `older` at the oldest)."""

    rows: list
    newer: Cursor | None
    older: Cursor | None


@dataclass(frozen=True)
class Cluster:
    """Copies of one content: how many wait in review, and the earliest live copy's id."""

    size: int
    earliest: int | None


class StatementQuerySet(models.QuerySet):
    def received(self) -> StatementQuerySet:
        return self.filter(status=Status.RECEIVED)

    def in_review(self) -> StatementQuerySet:
        return self.filter(status=Status.IN_REVIEW)

    def published(self) -> StatementQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def published_on(self, day: date) -> StatementQuerySet:
        """Published on this day (in TALLY_TIME_ZONE), hidden or not: what the tallies
        count for it."""
        return self.published().filter(published_day=day)

    def first_published_day(self) -> date | None:
        """The earliest publication day of a statement still published: one seek on each
        of the published and hidden indexes."""
        days = [
            self.filter(status=Status.PUBLISHED, hidden=hidden)
            .order_by("published_day")
            .values_list("published_day", flat=True)
            .first()
            for hidden in (False, True)
        ]
        return min((day for day in days if day is not None), default=None)

    def listed(self) -> StatementQuerySet:
        """What the public list shows: published and not hidden by its submitter."""
        return self.filter(status=Status.PUBLISHED, hidden=False)

    def by_number(self, number: int) -> StatementQuerySet:
        """The listed statement with this registration number (its permalink)."""
        return self.listed().filter(registration_number=number)

    def page(
        self,
        *,
        before: Cursor | None = None,
        after: Cursor | None = None,
        size: int = PUBLISHED_PAGE_SIZE,
    ) -> Page:
        """One page of these statements (listed() with any filters), newest first: the
        newest, or the next `size` older than `before`, or newer than `after`. Each is
        one seek on the published index, read forwards or backwards, however deep."""
        key = Tuple(F("published_day"), F("registration_number"))
        if after is not None:
            rows = list(
                self.filter(TupleGreaterThan(key, (after.day, after.number))).order_by(
                    "published_day", "registration_number"
                )[: size + 1]
            )
            more_newer = len(rows) > size
            rows = rows[:size][::-1]
            return Page(
                rows=rows,
                newer=Cursor.of(rows[0]) if rows and more_newer else None,
                older=Cursor.of(rows[-1]) if rows else None,
            )
        ordered = self.order_by("-published_day", "-registration_number")
        if before is not None:
            ordered = ordered.filter(TupleLessThan(key, (before.day, before.number)))
        rows = list(ordered[: size + 1])
        more_older = len(rows) > size
        rows = rows[:size]
        return Page(
            rows=rows,
            newer=Cursor.of(rows[0]) if rows and before is not None else None,
            older=Cursor.of(rows[-1]) if more_older else None,
        )

    def review_queue(self) -> StatementQuerySet:
        """Statements waiting for a reviewer, in queue order (oldest first, skipped ones
        behind the others): the order of statement_queue_idx."""
        return self.in_review().order_by("queued_at", "id")

    def queued_after(self, *, queued_at: datetime, id: int) -> StatementQuerySet:
        """The review queue past a position, as a row comparison the index seeks on."""
        return self.review_queue().filter(
            TupleGreaterThan(Tuple(F("queued_at"), F("id")), (queued_at, id))
        )

    def clusters(self, hashes: set[bytes], *, duplicates: set[bytes]) -> dict[bytes, Cluster]:
        """Per content hash: how many copies are in review (statement_review_hash_idx) and,
        for the hashes in `duplicates` (those of statements screening flagged as copies;
        any other statement is its own earliest copy), the earliest live copy (see
        earliest_live_ids). At most two grouped queries for any number of hashes, so a batch page
        costs the same at 5 or 200 statements. The earliest copy is found through the
        plain content_hash index, so its cost grows with the size of a flood."""
        if not hashes:
            return {}
        sizes = dict(
            self.in_review()
            .filter(content_hash__in=hashes)
            .values("content_hash")
            .annotate(n=Count("id"))
            .values_list("content_hash", "n")
        )
        earliest = self.earliest_live_ids(duplicates)
        return {h: Cluster(size=sizes.get(h, 0), earliest=earliest.get(h)) for h in hashes}

    def earliest_live_ids(self, hashes: set[bytes]) -> dict[bytes, int]:
        """The lowest id per content hash among live statements (none of GONE: a person
        may send again what was declined, taken down or withdrawn). On PostgreSQL one
        query of one index seek per hash (statement_live_hash_idx), however many copies a
        flood has sent: a grouped min() read all 20,000 copies of a flood, 108 ms, where
        this takes 0.1 ms. Reads the whole table, whatever this queryset filters."""
        if not hashes:
            return {}
        if connection.vendor != "postgresql":  # the embedded default: a small table
            return dict(
                self.model.objects.filter(content_hash__in=hashes)
                .exclude(status__in=GONE)
                .values("content_hash")
                .annotate(first=Min("id"))
                .values_list("content_hash", "first")
            )
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT h.hash, (
                    SELECT s.id FROM {table} s
                    WHERE s.content_hash = h.hash
                      AND NOT (s.status IN ({", ".join(["%s"] * len(GONE))}))
                    ORDER BY s.id LIMIT 1)
                FROM unnest(%s::bytea[]) AS h(hash)
                """,  # noqa: S608 - the table name is the model's, quoted
                [*GONE, sorted(hashes)],
            )
            return {bytes(h): first for h, first in cursor if first is not None}

    def by_receipt(self, code: str) -> StatementQuerySet:
        """The statement a receipt code belongs to; `code` as normalize_receipt gives it.

        Never an imported statement: no receipt was ever given for one, and its
        receipt_hash is 16 random bytes that only fill the unique column (see
        statements.importing). Finding a code whose digest matches one would take some
        2^100 guesses; this condition makes even that find nothing."""
        return self.filter(receipt_hash=receipts.digest(code)).exclude(channel=Channel.IMPORTED)
