"""Paper batches over HTTP: upload (three encodings), the staged preview with its errors,
confirmation all or nothing, the slips shown once, duplicates, limits, who may see what,
and bad files answered with a 4xx."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from statements.models import Channel, Statement, Status
from tests import factories
from tests.concurrency import run_at_once
from volunteers import paper
from volunteers.models import AccountEvent, PaperBatch, PaperBatchStatement
from volunteers.roles import Role
from volunteers.tasks import sweep_paper_batches

UPLOAD = reverse("volunteers:paper_upload")
SLIP_CODE = re.compile(r'<p class="slip-code"><code>([A-Z0-9-]+)</code></p>')
SLIP_ROW = re.compile(r'<p class="slip-row">\D*(\d+)\D*</p>')

GOOD = (
    "name,alias,organizations,region,text\r\n"
    "王小明,否,党、团,广东省,我声明退出。\r\n"
    'Old Li,yes,"party, youth_league",CN-BJ,\r\n'
    ",,,,\r\n"  # a row a spreadsheet left empty: skipped, but it keeps its number
    "陳大文,是,少先隊；共青團,廣東,退出少先隊\r\n"
    '张三,,中国共产党,undisclosed,"多行\n文字"\r\n'
)
BAD = (
    "name,alias,organizations,region,text\r\n"
    "王小明,否,党、团,广东省,我声明退出。\r\n"
    'Old Li,maybe,"party, the moon",CN-BJ,\r\n'
    ",,,,\r\n"
    "陳大文,是,少先隊,Atlantis,\u202etext\r\n"
    ",否,党,CN-GD,\r\n"
    "张三,否,党,CN-GD,,extra\r\n"
)
FIXED = BAD.replace("maybe", "no").replace(", the moon", "").replace("Atlantis", "香港")
FIXED = FIXED.replace("\u202e", "").replace(",否,党,CN-GD,\r\n", "李四,否,党,CN-GD,\r\n")
FIXED = FIXED.replace(",,extra", ",")


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    factories.sign_in(client, user)
    return client


@pytest.fixture
def volunteer_client(volunteer):
    return client_for(volunteer)


def upload(client, data: bytes | str, *, name="forms.csv", language="zh-hans", **extra):
    if isinstance(data, str):
        data = data.encode()
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(UPLOAD, {"file": file, "language": language}, **extra)


def staged(client, data, **kwargs) -> PaperBatch:
    response = upload(client, data, **kwargs)
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = PaperBatch.objects.order_by("-created_at").first()
    assert response["Location"] == reverse("volunteers:paper_batch", args=[batch.pk])
    return batch


def confirm(client, batch, **data):
    return client.post(reverse("volunteers:paper_confirm", args=[batch.pk]), data)


def slips(response) -> list[tuple[int, str]]:
    html = response.content.decode()
    return list(zip((int(r) for r in SLIP_ROW.findall(html)), SLIP_CODE.findall(html), strict=True))


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_utf8_with_and_without_bom_and_gb18030_parse_identically(volunteer_client, encoding):
    batch = staged(volunteer_client, GOOD.encode(encoding))
    reference = staged(volunteer_client, GOOD.encode("utf-8"))
    assert batch.rows == reference.rows
    assert [row["row"] for row in batch.rows] == [2, 3, 5, 6]
    assert batch.rows[0]["cells"] == ["王小明", "否", "党、团", "广东省", "我声明退出。"]
    assert batch.rows[3]["cells"][4] == "多行\n文字"
    assert batch.row_count == 4
    assert batch.state == PaperBatch.State.STAGED
    assert Statement.objects.count() == 0


@pytest.mark.django_db
def test_columns_may_come_in_any_order_and_with_chinese_names(volunteer_client):
    text = "地区,声明,姓名,组织,化名\r\nGuangdong,,王小明,党,否\r\n"
    batch = staged(volunteer_client, text)
    assert batch.rows[0]["cells"] == ["王小明", "否", "党", "Guangdong", ""]


@pytest.mark.django_db
def test_a_batch_with_bad_rows_is_refused_whole_then_accepted_once_fixed(
    volunteer_client, volunteer
):
    bad = staged(volunteer_client, BAD)
    preview = volunteer_client.get(reverse("volunteers:paper_batch", args=[bad.pk]))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "4 rows have errors: this batch cannot be confirmed" in html
    errors = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td><td>(.*?)</td></tr>", html)
    by_row = {}
    for row, column, _message in errors:
        by_row.setdefault(int(row), set()).add(column)
    assert by_row == {
        3: {"alias", "organizations"},
        5: {"region", "text"},
        6: {"name"},
        7: {"the whole row"},
    }
    assert "Remove the invisible control characters." in html
    assert "This row has 6 cells; the header has 5." in html
    assert "paper_confirm" not in html and "Save 1 statement" not in html

    refused = confirm(volunteer_client, bad)
    assert refused.status_code == 409
    assert "Nothing was saved: 4 rows have errors." in refused.content.decode()
    assert Statement.objects.count() == 0
    assert PaperBatchStatement.objects.count() == 0
    bad.refresh_from_db()
    assert bad.state == PaperBatch.State.STAGED

    fixed = staged(volunteer_client, FIXED)
    response = confirm(volunteer_client, fixed)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    printed = slips(response)
    assert [row for row, _code in printed] == [2, 3, 5, 6, 7]
    statements = list(Statement.objects.order_by("id"))
    assert len(statements) == 5
    assert {s.channel for s in statements} == {Channel.PAPER}
    assert {s.status for s in statements} == {Status.RECEIVED}
    assert {s.language for s in statements} == {"zh-hans"}
    # The uploader entered them, so the uploader never reviews them.
    assert {s.entered_by for s in statements} == {volunteer}
    for (row, code), statement in zip(printed, statements, strict=True):
        assert Statement.objects.by_receipt(code).get() == statement
        assert PaperBatchStatement.objects.get(statement=statement).row == row
    first, second, third = statements[:3]
    assert (first.display_name, first.is_alias, first.organizations, first.region) == (
        "王小明",
        False,
        ["party", "youth_league"],
        "CN-GD",
    )
    assert (second.is_alias, second.organizations, second.region) == (False, ["party"], "CN-BJ")
    assert (third.is_alias, third.organizations, third.region) == (
        True,
        ["young_pioneers"],
        "CN-HK",
    )

    fixed.refresh_from_db()
    assert fixed.state == PaperBatch.State.CONFIRMED
    assert fixed.confirmed_by == volunteer
    assert fixed.rows == []  # the statements hold what the rows said
    event = AccountEvent.objects.get(action=AccountEvent.Action.PAPER_BATCH)
    assert (event.subject, event.actor) == (volunteer, volunteer)
    assert event.detail["batch"] == str(fixed.pk) and event.detail["statements"] == 5

    # Shown once: the batch page after says so, and neither it nor the database holds
    # a code.
    again = volunteer_client.get(reverse("volunteers:paper_batch", args=[fixed.pk]))
    assert not SLIP_CODE.search(again.content.decode())
    assert "are not stored" in again.content.decode()
    assert confirm(volunteer_client, fixed).status_code == 409
    assert Statement.objects.count() == 5


@pytest.mark.django_db
def test_the_slips_are_discreet_and_printable_without_script(volunteer_client):
    response = confirm(volunteer_client, staged(volunteer_client, GOOD))
    html = response.content.decode()
    assert "<script" not in html
    stylesheet = r'<link rel="stylesheet" href="/static/volunteer/paper(\.[0-9a-f]+)?\.css"'
    assert re.search(stylesheet, html)
    assert "never stored" in html
    sheet = html[html.index('<div class="slips">') :]
    for word in ("withdraw", "Party", "退", "Tuidang", "statement"):
        assert word not in sheet.split("</main>")[0]


@pytest.mark.django_db
def test_more_than_5000_rows_are_refused_with_the_limit(volunteer_client):
    header = "name,alias,organizations,region,text\r\n"
    row = "王小明,否,党,CN-GD,\r\n"
    response = upload(volunteer_client, header + row * 5001)
    assert response.status_code == 400
    assert "A batch holds at most 5,000 rows" in response.content.decode()
    assert PaperBatch.objects.count() == 0
    assert staged(volunteer_client, header + row * 5000).row_count == 5000


@pytest.mark.django_db
def test_the_same_file_again_needs_an_explicit_confirmation(volunteer_client):
    assert confirm(volunteer_client, staged(volunteer_client, GOOD)).status_code == 200
    assert Statement.objects.count() == 4

    again = staged(volunteer_client, GOOD)
    preview = volunteer_client.get(reverse("volunteers:paper_batch", args=[again.pk]))
    assert "was confirmed before" in preview.content.decode()
    assert 'name="again"' in preview.content.decode()
    refused = confirm(volunteer_client, again)
    assert refused.status_code == 409
    assert "Tick the box" in refused.content.decode()
    assert Statement.objects.count() == 4

    response = confirm(volunteer_client, again, again="on")
    assert response.status_code == 200
    assert len(slips(response)) == 4
    assert Statement.objects.count() == 8

    # A file that differs by a byte is another file.
    other = staged(volunteer_client, GOOD + "赵六,否,党,CN-GD,\r\n")
    assert confirm(volunteer_client, other).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.REVIEWER, Role.COORDINATOR])
def test_every_role_may_upload(role):
    client = client_for(factories.account("someone", role=role))
    page = client.get(UPLOAD)
    assert page.status_code == 200
    assert "<script" not in page.content.decode()
    assert staged(client, GOOD).row_count == 4


@pytest.mark.django_db
def test_an_outsider_and_a_stranger_cannot(outsider, volunteer):
    batch = staged(client_for(volunteer), GOOD)
    others = client_for(outsider)
    stranger = Client()
    for client, status in ((others, 403), (stranger, 302)):
        assert client.get(UPLOAD).status_code == status
        assert upload(client, GOOD).status_code in (status, 403)
        assert client.get(reverse("volunteers:paper_template")).status_code == status
        assert client.get(reverse("volunteers:paper_batch", args=[batch.pk])).status_code == status
        assert confirm(client, batch).status_code in (status, 403)
    assert PaperBatch.objects.count() == 1
    assert Statement.objects.count() == 0


@pytest.mark.django_db
def test_another_volunteer_gets_404_and_a_coordinator_may_confirm(volunteer, coordinator):
    batch = staged(client_for(volunteer), GOOD)
    other = client_for(factories.account("volunteer2", role=Role.VOLUNTEER))
    for url in ("volunteers:paper_batch",):
        assert other.get(reverse(url, args=[batch.pk])).status_code == 404
    assert confirm(other, batch).status_code == 404
    discard = reverse("volunteers:paper_discard", args=[batch.pk])
    assert other.post(discard).status_code == 404
    assert "volunteers:paper_batch" not in other.get(UPLOAD).content.decode()
    assert str(batch.pk) not in other.get(UPLOAD).content.decode()
    assert Statement.objects.count() == 0

    boss = client_for(coordinator)
    assert boss.get(reverse("volunteers:paper_batch", args=[batch.pk])).status_code == 200
    assert confirm(boss, batch).status_code == 200
    event = AccountEvent.objects.get(action=AccountEvent.Action.PAPER_BATCH)
    assert (event.subject, event.actor) == (volunteer, coordinator)


@pytest.mark.django_db
def test_a_staged_batch_can_be_discarded(volunteer_client):
    batch = staged(volunteer_client, GOOD)
    response = volunteer_client.post(reverse("volunteers:paper_discard", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.state, batch.rows) == (PaperBatch.State.DISCARDED, [])
    assert confirm(volunteer_client, batch).status_code == 409
    assert Statement.objects.count() == 0


@pytest.mark.django_db
def test_a_stale_batch_cannot_be_confirmed_and_is_swept(volunteer_client):
    old = staged(volunteer_client, GOOD)
    fresh = staged(volunteer_client, GOOD)
    PaperBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    preview = volunteer_client.get(reverse("volunteers:paper_batch", args=[old.pk]))
    assert "can no longer be confirmed" in preview.content.decode()
    refused = confirm(volunteer_client, old)
    assert refused.status_code == 409
    assert "more than a day ago" in refused.content.decode()
    assert Statement.objects.count() == 0

    assert sweep_paper_batches.apply().get() == 1
    assert sweep_paper_batches.apply().get() == 0
    old.refresh_from_db()
    assert (old.state, old.rows) == (PaperBatch.State.DISCARDED, [])
    fresh.refresh_from_db()
    assert fresh.state == PaperBatch.State.STAGED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"just some words\nand more\n", "must name the columns"),
        (b"name,alias,organizations,region\r\nx,no,party,CN-GD\r\n", "must name the columns"),
        (b"name,name,alias,organizations,region,text\r\n", "must name the columns"),
        (b"name,alias,organizations,region,text\r\n", "has a header but no rows"),
        (b"name,alias,organizations,region,text\r\n" + b"x" * 200_000 + b"\r\n", "far too long"),
        (bytes(range(256)) * 40, "not a CSV file in UTF-8 or GB18030"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(500), "not a CSV file"),
        ("name,alias,organizations,region,text\r\n".encode("utf-16"), "UTF-16"),
        (b'name,alias,organizations,region,text\r\n"x,no,party,CN-GD,\r\n', "far too long"),
    ],
)
def test_bad_files_are_refused_with_a_4xx_and_nothing_staged(volunteer_client, data, message):
    response = upload(volunteer_client, data)
    assert 400 <= response.status_code < 500
    html = response.content.decode()
    assert message in html
    assert PaperBatch.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_file_or_language_is_a_400(volunteer_client):
    assert volunteer_client.post(UPLOAD, {"language": "en"}).status_code == 400
    file = SimpleUploadedFile("f.csv", GOOD.encode())
    assert volunteer_client.post(UPLOAD, {"file": file, "language": "xx"}).status_code == 400
    assert PaperBatch.objects.count() == 0


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_a_413(volunteer_client, settings):
    settings.PAPER_UPLOAD_MAX_BYTES = 1000
    header = "name,alias,organizations,region,text\r\n"
    response = upload(volunteer_client, header + "王小明,否,党,CN-GD,\r\n" * 60)
    assert response.status_code == 413
    assert "larger than" in response.content.decode()
    # Far over: refused on its Content-Length, before the body is read.
    response = upload(volunteer_client, header + "王小明,否,党,CN-GD,\r\n" * 10_000)
    assert response.status_code == 413
    assert PaperBatch.objects.count() == 0
    assert staged(volunteer_client, header + "王小明,否,党,CN-GD,\r\n" * 10).row_count == 10


@pytest.mark.django_db
def test_the_upload_still_checks_csrf(volunteer):
    client = Client(enforce_csrf_checks=True)
    factories.sign_in(client, volunteer)
    assert upload(client, GOOD).status_code == 403
    assert PaperBatch.objects.count() == 0


@pytest.mark.django_db
def test_the_template_is_the_header_in_utf8_with_a_bom(volunteer_client):
    response = volunteer_client.get(reverse("volunteers:paper_template"))
    assert response.status_code == 200
    assert response.content == "\ufeffname,alias,organizations,region,text\r\n".encode()
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "page_words", "error"),
    [
        ("zh-hans", "纸质表格", "请填写"),
        ("zh-hant", "紙本表格", "請填寫"),
        ("en", "Paper batches", "Write yes or no"),
    ],
)
def test_pages_and_row_errors_in_each_language(volunteer, language, page_words, error):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    factories.sign_in(client, volunteer)
    assert page_words in client.get(UPLOAD).content.decode()
    batch = staged(client, BAD)
    html = client.get(reverse("volunteers:paper_batch", args=[batch.pk])).content.decode()
    assert error in html


@pytest.mark.django_db(transaction=True)
def test_a_batch_confirmed_twice_at_once_is_saved_once():
    uploader = factories.account("volunteer", role=Role.VOLUNTEER)
    batch = paper.stage_batch(uploader=uploader, data=GOOD.encode(), language="en")

    outcomes = run_at_once(*[lambda: paper.confirm_batch(batch_id=batch.pk, user=uploader)] * 2)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["BatchRefused", "list"]
    assert Statement.objects.count() == 4
    assert AccountEvent.objects.filter(action=AccountEvent.Action.PAPER_BATCH).count() == 1


@pytest.mark.django_db
def test_an_empty_last_column_is_ignored_and_a_too_wide_row_is_stored_cut_short(
    volunteer_client,
):
    wide = "x," * 20_000
    data = (
        "name,alias,organizations,region,text,\r\n"  # as spreadsheets often export it
        "王小明,否,党,广东省,我声明退出。,\r\n"
        f"{wide}\r\n"
    )
    batch = staged(volunteer_client, data)

    assert batch.row_count == 2
    too_wide = next(row for row in batch.rows if "width" in row)
    assert too_wide["width"] == 20_001
    assert len(too_wide["cells"]) == 6
    preview = volunteer_client.get(reverse("volunteers:paper_batch", args=[batch.pk]))
    assert preview.status_code == 200
    assert len(preview.content) < 100_000
