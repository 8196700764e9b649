import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from statements import receipts, services
from statements.models import Statement, Status
from tests import factories

RECEIPT_FORMAT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")

VALID = {
    "name": "王小明",
    "is_alias": False,
    "organizations": ["youth_league", "young_pioneers"],
    "region": "CN-SC",
    "text": "我声明退出共青团和少先队。",
}


def post_statement(api, payload, **extra):
    # json.dumps escapes what a client may send but cannot be encoded (lone surrogates).
    body = json.dumps(payload)
    return api.post(reverse("api:statements"), body, content_type="application/json", **extra)


@pytest.mark.django_db
def test_submission_is_stored_received_and_answered_with_a_receipt(api):
    response = post_statement(api, VALID)

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "received"
    assert RECEIPT_FORMAT.match(body["receipt"])
    statement = Statement.objects.get()
    assert statement.status == Status.RECEIVED
    assert statement.display_name == "王小明"
    assert statement.organizations == ["youth_league", "young_pioneers"]
    assert statement.region == "CN-SC"
    assert statement.channel == "web"
    # Only the hash is kept: the code itself is nowhere in the row.
    assert statement.receipt_hash == receipts.digest(body["receipt"])
    row = Statement.objects.filter(pk=statement.pk).values().get()
    assert all(body["receipt"].replace("-", "") not in str(v) for v in row.values())


@pytest.mark.django_db
def test_receipt_codes_carry_100_random_bits():
    codes = {receipts.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert len(receipts.ALPHABET) ** receipts.LENGTH >= 2**100
    # Every character position takes many values: nothing is fixed or sequential.
    for position in range(24):
        if position % 5 != 4:
            assert len({code[position] for code in codes}) > 25


@pytest.mark.django_db
def test_text_of_exactly_5000_characters_is_accepted(api):
    response = post_statement(api, {**VALID, "text": "退" * 5000})
    assert response.status_code == 201
    assert len(Statement.objects.get().text) == 5000


@pytest.mark.django_db
def test_text_and_alias_are_optional(api):
    response = post_statement(
        api, {"name": "觉醒者", "organizations": ["party"], "region": "overseas"}
    )
    assert response.status_code == 201
    statement = Statement.objects.get()
    assert (statement.text, statement.is_alias) == ("", False)


INVALID = [
    ("no organization", {"organizations": []}, "organizations"),
    ("organizations missing", {"organizations": None}, "organizations"),
    ("unknown organization", {"organizations": ["party", "army"]}, "organizations"),
    ("organizations not a list", {"organizations": "party"}, "organizations"),
    ("unknown region", {"region": "CN-TW-X"}, "region"),
    ("region missing", {"region": None}, "region"),
    ("text of 5,001 characters", {"text": "退" * 5001}, "text"),
    ("empty name", {"name": ""}, "name"),
    ("whitespace-only name", {"name": " \t\u3000 "}, "name"),
    ("name of 101 characters", {"name": "名" * 101}, "name"),
    ("NUL byte in name", {"name": "王\x00明"}, "name"),
    ("NUL byte in text", {"text": "退出\x00"}, "text"),
    ("control character in name", {"name": "王\x1b[31m明"}, "name"),
    ("invisible name", {"name": "\u200b\u200d\u2060"}, "name"),
    ("punctuation-only name", {"name": "……"}, "name"),
    ("bidi override in name", {"name": "王\u202e明"}, "name"),
    ("bidi isolate in text", {"text": "退出\u2067x"}, "text"),
    ("alias flag not a boolean", {"is_alias": "perhaps"}, "is_alias"),
    ("organizations as an object", {"organizations": {"party": False}}, "organizations"),
    ("an organization twice over", {"organizations": ["party"] * 4}, "organizations"),
    # NFC turns each U+FB2C into three characters: 34 of them are 102 once stored.
    ("name past the limit once in NFC", {"name": "\ufb2c" * 34}, "name"),
    ("text past the limit once in NFC", {"text": "\u0f73" * 2501}, "text"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"), [(c, f) for _n, c, f in INVALID], ids=[n for n, _c, _f in INVALID]
)
def test_invalid_submission_is_refused_with_field_errors_and_writes_nothing(api, change, field):
    payload = {**VALID, **change}
    payload = {k: v for k, v in payload.items() if v is not None}

    response = post_statement(api, payload)

    assert response.status_code == 400
    assert field in response.json()
    assert Statement.objects.count() == 0


@pytest.mark.django_db
def test_name_and_text_are_stored_in_nfc(api):
    response = post_statement(api, {**VALID, "name": "\ufb2c" * 33, "text": "Jose\u0301"})
    assert response.status_code == 201
    statement = Statement.objects.get()
    assert statement.display_name == "\u05e9\u05bc\u05c1" * 33
    assert statement.text == "Jos\u00e9"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"text": "退出\ud800"},
        {"region": "\ud800"},
        {"organizations": ["\udfff"]},
        {"name": "王\ud800"},
        {"\ud800": 1},
    ],
    ids=["text", "region", "organization", "name", "key"],
)
def test_lone_surrogates_anywhere_are_a_400(api, change):
    response = post_statement(api, {**VALID, **change})
    assert response.status_code == 400
    assert Statement.objects.count() == 0


@pytest.mark.django_db
def test_deeply_nested_json_is_a_400(api):
    body = '{"name": ' + "[" * 10_000 + "]" * 10_000 + "}"
    response = api.post(reverse("api:statements"), body, content_type="application/json")
    assert response.status_code == 400
    assert Statement.objects.count() == 0


@pytest.mark.django_db
def test_submitting_without_the_trailing_slash_is_not_lost(api):
    response = api.post("/api/v1/statements", VALID, format="json")
    assert response.status_code == 201
    assert Statement.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    ["{not json", "[]", '"a string"', "null", "", json.dumps({**VALID, "name": "a"})[:-1]],
    ids=["malformed", "list", "string", "null", "empty", "truncated"],
)
def test_unparseable_body_is_refused_and_writes_nothing(api, body):
    response = api.post(reverse("api:statements"), body, content_type="application/json")
    assert response.status_code == 400
    assert Statement.objects.count() == 0


@pytest.mark.django_db
def test_oversized_body_is_refused_before_parsing(api):
    body = json.dumps({**VALID, "text": "x" * 100_000})
    response = api.post(reverse("api:statements"), body, content_type="application/json")
    assert response.status_code == 413
    assert Statement.objects.count() == 0


@pytest.mark.django_db
def test_form_encoded_body_is_refused(api):
    response = api.post(reverse("api:statements"), VALID, format="multipart")
    assert response.status_code == 415
    assert Statement.objects.count() == 0


@pytest.mark.django_db
def test_submissions_over_the_rate_limit_get_429_and_write_nothing(api, settings):
    settings.INTAKE_RATE = "3/d"
    statuses = [post_statement(api, VALID).status_code for _ in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    assert Statement.objects.count() == 3


@pytest.mark.django_db
def test_rate_limit_is_per_client(api, settings):
    settings.INTAKE_RATE = "1/d"
    assert post_statement(api, VALID, REMOTE_ADDR="192.0.2.1").status_code == 201
    assert post_statement(api, VALID, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert post_statement(api, VALID, REMOTE_ADDR="192.0.2.2").status_code == 201


@pytest.mark.django_db
def test_published_list_is_newest_first_and_walks_every_row_once_by_cursor(api):
    base = timezone.now() - timedelta(days=3)
    # Many rows share a day: the registration number orders them within it.
    rows = [
        factories.published_statement(published_at=base + timedelta(hours=i // 2))
        for i in range(120)
    ]
    factories.received_statement()
    factories.published_statement(status=Status.REMOVED)
    factories.published_statement(hidden=True)

    seen, url = [], reverse("api:statements")
    while url:
        body = api.get(url).json()
        seen += [item["registration_number"] for item in body["results"]]
        url = body["next"]

    newest_first = sorted(rows, key=lambda s: (s.published_day, s.registration_number))[::-1]
    assert seen == [f"{s.registration_number}" for s in newest_first]

    # And back again, from the oldest page to the newest, by `previous`.
    back, url = [], api.get(reverse("api:statements"), {"before": _cursor(newest_first[-51])})
    url = url.json()["previous"]
    while url:
        body = api.get(url).json()
        back = [item["registration_number"] for item in body["results"]] + back
        url = body["previous"]
    assert back == seen[:-50]


def _cursor(statement) -> str:
    return f"{statement.published_day:%Y%m%d}-{statement.registration_number}"


@pytest.mark.django_db
def test_list_items_show_public_fields_only(api):
    statement = factories.published_statement(organizations=("party", "young_pioneers"))
    item = api.get(reverse("api:statements")).json()["results"][0]
    assert set(item) == {
        "registration_number",
        "name",
        "is_alias",
        "organizations",
        "region",
        "text",
        "published_on",
        "url",
    }
    assert item["organizations"] == ["party", "young_pioneers"]
    assert item["name"] == statement.display_name
    # A string (16 digits exceed a JavaScript number), the day and no time of day.
    assert item["registration_number"] == str(statement.registration_number)
    assert item["published_on"] == statement.published_day.isoformat()
    assert str(statement.pk) not in item["url"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "20261301-4000000000000002",  # no 13th month
        "20261123-400000000000000",  # 15 digits
        "20261123-４000000000000002",  # a full-width digit
        "2026112-4000000000000002",
    ],
)
def test_invalid_cursor_is_a_400(api, cursor):
    for direction in ("before", "after"):
        response = api.get(reverse("api:statements"), {direction: cursor})
        assert response.status_code == 400


@pytest.mark.django_db
def test_list_reads_a_page_in_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    for _ in range(60):
        factories.published_statement()
    with django_assert_max_num_queries(1):
        assert api.get(reverse("api:statements")).status_code == 200


@pytest.mark.django_db
def test_detail_is_found_only_when_published(api, reviewer):
    in_review = factories.in_review_statement()
    rejected = factories.in_review_statement()
    factories.reject(rejected, reviewer=reviewer, note="spam")
    removed = factories.approved_statement(reviewer=reviewer)
    services.remove(statement_id=removed.pk, actor=reviewer, reason="asked to")
    published = factories.approved_statement(reviewer=reviewer)
    received = factories.received_statement()

    hidden = factories.published_statement(hidden=True)

    removed.refresh_from_db()
    assert removed.registration_number is not None  # kept, so it is never drawn again
    for unlisted in (removed, hidden):
        url = reverse("api:statement_detail", args=[unlisted.registration_number])
        assert api.get(url).status_code == 404
    for unpublished in (received, in_review, rejected):
        assert unpublished.registration_number is None
    response = api.get(reverse("api:statement_detail", args=[published.registration_number]))
    assert response.status_code == 200
    assert response.json()["registration_number"] == str(published.registration_number)
    # The internal id is no address: a number failing its check digit is a 404 too.
    assert api.get(f"/api/v1/statements/{published.pk}/").status_code == 404
    wrong = published.registration_number + (1 if published.registration_number % 10 < 9 else -1)
    assert api.get(f"/api/v1/statements/{wrong}/").status_code == 404


@pytest.mark.django_db
def test_receipt_lookup_follows_the_statement_to_publication(api, reviewer):
    receipt = post_statement(api, VALID).json()["receipt"]
    lookup = reverse("api:receipt_lookup")

    assert api.post(lookup, {"receipt": receipt}, format="json").json() == {
        "status": "received",
        "hidden": False,
        "registration_number": None,
        "statement": None,
        "reason": None,
    }
    services.screen_received()
    assert api.post(lookup, {"receipt": receipt}, format="json").json()["status"] == "in_review"

    statement = Statement.objects.get()
    factories.approve(statement, reviewer=reviewer)
    # Typed loosely: lower case, spaces instead of dashes.
    body = api.post(lookup, {"receipt": receipt.lower().replace("-", " ")}, format="json").json()
    assert body["status"] == "published"
    statement.refresh_from_db()
    assert body["registration_number"] == str(statement.registration_number)
    assert body["statement"].endswith(
        reverse("api:statement_detail", args=[statement.registration_number])
    )


@pytest.mark.django_db
def test_unknown_receipt_is_404_and_malformed_receipt_is_400(api):
    lookup = reverse("api:receipt_lookup")
    assert api.post(lookup, {"receipt": receipts.new_code()}, format="json").status_code == 404
    assert api.post(lookup, {"receipt": "short"}, format="json").status_code == 400
    assert api.post(lookup, {}, format="json").status_code == 400


@pytest.mark.django_db
def test_receipt_lookup_is_rate_limited(api, settings):
    settings.RECEIPT_LOOKUP_RATE = "2/d"
    lookup = reverse("api:receipt_lookup")
    codes = [
        api.post(lookup, {"receipt": receipts.new_code()}, format="json").status_code
        for _ in range(3)
    ]
    assert codes == [404, 404, 429]


@pytest.mark.django_db
def test_receipt_lookup_answers_with_or_without_a_trailing_slash(api):
    for path in ("/api/v1/receipts/lookup", "/api/v1/receipts/lookup/"):
        assert api.post(path, {"receipt": receipts.new_code()}, format="json").status_code == 404
        assert api.post(path, {"receipt": "x"}, format="json").status_code == 400


@pytest.mark.django_db
def test_receipt_lookup_is_not_served_over_get(api):
    assert (
        api.get(reverse("api:receipt_lookup"), {"receipt": receipts.new_code()}).status_code == 405
    )


@pytest.mark.django_db
def test_a_retry_with_the_same_idempotency_key_returns_the_first_receipt(api):
    key = "client-retry-key-0123456789"
    first = post_statement(api, VALID, HTTP_IDEMPOTENCY_KEY=key)
    services.screen_received()
    again = post_statement(api, VALID, HTTP_IDEMPOTENCY_KEY=key)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["receipt"] == again.json()["receipt"]
    # The first response again: a replay never tells the statement's later status.
    assert again.json()["status"] == "received"
    assert Statement.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("change", [{"name": "另一个人"}, {"is_alias": True}, {"region": "CN-BJ"}])
def test_an_idempotency_key_sent_with_anything_changed_is_a_new_statement(api, change):
    key = "client-retry-key-0123456789"
    first = post_statement(api, VALID, HTTP_IDEMPOTENCY_KEY=key)
    second = post_statement(api, {**VALID, **change}, HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["receipt"] != second.json()["receipt"]
    assert Statement.objects.count() == 2


@pytest.mark.django_db
def test_a_replay_after_a_day_gets_no_receipt(api):
    key = "client-retry-key-0123456789"
    post_statement(api, VALID, HTTP_IDEMPOTENCY_KEY=key)
    Statement.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = post_statement(api, VALID, HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 409
    assert "receipt" not in response.json()
    assert Statement.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key", ["short", "x" * 129, "has spaces in it, sixteen+", "汉字汉字汉字汉字汉字汉字汉字汉字"]
)
def test_a_malformed_idempotency_key_is_a_400(api, key):
    response = post_statement(api, VALID, HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert Statement.objects.count() == 0


@pytest.mark.django_db
def test_without_a_key_two_identical_submissions_are_two_statements(api):
    receipts_seen = {post_statement(api, VALID).json()["receipt"] for _ in range(2)}
    assert len(receipts_seen) == 2
    assert Statement.objects.count() == 2


def test_keys_give_stable_well_formed_receipts():
    code = receipts.code_for_key("form:abc")
    assert code == receipts.code_for_key("form:abc")
    assert code != receipts.code_for_key("form:abd")
    assert RECEIPT_FORMAT.match(code)
