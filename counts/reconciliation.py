"""The nightly reconciliation: every day the rollup owns, recounted from the statements a
month at a time, compared with what is stored, every difference recorded as TallyDrift
and fixed."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from counts import services
from counts.models import DailyTally, RegionDailyTally, TallyDrift, TallySource
from counts.services import FIELDS, RECENT_MARGIN, RECENT_WINDOW, ZERO


@dataclass
class Reconciliation:
    """What one reconciliation did: the days it checked, the days whose stored figures
    it fixed (or filled in), and the drift rows it wrote."""

    checked: int = 0
    fixed: list[date] = field(default_factory=list)
    drift: int = 0


def rebuild_all() -> Reconciliation:
    """Recount every day from the first counted statement (after the last imported day,
    whose history nothing here could recompute) to today, one calendar month per
    transaction: one grouped query a month (services.recount), under the rollup lock,
    so the 15-second rollup waits at most one month's pass. Stored figures that differ
    from the recount are written as TallyDrift rows and fixed, in the same transaction.

    A difference on a day that changed since its row was rolled up (a publication or a
    removal the next rollup would count anyway: at 03:30, today's newest statements) is
    fixed but is not drift. Imported days are never read or written. Idempotent: a
    second run finds nothing. Called nightly by counts.tasks.rebuild_tallies."""
    started = timezone.now()
    result = Reconciliation()
    first, last = services.counted_span()
    for start, end in services.month_ranges(first, last):
        _reconcile(start, end, result=result)
    # A change to a day already reconciled happened while later months ran: redo those
    # days, since each fix moves the watermark rollup_recent looks back from.
    services.rollup_days(days=services.days_changed_since(started - RECENT_MARGIN))
    return result


def _reconcile(first: date, last: date, *, result: Reconciliation) -> None:
    with transaction.atomic():
        services.hold_rollup_lock()
        now = timezone.now()
        stored = {t.day: t for t in DailyTally.objects.filter(day__gte=first, day__lte=last)}
        imported = {day for day, t in stored.items() if t.source == TallySource.IMPORTED}
        stored_regions = {
            (r.day, r.region): r
            for r in RegionDailyTally.objects.filter(day__gte=first, day__lte=last)
        }
        daily, regional = services.recount(first=first, last=last)

        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        days = [day for day in days if day not in imported]
        result.checked += len(days)
        fix_days: list[DailyTally] = []
        drift: list[TallyDrift] = []
        for day in days:
            want = daily.get(day, ZERO)
            row = stored.get(day)
            have = tuple(getattr(row, name) for name in FIELDS) if row else None
            if have == want:
                continue
            fix_days.append(services.tally_of(day, want, now))
            if have is None and want == ZERO:
                continue  # an empty day not yet written: nothing was shown wrong
            drift += [
                TallyDrift(
                    day=day,
                    field=name,
                    stored=None if have is None else have[n],
                    recounted=want[n],
                    found_at=now,
                )
                for n, name in enumerate(FIELDS)
                if have is None or have[n] != want[n]
            ]

        fix_regions: list[RegionDailyTally] = []
        gone_regions: list[int] = []
        for key in sorted(set(regional) | set(stored_regions)):
            day, region = key
            if day in imported:
                continue
            want_people = regional.get(key, 0)
            region_row = stored_regions.get(key)
            have_people = region_row.total if region_row else None
            if (have_people or 0) == want_people:
                continue
            if want_people:
                fix_regions.append(RegionDailyTally(day=day, region=region, total=want_people))
            else:
                gone_regions.append(region_row.pk)
            drift.append(
                TallyDrift(
                    day=day,
                    region=region,
                    field=TallyDrift.Field.TOTAL,
                    stored=have_people,
                    recounted=want_people,
                    found_at=now,
                )
            )

        if not (fix_days or fix_regions or gone_regions):
            return
        pending = {
            day
            for day in {d.day for d in drift}
            if services.changed_since(day, _rolled_up_at(stored.get(day), now) - RECENT_MARGIN)
        }
        TallyDrift.objects.bulk_create(d for d in drift if d.day not in pending)
        result.drift += sum(1 for d in drift if d.day not in pending)
        result.fixed += sorted({t.day for t in fix_days} | {d.day for d in drift})
        DailyTally.objects.bulk_create(
            fix_days,
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=[*FIELDS, "computed_at"],
        )
        RegionDailyTally.objects.filter(pk__in=gone_regions).delete()
        RegionDailyTally.objects.bulk_create(
            fix_regions,
            update_conflicts=True,
            unique_fields=["day", "region"],
            update_fields=["total"],
        )
        services.refresh_months(months={services.month_of(d.day) for d in drift if d.region})
        services.refresh_summary(now=now)


def _rolled_up_at(row: DailyTally | None, now):
    """Since when a day's stored figures may lag its statements: its last rollup, or for
    a day never written, the rollup's window (a day that got its first statement just
    now)."""
    return row.computed_at if row is not None and row.computed_at else now - RECENT_WINDOW
