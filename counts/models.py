from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Max, Q, Sum
from django.db.models.functions import Coalesce

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

    def summary(self, *, today: date | None = None) -> dict:
        """Cumulative and recent figures, as the home page and the API show them.

        Imported history and rolled-up days are rows of the same table, one per day, so
        the cumulative total includes the history with no second query."""
        today = today or tally_today()
        yesterday = today - timedelta(days=1)
        figures = self.aggregate(
            all_total=Coalesce(Sum("total"), 0),
            all_party=Coalesce(Sum("party"), 0),
            all_youth_league=Coalesce(Sum("youth_league"), 0),
            all_young_pioneers=Coalesce(Sum("young_pioneers"), 0),
            today_total=Coalesce(Sum("total", filter=Q(day=today)), 0),
            yesterday_total=Coalesce(Sum("total", filter=Q(day=yesterday)), 0),
            as_of=Max("computed_at"),
        )
        return {
            "total": figures["all_total"],
            "by_organization": {
                "party": figures["all_party"],
                "youth_league": figures["all_youth_league"],
                "young_pioneers": figures["all_young_pioneers"],
            },
            "today": figures["today_total"],
            "yesterday": figures["yesterday_total"],
            "as_of": figures["as_of"],
        }

    def series(self, *, days: int, today: date | None = None) -> list[DailyTally]:
        """The last `days` days up to today, oldest first, with empty days as zeros."""
        today = today or tally_today()
        first = today - timedelta(days=days - 1)
        stored = {t.day: t for t in self.filter(day__gte=first, day__lte=today)}
        return [
            stored.get(first + timedelta(n)) or DailyTally(day=first + timedelta(n))
            for n in range(days)
        ]


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
    and series() stay one query over one table, which the home page's query budget
    and the issue's precomputed summary row both rely on.
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
