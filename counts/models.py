from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from counts.days import tally_today


class TallySource(models.TextChoices):
    """Where a day's figures come from (internal values, never shown)."""

    ROLLUP = "rollup"
    IMPORTED = "imported"


class DailyTallyQuerySet(models.QuerySet):
    def imported(self) -> DailyTallyQuerySet:
        return self.filter(source=TallySource.IMPORTED)

    def rolled_up(self) -> DailyTallyQuerySet:
        return self.filter(source=TallySource.ROLLUP)

    def series(self, *, first: date, last: date) -> list[DailyTally]:
        """Every day from `first` to `last` inclusive, oldest first, empty days as zeros:
        one range read on the unique index of `day`."""
        stored = {t.day: t for t in self.filter(day__gte=first, day__lte=last)}
        return [
            stored.get(first + timedelta(n)) or DailyTally(day=first + timedelta(n))
            for n in range((last - first).days + 1)
        ]

    def day_totals(self, *, first: date, last: date) -> list[tuple[date, int]]:
        """(day, people) for every day from `first` to `last`, oldest first, empty days
        as zeros: what the home page's chart draws, without building model rows."""
        stored = dict(self.filter(day__gte=first, day__lte=last).values_list("day", "total"))
        span = (first + timedelta(n) for n in range((last - first).days + 1))
        return [(day, stored.get(day, 0)) for day in span]

    def last_days(self, days: int, *, today: date | None = None) -> list[DailyTally]:
        """The last `days` days up to today, oldest first, with empty days as zeros."""
        today = today or tally_today()
        return self.series(first=today - timedelta(days=days - 1), last=today)


class DailyTally(models.Model):
    """People who left, per day (days in TALLY_TIME_ZONE); `total` counts people, and a
    statement leaving two organizations adds one to each of their columns.

    A day comes from one of two sources, recorded in `source`:

    - `rollup`: derived data. counts.services.rollup_days rebuilds the day from the
      published statements, so the row can always be recomputed and checked.
    - `imported`: the operation's history from before the cut-over (the first day with
      a published statement here), loaded by `manage.py import_tallies`. Nothing here
      can recompute it, so the rollup and the nightly rebuild never write it, and the
      import refuses any day on or after the cut-over.

    Why a column rather than a separate ImportedTally table: `day` stays unique across
    both sources, so the database itself guarantees that no day is counted twice (two
    tables could each hold a day, and only code would keep them apart); and summary()
    TallySummary's yearly figures and series() stay one query over one table.
    """

    day = models.DateField(unique=True)
    total = models.PositiveBigIntegerField(default=0)
    party = models.PositiveBigIntegerField(default=0)
    youth_league = models.PositiveBigIntegerField(default=0)
    young_pioneers = models.PositiveBigIntegerField(default=0)
    computed_at: datetime = models.DateTimeField(null=True)
    source = models.CharField(max_length=8, choices=TallySource.choices, default=TallySource.ROLLUP)

    objects = DailyTallyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(party__lte=models.F("total"))
                & Q(youth_league__lte=models.F("total"))
                & Q(young_pioneers__lte=models.F("total")),
                name="dailytally_parts_within_total",
            ),
            models.CheckConstraint(
                condition=Q(source__in=TallySource.values), name="dailytally_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.total}"


class RegionDailyTally(models.Model):
    """People who left per region and day, from published statements only (imported
    history has no regions). Written by the same rollup passes as DailyTally; a region
    with nobody on a day has no row.

    Only the total, not the organizations: after the statements' schema change the
    region index holds (region, published_day) and no organization columns, so this
    count is an index-only scan, where per-organization figures would read every row
    from the heap. Per-organization regional figures are one column and one grouped
    query away if the operation ever needs them."""

    day = models.DateField()
    region = models.CharField(max_length=16)
    total = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "region"], name="regiondailytally_day_region")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.region}: {self.total}"


class RegionMonthlyTally(models.Model):
    """People per region and calendar month (`month` is its first day), summed from
    RegionDailyTally by the rollup for every month it touches. The regions page and
    API read 35 rows a month from here instead of summing 35 x 31 day rows, and the
    summary's cumulative per region sums these (35 x months) rather than the days."""

    month = models.DateField()
    region = models.CharField(max_length=16)
    total = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region"], name="regionmonthlytally_month_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region}: {self.total}"


class TallySummaryQuerySet(models.QuerySet):
    def current(self) -> TallySummary:
        """The summary row, one seek by primary key; before the first rollup, zeros."""
        return self.filter(pk=TallySummary.PK).first() or TallySummary()


class TallySummary(models.Model):
    """The cumulative and recent figures the home page, the regions page and the API
    show: one row (pk 1), rewritten by counts.services.refresh_summary in the same
    transaction as every change to DailyTally (rollups, import, reconciliation). A
    public read is then one seek by primary key, never a sum over thousands of days.

    `day` is the tally day it was computed on, and `recent` the totals of the 90 days up
    to it (the home page's chart, and the last seven days), so a summary written before
    midnight is still read right after it: figures() and days() shift to the reader's
    day, with nothing counted yet for the new one.

    Yearly totals and the cumulative per region are JSON on this row rather than tables
    of their own: they are small (one entry per year since the history began, one per
    region), always read and rewritten whole, together with the rest of the summary,
    so a table would add an upsert, a delete of vanished keys and a query per page for
    nothing. RegionMonthlyTally, which pages read by month, is a table.
    """

    PK = 1
    RECENT_DAYS = 90
    WEEK = 7

    day = models.DateField(null=True)
    total = models.PositiveBigIntegerField(default=0)
    party = models.PositiveBigIntegerField(default=0)
    youth_league = models.PositiveBigIntegerField(default=0)
    young_pioneers = models.PositiveBigIntegerField(default=0)
    # People on each of the RECENT_DAYS days up to `day`, oldest first.
    recent = models.JSONField(default=list)
    # [[year, total, party, youth_league, young_pioneers], ...], oldest year first.
    yearly = models.JSONField(default=list)
    # {region code: people}, from published statements only.
    by_region = models.JSONField(default=dict)
    # The first day with people counted from statements (the cut-over), if any.
    counted_from = models.DateField(null=True)
    as_of = models.DateTimeField(null=True)

    objects = TallySummaryQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.total} as of {self.as_of}"

    def day_total(self, day: date) -> int:
        """A recent day's total as of this summary: zero for a day after `day` (nothing
        was counted for it yet) or older than the recent days."""
        if self.day is None:
            return 0
        offset = (self.day - day).days
        if not 0 <= offset < len(self.recent):
            return 0
        return self.recent[len(self.recent) - 1 - offset]

    def days(self, *, today: date, count: int) -> list[tuple[date, int]]:
        """(day, people) for the `count` days up to the reader's today, oldest first."""
        first = today - timedelta(days=count - 1)
        span = (first + timedelta(days=n) for n in range(count))
        return [(day, self.day_total(day)) for day in span]

    def figures(self, *, today: date | None = None) -> dict:
        """As the home page and /api/v1/tallies/ show them, for the reader's `today`."""
        today = today or tally_today()
        return {
            "total": self.total,
            "by_organization": {
                "party": self.party,
                "youth_league": self.youth_league,
                "young_pioneers": self.young_pioneers,
            },
            "today": self.day_total(today),
            "yesterday": self.day_total(today - timedelta(days=1)),
            "last_7_days": sum(self.day_total(today - timedelta(days=n)) for n in range(self.WEEK)),
            "as_of": self.as_of,
        }


class TallyDrift(models.Model):
    """A difference the nightly reconciliation found between a stored tally and its
    recount from the statements, and fixed. Append-only (a PostgreSQL trigger refuses
    UPDATE and DELETE): it is the record that the rollup missed something, for
    coordinators to see on their dashboard and in the admin.

    One row per differing figure. `region` is blank for the day's row (DailyTally);
    `stored` is null where no row was stored."""

    class Field(models.TextChoices):
        TOTAL = "total", _("People")
        PARTY = "party", _("Left the Communist Party")
        YOUTH_LEAGUE = "youth_league", _("Left the Communist Youth League")
        YOUNG_PIONEERS = "young_pioneers", _("Left the Young Pioneers")

    day = models.DateField()
    region = models.CharField(max_length=16, blank=True, default="")
    field = models.CharField(max_length=16, choices=Field.choices)
    stored = models.BigIntegerField(null=True)
    recounted = models.BigIntegerField()
    found_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["found_at"], name="tallydrift_found_at_idx")]

    def __str__(self) -> str:
        where = f" {self.region}" if self.region else ""
        return f"{self.day}{where} {self.field}: {self.stored} -> {self.recounted}"


class IntakeTally(models.Model):
    """Statements received per day (of submission, in TALLY_TIME_ZONE) and channel, with
    how many screening flagged of each kind. Derived from the rows by
    counts.services.rollup_review_figures, like DailyTally: any day can be recomputed."""

    day = models.DateField()
    channel = models.CharField(max_length=16)
    total = models.PositiveBigIntegerField(default=0)
    # Flag value -> how many of the day's statements from this channel carry it.
    flags = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "channel"], name="intaketally_day_channel")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.total}"


class ReviewerHour(models.Model):
    """One reviewer's decisions in one clock hour (UTC), from the audit rows; recomputed
    for the current and the previous hour by every rollup."""

    hour = models.DateTimeField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_hours"
    )
    approved = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hour", "reviewer"], name="reviewerhour_hour_reviewer")
        ]
        indexes = [models.Index(fields=["hour"], name="reviewerhour_hour_idx")]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}h {self.reviewer_id}: {self.approved + self.rejected}"

    @property
    def decisions(self) -> int:
        return self.approved + self.rejected


class QueueSnapshot(models.Model):
    """How deep the review queue was when last counted: one row, rewritten by the rollup.
    Counting a queue of a million is an index-only scan of tens of milliseconds: fine
    every 15 s in the background, too slow for every page view."""

    waiting = models.PositiveBigIntegerField(default=0)
    # Of those, how many sit in a reviewer's live claim.
    claimed = models.PositiveBigIntegerField(default=0)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.waiting} waiting at {self.computed_at:%H:%M:%S}"
