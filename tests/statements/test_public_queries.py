"""Every public query is an index seek on a seeded table (issue 7, item 14).

The table holds enough rows, spread over days, regions and organizations and analyzed,
that the planner's own choice is what is checked, with the production shape's planner
setting (random_page_cost, docker-compose.yml): nothing here turns sequential scans
off. For each query: no sequential scan of the statement table, and no node removes
more rows by a filter than a page holds. The list's filters are checked in every
combination, on the first page and from deep cursors either way.
"""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection

from statements import exports, receipts, submitter
from statements.models import Statement
from statements.querysets import PUBLISHED_PAGE_SIZE, Cursor
from tests import factories
from tests.explain import plan_nodes
from tuidang.lib.days import tally_today

ROWS = 30_000
DAYS = 300
TABLE = Statement._meta.db_table
# One region in 2,000 statements (15 rows here): the bench's rare region.
RARE_REGION = "CN-XZ"
COMMON_REGIONS = [
    "CN-BJ", "CN-GD", "CN-SH", "CN-SC", "CN-HB", "CN-HN",
    "CN-JS", "CN-ZJ", "CN-SD", "CN-HA", "overseas", "undisclosed",
]  # fmt: skip
# What each statement leaves, per hundred: mostly the Young Pioneers and the Youth
# League, the Party in 12 (the rarest organization a filter must still seek for).
ORGANIZATION_MIX = [
    # (per hundred, party, youth league, young pioneers)
    (40, False, False, True),
    (40, False, True, True),
    (8, False, True, False),
    (6, True, True, True),
    (2, True, False, False),
    (2, True, True, False),
    (2, True, False, True),
]


def _organization_case(column: int) -> str:
    """SQL for one organization column from the mix, by a hash of the row's number (so
    organizations are independent of region, day and status)."""
    cases, upto = [], 0
    for share, *columns in ORGANIZATION_MIX:
        upto += share
        cases.append(f"WHEN abs(hashint4(g)::bigint) %% 100 < {upto} THEN {columns[column]}")
    return f"CASE {' '.join(cases)} END"


def _seed() -> None:
    """ROWS published statements over DAYS days, thirteen regions and the organization
    mix, a few hidden, a few in review, by one INSERT … SELECT; then ANALYZE, so the
    planner sees their shape. Texts of 100 to 300 characters give the table the pages a
    real one has per row: with too few, the planner rightly reads a small table's every
    page whatever the index, and its choices say nothing about a large one."""
    regions = ", ".join(f"'{region}'" for region in COMMON_REGIONS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {TABLE} (
                display_name, is_alias, left_party, left_youth_league, left_young_pioneers,
                hidden, region, text, channel, language, status, screening_flags,
                content_hash, receipt_hash, rejection_reason, created_at, published_at,
                published_day, registration_number, status_changed_at)
            SELECT
                '测试' || g, g %% 4 = 0,
                {_organization_case(0)}, {_organization_case(1)}, {_organization_case(2)},
                g %% 500 = 0,
                CASE WHEN g %% 2000 = 1 THEN %(rare)s
                     ELSE (ARRAY[{regions}])[1 + abs(hashint4(g + 7)::bigint) %% 12] END,
                repeat('我声明退出', 20 + g %% 40), 'web', 'zh-hans',
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
            """,  # noqa: S608 - the table name is the model's, the rest literals above
            {"rows": ROWS, "days": DAYS, "today": tally_today(), "rare": RARE_REGION},
        )
        cursor.execute(f"ANALYZE {TABLE}")


def _production_random_page_cost() -> str:
    """The planner's cost of a random page read as the production shape sets it
    (docker-compose.yml): queries are planned here as they are there."""
    compose = (Path(__file__).parents[2] / "docker-compose.yml").read_text()
    return re.search(r'"random_page_cost=([0-9.]+)"', compose).group(1)


RANDOM_PAGE_COST = _production_random_page_cost()


def _plan(sql: str, params) -> list[dict]:
    return plan_nodes(
        sql,
        params,
        setup=(("SELECT set_config('random_page_cost', %s, true)", [RANDOM_PAGE_COST]),),
    )


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


@pytest.fixture(scope="module")
def _seeded_table(django_db_setup, django_db_blocker):
    """The seeded rows, committed once for the whole module (seeding takes seconds), and
    deleted after it; each test's own rows are rolled back as usual."""
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {TABLE}")  # noqa: S608
            (before,) = cursor.fetchone()
        _seed()
        yield
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id > %s", [before])  # noqa: S608


@pytest.fixture
def seeded(_seeded_table, db):
    pass


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


# Each filter of the list, alone and combined, and the index its seeks read.
_MIDDLE = tally_today() - timedelta(days=DAYS // 2)
_MONTH = date(_MIDDLE.year, _MIDDLE.month, 1)
FILTERS = [
    ({"day": _MIDDLE}, "statement_published_idx"),
    ({"month": _MONTH}, "statement_published_idx"),
    ({"region": "CN-GD"}, "statement_region_idx"),
    ({"region": RARE_REGION}, "statement_region_idx"),
    ({"region": "overseas", "day": _MIDDLE}, "statement_region_idx"),
    ({"region": "CN-GD", "month": _MONTH}, "statement_region_idx"),
    ({"organization": "party"}, "statement_organization_idx"),
    ({"organization": "youth_league"}, "statement_organization_idx"),
    ({"organization": "young_pioneers"}, "statement_organization_idx"),
    ({"organization": "party", "day": _MIDDLE}, "statement_organization_idx"),
    ({"organization": "party", "month": _MONTH}, "statement_organization_idx"),
    ({"organization": "young_pioneers", "month": _MONTH}, "statement_organization_idx"),
    ({"organization": "party", "region": "CN-GD"}, "statement_region_idx"),
    ({"organization": "party", "region": RARE_REGION}, "statement_region_idx"),
    ({"organization": "youth_league", "region": "CN-SH"}, "statement_region_idx"),
    ({"organization": "party", "region": "CN-GD", "month": _MONTH}, "statement_region_idx"),
    ({"organization": "young_pioneers", "region": "CN-BJ", "day": _MIDDLE}, "statement_region_idx"),
]


def _key(statement) -> tuple:
    return (statement.published_day, statement.registration_number)


@pytest.mark.parametrize("where", ["newest", "before", "after"])
@pytest.mark.parametrize(
    ("filters", "index"),
    FILTERS,
    ids=lambda v: "-".join(map(str, v.values())) if isinstance(v, dict) else v,
)
def test_every_filter_of_the_list_is_read_by_seeks(seeded, filters, index, where):
    rows = Statement.objects.listed().filtered(**filters)
    # The expected rows, by the plain query (no seeks per organization set).
    matching = list(rows.order_by("published_day", "registration_number").only(
        "published_day", "registration_number", "region", "left_party",
        "left_youth_league", "left_young_pioneers",
    ))  # fmt: skip
    assert matching, filters
    cursor = None if where == "newest" else Cursor.of(matching[len(matching) * 9 // 10])
    if where == "after":
        cursor = Cursor.of(matching[len(matching) // 10])
        expected = [s for s in matching if _key(s) > (cursor.day, cursor.number)]
        expected = expected[:PUBLISHED_PAGE_SIZE][::-1]
    else:
        if cursor is not None:
            matching = [s for s in matching if _key(s) < (cursor.day, cursor.number)]
        expected = matching[::-1][:PUBLISHED_PAGE_SIZE]
    assert expected

    with CaptureSQL() as captured:
        page = rows.for_list().page(**({where: cursor} if cursor else {}))

    assert [_key(s) for s in page.rows] == [_key(s) for s in expected]
    for statement in page.rows:
        assert statement.region == filters.get("region", statement.region)
        if "organization" in filters:
            assert filters["organization"] in statement.organizations
    assert len(captured.queries) == 1
    nodes = _plan(*captured.last)
    _assert_seeks(nodes, index)
    scans = [n for n in nodes if n.get("Index Name")]
    assert scans and all(n["Index Name"] == index for n in scans), scans
    assert len({n["Index Cond"] for n in scans}) == len(scans)  # no set read twice
    if "organization" in filters or "region" in filters:
        assert len(scans) == (4 if "organization" in filters else 7)


def test_the_organizations_in_the_filter_indexes_cost_almost_nothing(seeded):
    """statement_organization_idx costs what an index of (day, number) would, and
    statement_region_idx little more than one of (region, day, number): the three
    booleans fill alignment padding (the figures in statements/models.py). Compared
    freshly built, beside such indexes built for the comparison."""
    listed = "status = 'published' AND NOT hidden"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX probe_day_idx ON {TABLE} (published_day, registration_number) "
            f"WHERE {listed}"
        )
        cursor.execute(
            f"CREATE INDEX probe_region_idx ON {TABLE} "
            f"(region, published_day, registration_number) WHERE {listed}"
        )
        cursor.execute("REINDEX INDEX statement_organization_idx")
        cursor.execute("REINDEX INDEX statement_region_idx")
        sizes = {}
        for index in (
            "probe_day_idx",
            "probe_region_idx",
            "statement_organization_idx",
            "statement_region_idx",
        ):
            cursor.execute("SELECT pg_relation_size(%s::regclass)", [index])
            (sizes[index],) = cursor.fetchone()

    assert sizes["statement_organization_idx"] <= sizes["probe_day_idx"], sizes
    assert sizes["statement_region_idx"] <= sizes["probe_region_idx"] * 1.05, sizes


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
