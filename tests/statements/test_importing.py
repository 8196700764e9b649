"""`manage.py import_statements` and statements.importing: published statements loaded
with their numbers and days, bad rows to a rejects file, resumable, tallies rolled up."""

import csv
import stat
import unicodedata
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import override

from counts.days import day_bounds, tally_today
from counts.models import DailyTally, TallySummary
from counts.tasks import rebuild_tallies, rollup_tallies
from statements import importing, receipts, registration, screening
from statements.choices import Channel, Flag, Status
from statements.models import Statement, StatementImport
from tests import factories

HEADER = "registration_number,day,name,is_alias,organizations,region,text\n"
# Numbers with valid check digits, in the order the rows below use them.
NUMBERS = [registration.with_check_digit(10**14 + 7919 * n) for n in range(1, 40)]
DAY = date(2021, 3, 4)


def number(n: int) -> str:
    return str(NUMBERS[n])


def write(tmp_path: Path, body: str, *, header: str = HEADER, name="statements.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((header + body).encode() if isinstance(body, str) else header.encode() + body)
    return path


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_statements", str(path), "--no-progress", *args, stdout=out)
    return out.getvalue()


def rejects(path: Path) -> list[list[str]]:
    # surrogateescape: a row that was not UTF-8 is written back byte for byte.
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as f:
        return list(csv.reader(f))


def good_rows(first: int, count: int, *, day: date = DAY) -> str:
    return "".join(
        f"{number(n)},{day},测试者{n},no,party,CN-GD,\n" for n in range(first, first + count)
    )


@pytest.mark.django_db
def test_rows_load_published_with_their_numbers_and_days_and_are_listed(tmp_path, client, api):
    path = write(
        tmp_path,
        # Spaces in the number, NFD in the name (as some systems export), alias, two
        # organizations, a region in lower case, a text with a line break in quotes.
        f"{number(0)[:4]} {number(0)[4:]},{DAY},Ole\u0301 Li,yes,party;youth_league,cn-bj,"
        '"我声明退出。\n天灭中共"\n'
        f"{number(1)},{DAY + timedelta(days=1)},王小明,0,young_pioneers,overseas,\n",
    )

    out = run(path)

    assert "Loaded 2 statements, rejected 0." in out
    assert not (tmp_path / "statements.rejects.csv").exists()
    first = Statement.objects.get(registration_number=NUMBERS[0])
    assert (first.status, first.channel, first.hidden) == (Status.PUBLISHED, "imported", False)
    assert first.display_name == "Olé Li" == unicodedata.normalize("NFC", "Ole\u0301 Li")
    assert (first.is_alias, first.organizations, first.region) == (
        True,
        ["party", "youth_league"],
        "CN-BJ",
    )
    assert first.text == "我声明退出。\n天灭中共"
    assert (first.language, first.screening_flags, first.rejection_reason) == ("zh-hans", [], "")
    assert first.published_day == DAY
    start = day_bounds(DAY)[0]
    assert first.published_at == first.created_at == first.status_changed_at == start
    assert first.screened_at is None
    second = Statement.objects.get(registration_number=NUMBERS[1])
    assert (second.published_day, second.organizations, second.is_alias) == (
        DAY + timedelta(days=1),
        ["young_pioneers"],
        False,
    )
    # Public like any published statement: the list, the permalink and the API.
    listing = client.get(reverse("statements:list")).content.decode()
    assert "Olé Li" in listing and "王小明" in listing
    page = client.get(reverse("statements:detail", args=[NUMBERS[0]]))
    assert page.status_code == 200 and "天灭中共" in page.content.decode()
    item = api.get(reverse("api:statement_detail", args=[NUMBERS[1]])).json()
    assert (item["registration_number"], item["published_on"]) == (number(1), "2021-03-05")


@pytest.mark.django_db
def test_columns_may_come_in_any_order_with_a_bom_and_a_language(tmp_path):
    path = write(
        tmp_path,
        f"zh-hant,CN-HK,{number(0)},李四,party,{DAY},,true\n",
        header="\ufefflanguage,region,registration_number,name,organizations,day,text,is_alias\n",
    )
    run(path)
    statement = Statement.objects.get()
    assert (statement.language, statement.region, statement.is_alias) == ("zh-hant", "CN-HK", True)
    assert (statement.registration_number, statement.published_day) == (NUMBERS[0], DAY)


@pytest.mark.django_db
def test_every_bad_row_goes_to_the_rejects_file_with_its_reason_and_the_rest_load(tmp_path):
    taken = factories.published_statement(registration_number=NUMBERS[20])
    tomorrow = tally_today() + timedelta(days=1)
    bad = number(3)[:-1] + str((int(number(3)[-1]) + 1) % 10)  # check digit off by one
    body = (
        f"{number(0)},{DAY},好人,no,party,CN-GD,\n"  # 2: loads
        f"{bad},{DAY},甲,no,party,CN-GD,\n"  # 3
        f"{number(4)},2021-02-30,乙,no,party,CN-GD,\n"  # 4
        f"{number(5)},04/03/2021,丙,no,party,CN-GD,\n"  # 5
        f"{number(6)},{tomorrow},丁,no,party,CN-GD,\n"  # 6
        f"{number(7)},{DAY},戊,no,party,CN-XX,\n"  # 7
        f"{number(8)},{DAY},己,no,,CN-GD,\n"  # 8
        f"{number(9)},{DAY},庚,no,party;army,CN-GD,\n"  # 9
        f"{number(10)},{DAY},{'名' * 101},no,party,CN-GD,\n"  # 10
        f"{number(11)},{DAY},   ,no,party,CN-GD,\n"  # 11
        f"{number(12)},{DAY},\u200b\u200b,no,party,CN-GD,\n"  # 12
        f"{number(13)},{DAY},辛,maybe,party,CN-GD,\n"  # 13
        f"{number(14)},{DAY},壬,no,party,CN-GD,{'字' * 5001}\n"  # 14
        f"{number(15)},{DAY},癸,no,party,CN-GD,\u202eevil\n"  # 15
        f"{number(0)},{DAY},重复,no,party,CN-GD,\n"  # 16: line 2's number
        f"{number(20)},{DAY},已有,no,party,CN-GD,\n"  # 17: taken in the database
        f"{number(21)},{DAY},短,no,party\n"  # 18: a cell short
        "\n"  # 19: blank, skipped
        f"{number(22)},{DAY},好人二,1,young_pioneers,undisclosed,我退出少先队\n"  # 20: loads
    )
    path = write(tmp_path, body.encode() + f"{number(23)},{DAY},".encode() + b"\xff\xfe,no\n")

    out = run(path)

    assert "Loaded 2 statements, rejected 17." in out
    rejected = tmp_path / "statements.rejects.csv"
    assert f"Rejected rows, with their reasons: {rejected}" in out
    assert stat.S_IMODE(rejected.stat().st_mode) == 0o600  # people's names
    rows = rejects(rejected)
    assert rows[0] == ["line", "reason", *HEADER.strip().split(",")]
    reasons = {int(row[0]): row[1] for row in rows[1:]}
    assert reasons == {
        3: f"registration number '{bad}' is not 16 digits with a valid check digit",
        4: "day '2021-02-30' is not a day as YYYY-MM-DD",
        5: "day '04/03/2021' is not a day as YYYY-MM-DD",
        6: f"day {tomorrow} is in the future",
        7: "region 'CN-XX' is not a region code",
        8: "no organization",
        9: "not an organization: army",
        10: "name has 101 characters, at most 100",
        11: "name is empty",
        12: "name: A name needs at least one letter or digit.",
        13: "is_alias 'maybe' is not yes or no",
        14: "text has 5001 characters, at most 5000",
        15: "text: Remove the invisible control characters.",
        16: f"registration number {NUMBERS[0]} is also on line 2",
        17: f"registration number {NUMBERS[20]} is already taken, by a statement here or an "
        "earlier row of this file",
        18: "5 cells, expected 7",
        21: "not UTF-8",
    }
    # The row as it was, to fix and load again.
    assert rows[1][2:] == [bad, str(DAY), "甲", "no", "party", "CN-GD", ""]
    assert sorted(Statement.objects.filter(channel="imported").values_list("display_name")) == [
        ("好人",),
        ("好人二",),
    ]
    taken.refresh_from_db()
    assert taken.channel == Channel.WEB


@pytest.mark.django_db
def test_a_number_loaded_in_an_earlier_chunk_is_rejected_and_the_chunk_loads(tmp_path):
    path = write(
        tmp_path,
        good_rows(0, 3) + f"{number(1)},{DAY},又一个,no,party,CN-GD,\n" + good_rows(3, 2),
    )

    out = run(path, "--chunk-rows", "2")

    assert "Loaded 5 statements, rejected 1." in out
    (reject,) = rejects(tmp_path / "statements.rejects.csv")[1:]
    assert reject[0] == "5"
    assert reject[1].startswith(f"registration number {NUMBERS[1]} is already taken")
    assert Statement.objects.get(registration_number=NUMBERS[1]).display_name == "测试者1"
    assert Statement.objects.count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "line 1: the header must name the columns"),
        (b"registration_number,day,name\n", "line 1: the header must name the columns"),
        (HEADER.strip().encode() + b",region\n", "line 1: the header must name the columns"),
        (HEADER.strip().encode() + b",colour\n", "line 1: the header must name the columns"),
        ("注册号".encode("gb18030") + b"\n", "line 1: not UTF-8"),
    ],
)
def test_a_file_that_is_not_statements_is_refused_and_nothing_written(tmp_path, content, expected):
    path = tmp_path / "statements.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError) as error:
        run(path)
    assert expected in str(error.value)
    assert "nothing loaded" in str(error.value)
    assert not Statement.objects.exists()
    assert not StatementImport.objects.exists()


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match=r"statements\.csv"):
        run(tmp_path / "statements.csv")


class Interrupted(Exception):
    pass


def interrupt_at(read: int):
    def progress(state: importing.Progress) -> None:
        if state.read == read:
            raise Interrupted

    return progress


@pytest.mark.django_db
def test_an_interrupted_load_resumes_after_its_last_committed_chunk(tmp_path):
    path = write(
        tmp_path,
        good_rows(0, 2)  # lines 2-3: chunk one
        + f"bad,{DAY},坏,no,party,CN-GD,\n"  # line 4: rejected in chunk two
        + good_rows(2, 4),  # lines 5-8
    )
    rejects_path = tmp_path / "statements.rejects.csv"

    # Stopped while reading line 5, in the second chunk: the first is in, whole; of the
    # second, nothing.
    with pytest.raises(Interrupted):
        importing.load_statements(
            path=path, chunk_rows=2, progress=interrupt_at(read=4), tick_rows=1
        )
    assert sorted(Statement.objects.values_list("registration_number", flat=True)) == sorted(
        NUMBERS[:2]
    )
    progress = StatementImport.objects.get()
    assert (progress.line, progress.loaded, progress.rejected, progress.finished_at) == (
        3,
        2,
        0,
        None,
    )
    # As if the stopped chunk had written its rejects before dying: the resume cuts them.
    with rejects_path.open("a", encoding="utf-8") as f:
        f.write("4,written before the crash,\n")

    out = run(path, "--chunk-rows", "2")

    assert "Loaded 4 statements, rejected 1 (resumed after line 3)." in out
    assert sorted(Statement.objects.values_list("registration_number", flat=True)) == sorted(
        NUMBERS[:6]
    )
    assert [row[:2] for row in rejects(rejects_path)[1:]] == [
        ["4", "registration number 'bad' is not 16 digits with a valid check digit"]
    ]
    progress.refresh_from_db()
    assert (progress.loaded, progress.rejected) == (6, 1)
    assert progress.finished_at is not None


@pytest.mark.django_db
def test_a_loaded_file_loads_nothing_again_and_restart_finds_every_number_taken(tmp_path):
    path = write(tmp_path, good_rows(0, 3))
    run(path)

    again = run(path)
    assert f"{path} was loaded before (3 statements, 0 rejected)" in again
    assert Statement.objects.count() == 3

    restarted = run(path, "--restart")
    assert "Loaded 0 statements, rejected 3." in restarted
    assert Statement.objects.count() == 3

    # Another file (another digest) is a load of its own.
    other = write(tmp_path, good_rows(3, 2), name="more.csv")
    assert "Loaded 2 statements, rejected 0." in run(other)
    assert StatementImport.objects.count() == 2


@pytest.mark.django_db
def test_a_resume_without_its_rejects_file_is_refused(tmp_path):
    path = write(tmp_path, f"bad,{DAY},坏,no,party,CN-GD,\n" + good_rows(0, 3))
    with pytest.raises(Interrupted):
        importing.load_statements(
            path=path, chunk_rows=1, progress=interrupt_at(read=3), tick_rows=1
        )
    (tmp_path / "statements.rejects.csv").unlink()

    with pytest.raises(CommandError, match="missing or shorter than it was"):
        run(path)


@pytest.mark.django_db
def test_a_second_load_of_the_same_file_at_once_is_refused(tmp_path, database_url):
    path = write(tmp_path, good_rows(0, 1))
    importing.load_statements(path=path)  # the file is known now
    progress = StatementImport.objects.get()
    with psycopg.connect(database_url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [7_202_613, progress.pk])
        with pytest.raises(importing.ImportRefused, match="being loaded by another process"):
            importing.load_statements(path=path, restart=True)


@pytest.mark.django_db
def test_tallies_are_brought_up_to_date_and_imported_history_keeps_its_figures(tmp_path):
    history_day, live_day = DAY, DAY + timedelta(days=1)
    call_command(
        "import_tallies",
        str(
            write(
                tmp_path,
                f"{history_day},1000,900,100,0\n",
                header="date,total,party,youth_league,young_pioneers\n",
                name="history.csv",
            )
        ),
        stdout=StringIO(),
    )
    path = write(
        tmp_path,
        good_rows(0, 2, day=history_day)
        + f"{number(2)},{live_day},甲,no,party;youth_league,CN-GD,\n"
        + f"{number(3)},{live_day},乙,no,young_pioneers,CN-GD,\n",
    )

    out = run(path)

    assert f"Tallies recomputed for 1 of the 2 days loaded, {history_day} to {live_day}" in out
    # The history of that day already counts its people: the statements brought in for
    # it are listed, but the rollup never writes an imported day, so none counts twice.
    history = DailyTally.objects.get(day=history_day)
    assert (history.total, history.party, history.source) == (1000, 900, "imported")
    live = DailyTally.objects.get(day=live_day)
    assert (live.total, live.party, live.youth_league, live.young_pioneers, live.source) == (
        2,
        1,
        1,
        1,
        "rollup",
    )
    rollup_tallies.apply()
    rebuild_tallies.apply()
    assert TallySummary.objects.current().total == 1002
    assert Statement.objects.published_on(history_day).count() == 2


@pytest.mark.django_db
def test_content_hashes_are_the_apps_so_a_new_copy_is_flagged(tmp_path):
    name, text = "Jose\u0301  Li ", " 我声明\u0301退出。 "
    path = write(
        tmp_path,
        f'{number(0)},{DAY},"{name}",no,youth_league;party,CN-SH,"{text}"\n',
    )
    run(path)
    imported = Statement.objects.get()
    assert bytes(imported.content_hash) == screening.content_hash(
        name=name.strip(),
        text=text.strip(),
        organizations=["party", "youth_league"],
        region="CN-SH",
    )

    copy = factories.in_review_statement(
        display_name=screening.normalize(name.strip()),
        text=screening.normalize(text.strip()),
        organizations=["youth_league", "party"],
        region="CN-SH",
    )
    assert copy.screening_flags[:1] == [Flag.DUPLICATE]


@pytest.mark.django_db
def test_receipt_look_ups_never_find_an_imported_statement(tmp_path, api, client):
    run(write(tmp_path, good_rows(0, 1)))
    imported = Statement.objects.get()
    assert len(bytes(imported.receipt_hash)) == 16
    # Even a code whose digest the imported row held would find nothing.
    code = receipts.new_code()
    Statement.objects.filter(pk=imported.pk).update(receipt_hash=receipts.digest(code))

    assert not Statement.objects.by_receipt(receipts.normalize(code)).exists()
    response = api.post(reverse("api:receipt_lookup"), {"receipt": code}, format="json")
    assert response.status_code == 404
    with override("en"):
        page = client.post(reverse("statements:receipt"), {"receipt": code})
    assert page.status_code == 404


@pytest.mark.django_db
def test_receipt_placeholders_are_unique_and_ascend_within_a_run(tmp_path):
    run(write(tmp_path, good_rows(0, 5), name="a.csv"))
    run(write(tmp_path, good_rows(5, 5), name="b.csv"))
    hashes = [
        bytes(h) for h in Statement.objects.order_by("id").values_list("receipt_hash", flat=True)
    ]
    assert len(set(hashes)) == 10
    assert hashes[:5] == sorted(hashes[:5]) and hashes[5:] == sorted(hashes[5:])
    assert hashes[0][:8] != hashes[5][:8]  # each run draws its own


@pytest.mark.django_db(transaction=True)
def test_the_command_commits_chunk_by_chunk(tmp_path, database_url):
    path = write(tmp_path, good_rows(0, 5))

    out = run(path, "--chunk-rows", "2")

    assert "Loaded 5 statements, rejected 0." in out
    # Seen from another connection: committed, and counted.
    with psycopg.connect(database_url) as other:
        (count,) = other.execute(
            "SELECT count(*) FROM statements_statement WHERE channel = 'imported'"
        ).fetchone()
        (total,) = other.execute(
            "SELECT total FROM counts_dailytally WHERE day = %s", [DAY]
        ).fetchone()
    assert count == total == 5


@pytest.mark.django_db
def test_the_channel_check_takes_imported_and_nothing_unknown():
    statement = factories.published_statement()
    Statement.objects.filter(pk=statement.pk).update(channel=Channel.IMPORTED)
    with pytest.raises(IntegrityError, match="statement_channel_valid"), transaction.atomic():
        Statement.objects.filter(pk=statement.pk).update(channel="pigeon")
    statement.refresh_from_db()
    assert statement.channel == Channel.IMPORTED


def test_the_progress_bar_draws_one_line():
    from django.core.management.base import OutputWrapper

    from counts.management.commands.import_statements import ProgressBar

    out = StringIO()
    bar = ProgressBar(OutputWrapper(out))
    bar(importing.Progress(offset=50, size=100, read=1234, loaded=1000, rejected=3))
    bar.close()

    line = out.getvalue()
    assert line.startswith("\r[" + "#" * 12 + "." * 12 + "]  50.0% 1,234 rows")
    assert "3 rejected" in line and line.endswith("\n")
