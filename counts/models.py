from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import Max, Q, Sum
from django.db.models.functions import Coalesce

from counts.days import tally_today


class DailyTallyQuerySet(models.QuerySet):
    def summary(self, *, today: date | None = None) -> dict:
        """Cumulative and recent figures, as the home page and the API show them."""
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
    """Published statements per day of publication (days in TALLY_TIME_ZONE).

    Derived data: counts.services.rollup_days rebuilds any day from the statement rows,
    so a row here can always be recomputed and checked. `total` counts people; a
    statement leaving two organizations adds one to each of their columns.
    """

    day = models.DateField(unique=True)
    total = models.PositiveBigIntegerField(default=0)
    party = models.PositiveBigIntegerField(default=0)
    youth_league = models.PositiveBigIntegerField(default=0)
    young_pioneers = models.PositiveBigIntegerField(default=0)
    computed_at: datetime = models.DateTimeField(null=True)

    objects = DailyTallyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(party__lte=models.F("total"))
                & Q(youth_league__lte=models.F("total"))
                & Q(young_pioneers__lte=models.F("total")),
                name="dailytally_parts_within_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.total}"
