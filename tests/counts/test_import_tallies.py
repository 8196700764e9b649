from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from counts import reconciliation, services
from counts.days import day_bounds, tally_today
from counts.models import DailyTally, TallySource, TallySummary
from counts.tasks import rebuild_tallies, rollup_tallies
from tests import factories

HEADER = "date,total,party,youth_league,young_pioneers\n"


def write(tmp_path: Path, body: str, *, header: str = HEADER, bom: bool = False) -> Path:
    path = tmp_path / "history.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + (header + body).encode())
    return path


def run(path: Path, *args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_tallies", str(path), *args, stdout=out)
    return out.getvalue()


def refusal(path: Path, *args: str) -> str:
    with pytest.raises(CommandError) as error:
        run(path, *args)
    return str(error.value)


def figures(day: date) -> tuple[int, int, int, int, str]:
    t = DailyTally.objects.get(day=day)
    return (t.total, t.party, t.youth_league, t.young_pioneers, t.source)


@pytest.mark.django_db
@pytest.mark.parametrize("bom", [False, True])
def test_history_is_imported_marked_and_summarized(tmp_path, bom):
    path = write(
        tmp_path,
        "2005-01-01,150000000,90000000,100000000,120000000\n"
        "\n"
        "2024-12-31,250000000,150000000,200000000,240000000\n",
        bom=bom,
    )

    out = run(path)

    assert out.strip() == "Imported 2 days, 2005-01-01 to 2024-12-31: 400,000,000 people."
    assert figures(date(2005, 1, 1)) == (150000000, 90000000, 100000000, 120000000, "imported")
    assert figures(date(2024, 12, 31))[0] == 250000000
    assert DailyTally.objects.imported().count() == 2


@pytest.mark.django_db
def test_columns_may_come_in_any_order(tmp_path):
    path = write(
        tmp_path,
        "3,2,1,2020-05-01,5\n",
        header="young_pioneers,youth_league,party,date,total\n",
    )
    run(path)
    assert figures(date(2020, 5, 1)) == (5, 1, 2, 3, "imported")


@pytest.mark.django_db
def test_every_bad_row_is_listed_by_line_and_nothing_is_written(tmp_path):
    path = write(
        tmp_path,
        "2020-01-01,10,1,1,1\n"  # line 2: fine
        "2020-02-30,10,1,1,1\n"  # line 3: no such day
        "01/03/2020,10,1,1,1\n"  # line 4: not YYYY-MM-DD
        "2020-01-04,-5,0,0,0\n"  # line 5: negative
        "2020-01-05,10,11,0,0\n"  # line 6: a part greater than the total
        "2020-01-01,10,1,1,1\n"  # line 7: duplicate of line 2
        "2020-01-07,ten,0,0,0\n"  # line 8: not a number
        "2020-01-08,10,0,0\n"  # line 9: a cell short
        "2020-01-09,1.5,0,0,0\n",  # line 10: not a whole number
    )

    message = refusal(path)

    assert "8 bad rows; nothing imported." in message
    for expected in [
        "line 3: date '2020-02-30' is not a day as YYYY-MM-DD",
        "line 4: date '01/03/2020' is not a day",
        "line 5: total is negative (-5)",
        "line 6: party (11) is greater than total (10)",
        "line 7: 2020-01-01 is also on line 2",
        "line 8: total 'ten' is not a whole number",
        "line 9: 4 cells, expected 5",
        "line 10: total '1.5' is not a whole number",
    ]:
        assert expected in message
    assert "line 2:" not in message
    assert not DailyTally.objects.exists()


@pytest.mark.django_db
def test_a_number_too_large_for_the_table_is_refused(tmp_path):
    path = write(tmp_path, f"2020-01-01,{2**63},0,0,0\n")
    assert "line 2: total is too large" in refusal(path)
    assert not DailyTally.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (HEADER.encode(), "no rows under the header"),
        (b"day,total,party\n2020-01-01,1,1\n", "line 1: the header must name the columns"),
        (
            b"date,total,party,youth_league,young_pioneers,region\n",
            "line 1: the header must name the columns",
        ),
        (HEADER.encode("utf-16"), "not UTF-8"),
        (HEADER.encode() + "2020-01-01,1,1,0,0,\u515a\n".encode("gb18030"), "not UTF-8"),
    ],
)
def test_files_that_are_not_a_history_are_refused(tmp_path, content, expected):
    path = tmp_path / "history.csv"
    path.write_bytes(content)
    assert expected in refusal(path)


def test_a_missing_file_is_refused(tmp_path):
    assert "history.csv" in refusal(tmp_path / "history.csv")


@pytest.mark.django_db
def test_days_already_imported_are_refused_without_replace(tmp_path):
    run(write(tmp_path, "2020-01-01,10,1,1,1\n"))

    message = refusal(write(tmp_path, "2019-12-31,5,0,0,0\n2020-01-01,20,2,2,2\n"))

    assert "line 3: 2020-01-01 is already imported (--replace replaces imported days)" in message
    assert figures(date(2020, 1, 1))[0] == 10
    assert not DailyTally.objects.filter(day=date(2019, 12, 31)).exists()


@pytest.mark.django_db
def test_replace_overwrites_imported_days_and_keeps_the_others(tmp_path):
    run(write(tmp_path, "2020-01-01,10,1,1,1\n2020-01-02,7,0,0,0\n"))

    out = run(write(tmp_path, "2020-01-01,20,2,2,2\n2020-01-03,5,5,0,0\n"), "--replace")

    assert out.strip() == "Imported 2 days (1 replaced), 2020-01-01 to 2020-01-03: 25 people."
    assert figures(date(2020, 1, 1)) == (20, 2, 2, 2, "imported")
    assert figures(date(2020, 1, 2))[0] == 7
    assert figures(date(2020, 1, 3))[0] == 5


@pytest.mark.django_db
def test_days_from_the_cut_over_on_are_refused_even_with_replace(tmp_path):
    cut_over = tally_today() - timedelta(days=3)
    factories.published_statement(published_at=day_bounds(cut_over)[0] + timedelta(hours=1))
    rollup_tallies.apply()
    before = figures(cut_over)
    body = "".join(f"{cut_over + timedelta(days=n)},9,0,0,0\n" for n in (-1, 0, 1))

    message = refusal(write(tmp_path, body), "--replace")

    assert f"line 3: {cut_over} is not before the cut-over day {cut_over}" in message
    assert f"line 4: {cut_over + timedelta(days=1)} is not before the cut-over day" in message
    assert "line 2:" not in message
    assert figures(cut_over) == before == (1, 1, 0, 0, "rollup")
    assert not DailyTally.objects.imported().exists()


@pytest.mark.django_db
def test_with_nothing_published_yet_history_must_end_before_today(tmp_path):
    today = tally_today()
    message = refusal(write(tmp_path, f"{today},1,0,0,0\n"))
    assert f"line 2: {today} is not before the cut-over day {today}" in message


@pytest.mark.django_db
def test_empty_rolled_up_days_before_the_cut_over_are_taken_over(tmp_path):
    # Before the first publication the 15-second rollup writes today and yesterday as
    # zeros; the history that follows covers those days.
    rollup_tallies.apply()  # the first run ever: every day from the first publication
    rollup_tallies.apply()
    yesterday = tally_today() - timedelta(days=1)
    assert figures(yesterday) == (0, 0, 0, 0, "rollup")

    run(write(tmp_path, f"{yesterday},42,40,2,0\n"))

    assert figures(yesterday) == (42, 40, 2, 0, "imported")


@pytest.mark.django_db
def test_a_rolled_up_day_with_people_is_never_replaced(tmp_path):
    # A day whose statements were published and then taken back (undo) keeps its
    # count until the rollup reruns it; it is still the live record, never history.
    day = date(2020, 6, 1)
    DailyTally.objects.create(day=day, total=3, party=3, computed_at=None)

    message = refusal(write(tmp_path, f"{day},42,40,2,0\n"), "--replace")

    assert f"line 2: {day} has 3 people rolled up from published statements" in message
    assert figures(day) == (3, 3, 0, 0, "rollup")


@pytest.mark.django_db
def test_the_rollup_and_the_nightly_rebuild_leave_imported_days_alone(tmp_path):
    yesterday = tally_today() - timedelta(days=1)
    old = yesterday - timedelta(days=40)
    run(write(tmp_path, f"{old},1000,900,100,0\n{yesterday},500,400,100,0\n"))
    # A statement on an imported day (as a bulk load of old statements could bring):
    # the imported figure is the record of that day; counting both would count twice.
    for day in (old, yesterday):
        factories.published_statement(published_at=day_bounds(day)[0] + timedelta(hours=2))
    factories.published_statement()  # today, after the cut-over

    rollup_tallies.apply()  # rewrites today and yesterday, and recently changed days
    services.rollup_days(days=[old, yesterday])
    rebuild_tallies.apply()

    assert figures(old) == (1000, 900, 100, 0, "imported")
    assert figures(yesterday) == (500, 400, 100, 0, "imported")
    assert figures(tally_today()) == (1, 1, 0, 0, "rollup")
    assert TallySummary.objects.current().total == 1501


@pytest.mark.django_db
def test_nightly_rebuild_starts_after_the_last_imported_day(tmp_path):
    last = tally_today() - timedelta(days=10)
    run(write(tmp_path, f"{last - timedelta(days=1)},5,0,0,0\n{last},5,0,0,0\n"))
    factories.published_statement(published_at=day_bounds(last)[0] - timedelta(days=30))

    written = reconciliation.rebuild_all().fixed

    assert min(written) == last + timedelta(days=1)
    assert not DailyTally.objects.rolled_up().filter(day__lte=last).exists()


@pytest.mark.django_db
def test_the_first_rollup_after_an_import_still_builds_every_live_day(tmp_path):
    # Imported rows carry the import's time; the rollup must not take it for its own
    # watermark and skip the full build it owes the live days.
    published = tally_today() - timedelta(days=20)
    factories.published_statement(published_at=day_bounds(published)[0] + timedelta(hours=1))
    run(write(tmp_path, f"{published - timedelta(days=1)},7,0,0,0\n"))

    rollup_tallies.apply()

    assert figures(published) == (1, 1, 0, 0, "rollup")


@pytest.mark.django_db
def test_no_day_is_counted_twice_at_the_cut_over(tmp_path, api, reviewer):
    today = tally_today()
    history = "".join(
        f"{today - timedelta(days=n)},100,60,30,10\n" for n in range(1, 6)
    )  # the five days before today
    run(write(tmp_path, history))
    statement = factories.in_review_statement(organizations=["party", "youth_league"])
    factories.approve(statement, reviewer=reviewer)
    rollup_tallies.apply()
    rebuild_tallies.apply()

    # Today is the cut-over now: it stays the statements' day.
    assert "is not before the cut-over day" in refusal(
        write(tmp_path, f"{today},9,0,0,0\n"), "--replace"
    )
    summary = TallySummary.objects.current().figures()
    assert summary["total"] == 501
    assert summary["by_organization"] == {
        "party": 301,
        "youth_league": 151,
        "young_pioneers": 50,
    }
    assert (summary["today"], summary["yesterday"]) == (1, 100)
    body = api.get(reverse("api:tallies")).json()
    assert (body["total"], body["today"], body["yesterday"]) == (501, 1, 100)
    assert body["by_organization"]["party"] == 301
    days = api.get(reverse("api:tallies_daily"), {"days": 7}).json()["days"]
    assert [d["total"] for d in days] == [0, 100, 100, 100, 100, 100, 1]
    assert days[1]["by_organization"] == {"party": 60, "youth_league": 30, "young_pioneers": 10}


@pytest.mark.django_db
def test_the_home_page_counts_the_history(tmp_path, client):
    run(write(tmp_path, "2010-01-01,400000000,300000000,350000000,380000000\n"))
    factories.published_statement()
    rollup_tallies.apply()

    html = client.get("/en/").content.decode()

    assert '<p class="total">400,000,001</p>' in html
    assert "<dd>300,000,001</dd>" in html


@pytest.mark.django_db(transaction=True)
def test_the_migration_marks_existing_tallies_as_rolled_up():
    executor = MigrationExecutor(connection)
    before, after = [("counts", "0002_review_figures")], [("counts", "0003_tally_source")]
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("counts", "DailyTally")
        old.objects.create(day=date(2026, 1, 1), total=3, party=2)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        # Leave the database as the rest of the suite expects it, even on failure.
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
    assert figures(date(2026, 1, 1)) == (3, 2, 0, 0, TallySource.ROLLUP)
