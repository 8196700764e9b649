import json
import unicodedata
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from statements import screening
from statements.models import Statement
from statements.services import NewStatement, submit_statements
from tests import factories
from tests.concurrency import run_at_once
from tests.processes import project_env, run_python
from volunteers import hotline
from volunteers.models import AccountEvent, Callback, IntakeItem, Integration

NUMBER = "+8613987654321"


def create_integration(name="hotline") -> str:
    out = StringIO()
    call_command("create_integration", name, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def post(api, token, body, path=None):
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    return api.post(path or reverse("api:intake_batch"), body, format="json", **headers)


def withdraw(external_id, **fields):
    return {
        "external_id": external_id,
        "kind": "withdraw",
        "name": "张三",
        "organizations": ["party"],
        **fields,
    }


def callback(external_id, phone_number=NUMBER, **fields):
    return {"external_id": external_id, "kind": "callback", "phone_number": phone_number, **fields}


MIXED = [
    withdraw("w1", name="李四", organizations=["party", "youth_league"]),
    callback("c1", language="en"),
    withdraw("w2", organizations=[]),
    callback("c2", phone_number="13812345678"),
    withdraw("w3", is_alias=False, region="CN-GD", language="zh-hant"),
]


@pytest.mark.django_db
def test_a_batch_stores_its_valid_items_and_answers_each_in_order(api):
    token = create_integration()

    response = post(api, token, {"items": MIXED})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["external_id"], r["status"]) for r in results] == [
        ("w1", "created"),
        ("c1", "created"),
        ("w2", "invalid"),
        ("c2", "invalid"),
        ("w3", "created"),
    ]
    assert set(results[2]["errors"]) == {"organizations"}
    assert set(results[3]["errors"]) == {"phone_number"}
    first, third = Statement.objects.order_by("id")
    assert (first.display_name, first.channel, first.is_alias, first.region) == (
        "李四",
        "phone",
        True,
        "undisclosed",
    )
    assert first.organizations == ["party", "youth_league"]
    assert first.status == "received"  # screened and reviewed like every other
    assert (third.is_alias, third.region, third.language) == (False, "CN-GD", "zh-hant")
    stored = Callback.objects.get()
    assert (stored.status, stored.language, stored.attempts) == ("waiting", "en", 0)
    assert set(IntakeItem.objects.values_list("external_id", "kind")) == {
        ("w1", "withdraw"),
        ("c1", "callback"),
        ("w3", "withdraw"),
    }


@pytest.mark.django_db
def test_a_replayed_batch_creates_nothing_and_answers_duplicate_or_invalid_again(api):
    token = create_integration()
    post(api, token, {"items": MIXED})

    for path in (reverse("api:intake_batch"), reverse("api:intake_batch") + "/"):
        response = post(api, token, {"items": MIXED}, path=path)
        assert response.status_code == 200
        assert [r["status"] for r in response.json()["results"]] == [
            "duplicate",
            "duplicate",
            "invalid",
            "invalid",
            "duplicate",
        ]
    assert (Statement.objects.count(), Callback.objects.count(), IntakeItem.objects.count()) == (
        2,
        1,
        3,
    )


@pytest.mark.django_db
def test_the_same_external_id_of_another_integration_is_new_and_a_repeat_within_a_batch_is_not(
    api,
):
    first, second = create_integration("one"), create_integration("two")
    post(api, first, {"items": [withdraw("x")]})

    results = post(api, second, {"items": [withdraw("x"), callback("x")]}).json()["results"]

    assert [r["status"] for r in results] == ["created", "duplicate"]
    assert Statement.objects.count() == 2
    assert Callback.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_batch_replayed_at_the_same_instant_is_stored_once():
    create_integration()
    integration = Integration.objects.get()

    def items(prefix):
        return [
            hotline.WithdrawItem(
                external_id=f"{prefix}{n}",
                statement=NewStatement(
                    display_name=f"名{n}",
                    is_alias=True,
                    organizations=["party"],
                    region="undisclosed",
                    language="zh-hans",
                ),
            )
            for n in range(50)
        ] + [
            hotline.CallbackItem(external_id=f"c{n}", phone_number=NUMBER, language="en")
            for n in range(50)
        ]

    outcomes = run_at_once(
        *(lambda: hotline.take_batch(integration=integration, items=items("w")) for _ in range(3))
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    created = [o for o in outcomes if o]
    assert len(created) == 1 and len(created[0]) == 100  # one stored them all, the rest none
    assert (Statement.objects.count(), Callback.objects.count()) == (50, 50)


@pytest.mark.django_db
def test_missing_volunteer_and_revoked_tokens_are_refused(api, volunteer):
    token = create_integration()
    body = {"items": [withdraw("w1")]}

    assert post(api, None, body).status_code == 401
    assert post(api, factories.api_token(volunteer), body).status_code == 401
    assert post(api, "not-a-token", body).status_code == 401
    assert post(api, token, body).status_code == 200
    call_command("revoke_integration", "hotline", stdout=StringIO())
    assert post(api, token, body).status_code == 401
    assert Statement.objects.count() == 1
    assert list(AccountEvent.objects.values_list("action", flat=True).order_by("id")) == [
        "integration_new",
        "integration_end",
    ]


@pytest.mark.django_db
def test_the_token_is_stored_only_as_a_digest():
    token = create_integration()

    integration = Integration.objects.get()
    assert token not in (integration.digest, integration.prefix)
    assert integration.prefix == token[:8]


@pytest.mark.django_db
def test_more_than_a_thousand_items_are_refused_whole(api):
    token = create_integration()

    response = post(api, token, {"items": [withdraw(f"w{n}") for n in range(1001)]})

    assert response.status_code == 400
    assert "1000" in response.json()["items"][0]
    assert Statement.objects.count() == 0


@pytest.mark.django_db
def test_the_body_limit_is_a_mebibyte_here_and_64_kib_elsewhere(api):
    token = create_integration()
    big_but_allowed = {"items": [withdraw(f"w{n}", text="退出" * 100) for n in range(500)]}
    assert 64 * 1024 < len(json.dumps(big_but_allowed).encode()) < 1024 * 1024

    assert post(api, token, big_but_allowed).status_code == 200
    too_big = json.dumps({"items": [withdraw("x", text="a" * (1024 * 1024))]})
    response = api.post(
        reverse("api:intake_batch"),
        too_big,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 413
    public = api.post(
        reverse("api:statements"), json.dumps(big_but_allowed), content_type="application/json"
    )
    assert public.status_code == 413
    assert Statement.objects.count() == 500


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("+8613812345678", True),
        ("+14155550123", True),
        ("+852912345678", True),
        ("13812345678", False),
        ("+0861381234567", False),
        ("+86 138 1234 5678", False),
        ("+8613812345678901", False),
        ("+", False),
        ("", False),
        ("+86138１２３45678", False),
        (8613812345678, False),
    ],
)
def test_callback_numbers_must_be_e164(api, number, valid):
    token = create_integration()

    result = post(api, token, {"items": [callback("c", phone_number=number)]}).json()["results"][0]

    assert result["status"] == ("created" if valid else "invalid")
    if not valid and len(str(number)) > 4:  # the answer never repeats the number
        assert str(number) not in json.dumps(result, ensure_ascii=False)
    assert Callback.objects.count() == (1 if valid else 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "item",
    [
        "not an object",
        {"kind": "withdraw", "name": "张三", "organizations": ["party"]},
        {"external_id": "x" * 101, "kind": "withdraw", "name": "张三", "organizations": ["party"]},
        {"external_id": "a b", "kind": "callback", "phone_number": NUMBER},
        {"external_id": "k", "kind": "paper"},
        {"external_id": "l", "kind": "callback", "phone_number": NUMBER, "language": "fr"},
        {
            "external_id": "r",
            "kind": "withdraw",
            "name": "张三",
            "organizations": ["party"],
            "region": "Mars",
        },
    ],
)
def test_malformed_items_are_invalid_and_the_rest_of_the_batch_is_stored(api, item):
    token = create_integration()

    results = post(api, token, {"items": [item, withdraw("ok")]}).json()["results"]

    assert results[0]["status"] == "invalid" and results[0]["errors"]
    assert results[1] == {"external_id": "ok", "status": "created"}
    assert Statement.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("body", [[], {"items": "x"}, {}, {"items": {"a": 1}}])
def test_a_body_without_a_list_of_items_is_a_400(api, body):
    token = create_integration()

    assert post(api, token, body).status_code == 400


@pytest.mark.django_db
def test_numbers_are_stored_as_ciphertext(api):
    token = create_integration()

    post(api, token, {"items": [callback("c1")]})

    stored = bytes(Callback.objects.get().number_ciphertext)
    assert NUMBER.encode() not in stored and NUMBER[1:].encode() not in stored
    assert hotline.decrypt_number(stored) == NUMBER


@pytest.mark.django_db
def test_rotation_reencrypts_under_the_new_first_key(api, settings):
    token = create_integration()
    post(api, token, {"items": [callback("c1")]})
    old = settings.CALLBACK_KEYS[0]
    new = "bmV3LWtleS1mb3Itcm90YXRpb24tdGVzdHMtMzJieXQ="
    settings.CALLBACK_KEYS = [new, old]

    call_command("rotate_callback_keys", stdout=StringIO())

    settings.CALLBACK_KEYS = [new]
    assert hotline.decrypt_number(Callback.objects.get().number_ciphertext) == NUMBER


@pytest.mark.django_db
def test_bulk_submission_keeps_the_invariants_of_one_by_one():
    decomposed = unicodedata.normalize("NFD", "Zoë Müller")
    item = NewStatement(
        display_name=decomposed,
        is_alias=True,
        organizations=["party"],
        region="CN-BJ",
        language="en",
        text=unicodedata.normalize("NFD", "é"),
    )

    bulk = submit_statements(statements=[item, item], channel="phone")
    single = factories.received_statement(
        display_name=decomposed,
        is_alias=True,
        region="CN-BJ",
        language="en",
        text=unicodedata.normalize("NFD", "é"),
    )

    for statement in bulk:
        statement.refresh_from_db()
        assert statement.display_name == "Zoë Müller" == unicodedata.normalize("NFC", decomposed)
        assert (
            statement.content_hash
            == single.content_hash
            == screening.content_hash(
                name="Zoë Müller", text="é", organizations=["party"], region="CN-BJ"
            )
        )
        assert len(statement.receipt_hash) == 16
    assert bulk[0].receipt_hash != bulk[1].receipt_hash


@pytest.mark.process
def test_production_without_callback_keys_refuses_to_start():
    env = project_env(DEBUG="0", SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="tuidang.settings")
    env.pop("CALLBACK_KEYS", None)

    result = run_python("-c", "import django; django.setup(); print('started')", env=env)

    assert result.returncode != 0
    assert "CALLBACK_KEYS is not set" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    "item",
    [
        callback("+8613987654321"),  # the caller's number as the id
        callback("call-13987654321", phone_number="+8613987654321"),
        withdraw("+8613812345678"),
        withdraw("13812345678"),
    ],
)
def test_an_external_id_that_is_a_phone_number_is_refused(api, item):
    """Intake items are kept for good, so an id that is a caller's number would outlive
    the 14 days every number is kept."""
    token = create_integration()
    response = post(api, token, {"items": [item]})

    assert response.status_code == 200
    (result,) = response.json()["results"]
    assert result["status"] == "invalid"
    assert "external_id" in result["errors"]
    assert not IntakeItem.objects.exists()
