"""The nightly reconciliation at volume: every day recounted from the published rows.

    BENCH_RECONCILE_ROWS=10000000 make bench   # the README's figure (the default)

Seeds BENCH_RECONCILE_ROWS published statements with one INSERT ... SELECT, spread evenly
over three years of days and the 35 regions (only the columns the tallies read, and
those the table requires), VACUUM ANALYZE, builds the tallies once (the first rollup
ever), then corrupts one day (a wrong total, a region row lost) and times
counts.reconciliation.rebuild_all: one grouped query per calendar month, compared
with the stored rows, the drift recorded and fixed. Asserts that the drift is found
and the day fixed.
"""

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuidang.settings")

from bench.common import prepare

ROWS = int(os.environ.get("BENCH_RECONCILE_ROWS", "10000000"))
DAYS = 3 * 365


def seed(cursor, n: int, regions: list[str]) -> None:
    """n published statements, oldest first as they would have arrived, one every
    DAYS / n days up to an hour ago; published long enough ago that no status change
    is recent (the reconciliation's catch-up finds nothing to redo)."""
    from django.conf import settings

    cursor.execute(
        """
        INSERT INTO statements_statement (
            display_name, is_alias, left_party, left_youth_league, left_young_pioneers,
            region, text, channel, language, status, screening_flags, content_hash,
            receipt_hash, rejection_reason, created_at, published_at, published_day,
            registration_number, status_changed_at)
        SELECT
            'b' || g, false, g %% 5 <> 0, g %% 3 = 0, g %% 5 = 0,
            (%(regions)s::varchar[])[1 + g %% %(region_count)s],
            '', 'web', 'zh-hans', 'published', '[]'::jsonb,
            substring(sha256(('c' || g)::bytea) FROM 1 FOR 16),
            substring(sha256(('r' || g)::bytea) FROM 1 FOR 16),
            '', t, t, (t AT TIME ZONE %(zone)s)::date,
            -- Unique; no check digit needed, as nothing here looks one up.
            1000000000000000 + g, t
        FROM generate_series(1, %(n)s) AS g,
             LATERAL (SELECT now() - interval '1 hour'
                      - (%(n)s - g) * (%(days)s * interval '1 day' / %(n)s) AS t) AS at
        """,
        {
            "n": n,
            "regions": regions,
            "region_count": len(regions),
            "days": DAYS,
            "zone": settings.TALLY_TIME_ZONE,
        },
    )


def without_indexes(cursor, table: str):
    """The table's secondary indexes and unique constraints, dropped for a bulk load and
    recreated from their own definitions after it: building an index once over 10
    million rows takes a fraction of inserting into it row by row."""
    cursor.execute(
        """
        SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
        WHERE c.conrelid = %s::regclass AND c.contype = 'u'
        """,
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = %s AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [table],
    )
    indexes = cursor.fetchall()
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')

    def restore() -> None:
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')

    return restore


def main() -> None:
    prepare()
    from django.db import connection

    from counts import reconciliation, services
    from counts.days import tally_today
    from counts.models import DailyTally, RegionDailyTally, TallyDrift
    from statements.choices import Region

    started = time.perf_counter()
    with connection.cursor() as cursor:
        restore = without_indexes(cursor, "statements_statement")
        seed(cursor, ROWS, Region.values)
        restore()
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE statements_statement")  # as autovacuum would
    print(
        f"{ROWS:,} published statements over {DAYS} days loaded in "
        f"{time.perf_counter() - started:.0f} s"
    )

    started = time.perf_counter()
    services.build_all()
    built = time.perf_counter() - started
    print(f"first build (rollup_days a month at a time): {built:6.1f} s")

    corrupt = tally_today() - timedelta(days=100)
    right = DailyTally.objects.get(day=corrupt).total
    DailyTally.objects.filter(day=corrupt).update(total=right + 7)
    lost = RegionDailyTally.objects.filter(day=corrupt).order_by("region").first()
    lost.delete()

    started = time.perf_counter()
    result = reconciliation.rebuild_all()
    seconds = time.perf_counter() - started

    assert DailyTally.objects.get(day=corrupt).total == right
    assert RegionDailyTally.objects.get(day=corrupt, region=lost.region).total == lost.total
    found = set(TallyDrift.objects.values_list("day", "region", "field"))
    assert found == {(corrupt, "", "total"), (corrupt, lost.region, "total")}, found
    assert result.drift == 2
    months = len(services.month_ranges(*services.counted_span()))
    print(
        f"reconciliation of {ROWS:,} rows, {result.checked} days in {months} months: "
        f"{seconds:6.1f} s, {ROWS / seconds:,.0f} rows/s; drift found and fixed: "
        f"{result.drift} figures"
    )
    print(f"  at 400,000,000 rows, if linear: about {seconds * 400_000_000 / ROWS / 60:.0f} min")


if __name__ == "__main__":
    main()
