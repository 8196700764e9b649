from collections.abc import Callable
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from counts.charts import bar_chart
from counts.days import tally_today
from counts.models import RegionMonthlyTally, TallySummary
from counts.services import month_of
from statements.choices import Region
from statements.models import Statement
from tuidang.lib.http import public_read

CHART_DAYS = TallySummary.RECENT_DAYS
NEWEST_STATEMENTS = 10
REGION_MONTHS = 12
# Rendered fragments kept per process, keyed by everything they show (see _fragment).
_FRAGMENTS: dict[tuple, str] = {}
_FRAGMENTS_KEPT = 64


def newest_statements(size: int = NEWEST_STATEMENTS) -> list[Statement]:
    """The newest listed statements: the first page of the public list (one range on
    the published index)."""
    return Statement.objects.listed().page(size=size).rows


def _fragment(key: tuple, render: Callable[[], str]) -> str:
    """A rendered piece of a page, kept in this process under a key made of everything
    it shows (and the language): never stale, since new content is a new key. Looping
    over 90 days, the years and ten statements in the template language costs some 30
    ms a view, where the rest of the page costs one; the rollup changes what these show
    at most every 15 s. The dict is emptied when full: cheap, and safe across threads."""
    html = _FRAGMENTS.get(key)
    if html is None:
        if len(_FRAGMENTS) >= _FRAGMENTS_KEPT:
            _FRAGMENTS.clear()
        html = _FRAGMENTS[key] = render()
    return html


@public_read
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Two queries, none of them a sum: the summary row by primary key (the last 90 days
    and the years come with it) and the newest statements (one range on the published
    index). The charts and the statements are rendered once per content (_fragment)."""
    language = get_language()
    today = tally_today()
    summary = TallySummary.objects.current()
    days = tuple(summary.days(today=today, count=CHART_DAYS))
    yearly = tuple(tuple(year) for year in summary.yearly)
    charts = _fragment(
        ("charts", language, days, yearly),
        lambda: render_to_string(
            "counts/_charts.html",
            {
                "days": days,
                "daily_chart": bar_chart([(f"{day:%Y-%m-%d}", total) for day, total in days]),
                "yearly": yearly,
                "yearly_chart": bar_chart([(str(y[0]), y[1]) for y in yearly], labels=12),
            },
        ),
    )
    rows = newest_statements()
    statements = _fragment(
        ("statements", language, *(_shown(statement) for statement in rows)),
        lambda: render_to_string("counts/_newest.html", {"statements": rows}, request),
    )
    return render(
        request,
        "counts/home.html",
        {
            "summary": summary.figures(today=today),
            # Safe strings, as render_to_string made them.
            "charts": charts,
            "statements": statements,
        },
    )


def _shown(statement: Statement) -> tuple:
    """Everything statements/_statement.html shows of a statement."""
    return (
        statement.registration_number,
        statement.display_name,
        statement.is_alias,
        tuple(statement.organizations),
        statement.region,
        statement.published_day,
        statement.text,
    )


def last_months(today, count: int) -> list:
    """The first days of the `count` months up to today's, oldest first."""
    months = [month_of(today)]
    while len(months) < count:
        months.append(month_of(months[-1] - timedelta(days=1)))
    return months[::-1]


@public_read
@require_safe
def regions(request: HttpRequest) -> HttpResponse:
    """Cumulative and monthly people per region, from the rollup's tables only: the
    summary row and 35 x 12 monthly rows. Region labels are translated once each."""
    summary = TallySummary.objects.current()
    months = last_months(tally_today(), REGION_MONTHS)
    monthly = {
        (month, region): total
        for month, region, total in RegionMonthlyTally.objects.filter(
            month__gte=months[0]
        ).values_list("month", "region", "total")
    }
    rows = [
        (
            str(label),
            summary.by_region.get(code, 0),
            tuple(monthly.get((month, code), 0) for month in months),
        )
        for code, label in Region.choices
    ]
    rows.sort(key=lambda row: -row[1])
    table = _fragment(
        ("regions", get_language(), tuple(months), *rows),
        lambda: render_to_string(
            "counts/_regions_table.html",
            {
                "months": months,
                "rows": rows,
                "total": sum(row[1] for row in rows),
                "month_totals": [sum(row[2][n] for row in rows) for n in range(len(months))],
            },
        ),
    )
    return render(request, "counts/regions.html", {"summary": summary, "table": table})
