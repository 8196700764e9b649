from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from counts import reconciliation, services
from counts.days import tally_today
from counts.models import DailyTally, TallySummary
from counts.tasks import rollup_tallies
from tests.counts.helpers import published_on


@pytest.mark.django_db
def test_the_rollup_writes_the_summary_row():
    today = tally_today()
    published_on(today, organizations=("party", "youth_league"))
    published_on(today, region="CN-GD", organizations=("young_pioneers",))
    published_on(today - timedelta(days=1), region="CN-GD")
    published_on(today - timedelta(days=5))
    published_on(today - timedelta(days=10))

    rollup_tallies.apply()

    summary = TallySummary.objects.get(pk=TallySummary.PK)
    assert (summary.total, summary.party, summary.youth_league, summary.young_pioneers) == (
        5,
        4,
        1,
        1,
    )
    assert summary.day == today
    figures = summary.figures(today=today)
    assert (figures["today"], figures["yesterday"], figures["last_7_days"]) == (2, 1, 4)
    assert summary.by_region == {"CN-BJ": 3, "CN-GD": 2}
    assert sum(year[1] for year in summary.yearly) == 5
    assert summary.counted_from == today - timedelta(days=10)
    assert summary.as_of is not None


@pytest.mark.django_db
def test_every_rollup_rewrites_the_summary():
    today = tally_today()
    published_on(today)
    rollup_tallies.apply()
    assert TallySummary.objects.current().total == 1

    published_on(today, count=2)
    services.rollup_recent()

    assert TallySummary.objects.current().total == 3
    assert TallySummary.objects.count() == 1


@pytest.mark.django_db
def test_before_any_rollup_the_summary_is_zeros():
    summary = TallySummary.objects.current()
    assert summary.pk is None
    assert summary.figures() == {
        "total": 0,
        "by_organization": {"party": 0, "youth_league": 0, "young_pioneers": 0},
        "today": 0,
        "yesterday": 0,
        "last_7_days": 0,
        "as_of": None,
    }


@pytest.mark.django_db
def test_a_summary_written_before_midnight_is_read_right_after_it(api):
    # The last rollup of day D ran at 23:59:50; a reader asks at 00:00:05 on D + 1,
    # before the next rollup. Today is D + 1 here, so D is yesterday.
    today = tally_today()
    day = today - timedelta(days=1)
    published_on(day, count=3)
    published_on(day - timedelta(days=1), count=2)
    published_on(day - timedelta(days=6))  # in D's last seven days, not in D + 1's
    published_on(day - timedelta(days=7))
    services.rollup_days(days=[day - timedelta(days=n) for n in range(8)])
    services.refresh_summary(today=day)

    summary = TallySummary.objects.current()
    assert summary.day == day
    before = summary.figures(today=day)
    assert (before["today"], before["yesterday"], before["last_7_days"]) == (3, 2, 6)
    after = summary.figures(today=today)
    assert (after["today"], after["yesterday"], after["last_7_days"]) == (0, 3, 5)
    body = api.get(reverse("api:tallies")).json()
    assert (body["total"], body["today"], body["yesterday"], body["last_7_days"]) == (7, 0, 3, 5)
    # A week on, the recent figures are all behind the reader: zeros, the total stays.
    later = summary.figures(today=today + timedelta(days=7))
    assert (later["total"], later["today"], later["yesterday"], later["last_7_days"]) == (
        7,
        0,
        0,
        0,
    )


@pytest.mark.django_db
def test_the_import_writes_the_summary_and_the_years(tmp_path: Path):
    published_on(tally_today())
    rollup_tallies.apply()
    path = tmp_path / "history.csv"
    path.write_text(
        "date,total,party,youth_league,young_pioneers\n"
        "2010-03-01,1000,900,100,0\n2010-12-31,500,0,500,0\n2011-01-01,7,7,0,0\n"
    )

    call_command("import_tallies", str(path), stdout=None)

    summary = TallySummary.objects.current()
    assert summary.total == 1508
    assert summary.yearly[:2] == [[2010, 1500, 900, 600, 0], [2011, 7, 7, 0, 0]]
    assert summary.yearly[-1][0] == tally_today().year
    # Imported history has no regions.
    assert summary.by_region == {"CN-BJ": 1}
    assert summary.counted_from == tally_today()


@pytest.mark.django_db
def test_the_reconciliation_writes_the_summary():
    day = tally_today() - timedelta(days=3)
    published_on(day, count=4)
    rollup_tallies.apply()
    DailyTally.objects.filter(day=day).update(total=40, party=40)
    services.refresh_summary()
    assert TallySummary.objects.current().total == 40

    reconciliation.rebuild_all()

    assert TallySummary.objects.current().total == 4


def test_a_summary_reads_recent_days_only_within_its_week():
    summary = TallySummary(day=date(2026, 3, 10), recent=[1, 2, 3, 4, 5, 6, 7])
    assert summary.day_total(date(2026, 3, 10)) == 7
    assert summary.day_total(date(2026, 3, 4)) == 1
    assert summary.day_total(date(2026, 3, 3)) == 0
    assert summary.day_total(date(2026, 3, 11)) == 0
