"""The receipt API: look up, hide, show again and retract a statement by its receipt code,
and replace one with a new version."""

import pytest
from django.urls import reverse

from statements import receipts, services
from statements.models import AuditEvent, RejectionReason, Statement, Status
from tests import factories

VALID = {"name": "张三", "organizations": ["party"], "region": "CN-GD", "text": "退出"}


def post(api, name: str, receipt: str, **extra):
    return api.post(reverse(name), {"receipt": receipt}, format="json", **extra)


@pytest.fixture
def published(reviewer):
    sent = factories.submission()
    services.screen_received()
    factories.approve(sent.statement, reviewer=reviewer)
    sent.statement.refresh_from_db()
    return sent.statement, sent.receipt


@pytest.mark.django_db
def test_hide_and_unhide_answer_with_the_lookup_body(api, published):
    statement, receipt = published
    number = str(statement.registration_number)

    hidden = post(api, "api:receipt_hide", receipt)

    assert hidden.status_code == 200
    assert hidden.json() == {
        "status": "published",
        "hidden": True,
        "registration_number": number,
        "statement": None,
        "reason": None,
    }
    assert post(api, "api:receipt_lookup", receipt).json() == hidden.json()
    detail = reverse("api:statement_detail", args=[statement.registration_number])
    assert api.get(detail).status_code == 404
    assert number not in api.get(reverse("api:statements")).content.decode()
    # Done already: the same answer, nothing more written.
    assert post(api, "api:receipt_hide", receipt).json() == hidden.json()
    assert AuditEvent.objects.filter(action="hidden").count() == 1

    shown = post(api, "api:receipt_unhide", receipt).json()
    assert shown["hidden"] is False
    assert shown["statement"].endswith(detail)
    assert api.get(detail).status_code == 200
    assert number in api.get(reverse("api:statements")).content.decode()


@pytest.mark.django_db
def test_retract_takes_it_out_of_the_list_and_the_detail(api, published):
    statement, receipt = published
    detail = reverse("api:statement_detail", args=[statement.registration_number])

    response = post(api, "api:receipt_retract", receipt)

    assert response.status_code == 200
    assert response.json() == {
        "status": "retracted",
        "hidden": False,
        "registration_number": None,
        "statement": None,
        "reason": None,
    }
    assert api.get(detail).status_code == 404
    assert api.get(reverse("api:statements")).json()["results"] == []
    assert post(api, "api:receipt_retract", receipt).status_code == 200  # done already
    assert post(api, "api:receipt_hide", receipt).status_code == 409


@pytest.mark.django_db
def test_an_action_the_status_does_not_allow_is_409_with_the_status(api):
    receipt = factories.submission().receipt
    for name in ("api:receipt_hide", "api:receipt_unhide"):
        response = post(api, name, receipt)
        assert response.status_code == 409
        assert response.json()["status"] == "received"
    assert Statement.objects.get().status == Status.RECEIVED


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["api:receipt_hide", "api:receipt_unhide", "api:receipt_retract"])
def test_unknown_receipts_are_404_and_malformed_ones_400(api, name):
    assert post(api, name, receipts.new_code()).status_code == 404
    assert post(api, name, "short").status_code == 400
    assert api.post(reverse(name), {}, format="json").status_code == 400
    assert api.get(reverse(name)).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["hide", "unhide", "retract"])
def test_actions_answer_with_or_without_a_trailing_slash(api, action):
    for path in (f"/api/v1/receipts/{action}", f"/api/v1/receipts/{action}/"):
        assert api.post(path, {"receipt": receipts.new_code()}, format="json").status_code == 404


@pytest.mark.django_db
def test_every_receipt_endpoint_counts_against_one_limit(api, settings):
    settings.RECEIPT_LOOKUP_RATE = "3/d"
    code = receipts.new_code()
    statuses = [
        post(api, name, code).status_code
        for name in ("api:receipt_lookup", "api:receipt_hide", "api:receipt_retract")
    ]
    assert statuses == [404, 404, 404]
    assert post(api, "api:receipt_unhide", code).status_code == 429
    assert post(api, "api:receipt_lookup", code).status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "label"),
    [("en", "Duplicate submission"), ("zh-hans", "重复提交"), ("zh-hant", "重複提交")],
)
def test_the_lookup_gives_the_reason_in_the_asked_language_and_never_the_note(
    api, reviewer, lang, label
):
    sent = factories.submission()
    services.screen_received()
    factories.rejection_reason("duplicate")
    RejectionReason.objects.filter(code="duplicate").update(
        label_en="Duplicate submission", label_zh_hans="重复提交", label_zh_hant="重複提交"
    )
    factories.reject(sent.statement, reviewer=reviewer, note="内部备注：疑似灌水")

    body = post(api, "api:receipt_lookup", sent.receipt, HTTP_ACCEPT_LANGUAGE=lang).json()

    assert body["status"] == "rejected"
    assert body["reason"] == {"code": "duplicate", "label": label}
    assert "内部备注" not in str(body)


@pytest.mark.django_db
def test_a_submission_can_replace_an_earlier_one(api):
    first = api.post(reverse("api:statements"), VALID, format="json").json()["receipt"]

    response = api.post(
        reverse("api:statements"), {**VALID, "text": "改过", "replaces": first}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["replaced"] == {"status": "retracted"}
    assert Statement.objects.by_receipt(first).get().status == Status.RETRACTED
    assert Statement.objects.by_receipt(response.json()["receipt"]).get().text == "改过"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("replaces", "message"),
    [
        ("not-a-code", "20 letters and digits"),
        ("", "may not be blank"),
        (None, "may not be null"),
        ("0000-0000-0000-0000-0000", "No statement has this receipt code"),
    ],
)
def test_a_replacement_naming_no_statement_is_refused_and_stores_nothing(api, replaces, message):
    response = api.post(
        reverse("api:statements"),
        {**VALID, "replaces": replaces},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert any(message in m for m in response.json()["replaces"]), response.json()
    assert not Statement.objects.exists()


@pytest.mark.django_db
def test_a_retried_replacement_answers_as_the_first(api):
    first = api.post(reverse("api:statements"), VALID, format="json").json()["receipt"]
    body = {**VALID, "text": "改过", "replaces": first}
    key = {"HTTP_IDEMPOTENCY_KEY": "3f0e8c1a-9d55-4a56-9b1e-7c1d2f4e5a6b"}

    a = api.post(reverse("api:statements"), body, format="json", **key)
    b = api.post(reverse("api:statements"), body, format="json", **key)

    assert (a.status_code, b.status_code) == (201, 200)
    assert a.json() == b.json()
    assert Statement.objects.count() == 2
    assert AuditEvent.objects.filter(action="replaced").count() == 1
