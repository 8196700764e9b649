import logging
import os
import re
import subprocess
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.concurrency import run_at_once
from volunteers import hotline
from volunteers.models import AccountEvent, Callback, Integration
from volunteers.roles import Role
from volunteers.tasks import erase_callback_numbers

SENTINEL = "+8613987654321"


def integration() -> Integration:
    return hotline.create_integration(name=f"hotline{Integration.objects.count()}")[0]


def new_callbacks(n=1, number=SENTINEL, source=None) -> list[Callback]:
    source = source or integration()
    start = Callback.objects.count()
    hotline.take_batch(
        integration=source,
        items=[
            hotline.CallbackItem(external_id=f"c{start + i}", phone_number=number, language="en")
            for i in range(n)
        ],
    )
    return list(Callback.objects.order_by("id")[start:])


def viewed(user) -> list[dict]:
    return list(
        AccountEvent.objects.filter(action="callback_viewed", subject=user)
        .order_by("id")
        .values_list("detail", flat=True)
    )


@pytest.mark.django_db
def test_a_volunteer_claims_one_callback_and_only_they_see_its_number(client, volunteer):
    first, _second = new_callbacks(2)
    factories.sign_in(client, volunteer)

    waiting = client.get(reverse("volunteers:callbacks"))
    assert "2" in waiting.content.decode() and SENTINEL not in waiting.content.decode()
    client.post(reverse("volunteers:claim_callback"))
    page = client.get(reverse("volunteers:callbacks"))
    again = client.get(reverse("volunteers:callbacks"))

    assert SENTINEL in page.content.decode() and SENTINEL in again.content.decode()
    assert "no-store" in page["Cache-Control"]
    first.refresh_from_db()
    assert first.holder == volunteer and first.lease_expires_at > timezone.now()
    assert viewed(volunteer) == [{"callback": first.pk}, {"callback": first.pk}]
    # Claiming again keeps the one held: one callback at a time.
    client.post(reverse("volunteers:claim_callback"))
    assert Callback.objects.filter(holder=volunteer).count() == 1
    assert not AccountEvent.objects.filter(detail__icontains="13987654321").exists()


@pytest.mark.django_db
def test_another_volunteer_gets_the_next_callback_and_never_the_held_number(
    client, volunteer, reviewer
):
    first, second = new_callbacks(2)
    hotline.claim_callback(volunteer=volunteer)
    factories.sign_in(client, reviewer)

    client.post(reverse("volunteers:claim_callback"))

    assert hotline.held_callback(volunteer=reviewer) == second
    with pytest.raises(hotline.CallbackRefused):
        hotline.reveal_number(callback_id=first.pk, volunteer=reviewer)
    assert viewed(reviewer) == []


@pytest.mark.django_db
def test_an_expired_lease_is_passed_over_by_no_one(volunteer, reviewer):
    (only,) = new_callbacks(1)
    past = timezone.now() - timedelta(hours=1)
    hotline.claim_callback(volunteer=volunteer, now=past)

    assert hotline.claim_callback(volunteer=reviewer) == only
    with pytest.raises(hotline.CallbackRefused):
        hotline.record_outcome(callback_id=only.pk, volunteer=volunteer, outcome="declined")


@pytest.mark.django_db(transaction=True)
def test_volunteers_claiming_at_once_never_get_the_same_callback():
    people = [factories.account(f"v{n}", role=Role.VOLUNTEER) for n in range(4)]
    new_callbacks(3)

    claimed = run_at_once(*(lambda p=p: hotline.claim_callback(volunteer=p) for p in people))

    assert not [c for c in claimed if isinstance(c, Exception)], claimed
    ids = [c.pk for c in claimed if c is not None]
    assert len(ids) == 3 == len(set(ids))
    assert claimed.count(None) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "status"),
    [("declined", "declined"), ("wrong_number", "wrong_number"), ("taken", "taken")],
)
def test_a_finishing_outcome_erases_the_number(client, volunteer, outcome, status):
    (held,) = new_callbacks(1)
    factories.sign_in(client, volunteer)
    client.post(reverse("volunteers:claim_callback"))

    response = client.post(
        reverse("volunteers:callback_outcome", args=[held.pk]), {"outcome": outcome}
    )

    held.refresh_from_db()
    assert (held.status, held.number_ciphertext, held.holder) == (status, None, None)
    assert held.erased_at and held.finished_by == volunteer
    erased = AccountEvent.objects.get(action="number_erased")
    assert erased.detail == {"callback": held.pk, "why": "finished"}
    assert AccountEvent.objects.get(action="callback_done").detail["outcome"] == outcome
    if outcome == "taken":
        assert response.url == f"/volunteer/enter/?callback={held.pk}&channel=phone"
    else:
        assert response.url == reverse("volunteers:callbacks")
    # A second click records nothing.
    client.post(reverse("volunteers:callback_outcome", args=[held.pk]), {"outcome": outcome})
    assert AccountEvent.objects.filter(action="callback_done").count() == 1


@pytest.mark.django_db
def test_no_answer_requeues_until_the_attempts_are_used_up(volunteer, settings):
    settings.CALLBACK_MAX_ATTEMPTS = 2
    (held,) = new_callbacks(1)
    now = timezone.now()

    hotline.claim_callback(volunteer=volunteer, now=now)
    hotline.record_outcome(callback_id=held.pk, volunteer=volunteer, outcome="no_answer", now=now)
    held.refresh_from_db()
    assert (held.status, held.attempts, held.holder) == ("waiting", 1, None)
    assert held.number_ciphertext is not None
    assert held.due_at == now + timedelta(minutes=settings.CALLBACK_RETRY_MINUTES)
    assert hotline.claim_callback(volunteer=volunteer, now=now) is None  # not due yet

    later = held.due_at + timedelta(seconds=1)
    assert hotline.claim_callback(volunteer=volunteer, now=later) == held
    hotline.record_outcome(callback_id=held.pk, volunteer=volunteer, outcome="no_answer", now=later)

    held.refresh_from_db()
    assert (held.status, held.attempts, held.number_ciphertext) == ("unreached", 2, None)


@pytest.mark.django_db
def test_a_released_callback_goes_back_to_the_queue(client, volunteer):
    (held,) = new_callbacks(1)
    factories.sign_in(client, volunteer)
    client.post(reverse("volunteers:claim_callback"))

    client.post(reverse("volunteers:release_callback", args=[held.pk]))

    assert hotline.held_callback(volunteer=volunteer) is None
    assert hotline.waiting_callbacks().get() == held


@pytest.mark.django_db
def test_the_entry_form_links_the_statement_taken(volunteer, reviewer):
    (held,) = new_callbacks(1)
    hotline.claim_callback(volunteer=volunteer)
    hotline.record_outcome(callback_id=held.pk, volunteer=volunteer, outcome="taken")
    statement = factories.received_statement()

    assert not hotline.link_statement(callback_id=held.pk, statement=statement, volunteer=reviewer)
    assert hotline.link_statement(callback_id=held.pk, statement=statement, volunteer=volunteer)
    assert not hotline.link_statement(callback_id=held.pk, statement=statement, volunteer=volunteer)
    held.refresh_from_db()
    assert held.statement == statement


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("volunteer", 200), ("reviewer", 200), ("coordinator", 200), ("outsider", 403)],
)
def test_the_queue_is_for_those_who_enter_statements(client, request, who, status):
    new_callbacks(1)
    factories.sign_in(client, request.getfixturevalue(who))

    assert client.get(reverse("volunteers:callbacks")).status_code == status
    assert client.post(reverse("volunteers:claim_callback")).status_code == (
        302 if status == 200 else 403
    )
    assert Callback.objects.filter(holder__isnull=False).count() == (1 if status == 200 else 0)


@pytest.mark.django_db
def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("volunteers:callbacks"))

    assert response.status_code == 302 and reverse("volunteers:login") in response.url


@pytest.mark.django_db
def test_the_sweeper_erases_numbers_after_14_days_even_under_a_lease(volunteer):
    old, young = new_callbacks(2)
    hotline.claim_callback(volunteer=volunteer)
    Callback.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=14, seconds=1)
    )

    assert erase_callback_numbers() == 1
    assert erase_callback_numbers() == 0  # idempotent

    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.status, old.number_ciphertext, old.holder) == ("expired", None, None)
    assert young.status == "waiting" and young.number_ciphertext is not None
    event = AccountEvent.objects.get(action="number_erased")
    assert event.detail == {"callback": old.pk, "why": "retention"}


def _pg_dump() -> str:
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    result = subprocess.run(
        [
            "pg_dump",
            "--no-owner",
            "-h",
            db["HOST"] or "127.0.0.1",
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            db["USER"],
            db["NAME"],
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout


def _forms_of(number: str) -> list[str]:
    digits = number.lstrip("+")
    return [number, digits, digits[2:], digits[-8:], number.encode().hex(), digits.encode().hex()]


@pytest.mark.django_db(transaction=True)
def test_no_number_is_left_in_the_database_or_the_logs(client, api, caplog):
    caplog.set_level(logging.DEBUG)
    volunteer = factories.account("caller", role=Role.VOLUNTEER)
    token = hotline.create_integration(name="hotline")[1]
    items = [
        {"external_id": "a", "kind": "callback", "phone_number": SENTINEL},
        {"external_id": "b", "kind": "callback", "phone_number": SENTINEL, "language": "en"},
        {"external_id": "c", "kind": "callback", "phone_number": "00" + SENTINEL[1:]},  # invalid
    ]
    answer = api.post(
        reverse("api:intake_batch"),
        {"items": items},
        format="json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert [r["status"] for r in answer.json()["results"]] == ["created", "created", "invalid"]
    finished, left = Callback.objects.order_by("id")
    # Before erasure: ciphertext in the column, never the number.
    with connection.cursor() as cursor:
        cursor.execute("SELECT number_ciphertext FROM volunteers_callback ORDER BY id")
        stored = [bytes(row[0]) for row in cursor.fetchall()]
    assert [hotline.decrypt_number(c) for c in stored] == [SENTINEL, SENTINEL]
    before = _pg_dump()
    assert "volunteers_callback" in before
    assert not [form for form in _forms_of(SENTINEL) if form in before]

    factories.sign_in(client, volunteer)
    client.post(reverse("volunteers:claim_callback"))
    assert SENTINEL in client.get(reverse("volunteers:callbacks")).content.decode()
    client.post(reverse("volunteers:callback_outcome", args=[finished.pk]), {"outcome": "declined"})
    Callback.objects.filter(pk=left.pk).update(created_at=timezone.now() - timedelta(days=15))
    erase_callback_numbers()

    assert list(Callback.objects.values_list("number_ciphertext", flat=True)) == [None, None]
    dump = _pg_dump()
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for form in _forms_of(SENTINEL):
        assert form not in dump, form
        assert form not in logged, form
    assert AccountEvent.objects.filter(action="number_erased").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "word"), [("zh-CN", "回电"), ("zh-TW", "回電"), ("en", "Callbacks")]
)
def test_the_queue_speaks_each_language(client, volunteer, accept, word):
    factories.sign_in(client, volunteer)

    page = client.get(reverse("volunteers:callbacks"), HTTP_ACCEPT_LANGUAGE=accept)

    assert word in page.content.decode()


def test_callbacks_and_their_numbers_are_not_in_the_admin():
    from django.contrib import admin

    assert Callback not in admin.site._registry
    assert not [
        m
        for m in admin.site._registry
        if "number_ciphertext" in {f.name for f in m._meta.get_fields()}
    ]


@pytest.mark.django_db
def test_an_expired_lease_shows_no_number(client, volunteer):
    new_callbacks(1)
    hotline.claim_callback(volunteer=volunteer, now=timezone.now() - timedelta(hours=1))
    factories.sign_in(client, volunteer)

    page = client.get(reverse("volunteers:callbacks")).content.decode()

    assert SENTINEL not in page
    assert viewed(volunteer) == []


@pytest.mark.django_db
def test_a_callback_taken_leads_to_the_entry_form_and_links_its_statement(client, volunteer):
    (held,) = new_callbacks(1)
    factories.sign_in(client, volunteer)
    client.post(reverse("volunteers:claim_callback"))
    taken = client.post(
        reverse("volunteers:callback_outcome", args=[held.pk]), {"outcome": "taken"}
    )

    form = client.get(taken.url)
    html = form.content.decode()
    assert f'name="callback" value="{held.pk}"' in html
    assert 'value="phone" selected' in html
    token = re.search(r'name="submission_token" value="([^"]+)"', html)
    entered = client.post(
        reverse("volunteers:enter"),
        {
            "name": "电话来的人",
            "organizations": ["party"],
            "region": "undisclosed",
            "channel": "phone",
            "language": "zh-hans",
            "confirmed": "on",
            "callback": held.pk,
            **({"submission_token": token[1]} if token else {}),
        },
    )

    assert entered.status_code == 302
    held.refresh_from_db()
    assert held.statement is not None
    assert (held.statement.display_name, held.statement.channel) == ("电话来的人", "phone")
    assert held.statement.entered_by == volunteer


@pytest.mark.django_db
def test_one_account_cannot_read_the_whole_queue(client, volunteer, settings):
    """Claim, look, "no answer", claim the next: limited per volunteer, so a stolen
    account reads a few numbers, not the queue."""
    settings.CALLBACK_CLAIM_RATE = "3/d"
    new_callbacks(5)
    factories.sign_in(client, volunteer)
    seen = 0
    for _ in range(5):
        response = client.post(reverse("volunteers:claim_callback"))
        if response.status_code == 429:
            break
        held = Callback.objects.get(holder=volunteer)
        client.post(
            reverse("volunteers:callback_outcome", args=[held.pk]), {"outcome": "no_answer"}
        )
        seen += 1

    assert seen == 3
    assert client.post(reverse("volunteers:claim_callback")).status_code == 429
