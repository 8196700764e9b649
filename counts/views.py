from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from counts.charts import bar_chart
from counts.days import tally_today
from counts.models import DailyTally, RegionMonthlyTally, TallySummary
from counts.services import month_of
from statements.choices import Region
from statements.models import Statement
from tuidang.lib.http import public_read

CHART_DAYS = 90
NEWEST_STATEMENTS = 10
REGION_MONTHS = 12


def newest_statements(size: int = NEWEST_STATEMENTS) -> list[Statement]:
    """The newest published statements: the first page of the public list (one range on
    the published index). The one call to published_page outside statements/."""
    rows, _cursor = Statement.objects.published_page(after=None, size=size)
    return rows


@public_read
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Three queries, none of them a sum: the summary row by primary key, 90 day rows on
    the unique index of `day`, and the newest statements (one range on the published
    index). Yearly figures come with the summary row."""
    today = tally_today()
    summary = TallySummary.objects.current()
    days = DailyTally.objects.day_totals(first=today - timedelta(days=CHART_DAYS - 1), last=today)
    years = [(str(year), total) for year, total, *_parts in summary.yearly]
    return render(
        request,
        "counts/home.html",
        {
            "summary": summary.figures(today=today),
            "days": days,
            "daily_chart": bar_chart([(f"{day:%Y-%m-%d}", total) for day, total in days]),
            "yearly": summary.yearly,
            "yearly_chart": bar_chart(years, labels=12),
            "statements": newest_statements(),
        },
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
        {
            "label": str(label),
            "total": summary.by_region.get(code, 0),
            "months": [monthly.get((month, code), 0) for month in months],
        }
        for code, label in Region.choices
    ]
    rows.sort(key=lambda row: -row["total"])
    return render(
        request,
        "counts/regions.html",
        {
            "summary": summary,
            "months": months,
            "rows": rows,
            "total": sum(row["total"] for row in rows),
            "month_totals": [sum(row["months"][n] for row in rows) for n in range(len(months))],
        },
    )
