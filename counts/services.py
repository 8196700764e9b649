"""Rebuilding the daily tallies, and the coordinators' review figures, from rows."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Max, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from counts.days import day_bounds, tally_day_of, tally_today
from counts.models import DailyTally, IntakeTally, QueueSnapshot, ReviewerHour, TallySource
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
    aggregate written with an upsert. Imported days are passed over: their figures are
    the operation's history, which no rows here can recompute. Returns the days written.
    """
    wanted = set(days)
    with transaction.atomic():
        _serialize_rollups()
        # Read under the lock import_tallies also holds, so a day imported meanwhile is
        # seen here and never overwritten.
        wanted -= set(
            DailyTally.objects.imported().filter(day__in=wanted).values_list("day", flat=True)
        )
        # Computed after the lock: of two overlapping rollups, the later writer has
        # the fresher figures, so a slow run can never overwrite a newer count.
        now = timezone.now()
        tallies = [_compute(day, now) for day in sorted(wanted)]
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
    # Listed and hidden statements count alike; each part is an index-only count on its
    # own partial index (statement_published_idx, statement_hidden_idx), which a single
    # query over both could not use.
    figures = dict.fromkeys(["total", "party", "youth_league", "young_pioneers"], 0)
    for hidden in (False, True):
        part = (
            Statement.objects.published_on(day)
            .filter(hidden=hidden)
            .aggregate(
                # A column of the index (never null when published), not id, which is not.
                total=Count("published_day"),
                party=Count("published_day", filter=Q(left_party=True)),
                youth_league=Count("published_day", filter=Q(left_youth_league=True)),
                young_pioneers=Count("published_day", filter=Q(left_young_pioneers=True)),
            )
        )
        for name, value in part.items():
            figures[name] += value
    return DailyTally(day=day, computed_at=now, **figures)


def days_changed_since(moment) -> set[date]:
    """Publication days of statements whose status changed since `moment`."""
    return set(
        Statement.objects.filter(status_changed_at__gte=moment, published_day__isnull=False)
        .values_list("published_day", flat=True)
        .distinct()
    )


def rollup_recent() -> list[date]:
    """Today, yesterday, and every day touched by a publication or removal since the
    last rollup (see RECENT_MARGIN). With no tallies at all, rebuilds every day."""
    # Imported rows carry the import's time, not a rollup's: only rollups set the mark.
    last = DailyTally.objects.rolled_up().aggregate(last=Max("computed_at"))["last"]
    if last is None:
        return rebuild_all()
    today = tally_today()
    days = {today, today - timedelta(days=1)}
    days |= days_changed_since(min(last - RECENT_MARGIN, timezone.now() - RECENT_WINDOW))
    return rollup_days(days=days)


def rebuild_all() -> list[date]:
    """Every day from the first publication to today: the nightly reconciliation.
    It starts after the last imported day, whose history it could not recompute
    (rollup_days passes over imported days in any case)."""
    started = timezone.now()
    first = Statement.objects.first_published_day()
    today = tally_today()
    start = first or today
    last_imported = DailyTally.objects.imported().aggregate(m=Max("day"))["m"]
    if last_imported is not None and last_imported >= start:
        start = last_imported + timedelta(days=1)
    days = [start + timedelta(days=n) for n in range((today - start).days + 1)]
    written = []
    for chunk_start in range(0, len(days), 31):
        written += rollup_days(days=days[chunk_start : chunk_start + 31])
    # A change to a day already rebuilt happened while later chunks ran: redo those days,
    # since the rebuild's chunks move the watermark rollup_recent looks back from.
    return written + rollup_days(days=days_changed_since(started - RECENT_MARGIN))


# --- The operation's history ----------------------------------------------------------
# Parts are PositiveBigIntegerField: PostgreSQL's bigint.
MAX_COUNT = 2**63 - 1


@dataclass(frozen=True)
class HistoryDay:
    """One day of the operation's history, with the line of the file it came from."""

    line: int
    day: date
    total: int
    party: int
    youth_league: int
    young_pioneers: int


@dataclass(frozen=True)
class HistoryImport:
    days: int
    replaced: int
    first: date
    last: date
    total: int


class HistoryRefused(Exception):
    """The import was refused and nothing was written; `problems` are (line, reason)."""

    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def cut_over_day() -> date:
    """The first day the tallies count from statements here: the day of the earliest
    published statement, or today if none is published yet (today can still get one).
    History may be imported only for days before it. One seek on each of
    the published and hidden indexes."""
    first = Statement.objects.first_published_day()
    return min(first, tally_today()) if first else tally_today()


def history_problems(*, rows: Sequence[HistoryDay], replace: bool) -> list[tuple[int, str]]:
    """Why each row could not be imported, as (line, reason), in line order; empty when
    all can. Read-only; import_history runs it again under the rollup lock before
    writing, so call it on its own only to report problems."""
    problems: list[tuple[int, str]] = []
    seen: dict[date, int] = {}
    for row in rows:
        parts = {
            "party": row.party,
            "youth_league": row.youth_league,
            "young_pioneers": row.young_pioneers,
        }
        for name, value in {"total": row.total, **parts}.items():
            if value < 0:
                problems.append((row.line, f"{name} is negative ({value})"))
            elif value > MAX_COUNT:
                problems.append((row.line, f"{name} is too large ({value})"))
        for name, value in parts.items():
            if value > row.total:
                problems.append((row.line, f"{name} ({value}) is greater than total ({row.total})"))
        if row.day in seen:
            problems.append((row.line, f"{row.day} is also on line {seen[row.day]}"))
        else:
            seen[row.day] = row.line
    if not seen:
        return sorted(problems)
    cut_over = cut_over_day()
    existing = {
        t.day: t for t in DailyTally.objects.filter(day__in=seen).only("day", "source", "total")
    }
    for row in rows:
        if seen.get(row.day) != row.line:
            continue  # a duplicate, already reported
        if row.day >= cut_over:
            problems.append(
                (
                    row.line,
                    f"{row.day} is not before the cut-over day {cut_over} (the first day "
                    "with published statements, or today): the tallies count it from "
                    "statements",
                )
            )
            continue
        tally = existing.get(row.day)
        if tally is None:
            continue
        if tally.source == TallySource.IMPORTED and not replace:
            problems.append(
                (row.line, f"{row.day} is already imported (--replace replaces imported days)")
            )
        elif tally.source == TallySource.ROLLUP and tally.total:
            problems.append(
                (
                    row.line,
                    f"{row.day} has {tally.total} people rolled up from published "
                    "statements, which an import never replaces",
                )
            )
    return sorted(problems)


def import_history(*, rows: Sequence[HistoryDay], replace: bool = False) -> HistoryImport:
    """Store the operation's daily history from before the cut-over, marked imported.

    All or nothing, in one transaction holding the rollup's advisory lock (so no rollup
    writes a day between the checks and the write): raises HistoryRefused, having
    written nothing, if history_problems finds any. With `replace`, days already
    imported are overwritten; a rolled-up day never is. A rolled-up day before the
    cut-over counts nobody (no statement was published on it; the 15-second rollup
    writes such empty days for today and yesterday before the first publication), so
    the import takes it over. Called by `manage.py import_tallies`.
    """
    if not rows:
        raise HistoryRefused([(0, "the file has no rows")])
    with transaction.atomic():
        _serialize_rollups()
        problems = history_problems(rows=rows, replace=replace)
        if problems:
            raise HistoryRefused(problems)
        replaced = DailyTally.objects.imported().filter(day__in=[r.day for r in rows]).count()
        now = timezone.now()
        DailyTally.objects.bulk_create(
            [
                DailyTally(
                    day=r.day,
                    total=r.total,
                    party=r.party,
                    youth_league=r.youth_league,
                    young_pioneers=r.young_pioneers,
                    computed_at=now,
                    source=TallySource.IMPORTED,
                )
                for r in rows
            ],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=[
                "total",
                "party",
                "youth_league",
                "young_pioneers",
                "computed_at",
                "source",
            ],
        )
    days = sorted(r.day for r in rows)
    return HistoryImport(
        days=len(rows),
        replaced=replaced,
        first=days[0],
        last=days[-1],
        total=sum(r.total for r in rows),
    )


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
