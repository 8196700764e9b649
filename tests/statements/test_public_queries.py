"""Every public query is an index seek on a seeded table (issue 7, item 14).

The table holds enough rows, spread over days and regions and analyzed, that the
planner's own choice is what is checked: nothing here turns sequential scans off. For
each query: no sequential scan of the statement table, and no node removes more rows by
a filter than a page holds.
"""

import json
from datetime import timedelta

import pytest
from django.db import connection, transaction

from statements import exports, receipts, submitter
from statements.models import Statement
from statements.querysets import PUBLISHED_PAGE_SIZE, Cursor
from tests import factories
from tuidang.lib.days import tally_today

ROWS = 30_000
DAYS = 300
TABLE = Statement._meta.db_table


def _seed() -> None:
    """ROWS published statements over DAYS days and twelve regions, a few hidden, a few
    in review, by one INSERT … SELECT; then ANALYZE, so the planner sees their shape."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {TABLE} (
                display_name, is_alias, left_party, left_youth_league, left_young_pioneers,
                hidden, region, text, channel, language, status, screening_flags,
                content_hash, receipt_hash, rejection_reason, created_at, published_at,
                published_day, registration_number, status_changed_at)
            SELECT
                '测试' || g, g %% 4 = 0, g %% 5 = 0, g %% 3 <> 0, true,
                g %% 500 = 0,
                (ARRAY['CN-BJ', 'CN-GD', 'CN-SH', 'CN-SC', 'CN-HB', 'CN-HN', 'CN-JS',
                       'CN-ZJ', 'CN-SD', 'CN-HA', 'overseas', 'undisclosed'])[1 + g %% 12],
                '', 'web', 'zh-hans',
                CASE WHEN g %% 100 = 0 THEN 'in_review' ELSE 'published' END,
                '[]'::jsonb,
                substring(sha256(('c' || g)::bytea) FROM 1 FOR 16),
                substring(sha256(('r' || g)::bytea) FROM 1 FOR 16),
                '', now(),
                CASE WHEN g %% 100 = 0 THEN NULL ELSE now() END,
                CASE WHEN g %% 100 = 0 THEN NULL
                     ELSE %(today)s::date - (%(days)s - 1 - g * %(days)s / %(rows)s) END,
                CASE WHEN g %% 100 = 0 THEN NULL
                     ELSE 1000000000000000 + (g::bigint * 7919 %% 8999999) * 1000000000 + g END,
                now() - (%(rows)s - g) * interval '1 second'
            FROM generate_series(1, %(rows)s) AS g
            """,  # noqa: S608 - the table name is the model's
            {"rows": ROWS, "days": DAYS, "today": tally_today()},
        )
        cursor.execute(f"ANALYZE {TABLE}")


def _plan(sql: str, params) -> list[dict]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes, stack = [], [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("Plans", []))
    return nodes


def _queryset_plan(queryset) -> list[dict]:
    return _plan(*queryset.query.sql_with_params())


def _assert_seeks(nodes: list[dict], *indexes: str) -> None:
    scans = {n.get("Index Name") for n in nodes if "Index Name" in n}
    assert set(indexes) <= scans, scans
    for node in nodes:
        assert node["Node Type"] != "Seq Scan", node
        assert node.get("Rows Removed by Filter", 0) <= PUBLISHED_PAGE_SIZE, node


def _deep() -> Statement:
    """A listed statement about nine tenths of the way down the list."""
    return (
        Statement.objects.listed()
        .order_by("published_day", "registration_number")
        .only("published_day", "registration_number")[ROWS // 10]
    )


@pytest.fixture
def seeded(db):
    _seed()


def test_the_first_page_reads_the_published_index_backwards(seeded):
    page = Statement.objects.listed().page()
    assert len(page.rows) == PUBLISHED_PAGE_SIZE
    keys = [(s.published_day, s.registration_number) for s in page.rows]
    assert keys == sorted(keys, reverse=True)
    nodes = _queryset_plan(
        Statement.objects.listed().order_by("-published_day", "-registration_number")[:51]
    )
    _assert_seeks(nodes, "statement_published_idx")


@pytest.mark.parametrize("direction", ["before", "after"])
def test_a_deep_crafted_cursor_is_one_seek_either_way(seeded, direction):
    deep = _deep()
    cursor = Cursor.of(deep)
    page = Statement.objects.listed().page(**{direction: cursor})
    assert len(page.rows) == PUBLISHED_PAGE_SIZE
    if direction == "before":
        assert (page.rows[0].published_day, page.rows[0].registration_number) < (
            deep.published_day,
            deep.registration_number,
        )
    else:
        assert (page.rows[-1].published_day, page.rows[-1].registration_number) > (
            deep.published_day,
            deep.registration_number,
        )
    with CaptureSQL() as captured:
        Statement.objects.listed().page(**{direction: cursor})
    sql, params = captured.last
    nodes = _plan(sql, params)
    _assert_seeks(nodes, "statement_published_idx")
    scan = next(n for n in nodes if n.get("Index Name") == "statement_published_idx")
    assert "published_day" in scan["Index Cond"] and "registration_number" in scan["Index Cond"]


def test_the_permalink_and_the_number_search_are_one_seek(seeded):
    deep = _deep()
    assert Statement.objects.by_number(deep.registration_number).get().pk == deep.pk
    nodes = _queryset_plan(Statement.objects.by_number(deep.registration_number))
    _assert_seeks(nodes, "statements_statement_registration_number_key")


def test_the_receipt_lookup_is_one_seek(seeded):
    code = receipts.new_code()
    statement = factories.published_statement()
    Statement.objects.filter(pk=statement.pk).update(receipt_hash=receipts.digest(code))
    assert Statement.objects.by_receipt(code).get().pk == statement.pk
    nodes = _queryset_plan(Statement.objects.by_receipt(code))
    _assert_seeks(nodes, "statements_statement_receipt_hash_key")


@pytest.mark.parametrize("act", ["hide", "unhide", "retract"])
def test_each_receipt_action_finds_its_row_by_one_seek(seeded, act):
    """An action locks the row of its receipt through the unique receipt index, and
    updates it by its primary key: no scan, however large the table."""
    code = receipts.new_code()
    statement = factories.published_statement(hidden=act == "unhide")
    Statement.objects.filter(pk=statement.pk).update(receipt_hash=receipts.digest(code))
    with CaptureSQL() as captured:
        assert getattr(submitter, act)(receipt=code).changed
    on_statements = [
        (sql, params)
        for sql, params in captured.queries
        if sql.lstrip().upper().startswith(("SELECT", "UPDATE")) and f'"{TABLE}"' in sql
    ]
    assert [sql.split()[0].upper() for sql, _params in on_statements] == ["SELECT", "UPDATE"]
    (lock, lock_params), (update, update_params) = on_statements
    assert "FOR NO KEY UPDATE" in lock
    _assert_seeks(_plan(lock, lock_params), "statements_statement_receipt_hash_key")
    # Run again under EXPLAIN ANALYZE: the update writes what is already there, or nothing.
    _assert_seeks(_plan(update, update_params), "statements_statement_pkey")


def test_the_rollup_counts_a_day_from_the_indexes_alone(seeded):
    """An index-only count of a day: the published index for listed rows and the hidden
    index for the rest; neither touches the table (visibility aside)."""
    day = tally_today() - timedelta(days=DAYS // 2)
    expected = Statement.objects.published_on(day).count()
    assert expected > 0
    with CaptureSQL() as captured:
        from counts import services

        services.rollup_days(days=[day])
    counting = [q for q in captured.queries if "COUNT(" in q[0].upper()]
    assert counting, captured.queries
    for sql, params in counting:
        nodes = _plan(sql, params)
        scans = [n for n in nodes if "Index Name" in n]
        assert scans and all(n["Node Type"] == "Index Only Scan" for n in scans), scans
        _assert_seeks(nodes)


def test_the_rollup_finds_recent_changes_through_the_brin_index(seeded):
    from counts import services

    since = Statement.objects.order_by("-status_changed_at")[500].status_changed_at
    with CaptureSQL() as captured:
        days = services.days_changed_since(since)
    assert days
    nodes = _plan(*captured.last)
    assert "statement_status_changed_brin" in {n.get("Index Name") for n in nodes}
    assert all(n["Node Type"] != "Seq Scan" for n in nodes)


def test_the_first_publication_day_is_two_seeks(seeded):
    first = Statement.objects.first_published_day()
    assert first == tally_today() - timedelta(days=DAYS - 1)


def test_each_chunk_of_a_months_export_is_one_seek(seeded):
    """The CSV walks a month by keyset chunks: each chunk seeks the published index to
    the month's end or the last row sent, and reads on; nothing sorts or filters rows."""
    first = tally_today() - timedelta(days=DAYS // 2)
    statements = Statement.objects.listed().filter(
        published_day__gte=first, published_day__lte=first + timedelta(days=29)
    )
    expected = statements.count()
    with CaptureSQL() as captured:
        lines = "".join(exports.csv_chunks(statements, chunk_rows=500)).count("\r\n")
    assert lines == expected + 1  # the header
    assert len(captured.queries) == -(-expected // 500)  # one a chunk, none after
    for sql, params in captured.queries:
        nodes = _plan(sql, params)
        _assert_seeks(nodes, "statement_published_idx")
        assert not any(node["Node Type"] == "Sort" for node in nodes)


class CaptureSQL:
    """The SQL and parameters of each query run inside the block, as sent."""

    def __init__(self):
        self.queries: list[tuple[str, tuple]] = []

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self._record)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)

    def _record(self, execute, sql, params, many, context):
        self.queries.append((sql, params))
        return execute(sql, params, many, context)

    @property
    def last(self) -> tuple[str, tuple]:
        return self.queries[-1]
