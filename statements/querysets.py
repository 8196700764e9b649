from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, connections, models
from django.db.models import Count, F, Min
from django.db.models.expressions import RawSQL
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.db.models.functions import Substr

from statements import receipts, registration
from statements.choices import GONE, Channel, Organization, Status

PUBLISHED_PAGE_SIZE = 50

# The boolean column on Statement that records each organization, in the order the
# organization and region indexes hold them.
ORGANIZATION_FIELDS = {
    Organization.PARTY: "left_party",
    Organization.YOUTH_LEAGUE: "left_youth_league",
    Organization.YOUNG_PIONEERS: "left_young_pioneers",
}

# The seven ways a statement can name what it leaves (at least one organization: the
# statement_leaves_an_organization constraint), as values of the three columns.
ORGANIZATION_SETS = tuple(
    dict(zip(ORGANIZATION_FIELDS.values(), values, strict=True))
    for values in itertools.product((True, False), repeat=len(ORGANIZATION_FIELDS))
    if any(values)
)

# What the public list and the API show of a statement, the text aside.
PUBLIC_FIELDS = (
    "display_name",
    "is_alias",
    *ORGANIZATION_FIELDS.values(),
    "region",
    "published_day",
    "registration_number",
)

# The list shows at most this many characters of each text (with the ellipsis), so that
# a page of 50 statements of the greatest length stays small (tests/statements/
# test_browse.py); each statement's own page shows all of it.
LIST_EXCERPT_CHARS = 200
# What the list reads of each text: a little more than it shows, so that the cut can see
# whether the text goes on and where the character at the cut ends (an accent after it,
# an emoji's parts: tuidang.lib.excerpt).
LIST_TEXT_CHARS = LIST_EXCERPT_CHARS + 16


# Where a filtered page's part holds its organization set (StatementQuerySet._first).
_SET_MARKER = RawSQL("TRUE /* organization set */", (), output_field=models.BooleanField())


def _set_sql(connection, table: str, values: dict[str, bool]) -> str:
    """One organization set as SQL, as Django writes boolean conditions (the index's
    columns alone or under NOT, which PostgreSQL matches to the index's keys)."""
    return " AND ".join(
        f"{'' if value else 'NOT '}{table}.{connection.ops.quote_name(column)}"
        for column, value in values.items()
    )


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
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set by filtered(): the organization sets a page is read as, one index seek
        # each (see page()); None when one seek serves the filters.
        self._organization_sets: tuple[dict[str, bool], ...] | None = None

    def _clone(self):
        clone = super()._clone()
        clone._organization_sets = self._organization_sets
        return clone

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

    def filtered(
        self,
        *,
        organization: str | None = None,
        region: str | None = None,
        day: date | None = None,
        month: date | None = None,
    ) -> StatementQuerySet:
        """These statements narrowed to those that left `organization`, from `region`,
        published on `day` or in the month that starts on `month` (a first day); any
        may be None, `day` and `month` not both. For listed() and its pages.

        Every combination is read by seeks (tests/statements/test_public_queries.py):
        days and months are a range of statement_published_idx; a region, with or
        without days, is statement_region_idx; an organization, statement_organization_idx,
        or with a region, statement_region_idx. Both of those hold the three organization
        columns ahead of the day, so a page is read as one seek per set of organizations
        that includes the one asked for (four), or per set (seven) for a region alone,
        merged in order: see page(). A filter on the organization columns instead would
        read and discard the rows of the other organizations: for the Party (about a
        tenth of the statements), nine rows for every one shown. For the sets that hold
        most statements, the planner prefers these seeks to a filter on the published
        index only when random reads cost what they do on SSDs (random_page_cost=1.1,
        set in docker-compose.yml).
        """
        if day is not None and month is not None:
            raise ValueError("a day or a month, not both")
        rows = self
        if region:
            rows = rows.filter(region=region)
        if day is not None:
            rows = rows.filter(published_day=day)
        if month is not None:
            following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
            rows = rows.filter(published_day__gte=month, published_day__lt=following)
        if organization:
            column = ORGANIZATION_FIELDS[Organization(organization)]
            rows = rows.filter(**{column: True})
        if organization or region:
            rows._organization_sets = tuple(
                sets for sets in ORGANIZATION_SETS if not organization or sets[column]
            )
        return rows

    def for_list(self, *, whole_text: bool = False) -> StatementQuerySet:
        """Only what the public list shows of each statement (the HTML page, or with
        `whole_text` the API): its public fields and, for the page, the start of its text
        as `text_start` (LIST_TEXT_CHARS), not the whole of it, which can be 5,000
        characters (15 KB) that the page would read and throw away. Fewer columns are
        also less for Django to compile, seven times over for a filtered page."""
        if whole_text:
            return self.only(*PUBLIC_FIELDS, "text")
        return self.only(*PUBLIC_FIELDS).annotate(text_start=Substr("text", 1, LIST_TEXT_CHARS))

    def page(
        self,
        *,
        before: Cursor | None = None,
        after: Cursor | None = None,
        size: int = PUBLISHED_PAGE_SIZE,
    ) -> Page:
        """One page of these statements (listed() with any filters), newest first: the
        newest, or the next `size` older than `before`, or newer than `after`. Each is
        one seek on the published index, read forwards or backwards, however deep, or,
        filtered by organization or region, one such seek per set of organizations."""
        key = Tuple(F("published_day"), F("registration_number"))
        if after is not None:
            rows = self._first(
                TupleGreaterThan(key, (after.day, after.number)),
                ("published_day", "registration_number"),
                size + 1,
            )
            more_newer = len(rows) > size
            rows = rows[:size][::-1]
            return Page(
                rows=rows,
                newer=Cursor.of(rows[0]) if rows and more_newer else None,
                older=Cursor.of(rows[-1]) if rows else None,
            )
        rows = self._first(
            TupleLessThan(key, (before.day, before.number)) if before is not None else None,
            ("-published_day", "-registration_number"),
            size + 1,
        )
        more_older = len(rows) > size
        rows = rows[:size]
        return Page(
            rows=rows,
            newer=Cursor.of(rows[0]) if rows and before is not None else None,
            older=Cursor.of(rows[-1]) if more_older else None,
        )

    def _first(self, condition, ordering: tuple[str, str], limit: int) -> list:
        """The first `limit` of these rows past the cursor `condition` in `ordering`.

        Filtered by organization or region, as one seek per organization set that
        filtered() left, each limited to `limit` (so the planner reads each as an
        ordered index scan), merged in order (PostgreSQL's Merge Append, which pulls
        from each part only the rows it takes, plus one) and cut to `limit`; no row is
        read to be discarded. SQLite (the embedded default, a small table) cannot order
        the parts of a UNION, and needs no seeks: there the filter is one query.

        The parts differ only in their organization set, and Django would compile each
        on its own (most of a filtered page's time: 0.6 ms a part, where PostgreSQL
        plans and runs all seven in 1 ms): one part is compiled, with a marker where the
        set goes, and written out once per set.
        """
        rows = self if condition is None else self.filter(condition)
        sets = self._organization_sets
        database = connections[self.db]
        if not sets or not database.features.supports_slicing_ordering_in_compound:
            return list(rows.order_by(*ordering)[:limit])
        part = rows.filter(_SET_MARKER).order_by(*ordering)[:limit]
        sql, params = part.query.sql_with_params()
        assert sql.count(_SET_MARKER.sql) == 1, sql
        table = database.ops.quote_name(self.model._meta.db_table)
        union = " UNION ALL ".join(
            f"({sql.replace(_SET_MARKER.sql, _set_sql(database, table, values))})"
            for values in sets
        )
        order = ", ".join(
            f"page.{database.ops.quote_name(key.lstrip('-'))}"
            + (" DESC" if key.startswith("-") else "")
            for key in ordering
        )
        query = f"SELECT * FROM ({union}) AS page ORDER BY {order} LIMIT %s"  # noqa: S608 - built from compiled SQL and quoted names
        return list(
            self.model._default_manager.db_manager(self.db).raw(query, (*params * len(sets), limit))
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
