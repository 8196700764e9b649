"""Rebuilding the daily tallies, and the coordinators' review figures, from rows."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from counts.days import day_bounds, tally_day_of, tally_today
from counts.models import DailyTally, IntakeTally, QueueSnapshot, ReviewerHour
from statements.choices import Flag
from statements.models import AuditEvent, Statement

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


# --- The coordinators' review figures ---------------------------------------------------
# Each is recomputed from rows by one periodic task, so the dashboard reads a few small
# rows instead of scanning the statement or audit tables on every view.
_REVIEW_FIGURES_LOCK_ID = 7_202_612


def rollup_review_figures(*, now=None) -> None:
    """Recompute the queue depth, today's and yesterday's intake by channel and flag, and
    decisions per reviewer for this hour and the last. Idempotent; called every 15 s by
    `counts.tasks.rollup_review_figures`; runs one at a time (advisory lock)."""
    now = now or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REVIEW_FIGURES_LOCK_ID])
        _snapshot_queue(now)
        today = tally_day_of(now)
        for day in (today - timedelta(days=1), today):
            rollup_intake_day(day=day, now=now)
        hour = now.replace(minute=0, second=0, microsecond=0)
        for start in (hour - timedelta(hours=1), hour):
            rollup_reviewer_hour(hour=start, now=now)


def _snapshot_queue(now) -> None:
    queue = Statement.objects.in_review()
    # Two index-only counts on the queue's partial index.
    waiting = queue.count()
    claimed = queue.filter(lease__isnull=False, lease_expires_at__gt=now).count()
    QueueSnapshot.objects.update_or_create(
        pk=1, defaults={"waiting": waiting, "claimed": claimed, "computed_at": now}
    )


def rollup_intake_day(*, day: date, now=None) -> None:
    """Statements received on `day`, by channel and flag (rows found by the BRIN index on
    created_at). Statements keep their channel and day; flags change only while they
    are screened or redacted, which today's and yesterday's reruns pick up."""
    now = now or timezone.now()
    start, end = day_bounds(day)
    flag_counts = {flag: Count("id", filter=_has_flag(flag)) for flag in Flag.values}
    rows = (
        Statement.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(flags_text=Cast("screening_flags", TextField()))
        .values("channel")
        .annotate(total=Count("id"), **flag_counts)
        .order_by()
    )
    tallies = [
        IntakeTally(
            day=day,
            channel=row["channel"],
            total=row["total"],
            flags={flag: row[flag] for flag in Flag.values if row[flag]},
            computed_at=now,
        )
        for row in rows
    ]
    IntakeTally.objects.filter(day=day).exclude(channel__in=[t.channel for t in tallies]).delete()
    IntakeTally.objects.bulk_create(
        tallies,
        update_conflicts=True,
        unique_fields=["day", "channel"],
        update_fields=["total", "flags", "computed_at"],
    )


def _has_flag(flag: str) -> Q:
    # JSON containment (@>) on PostgreSQL; SQLite (the embedded default) has none, and
    # a flag is a fixed word, so matching it quoted in the JSON text is exact there.
    if connection.vendor == "postgresql":
        return Q(screening_flags__contains=[flag])
    return Q(flags_text__contains=f'"{flag}"')


def rollup_reviewer_hour(*, hour, now=None) -> None:
    """Decisions (publish, decline) per reviewer in the clock hour starting at `hour`,
    from the audit rows (index on action, created_at). A decision later undone still
    counts: it was work done."""
    now = now or timezone.now()
    rows = (
        AuditEvent.objects.filter(
            action__in=[AuditEvent.Action.APPROVED, AuditEvent.Action.REJECTED],
            created_at__gte=hour,
            created_at__lt=hour + timedelta(hours=1),
            actor__isnull=False,
        )
        .values("actor")
        .annotate(
            approved=Count("id", filter=Q(action=AuditEvent.Action.APPROVED)),
            rejected=Count("id", filter=Q(action=AuditEvent.Action.REJECTED)),
        )
        .order_by()
    )
    ReviewerHour.objects.bulk_create(
        [
            ReviewerHour(
                hour=hour,
                reviewer_id=row["actor"],
                approved=row["approved"],
                rejected=row["rejected"],
                computed_at=now,
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["hour", "reviewer"],
        update_fields=["approved", "rejected", "computed_at"],
    )
