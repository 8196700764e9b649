from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from counts import reconciliation, services
from counts.days import tally_today
from counts.models import (
    DailyTally,
    RegionDailyTally,
    RegionMonthlyTally,
    TallyDrift,
    TallySummary,
)
from counts.tasks import REBUILD_EXPIRES, REBUILD_TIME_LIMIT, rebuild_tallies, rollup_tallies
from statements.models import Statement
from tests.counts.helpers import published_on


def drift() -> set[tuple]:
    return {(d.day, d.region, d.field, d.stored, d.recounted) for d in TallyDrift.objects.all()}


@pytest.mark.django_db
def test_the_reconciliation_finds_drift_records_it_and_fixes_it():
    today = tally_today()
    wrong, missing, empty = (today - timedelta(days=n) for n in (40, 20, 10))
    published_on(wrong, organizations=("party", "youth_league"), count=3)
    published_on(wrong, region="CN-GD")
    published_on(missing, region="CN-SH", count=2)
    rollup_tallies.apply()
    # What a bug or a hand edit could leave behind.
    DailyTally.objects.filter(day=wrong).update(total=9, youth_league=1)
    RegionDailyTally.objects.filter(day=wrong, region="CN-GD").update(total=5)
    DailyTally.objects.filter(day=missing).delete()
    RegionDailyTally.objects.filter(day=missing).delete()
    RegionDailyTally.objects.create(day=empty, region="CN-XZ", total=2)
    DailyTally.objects.filter(day=empty).update(total=2)

    result = rebuild_tallies.apply().get()

    assert drift() == {
        (wrong, "", "total", 9, 4),
        (wrong, "", "youth_league", 1, 3),
        (wrong, "CN-GD", "total", 5, 1),
        (missing, "", "total", None, 2),
        (missing, "", "party", None, 2),
        (missing, "", "youth_league", None, 0),
        (missing, "", "young_pioneers", None, 0),
        (missing, "CN-SH", "total", None, 2),
        (empty, "", "total", 2, 0),
        (empty, "CN-XZ", "total", 2, 0),
    }
    assert result["drift"] == 10
    assert result["fixed"] == [str(empty), str(missing), str(wrong)][::-1]
    fixed = DailyTally.objects.get(day=wrong)
    assert (fixed.total, fixed.party, fixed.youth_league) == (4, 4, 3)
    assert DailyTally.objects.get(day=missing).total == 2
    assert DailyTally.objects.get(day=empty).total == 0
    assert dict(
        RegionDailyTally.objects.filter(day__in=[wrong, missing, empty]).values_list(
            "region", "total"
        )
    ) == {"CN-BJ": 3, "CN-GD": 1, "CN-SH": 2}
    assert not RegionMonthlyTally.objects.filter(region="CN-XZ").exists()
    summary = TallySummary.objects.current()
    assert summary.total == 6
    assert summary.by_region == {"CN-BJ": 3, "CN-GD": 1, "CN-SH": 2}

    # Fixed: a second run finds nothing.
    assert reconciliation.rebuild_all().drift == 0
    assert TallyDrift.objects.count() == 10


@pytest.mark.django_db
def test_a_change_the_rollup_has_yet_to_count_is_fixed_but_is_not_drift():
    published_on(tally_today() - timedelta(days=2))
    rollup_tallies.apply()
    # Published after the last rollup, as at 03:30 every night.
    published_on(tally_today(), count=2)
    Statement.objects.update(status_changed_at=timezone.now())

    result = reconciliation.rebuild_all()

    assert result.drift == 0 and not TallyDrift.objects.exists()
    assert DailyTally.objects.get(day=tally_today()).total == 2
    assert TallySummary.objects.current().total == 3


@pytest.mark.django_db
def test_the_first_build_ever_is_not_drift():
    published_on(tally_today() - timedelta(days=100), count=2)
    rollup_tallies.apply()
    assert DailyTally.objects.get(day=tally_today() - timedelta(days=100)).total == 2
    assert not TallyDrift.objects.exists()


@pytest.mark.django_db
def test_imported_days_are_never_read_or_written(tmp_path: Path):
    history_day = tally_today() - timedelta(days=30)
    path = tmp_path / "history.csv"
    path.write_text(f"date,total,party,youth_league,young_pioneers\n{history_day},10,10,0,0\n")
    call_command("import_tallies", str(path), stdout=None)
    published_on(tally_today() - timedelta(days=5))
    rollup_tallies.apply()
    # A statement on the imported day (a bulk load of old statements could bring one).
    published_on(history_day, count=3)
    Statement.objects.update(status_changed_at=timezone.now() - timedelta(days=1))

    result = reconciliation.rebuild_all()

    assert result.drift == 0
    imported = DailyTally.objects.get(day=history_day)
    assert (imported.total, imported.source) == (10, "imported")
    assert not RegionDailyTally.objects.filter(day__lte=history_day).exists()
    assert min(DailyTally.objects.rolled_up().values_list("day", flat=True)) > history_day


@pytest.mark.django_db
def test_each_month_is_recounted_by_one_grouped_query_per_index():
    today = tally_today()
    first = today - timedelta(days=75)
    for n in range(0, 76, 5):
        published_on(first + timedelta(days=n), region=("CN-GD", "CN-BJ")[n % 2])
    rollup_tallies.apply()
    months = len(services.month_ranges(first, today))
    assert months in (3, 4)

    with CaptureQueriesContext(connection) as queries:
        result = reconciliation.rebuild_all()

    grouped = [
        q["sql"] for q in queries if "statements_statement" in q["sql"] and "GROUP BY" in q["sql"]
    ]
    # One GROUP BY day, region a month for listed statements and one for hidden ones
    # (each an index-only scan of its partial index); never one query a day.
    assert len(grouped) == 2 * months
    assert sum('"hidden"' in sql and "NOT" not in sql for sql in grouped) == months
    assert all('"region"' in sql and "COUNT(" in sql for sql in grouped)
    assert result.checked == 76


@pytest.mark.django_db(transaction=True)
def test_drift_is_append_only():
    TallyDrift.objects.create(
        day=tally_today(), field="total", stored=1, recounted=2, found_at=timezone.now()
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TallyDrift.objects.update(recounted=3)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TallyDrift.objects.all().delete()


def test_the_nightly_run_fits_in_a_day_with_its_queue_time():
    entry = settings.CELERY_BEAT_SCHEDULE["rebuild-tallies"]
    assert entry["options"]["expires"] == REBUILD_EXPIRES
    assert rebuild_tallies.time_limit == REBUILD_TIME_LIMIT
    assert rebuild_tallies.soft_time_limit < REBUILD_TIME_LIMIT
    assert REBUILD_EXPIRES + REBUILD_TIME_LIMIT < 24 * 60 * 60
