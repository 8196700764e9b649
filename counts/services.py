"""Rolling up the daily tallies, their regions and summary, and the coordinators' review
figures, from rows. The nightly reconciliation is counts.reconciliation."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum, TextField
from django.db.models.functions import Cast, ExtractYear, TruncMonth
from django.utils import timezone

from counts.days import day_bounds, tally_day_of, tally_today
from counts.models import (
    DailyTally,
    IntakeTally,
    QueueSnapshot,
    RegionDailyTally,
    RegionMonthlyTally,
    ReviewerHour,
    TallySource,
    TallySummary,
)
from statements.choices import Flag
from statements.models import AuditEvent, Statement

# rollup_recent looks for status changes since the last rollup, less a margin for
# transactions that were stamped before it but committed after, and never less than
# RECENT_WINDOW: after an outage of any length it catches up on its first run.
RECENT_MARGIN = timedelta(minutes=1)
RECENT_WINDOW = timedelta(minutes=10)
# Any constant unique to this lock among the project's advisory locks.
_ROLLUP_LOCK_ID = 7_202_611


Figures = tuple[int, int, int, int]
# The figures of a day, in the order of Figures.
FIELDS = ("total", "party", "youth_league", "young_pioneers")
ZERO: Figures = (0, 0, 0, 0)
# Days recounted by one grouped query: a rollup's run of consecutive days, and the
# reconciliation's ranges, are cut at this length so each query and the lock it runs
# under stay short (at 100,000 a day, some 3 million rows).
MAX_RUN_DAYS = 31


# --- The one read of the statements that the tallies count -----------------------------
def counted_statements(*, first: date | None = None, last: date | None = None) -> QuerySet:
    """The statements that count (published, hidden or not), from day `first` to `last`
    inclusive when given, each annotated with `day`, its tally day (published_day).
    Group with .values("day") or .values("day", "region") and .annotate(Count(...)); the
    ordering is cleared so the grouping is exactly what the caller names.

    Every count the tallies make reads statements through here. Filter it on `hidden`
    as recount does: each half is then an index-only scan of its own partial index
    (statement_published_idx, statement_hidden_idx, both carrying region and the
    organizations), which one query over both could not be."""
    rows = Statement.objects.published()
    if first is not None:
        rows = rows.filter(published_day__gte=first)
    if last is not None:
        rows = rows.filter(published_day__lte=last)
    return rows.annotate(day=F("published_day")).order_by()


def first_counted_day() -> date | None:
    """The tally day of the earliest counted statement: one seek on each of the
    published and hidden indexes."""
    return Statement.objects.first_published_day()


def recount(*, first: date, last: date) -> tuple[dict[date, Figures], dict[tuple[date, str], int]]:
    """Figures per day and people per (day, region) from `first` to `last`: one grouped
    query over the range for listed statements and one for hidden ones, whatever its
    length, each an index-only scan (GROUP BY day, region, with the
    organizations counted alongside; the day's figures are the sums of its regions, at
    most 35 rows a day, added up here). Days and regions with nobody are absent.

    Call it in a transaction (the rollups do). PostgreSQL's planner prices a range of
    the published index as if its rows were scattered over the table, and for a month
    of a table of three years chose to read the whole table, 40 times the rows (30 s
    against 0.7 s at 10,000,000 rows; bench/reconcile.py): the transaction tells it not
    to, and not to compile a query that runs once."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL jit = off")
    halves = [
        counted_statements(first=first, last=last)
        .filter(hidden=hidden)
        .values("day", "region")
        .annotate(
            total=Count("*"),
            party=Count("left_party", filter=Q(left_party=True)),
            youth_league=Count("left_youth_league", filter=Q(left_youth_league=True)),
            young_pioneers=Count("left_young_pioneers", filter=Q(left_young_pioneers=True)),
        )
        for hidden in (False, True)
    ]
    daily: dict[date, Figures] = {}
    regional: dict[tuple[date, str], int] = {}
    for row in chain.from_iterable(halves):
        figures = (row["total"], row["party"], row["youth_league"], row["young_pioneers"])
        before = daily.get(row["day"], ZERO)
        daily[row["day"]] = (
            before[0] + figures[0],
            before[1] + figures[1],
            before[2] + figures[2],
            before[3] + figures[3],
        )
        regional[row["day"], row["region"]] = (
            regional.get((row["day"], row["region"]), 0) + row["total"]
        )
    return daily, regional


def runs(days: Iterable[date], *, longest: int = MAX_RUN_DAYS) -> list[tuple[date, date]]:
    """The days as (first, last) runs of consecutive days, each at most `longest` long."""
    found: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if found and day == found[-1][1] + timedelta(days=1):
            first, _last = found[-1]
            if (day - first).days < longest:
                found[-1] = (first, day)
                continue
        found.append((day, day))
    return found


def tally_of(day: date, figures: Figures, now) -> DailyTally:
    return DailyTally(day=day, computed_at=now, **dict(zip(FIELDS, figures, strict=True)))


def rollup_days(*, days: Iterable[date]) -> list[date]:
    """Recompute the given days from the published rows and store them, with their
    regions, the months they fall in and the summary.

    Idempotent and safe to rerun for any day at any time: each run of consecutive days
    is one fresh grouped query (recount) written with upserts. Imported days are passed
    over: their figures are the operation's history, which no rows here can recompute.
    Holds the rollup lock for its transaction. Returns the days written.
    """
    wanted = set(days)
    with transaction.atomic():
        hold_rollup_lock()
        # Read under the lock import_tallies also holds, so a day imported meanwhile is
        # seen here and never overwritten.
        wanted -= set(
            DailyTally.objects.imported().filter(day__in=wanted).values_list("day", flat=True)
        )
        # Computed after the lock: of two overlapping rollups, the later writer has
        # the fresher figures, so a slow run can never overwrite a newer count.
        now = timezone.now()
        for first, last in runs(wanted):
            daily, regional = recount(first=first, last=last)
            span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
            DailyTally.objects.bulk_create(
                [tally_of(day, daily.get(day, ZERO), now) for day in span],
                update_conflicts=True,
                unique_fields=["day"],
                update_fields=[*FIELDS, "computed_at"],
            )
            RegionDailyTally.objects.filter(day__gte=first, day__lte=last).delete()
            RegionDailyTally.objects.bulk_create(
                RegionDailyTally(day=day, region=region, total=total)
                for (day, region), total in regional.items()
            )
        refresh_months(months={month_of(day) for day in wanted})
        refresh_summary(now=now)
    return sorted(wanted)


def hold_rollup_lock() -> None:
    """Hold a transaction-scoped lock so rollups run one at a time.

    PostgreSQL advisory lock; SQLite (embedded default) already serializes writers.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ROLLUP_LOCK_ID])


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def refresh_months(*, months: Iterable[date]) -> None:
    """Rewrite RegionMonthlyTally for the given months (first days) from the day rows:
    at most 35 x 31 rows a month. Call in the transaction that wrote the day rows."""
    months = sorted(set(months))
    if not months:
        return
    in_months = Q()
    for month in months:
        in_months |= Q(day__gte=month, day__lt=next_month(month))
    sums = (
        RegionDailyTally.objects.filter(in_months)
        .annotate(month=TruncMonth("day"))
        .values("month", "region")
        .annotate(people=Sum("total"))
        .order_by()
    )
    RegionMonthlyTally.objects.filter(month__in=months).delete()
    RegionMonthlyTally.objects.bulk_create(
        RegionMonthlyTally(month=row["month"], region=row["region"], total=row["people"])
        for row in sums
    )


def refresh_summary(*, now=None, today: date | None = None) -> TallySummary:
    """Rewrite the summary row from the stored tallies: every DailyTally row summed by
    year (some 7,300 rows for 20 years: milliseconds, in the background), the last
    seven days, and RegionMonthlyTally summed by region. Called in the same
    transaction as every write to DailyTally, so readers never see the two disagree.
    `today` is the tally day it is computed for (tests pass another to cross midnight).
    """
    now = now or timezone.now()
    today = today or tally_today()
    years = (
        DailyTally.objects.annotate(year=ExtractYear("day"))
        .values("year")
        .annotate(**{field: Sum(field) for field in FIELDS})
        .order_by("year")
    )
    yearly = [[row["year"], *(int(row[field]) for field in FIELDS)] for row in years]
    first_recent = today - timedelta(days=TallySummary.RECENT_DAYS - 1)
    recent = dict(
        DailyTally.objects.filter(day__gte=first_recent, day__lte=today).values_list("day", "total")
    )
    by_region = {
        region: int(people)
        for region, people in RegionMonthlyTally.objects.values("region")
        .annotate(people=Sum("total"))
        .values_list("region", "people")
        .order_by()
    }
    counted_from = (
        DailyTally.objects.rolled_up().filter(total__gt=0).aggregate(first=Min("day"))["first"]
    )
    totals = {field: sum(year[n + 1] for year in yearly) for n, field in enumerate(FIELDS)}
    summary, _created = TallySummary.objects.update_or_create(
        pk=TallySummary.PK,
        defaults={
            **totals,
            "day": today,
            "recent": [
                recent.get(first_recent + timedelta(days=n), 0)
                for n in range(TallySummary.RECENT_DAYS)
            ],
            "yearly": yearly,
            "by_region": by_region,
            "counted_from": counted_from,
            "as_of": now,
        },
    )
    return summary


def days_changed_since(moment) -> set[date]:
    """Publication days of statements whose status changed since `moment`
    (statement_status_changed_brin)."""
    return set(
        Statement.objects.filter(status_changed_at__gte=moment, published_day__isnull=False)
        .values_list("published_day", flat=True)
        .distinct()
    )


def changed_since(day: date, moment) -> bool:
    """Whether a statement published on `day` changed status since `moment` (a seek on
    statement_status_changed_brin): the rollup has a change to that day still to count."""
    return Statement.objects.filter(status_changed_at__gte=moment, published_day=day).exists()


def rollup_recent() -> list[date]:
    """Today, yesterday, and every day touched by a publication or removal since the
    last rollup (see RECENT_MARGIN). With no tallies at all, builds every day."""
    # Imported rows carry the import's time, not a rollup's: only rollups set the mark.
    last = DailyTally.objects.rolled_up().aggregate(last=Max("computed_at"))["last"]
    if last is None:
        return build_all()
    today = tally_today()
    days = {today, today - timedelta(days=1)}
    days |= days_changed_since(min(last - RECENT_MARGIN, timezone.now() - RECENT_WINDOW))
    return rollup_days(days=days)


def counted_span() -> tuple[date, date]:
    """The days the rollup owns, first to today: from the earliest counted statement,
    or an earlier stored count with nothing behind it (which must go), but after the
    last imported day, whose history nothing here could recompute."""
    today = tally_today()
    candidates = [
        first_counted_day(),
        DailyTally.objects.rolled_up().filter(total__gt=0).aggregate(m=Min("day"))["m"],
        RegionDailyTally.objects.aggregate(m=Min("day"))["m"],
        today,
    ]
    start = min(day for day in candidates if day is not None)
    last_imported = DailyTally.objects.imported().aggregate(m=Max("day"))["m"]
    if last_imported is not None and last_imported >= start:
        start = last_imported + timedelta(days=1)
    return start, today


def month_ranges(first: date, last: date) -> list[tuple[date, date]]:
    """[first, last] cut at the calendar months: one grouped pass each."""
    ranges = []
    while first <= last:
        end = min(next_month(first) - timedelta(days=1), last)
        ranges.append((first, end))
        first = end + timedelta(days=1)
    return ranges


def build_all() -> list[date]:
    """Every day the rollup owns, a month per transaction: the first rollup ever.
    counts.reconciliation.rebuild_all is the nightly version, which also reports what
    it fixes."""
    started = timezone.now()
    first, last = counted_span()
    written = []
    for start, end in month_ranges(first, last):
        written += rollup_days(days=[start + timedelta(n) for n in range((end - start).days + 1)])
    # A change to a day already built happened while later months ran: redo those days,
    # since each month moves the watermark rollup_recent looks back from.
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
    History may be imported only for days before it. One seek (first_counted_day)."""
    first = first_counted_day()
    today = tally_today()
    return min(first, today) if first else today


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
        hold_rollup_lock()
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
        refresh_summary(now=now)
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
