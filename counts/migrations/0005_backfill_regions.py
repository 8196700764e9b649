"""Count the regions of the days rolled up before RegionDailyTally existed, once, so the
first nightly reconciliation does not report every region of every past day as drift.

One grouped pass over the published statements (PostgreSQL: one INSERT ... SELECT; a
few minutes at 400 million rows, reading only). The summary row is written by the first
rollup after the upgrade, 15 seconds later."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            """
            INSERT INTO counts_regiondailytally (day, region, total)
            SELECT (published_at AT TIME ZONE %s)::date, region, count(*)
            FROM statements_statement WHERE status = 'published'
            GROUP BY 1, 2
            """,
            params=[settings.TALLY_TIME_ZONE],
        )
        schema_editor.execute(
            """
            INSERT INTO counts_regionmonthlytally (month, region, total)
            SELECT date_trunc('month', day)::date, region, sum(total)
            FROM counts_regiondailytally GROUP BY 1, 2
            """,
            params=(),
        )
        return
    # The embedded default (SQLite): a small table, counted here.
    Statement = apps.get_model("statements", "Statement")
    RegionDailyTally = apps.get_model("counts", "RegionDailyTally")
    RegionMonthlyTally = apps.get_model("counts", "RegionMonthlyTally")
    zone = ZoneInfo(settings.TALLY_TIME_ZONE)
    days: dict = {}
    months: dict = {}
    rows = Statement.objects.filter(status="published").values_list("published_at", "region")
    for published_at, region in rows.iterator():
        day = published_at.astimezone(zone).date()
        days[day, region] = days.get((day, region), 0) + 1
        month = day.replace(day=1)
        months[month, region] = months.get((month, region), 0) + 1
    RegionDailyTally.objects.bulk_create(
        RegionDailyTally(day=day, region=region, total=total)
        for (day, region), total in days.items()
    )
    RegionMonthlyTally.objects.bulk_create(
        RegionMonthlyTally(month=month, region=region, total=total)
        for (month, region), total in months.items()
    )


def forget(apps, schema_editor):
    apps.get_model("counts", "RegionMonthlyTally").objects.all().delete()
    apps.get_model("counts", "RegionDailyTally").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("counts", "0004_regions_summary_drift"),
        ("statements", "0010_entered_by_volunteer"),
    ]

    operations = [migrations.RunPython(backfill, forget)]
