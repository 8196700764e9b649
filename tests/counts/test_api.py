import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from counts.days import tally_today
from counts.models import DailyTally
from counts.tasks import rollup_tallies
from statements.choices import Region
from tests.counts.helpers import published_on


def stored(day: date, total: int, party: int = 0) -> None:
    DailyTally.objects.create(day=day, total=total, party=party, computed_at=timezone.now())


@pytest.mark.django_db
def test_daily_series_from_to_is_inclusive_and_fills_empty_days(api):
    stored(date(2026, 2, 27), 5, 5)
    stored(date(2026, 3, 2), 7)

    body = api.get(reverse("api:tallies_daily"), {"from": "2026-02-27", "to": "2026-03-02"})

    assert body.status_code == 200
    days = body.json()["days"]
    assert [(d["day"], d["total"]) for d in days] == [
        ("2026-02-27", 5),
        ("2026-02-28", 0),
        ("2026-03-01", 0),
        ("2026-03-02", 7),
    ]
    assert days[0]["by_organization"] == {"party": 5, "youth_league": 0, "young_pioneers": 0}


@pytest.mark.django_db
def test_daily_series_takes_a_year_and_a_day_at_most(api):
    url = reverse("api:tallies_daily")
    assert len(api.get(url, {"from": "2024-01-01", "to": "2024-12-31"}).json()["days"]) == 366
    assert api.get(url, {"from": "2024-01-01", "to": "2025-01-01"}).status_code == 400
    assert len(api.get(url, {"days": 366}).json()["days"]) == 366
    assert len(api.get(url).json()["days"]) == 30


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-03-01"}, "to"),
        ({"to": "2026-03-01"}, "from"),
        ({"from": "2026-3-1", "to": "2026-03-02"}, "from"),
        ({"from": "20260301", "to": "2026-03-02"}, "from"),
        ({"from": "2026-02-30", "to": "2026-03-02"}, "from"),
        ({"from": "2026-03-01", "to": "yesterday"}, "to"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ({"from": "2026-03-01", "to": "2026-03-02", "days": "2"}, "days"),
        ({"days": "0"}, "days"),
        ({"days": "367"}, "days"),
        ({"days": "many"}, "days"),
    ],
)
def test_daily_series_refuses_bad_mixed_or_reversed_days(api, params, field):
    response = api.get(reverse("api:tallies_daily"), params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    csv_response = api.get(reverse("api:tallies_daily_csv"), params, HTTP_ACCEPT_LANGUAGE="en")
    if field == "days" and params.get("days") == "367":
        assert csv_response.status_code == 200  # the CSV has no bound
    else:
        assert csv_response.status_code == 400
        assert list(csv_response.json()) == [field]


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["10000000", "9" * 30])
def test_daily_csv_refuses_more_days_than_the_calendar_holds(api, days):
    response = api.get(reverse("api:tallies_daily_csv"), {"days": days})
    assert response.status_code == 400
    assert list(response.json()) == ["days"]


@pytest.mark.django_db
def test_daily_csv_holds_only_the_stored_days_to_today_however_wide_the_span(client):
    """A span of the whole calendar costs what the history costs, not 3.65M lines."""
    today = tally_today()
    stored(today - timedelta(days=2), 5)
    for span in (
        {"from": "0001-01-01", "to": "9999-12-31"},
        {"from": "9999-12-30", "to": "9999-12-31"},
    ):
        response = client.get(reverse("api:tallies_daily_csv"), span)
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        days = [row[0] for row in rows[1:]]
        if span["from"] == "0001-01-01":
            assert days == [str(today - timedelta(days=n)) for n in (2, 1, 0)]
        else:
            assert days == []


@pytest.mark.django_db
def test_daily_series_explains_in_the_readers_language(api):
    response = api.get(
        reverse("api:tallies_daily"),
        {"from": "2026-03-02", "to": "2026-03-01"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.json() == {"from": ["from 不能晚于 to。"]}


@pytest.mark.django_db
def test_daily_csv_is_streamed_with_every_day_and_is_public(client):
    stored(date(2026, 3, 1), 3, 2)
    stored(date(2026, 3, 3), 1)

    response = client.get(
        reverse("api:tallies_daily_csv"), {"from": "2026-02-28", "to": "2026-03-04"}
    )

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert "public" in response["Cache-Control"] and "max-age=15" in response["Cache-Control"]
    assert "Accept-Language" not in response.get("Vary", "")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["date", "total", "party", "youth_league", "young_pioneers"],
        # 2026-02-28 is before the first stored day: nobody to show.
        ["2026-03-01", "3", "2", "0", "0"],
        ["2026-03-02", "0", "0", "0", "0"],
        ["2026-03-03", "1", "0", "0", "0"],
        ["2026-03-04", "0", "0", "0", "0"],
    ]


@pytest.mark.django_db
def test_daily_csv_without_days_is_the_whole_history_to_today(client):
    first = tally_today() - timedelta(days=800)
    stored(first, 9)
    stored(tally_today(), 1)

    response = client.get(reverse("api:tallies_daily_csv"))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1 + 801
    assert rows[1] == [str(first), "9", "0", "0", "0"]
    assert rows[-1] == [str(tally_today()), "1", "0", "0", "0"]


@pytest.mark.django_db
def test_regions_api_gives_every_region_in_all_and_by_month(api):
    today = tally_today()
    month_ago = today.replace(day=1) - timedelta(days=1)
    published_on(today, region="CN-GD", count=2)
    published_on(month_ago, region="CN-GD")
    published_on(today, region="overseas")
    rollup_tallies.apply()
    url = reverse("api:tallies_regions")

    body = api.get(url).json()
    assert set(body) == {"regions", "counted_from", "as_of"}
    assert [r["region"] for r in body["regions"]] == Region.values
    people = {r["region"]: r["total"] for r in body["regions"]}
    assert (people["CN-GD"], people["overseas"], people["CN-BJ"]) == (3, 1, 0)
    assert body["counted_from"] == str(month_ago)

    month = api.get(url, {"month": f"{today:%Y-%m}"}).json()
    assert month["month"] == f"{today:%Y-%m}"
    people = {r["region"]: r["total"] for r in month["regions"]}
    assert (people["CN-GD"], people["overseas"]) == (2, 1)
    earlier = api.get(url, {"month": f"{month_ago:%Y-%m}"}).json()
    assert {r["region"]: r["total"] for r in earlier["regions"]}["CN-GD"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2026-13", "2026-1", "March", "2026-03-01", ""])
def test_regions_api_refuses_a_month_that_is_not_one(api, month):
    response = api.get(reverse("api:tallies_regions"), {"month": month})
    assert response.status_code == 400
    assert list(response.json()) == ["month"]


@pytest.mark.django_db
def test_regions_api_is_language_neutral_and_public(api):
    response = api.get(reverse("api:tallies_regions"), HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert "public" in response["Cache-Control"]
    assert "Content-Language" not in response
    assert "Accept-Language" not in response.get("Vary", "")
