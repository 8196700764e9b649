"""Rebuilding the daily tallies from statement rows."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from counts.days import day_bounds, tally_day_of, tally_today
from counts.models import DailyTally
from statements.models import Statement

# rollup_recent looks for status changes since the last rollup, less a margin for
# transactions that were stamped before it but committed after, and never less than
# RECENT_WINDOW: after an outage of any length it catches up on its first run.
RECENT_MARGIN = timedelta(minutes=1)
RECENT_WINDOW = timedelta(minutes=10)
# Any constant unique to this lock among the project's advisory locks.
_ROLLUP_LOCK_ID = 7_202_611


def rollup_days(*, days: Iterable[date]) -> list[date]:
    """Recompute the given days from the published rows and store them.

    Idempotent and safe to rerun for any day at any time: each day is a fresh
    aggregate written with an upsert. Returns the days written.
    """
    with transaction.atomic():
        _serialize_rollups()
        # Computed after the lock: of two overlapping rollups, the later writer has
        # the fresher figures, so a slow run can never overwrite a newer count.
        now = timezone.now()
        tallies = [_compute(day, now) for day in sorted(set(days))]
        DailyTally.objects.bulk_create(
            tallies,
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=["total", "party", "youth_league", "young_pioneers", "computed_at"],
        )
    return [t.day for t in tallies]


def _serialize_rollups() -> None:
    """Hold a transaction-scoped lock so rollups run one at a time.

    PostgreSQL advisory lock; SQLite (embedded default) already serializes writers.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ROLLUP_LOCK_ID])


def _compute(day: date, now) -> DailyTally:
    start, end = day_bounds(day)
    figures = Statement.objects.published_between(start, end).aggregate(
        total=Count("id"),
        party=Count("id", filter=Q(left_party=True)),
        youth_league=Count("id", filter=Q(left_youth_league=True)),
        young_pioneers=Count("id", filter=Q(left_young_pioneers=True)),
    )
    return DailyTally(day=day, computed_at=now, **figures)


def days_changed_since(moment) -> set[date]:
    """Publication days of statements whose status changed since `moment`."""
    published_times = (
        Statement.objects.filter(status_changed_at__gte=moment, published_at__isnull=False)
        .values_list("published_at", flat=True)
        .iterator(chunk_size=2000)
    )
    return {tally_day_of(t) for t in published_times}


def rollup_recent() -> list[date]:
    """Today, yesterday, and every day touched by a publication or removal since the
    last rollup (see RECENT_MARGIN). With no tallies at all, rebuilds every day."""
    last = DailyTally.objects.aggregate(last=Max("computed_at"))["last"]
    if last is None:
        return rebuild_all()
    today = tally_today()
    days = {today, today - timedelta(days=1)}
    days |= days_changed_since(min(last - RECENT_MARGIN, timezone.now() - RECENT_WINDOW))
    return rollup_days(days=days)


def rebuild_all() -> list[date]:
    """Every day from the first publication to today: the nightly reconciliation."""
    started = timezone.now()
    first = Statement.objects.filter(published_at__isnull=False).aggregate(m=Min("published_at"))[
        "m"
    ]
    today = tally_today()
    start = tally_day_of(first) if first else today
    days = [start + timedelta(days=n) for n in range((today - start).days + 1)]
    written = []
    for chunk_start in range(0, len(days), 31):
        written += rollup_days(days=days[chunk_start : chunk_start + 31])
    # A change to a day already rebuilt happened while later chunks ran: redo those days,
    # since the rebuild's chunks move the watermark rollup_recent looks back from.
    return written + rollup_days(days=days_changed_since(started - RECENT_MARGIN))
