import pytest

from statements import screening, services
from statements.models import AuditEvent, Statement, Status
from statements.tasks import screen_statements
from tests import factories
from tests.concurrency import run_at_once


def screened(**overrides) -> Statement:
    statement = factories.received_statement(**overrides)
    services.screen_received()
    statement.refresh_from_db()
    return statement


@pytest.mark.django_db
def test_screening_moves_received_statements_into_review_with_an_audit_row():
    statements = [factories.received_statement() for _ in range(3)]

    assert screen_statements.apply().get() == 3

    for statement in statements:
        statement.refresh_from_db()
        assert statement.status == Status.IN_REVIEW
        assert statement.screened_at is not None
    events = AuditEvent.objects.filter(action="screened")
    assert sorted(e.statement_id for e in events) == sorted(s.pk for s in statements)
    assert {(e.from_status, e.to_status, e.actor_id) for e in events} == {
        ("received", "in_review", None)
    }


@pytest.mark.django_db
def test_screening_is_idempotent():
    statement = screened()
    flags, screened_at = statement.screening_flags, statement.screened_at

    assert services.screen_received() == 0
    statement.refresh_from_db()
    assert (statement.status, statement.screening_flags, statement.screened_at) == (
        Status.IN_REVIEW,
        flags,
        screened_at,
    )
    assert AuditEvent.objects.filter(statement=statement).count() == 1


@pytest.mark.django_db
def test_screening_normalizes_name_and_text_to_nfc():
    statement = screened(display_name="Jose\u0301", text="cafe\u0301 退出")
    assert statement.display_name == "Jos\u00e9"
    assert statement.text == "caf\u00e9 退出"


@pytest.mark.django_db
def test_exact_duplicate_is_flagged_but_the_first_is_not():
    first = screened(display_name="李四", text="声明退出", region="CN-HB")
    # The same content composed differently is still the same statement.
    second = screened(display_name="李四", text="声明退出", region="CN-HB")
    other_region = screened(display_name="李四", text="声明退出", region="CN-HN")

    assert "duplicate" not in first.screening_flags
    assert "duplicate" in second.screening_flags
    assert "duplicate" not in other_region.screening_flags


@pytest.mark.django_db
def test_duplicate_within_one_batch_is_flagged():
    a = factories.received_statement(display_name="Jose\u0301", text="x")
    b = factories.received_statement(display_name="Jos\u00e9", text="x")
    services.screen_received()
    a.refresh_from_db()
    b.refresh_from_db()
    assert "duplicate" not in a.screening_flags
    assert "duplicate" in b.screening_flags


@pytest.mark.django_db
def test_a_removed_statement_does_not_make_its_resubmission_a_duplicate(reviewer):
    first = screened(display_name="孙七", text="退出")
    factories.approve(first, reviewer=reviewer)
    services.remove(statement_id=first.pk, actor=reviewer, reason="本人要求")
    assert "duplicate" not in screened(display_name="孙七", text="退出").screening_flags


@pytest.mark.django_db
def test_a_rejected_statement_does_not_make_its_copy_a_duplicate(reviewer):
    first = screened(display_name="赵六", text="退出")
    factories.reject(first, reviewer=reviewer, note="test")
    assert "duplicate" not in screened(display_name="赵六", text="退出").screening_flags


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "text", "flag"),
    [
        ("张三", "我的电话13812345678", "contact_number"),
        ("张三", "联系 +86 138-1234-5678", "contact_number"),
        ("张三", "电话１３８１２３４５６７８", "contact_number"),
        ("张三", "座机 010-62345678", "contact_number"),
        ("张三13912345678", "", "contact_number"),
        ("张三", "身份证11010519491231002X", "id_number"),
        ("张三", "身份证 110105194912310021", "id_number"),
        ("张三", "老身份证 110105491231002", "id_number"),
        ("张三", "联系我 zhang.san+tuidang@example.org", "email"),
        ("zhangsan@mail.example.cn", "", "email"),
    ],
)
def test_phone_and_id_numbers_are_flagged(name, text, flag):
    assert flag in screened(display_name=name, text=text).screening_flags


@pytest.mark.django_db
def test_ordinary_numbers_are_not_flagged():
    statement = screened(text="我1989年入团，2008年入党，今年65岁，编号No.123456。")
    assert statement.screening_flags == []


@pytest.mark.parametrize(
    "text",
    [
        "广东省深圳市南山区科技园路1号",
        "北京市朝阳区建国路88号3栋",
        "我住在 广东省 深圳市 南山区 科技园路 １ 号",
        "廣東省深圳市南山區科技園路1號",
        "上海市徐汇区漕溪北路１２０弄5号",
        "四川省成都市武侯区 3栋 2单元 502室",
    ],
)
def test_street_addresses_are_flagged(text):
    assert "street_address" in screening.content_flags(name="某人", text=text)


@pytest.mark.parametrize(
    "text",
    [
        "我于1990年在广东省加入少先队，今天声明退出。",
        "我在北京市工作了十年，走过很多街道。",
        "我家在湖南省农村，从小走过很多路",
        "上海市第1号文件让我看清了真相",
        "我是廣東省人，2019年入團，現在退出。",
    ],
)
def test_ordinary_sentences_about_places_are_not_addresses(text):
    assert "street_address" not in screening.content_flags(name="某人", text=text)


@pytest.mark.django_db(transaction=True)
def test_concurrent_screeners_never_screen_a_statement_twice():
    for _ in range(60):
        factories.received_statement()

    def screen_until_empty() -> int:
        moved = 0
        while n := services.screen_received(batch_size=7):
            moved += n
        return moved

    outcomes = run_at_once(screen_until_empty, screen_until_empty, screen_until_empty)

    assert sum(outcomes) == 60
    assert Statement.objects.filter(status=Status.IN_REVIEW).count() == 60
    assert AuditEvent.objects.filter(action="screened").count() == 60


@pytest.mark.django_db
def test_a_row_that_would_outgrow_its_limits_in_nfc_does_not_block_the_queue():
    # Written past intake's validation (say, by an import): NFC would triple it.
    stuck = factories.received_statement()
    Statement.objects.filter(pk=stuck.pk).update(display_name="\ufb2c" * 100)
    others = [factories.received_statement() for _ in range(3)]

    assert services.screen_received() == 4

    stuck.refresh_from_db()
    assert stuck.status == Status.IN_REVIEW
    assert stuck.display_name == "\ufb2c" * 100  # kept as written rather than broken
    assert all(Statement.objects.get(pk=s.pk).status == Status.IN_REVIEW for s in others)


@pytest.mark.django_db
def test_one_batch_of_mixed_statements_gets_each_its_own_flags():
    plain = factories.received_statement(display_name="平常", text="退出")
    phone = factories.received_statement(display_name="电话", text="13812345678")
    copy_1 = factories.received_statement(display_name="复制", text="同一份")
    copy_2 = factories.received_statement(display_name="复制", text="同一份")
    decomposed = factories.received_statement(display_name="x")
    Statement.objects.filter(pk=decomposed.pk).update(text="Jose\u0301")  # as if imported

    assert services.screen_received() == 5

    flags = dict(Statement.objects.values_list("pk", "screening_flags"))
    assert flags == {
        plain.pk: [],
        phone.pk: ["contact_number"],
        copy_1.pk: [],
        copy_2.pk: ["duplicate"],
        decomposed.pk: [],
    }
    assert Statement.objects.get(pk=decomposed.pk).text == "Jos\u00e9"
    assert set(Statement.objects.values_list("status", flat=True)) == {"in_review"}


@pytest.mark.django_db
def test_statements_waiting_before_the_address_flag_get_it_on_upgrade():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("statements.migrations.0009_flag_street_addresses_waiting")
    waiting = factories.in_review_statement(text="我家住广东省深圳市南山区科技园路1号")
    plain = factories.in_review_statement(text="我在深圳生活。")
    # As screened before the flag existed.
    Statement.objects.filter(pk=waiting.pk).update(screening_flags=[])

    migration.flag_waiting(apps, None)

    assert Statement.objects.get(pk=waiting.pk).screening_flags == ["street_address"]
    assert Statement.objects.get(pk=plain.pk).screening_flags == []
