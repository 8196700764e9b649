import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from counts import services
from counts.charts import HEIGHT, bar_chart
from counts.days import tally_today
from counts.models import DailyTally
from counts.tasks import rollup_tallies
from statements.models import Statement
from tests.counts.helpers import published_on


def test_bars_are_as_tall_as_their_values_in_proportion():
    chart = bar_chart([("a", 50), ("b", 200), ("c", 0), ("d", 1), ("e", 100)])

    assert [bar.height for bar in chart.bars] == [HEIGHT / 4, HEIGHT, 0, 1, HEIGHT / 2]
    assert [bar.y + bar.height for bar in chart.bars] == [HEIGHT] * 5
    assert chart.peak == 200
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs) and all(bar.x + bar.width <= chart.width for bar in chart.bars)
    assert chart.bars[-1].labelled


def test_an_empty_chart_has_no_bars_standing():
    chart = bar_chart([("a", 0), ("b", 0)])
    assert chart.peak == 0 and [bar.height for bar in chart.bars] == [0, 0]


@pytest.mark.django_db
def test_home_shows_the_figures_the_charts_and_the_newest_statements(client):
    today = tally_today()
    newest = published_on(today, organizations=("party", "youth_league"), count=2)
    published_on(today - timedelta(days=1), count=4)
    published_on(today - timedelta(days=6))
    published_on(today - timedelta(days=400), organizations=("young_pioneers",))
    rollup_tallies.apply()

    html = client.get("/en/").content.decode()

    assert '<p class="total">8</p>' in html
    for label, figure in [
        ("Today", 2),
        ("Yesterday", 4),
        ("The last 7 days", 7),
        ("Left the Communist Party", 7),
        ("Left the Communist Youth League", 2),
        ("Left the Young Pioneers", 1),
    ]:
        assert f"<dt>{label}</dt><dd>{figure}</dd>" in html
    daily, yearly = re.findall(r"<svg class=\"chart\".*?</svg>", html, re.S)
    for svg, name in [(daily, "daily"), (yearly, "yearly")]:
        assert 'role="img"' in svg
        assert f'aria-labelledby="{name}-title {name}-desc"' in svg
        assert f'<title id="{name}-title">' in svg and f'<desc id="{name}-desc">' in svg
        assert "<script" not in svg and "href" not in svg
    # The daily chart: three bars standing, yesterday's (4) full height, today's half.
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', daily)]
    assert sorted(heights) == [HEIGHT / 4, HEIGHT / 2, HEIGHT]
    assert "the highest bar is 4." in daily
    # The yearly chart has one bar per year since the first, summing to the total.
    years = re.findall(r"<tr><td>(\d{4})</td><td>(\d+)</td>", html)
    assert sum(int(total) for _year, total in years) == 8
    assert len(re.findall(r"<rect ", yearly)) == len(years)
    # The text alternative: a table of every day of the chart.
    assert html.count("<summary>The figures of this chart</summary>") == 2
    assert f"<tr><td>{today:%Y-%m-%d}</td><td>2</td></tr>" in html
    assert f"<tr><td>{today - timedelta(days=89):%Y-%m-%d}</td><td>0</td></tr>" in html
    assert f"{today - timedelta(days=90):%Y-%m-%d}" not in daily
    for statement in newest:
        assert statement.display_name in html
    assert f'href="{reverse("counts:regions")}"' in html


@pytest.mark.django_db
def test_home_reads_a_few_rows_and_sums_nothing(client, django_assert_max_num_queries):
    published_on(tally_today(), count=3)
    published_on(tally_today() - timedelta(days=800))
    rollup_tallies.apply()

    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(2):
        response = client.get("/en/")

    assert response.status_code == 200
    sqls = [query["sql"].upper() for query in queries]
    assert not [sql for sql in sqls if "SUM(" in sql or "COUNT(" in sql or "GROUP BY" in sql]
    # The one read of statements is the first page of the published list.
    (statements,) = [sql for sql in sqls if "STATEMENTS_STATEMENT" in sql]
    assert statements.endswith("LIMIT 11")


@pytest.mark.django_db
def test_home_shows_a_changed_statement_at_once(client):
    first, second = published_on(tally_today(), count=2)
    rollup_tallies.apply()
    assert second.display_name in client.get("/en/").content.decode()

    Statement.objects.filter(pk=second.pk).update(text="改过的文字")
    html = client.get("/en/").content.decode()
    assert "改过的文字" in html
    Statement.objects.filter(pk=second.pk).update(status="removed")
    html = client.get("/en/").content.decode()
    assert second.display_name not in html and first.display_name in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh-hans", ["今天", "最近 90 天", "每年"]),
        ("zh-hant", ["今天", "最近 90 天", "每年"]),
        ("en", ["Today", "the last 90 days", "Each year"]),
    ],
)
def test_home_speaks_each_language(client, lang, words):
    DailyTally.objects.create(day=tally_today(), total=1234567, computed_at=timezone.now())
    services.refresh_summary()
    html = client.get(f"/{lang}/").content.decode()
    for word in words:
        assert word in html
    assert "1,234,567" in html


@pytest.mark.django_db
def test_regions_page_shows_each_region_in_all_and_by_month(client, django_assert_max_num_queries):
    today = tally_today()
    month_ago = today.replace(day=1) - timedelta(days=1)
    published_on(today, region="CN-GD", count=3)
    published_on(month_ago, region="CN-GD")
    published_on(today, region="CN-HK", count=2)
    published_on(today - timedelta(days=500), region="overseas")
    rollup_tallies.apply()

    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(2):
        html = client.get(reverse("counts:regions", kwargs={}), HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()

    assert not [q for q in queries if "statements_statement" in q["sql"]]
    assert not [q for q in queries if "regiondailytally" in q["sql"]]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td>[\d,]+</td>)+)</tr>', html)
    figures = {label: re.findall(r"<td>([\d,]+)</td>", cells) for label, cells in rows}
    # In all, then the last twelve months, oldest first.
    assert figures["Guangdong"][0] == "4"
    assert figures["Guangdong"][-2:] == ["1", "3"]
    assert figures["Hong Kong"][0] == "2" and figures["Hong Kong"][-1] == "2"
    assert figures["Overseas"][0] == "1" and set(figures["Overseas"][1:]) == {"0"}
    assert figures["Beijing"][0] == "0"
    assert len(figures) == 36  # 35 regions and all regions
    assert figures["All regions"][0] == "7"
    # Busiest first.
    assert [label for label, _cells in rows[:3]] == ["Guangdong", "Hong Kong", "Overseas"]
    assert f"Figures by region start on {today - timedelta(days=500):%Y-%m-%d}" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "word"), [("zh-hans", "广东"), ("zh-hant", "廣東"), ("en", "Guangdong")]
)
def test_regions_page_speaks_each_language_and_is_in_the_menu(client, lang, word):
    published_on(tally_today(), region="CN-GD")
    rollup_tallies.apply()
    html = client.get(f"/{lang}/").content.decode()
    regions = f"/{lang}/regions/"
    assert f'<a href="{regions}">' in html
    assert word in client.get(regions).content.decode()
