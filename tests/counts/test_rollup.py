from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from counts import reconciliation, services
from counts.days import day_bounds, tally_today
from counts.models import DailyTally, TallySummary
from counts.tasks import rebuild_tallies, rollup_tallies
from statements import services as statement_services
from statements.models import Statement, Status
from tests import factories


def tally(day: date) -> tuple[int, int, int, int]:
    t = DailyTally.objects.get(day=day)
    return (t.total, t.party, t.youth_league, t.young_pioneers)


@pytest.mark.django_db
def test_a_person_counts_once_in_the_total_and_once_per_organization():
    day = date(2026, 3, 1)
    start, _end = day_bounds(day)
    factories.published_statement(published_at=start, organizations=("party", "youth_league"))
    factories.published_statement(published_at=start, organizations=("young_pioneers",))
    factories.published_statement(
        published_at=start, organizations=("party", "youth_league", "young_pioneers")
    )

    services.rollup_days(days=[day])

    assert tally(day) == (3, 2, 2, 2)


@pytest.mark.django_db
def test_days_are_counted_in_the_tally_time_zone(settings):
    settings.TALLY_TIME_ZONE = "Asia/Shanghai"
    # 16:30 UTC on 1 March is 00:30 on 2 March in Shanghai.
    factories.published_statement(published_at=datetime(2026, 3, 1, 16, 30, tzinfo=UTC))
    factories.published_statement(published_at=datetime(2026, 3, 1, 15, 59, 59, tzinfo=UTC))

    services.rollup_days(days=[date(2026, 3, 1), date(2026, 3, 2)])

    assert tally(date(2026, 3, 1))[0] == 1
    assert tally(date(2026, 3, 2))[0] == 1


@pytest.mark.django_db
def test_only_published_statements_are_counted(reviewer):
    factories.received_statement()
    factories.in_review_statement()
    rejected = factories.in_review_statement()
    factories.reject(rejected, reviewer=reviewer, note="灌水")
    factories.approved_statement(reviewer=reviewer)

    rollup_tallies.apply()

    assert TallySummary.objects.current().total == 1


@pytest.mark.django_db
def test_rerunning_a_day_gives_the_same_figures():
    day = date(2026, 3, 5)
    start, _end = day_bounds(day)
    for hour in range(5):
        factories.published_statement(published_at=start + timedelta(hours=hour))

    services.rollup_days(days=[day])
    first = tally(day)
    services.rollup_days(days=[day, day])
    reconciliation.rebuild_all()

    assert tally(day) == first == (5, 5, 0, 0)
    assert DailyTally.objects.filter(day=day).count() == 1


@pytest.mark.django_db
def test_a_removal_is_taken_out_of_the_day_it_was_published(reviewer):
    old = timezone.now() - timedelta(days=20)
    statement = factories.published_statement(published_at=old)
    factories.published_statement(published_at=old)
    rebuild_tallies.apply()
    day = DailyTally.objects.get(total=2).day

    statement_services.remove(statement_id=statement.pk, actor=reviewer, reason="本人要求")
    rollup_tallies.apply()

    assert tally(day)[0] == 1


@pytest.mark.django_db
def test_the_first_rollup_after_an_outage_catches_up_on_old_days(reviewer):
    old = timezone.now() - timedelta(days=30)
    statement = factories.published_statement(published_at=old)
    rebuild_tallies.apply()
    day = DailyTally.objects.get(total=1).day
    # Beat and workers were down for three hours; the removal happened two hours ago.
    DailyTally.objects.update(computed_at=timezone.now() - timedelta(hours=3))
    statement_services.remove(statement_id=statement.pk, actor=reviewer, reason="x")
    Statement.objects.filter(pk=statement.pk).update(
        status_changed_at=timezone.now() - timedelta(hours=2)
    )

    rollup_tallies.apply()

    assert tally(day)[0] == 0


@pytest.mark.django_db
def test_the_first_rollup_ever_builds_every_day():
    factories.published_statement(published_at=timezone.now() - timedelta(days=45))
    rollup_tallies.apply()
    assert TallySummary.objects.current().total == 1


@pytest.mark.django_db
def test_recent_rollup_counts_a_publication_without_the_nightly_rebuild(reviewer, api):
    statement = factories.in_review_statement(organizations=["youth_league", "young_pioneers"])
    before = api.get(reverse("api:tallies")).json()

    factories.approve(statement, reviewer=reviewer)
    rollup_tallies.apply()

    after = api.get(reverse("api:tallies")).json()
    assert after["total"] == before["total"] + 1
    assert after["today"] == before["today"] + 1
    assert after["by_organization"] == {"party": 0, "youth_league": 1, "young_pioneers": 1}


@pytest.mark.django_db
def test_tallies_api_shape_and_yesterday(api):
    now = timezone.now()
    factories.published_statement(published_at=now)
    factories.published_statement(published_at=now - timedelta(days=1), organizations=("party",))
    factories.published_statement(
        published_at=now - timedelta(days=1), organizations=("young_pioneers",)
    )
    factories.published_statement(published_at=now - timedelta(days=9))
    rebuild_tallies.apply()

    body = api.get(reverse("api:tallies")).json()

    assert set(body) == {"total", "by_organization", "today", "yesterday", "last_7_days", "as_of"}
    assert (body["total"], body["today"], body["yesterday"], body["last_7_days"]) == (4, 1, 2, 3)
    assert body["by_organization"] == {"party": 3, "youth_league": 0, "young_pioneers": 1}
    assert datetime.fromisoformat(body["as_of"].replace("Z", "+00:00")) <= timezone.now()


@pytest.mark.django_db
def test_empty_tallies_are_zeros(api):
    body = api.get(reverse("api:tallies")).json()
    assert (body["total"], body["today"], body["yesterday"], body["as_of"]) == (0, 0, 0, None)


@pytest.mark.django_db
def test_daily_series_fills_empty_days_with_zeros(api):
    factories.published_statement(published_at=timezone.now() - timedelta(days=2))
    rebuild_tallies.apply()

    days = api.get(reverse("api:tallies_daily"), {"days": 5}).json()["days"]

    assert [d["day"] for d in days] == [
        str(tally_today() - timedelta(days=n)) for n in range(4, -1, -1)
    ]
    assert [d["total"] for d in days] == [0, 0, 1, 0, 0]
    assert api.get(reverse("api:tallies_daily"), {"days": 0}).status_code == 400
    assert api.get(reverse("api:tallies_daily"), {"days": "many"}).status_code == 400


@pytest.mark.django_db
def test_tallies_reconcile_with_the_rows(reviewer):
    now = timezone.now()
    for n in range(40):
        factories.published_statement(
            published_at=now - timedelta(hours=7 * n),
            organizations=("party",) if n % 3 else ("party", "youth_league"),
        )
    removed = Statement.objects.order_by("?").first()
    statement_services.remove(statement_id=removed.pk, actor=reviewer, reason="x")

    rebuild_tallies.apply()

    published = Statement.objects.filter(status=Status.PUBLISHED)
    summary = TallySummary.objects.current()
    assert summary.total == published.count() == 39
    assert summary.party == published.filter(left_party=True).count()
    assert summary.youth_league == published.filter(left_youth_league=True).count()


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
def test_home_page_groups_large_numbers(client, lang):
    DailyTally.objects.create(
        day=tally_today(), total=1234567, party=1234, computed_at=timezone.now()
    )
    services.refresh_summary()
    html = client.get(f"/{lang}/").content.decode()
    assert '<p class="total">1,234,567</p>' in html
    assert "<dd>1,234</dd>" in html
