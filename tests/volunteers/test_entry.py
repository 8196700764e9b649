"""Entry for others: the form, batch mode, the per-volunteer limit, double submission,
the slip shown once, who may enter, and that nobody reviews what they entered."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from statements import receipts, review
from statements.models import AuditEvent, Channel, Statement, Status
from tests import factories
from volunteers import entry

ENTER = "/volunteer/enter/"
SLIP = "/volunteer/enter/slip/"


def entry_data(**overrides) -> dict:
    data = {
        "name": "李四",
        "organizations": ["party"],
        "region": "CN-GD",
        "text": "我自愿退出。",
        "channel": "volunteer",
        "language": "zh-hant",
        "confirmed": "on",
        "token": "t" * 24,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def volunteer_client(client, volunteer):
    factories.sign_in(client, volunteer)
    return client


def slip_code(client) -> str:
    response = client.get(SLIP)
    assert response.status_code == 200
    page = response.content.decode()
    code = re.search(r'class="code"[^>]*>(.*?)</p>', page).group(1)
    return "-".join(re.findall(r"<span>([0-9A-Z]{4})</span>", code))


def test_the_urls_are_named():
    assert reverse("volunteers:enter") == ENTER
    assert reverse("volunteers:entry_slip") == SLIP


@pytest.mark.django_db
def test_an_entry_is_stored_with_the_volunteer_and_audited(volunteer_client, volunteer):
    response = volunteer_client.post(ENTER, entry_data())

    assert response.status_code == 302
    assert response["Location"] == SLIP
    statement = Statement.objects.get()
    assert (statement.display_name, statement.region, statement.language) == (
        "李四",
        "CN-GD",
        "zh-hant",
    )
    assert statement.channel == Channel.VOLUNTEER
    assert statement.entered_by == volunteer
    assert statement.status == Status.RECEIVED  # the same screening and review as any
    event = AuditEvent.objects.get(statement=statement)
    assert event.action == AuditEvent.Action.ENTERED
    assert event.actor == volunteer
    assert event.detail == {"channel": "volunteer"}
    code = slip_code(volunteer_client)
    assert receipts.digest(code) == statement.receipt_hash


def test_in_person_is_the_label_of_the_volunteer_channel():
    with translation.override("en"):
        assert str(Channel.VOLUNTEER.label) == "In person"
    assert Channel.VOLUNTEER.value == "volunteer"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, field",
    [
        ({"confirmed": None}, "confirmed"),
        ({"channel": "web"}, "channel"),
        ({"language": "fr"}, "language"),
        ({"organizations": None}, "organizations"),
        ({"name": "   "}, "name"),
        ({"region": "mars"}, "region"),
        ({"text": "x" * 5001}, "text"),
    ],
)
def test_bad_entries_are_refused_whole(volunteer_client, change, field):
    response = volunteer_client.post(ENTER, entry_data(**change))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Statement.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_the_form_has_the_fields_in_typing_order_with_the_name_focused(volunteer_client):
    response = volunteer_client.get(ENTER)

    assert response.status_code == 200
    page = response.content.decode().split('class="entry"', 1)[1]
    assert re.search(r'<input[^>]+name="name"[^>]+autofocus', page)
    order = [page.index(f'name="{f}"') for f in ("name", "organizations", "text", "confirmed")]
    assert order == sorted(order)
    assert page.index('name="confirmed"') < page.index('type="submit"')
    assert "<script" not in response.content.decode()
    # Only the ways a volunteer receives a statement; the web is the person's own.
    channels = re.findall(r'<option value="([a-z]+)"', page.split('name="channel"')[1])[:4]
    assert channels == ["volunteer", "phone", "paper", "other"]
    # A fresh random token in each blank form (a double submission stores one).
    tokens = {
        re.search(r'name="token" value="([^"]+)"', volunteer_client.get(ENTER).content.decode())[1]
        for _ in range(2)
    }
    assert len(tokens) == 2


@pytest.mark.django_db
def test_batch_mode_keeps_channel_region_and_language(volunteer_client):
    volunteer_client.post(
        ENTER, entry_data(channel="paper", region="CN-SC", language="en", batch="on")
    )
    slip = volunteer_client.get(SLIP, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Next entry (same batch)" in slip

    form = volunteer_client.get(ENTER).context["form"]
    assert {k: form.initial.get(k) for k in ("channel", "region", "language", "batch")} == {
        "channel": "paper",
        "region": "CN-SC",
        "language": "en",
        "batch": True,
    }
    # Leaving batch mode forgets them.
    volunteer_client.post(ENTER, entry_data(token="u" * 24))
    form = volunteer_client.get(ENTER).context["form"]
    assert form.initial.get("region") is None
    assert form.initial["channel"] == Channel.VOLUNTEER


@pytest.mark.django_db
def test_a_double_submission_stores_one_statement_and_shows_its_slip(volunteer_client):
    first = volunteer_client.post(ENTER, entry_data())
    code = slip_code(volunteer_client)
    again = volunteer_client.post(ENTER, entry_data())

    assert first.status_code == again.status_code == 302
    assert Statement.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ENTERED).count() == 1
    assert slip_code(volunteer_client) == code
    # A fresh form (a new token) is a new statement, even with the same content.
    volunteer_client.post(ENTER, entry_data(token="n" * 24))
    assert Statement.objects.count() == 2


@pytest.mark.django_db
def test_the_slip_is_shown_once(volunteer_client):
    volunteer_client.post(ENTER, entry_data())
    shown = volunteer_client.get(SLIP)
    again = volunteer_client.get(SLIP)

    page = shown.content.decode()
    assert shown.status_code == 200
    assert "<script" not in page
    assert "<svg" in page  # the QR code, inline
    assert "这张纸条无法再次打印" in page  # zh-hans, the site's default language
    assert again.status_code == 404
    assert not re.search(r"<span>[0-9A-Z]{4}</span>", again.content.decode())
    # The code was never in the session (a database row), only in the cookie, now gone.
    from django.contrib.sessions.models import Session

    assert not any("entry_slip" in session.get_decoded() for session in Session.objects.all())
    assert volunteer_client.cookies["entry_slip"].value == ""


@pytest.mark.django_db
def test_the_slip_is_discreet_and_its_qr_holds_the_code_alone(volunteer_client, settings):
    settings.PUBLIC_SITE_URL = "https://example.org/"
    volunteer_client.post(ENTER, entry_data())
    with translation.override("en"):
        page = volunteer_client.get(SLIP, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    slip = re.search(r'<section class="slip".*?</section>', page, re.S).group(0)
    assert "<h1" not in slip and "<h2" not in slip
    for word in ("withdraw", "party", "statement", "退", "党"):
        assert word not in slip.lower()
    assert '<p class="site">example.org</p>' in slip
    code = "-".join(re.findall(r"<span>([0-9A-Z]{4})</span>", slip))
    assert len(code) == 24
    assert "http" not in slip.split("<svg", 1)[1]
    assert entry.code_qr_svg(code) in slip


def test_the_qr_code_decodes_to_the_code_alone():
    code = receipts.new_code()
    qr = entry.segno.make_qr(code, error="m")
    assert qr.mode == "alphanumeric"
    assert qr.designator.startswith(("1", "2"))  # small: a 58 mm slip prints it clearly


@pytest.mark.django_db
def test_entries_count_against_the_volunteers_limit_not_the_public_one(client, volunteer, settings):
    settings.ENTRY_RATE = "2/d"
    settings.INTAKE_RATE = "1/d"
    other = factories.account("volunteer-b", role="volunteer")
    factories.sign_in(client, volunteer)
    for n in range(2):
        assert client.post(ENTER, entry_data(token=f"{n}" * 24)).status_code == 302
    over = client.post(ENTER, entry_data(token="x" * 24))
    assert over.status_code == 429
    assert Statement.objects.count() == 2
    # Another volunteer at the same address has their own count.
    client.logout()
    factories.sign_in(client, other)
    assert client.post(ENTER, entry_data(token="y" * 24)).status_code == 302
    assert Statement.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, status", [("volunteer", 200), ("reviewer", 200), ("coordinator", 200), (None, 403)]
)
def test_who_may_enter(client, role, status):
    user = factories.account(f"who-{role}", role=role)
    factories.sign_in(client, user)

    assert client.get(ENTER).status_code == status
    assert client.post(ENTER, entry_data()).status_code == (302 if status == 200 else 403)
    assert client.get(SLIP).status_code == (200 if status == 200 else 403)
    assert Statement.objects.count() == (1 if status == 200 else 0)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.post(ENTER, entry_data())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("volunteers:login"))
    assert not Statement.objects.exists()


# --- Nobody reviews what they entered -------------------------------------------------------
def entered(by, **overrides):
    statement = factories.submission(entered_by=by, channel="volunteer", **overrides).statement
    factories.services.screen_received()
    statement.refresh_from_db()
    return statement


@pytest.mark.django_db
def test_claim_passes_over_statements_the_reviewer_entered(reviewer, other_reviewer):
    own = entered(reviewer)
    others = entered(other_reviewer)
    plain = factories.in_review_statement()

    lease = review.claim(reviewer=reviewer, size=10)

    assert set(review.batch(lease).values_list("pk", flat=True)) == {others.pk, plain.pk}
    other_lease = review.claim(reviewer=other_reviewer, size=10)
    assert list(review.batch(other_lease).values_list("pk", flat=True)) == [own.pk]


def _held_by(reviewer, statement):
    """`statement` in `reviewer`'s live lease, as if claimed before it was marked."""
    lease = review.claim(reviewer=reviewer, size=10)
    Statement.objects.filter(pk=statement.pk).update(lease=lease, lease_expires_at=lease.expires_at)
    return lease


@pytest.mark.django_db
def test_decide_redact_and_decline_refuse_the_reviewers_own_entry(reviewer):
    own = entered(reviewer, text="电话13812345678")
    lease = _held_by(reviewer, own)

    outcome = review.decide(
        reviewer=reviewer,
        lease_id=lease.pk,
        decisions=[review.Decision(own.pk, "approve", override="ok")],
    )
    assert outcome.result(own.pk) == ("refused", review.ENTERED_BY_YOU)
    with pytest.raises(review.EnteredByReviewer):
        review.redact(
            reviewer=reviewer, lease_id=lease.pk, statement_id=own.pk, field="text", spans=[(2, 5)]
        )
    reason = factories.rejection_reason()
    assert (
        review.reject_cluster(
            reviewer=reviewer, lease_id=lease.pk, statement_id=own.pk, reason=reason
        )
        == []
    )
    own.refresh_from_db()
    assert own.status == Status.IN_REVIEW and "138" in own.text
    assert not AuditEvent.objects.filter(actor=reviewer).exclude(action="entered").exists()


@pytest.mark.django_db
def test_declining_a_cluster_passes_over_copies_the_reviewer_entered(reviewer, other_reviewer):
    held = factories.in_review_statement(display_name="王五", text="退出")
    own_copy = entered(reviewer, display_name="王五", text="退出")
    lease = review.claim(reviewer=reviewer, size=10)
    assert list(review.batch(lease).values_list("pk", flat=True)) == [held.pk]

    declined = review.reject_cluster(
        reviewer=reviewer,
        lease_id=lease.pk,
        statement_id=held.pk,
        reason=factories.rejection_reason(),
    )

    assert declined == [held.pk]
    own_copy.refresh_from_db()
    assert own_copy.status == Status.IN_REVIEW


@pytest.mark.django_db
def test_the_review_api_refuses_the_reviewers_own_entry(api, reviewer):
    own = entered(reviewer)
    token = factories.api_token(reviewer)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    claimed = api.post(reverse("api:review_claim"), {}, format="json", **headers).json()
    assert claimed["statements"] == []

    lease = _held_by(reviewer, own)
    response = api.post(
        reverse("api:review_decisions"),
        {"lease": str(lease.pk), "decisions": [{"id": own.pk, "decision": "approve"}]},
        format="json",
        **headers,
    )

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": own.pk, "outcome": "refused", "detail": "entered_by_you"}
    ]
    own.refresh_from_db()
    assert own.status == Status.IN_REVIEW


@pytest.mark.django_db
def test_the_review_page_says_why_an_own_entry_was_refused(reviewer_client, reviewer):
    own = entered(reviewer)
    lease = _held_by(reviewer, own)

    response = reviewer_client.post(
        reverse("volunteers:decide"),
        {"lease": str(lease.pk), "statement": [own.pk], f"{own.pk}-choice": "approve"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "you entered it" in response.content.decode()
    own.refresh_from_db()
    assert own.status == Status.IN_REVIEW


# --- Who entered it stays private -------------------------------------------------------------
@pytest.mark.django_db
def test_who_entered_and_the_channel_appear_on_no_public_page_or_api(client, api, reviewer):
    entrant = factories.account("entrant-q7x", role="volunteer")
    factories.sign_in(client, entrant)
    client.post(ENTER, entry_data(channel="paper", text=""))
    code = slip_code(client)
    client.logout()
    statement = Statement.objects.get()
    services_screen = factories.services.screen_received
    services_screen()
    factories.approve(statement, reviewer=reviewer)
    statement.refresh_from_db()
    assert statement.status == Status.PUBLISHED

    forbidden = {"entrant-q7x", "paper", "entered_by", "channel"}
    for language in ("zh-hans", "zh-hant", "en"):
        with translation.override(language):
            forbidden.add(str(Channel.PAPER.label))
            forbidden.add(str(AuditEvent.Action.ENTERED.label))
    pages = {}
    for language in ("zh-hans", "zh-hant", "en"):
        for name, args in (
            ("statements:list", ()),
            ("statements:detail", (statement.registration_number,)),
        ):
            with translation.override(language):
                url = reverse(name, args=args)
            response = client.get(url)
            assert response.status_code == 200, url
            assert "李四" in response.content.decode()
            pages[url] = response.content.decode()
        with translation.override(language):
            url = reverse("statements:receipt")
        response = client.post(url, {"receipt": code})
        assert response.status_code == 200, url
        pages[f"{url} (lookup)"] = response.content.decode()
    for url in (
        reverse("api:statements"),
        reverse("api:statement_detail", args=[statement.registration_number]),
    ):
        response = api.get(url)
        assert response.status_code == 200
        assert "李四" in response.content.decode()
        pages[url] = response.content.decode()
    response = api.post(reverse("api:receipt_lookup"), {"receipt": code}, format="json")
    assert response.status_code == 200
    pages["api receipt lookup"] = response.content.decode()

    for url, body in pages.items():
        for word in forbidden:
            assert word.lower() not in body.lower(), (url, word)


@pytest.mark.django_db
def test_only_coordinators_see_who_entered_and_the_channel(
    client, volunteer, reviewer, coordinator
):
    statement = entered(volunteer)
    url = reverse("volunteers:statement", args=[statement.pk])

    factories.sign_in(client, reviewer)
    as_reviewer = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    batch = client.post(reverse("volunteers:claim"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    client.logout()
    factories.sign_in(client, coordinator)
    as_coordinator = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Entered by volunteer" in as_coordinator
    assert "In person" in as_coordinator
    assert "Entered by a volunteer" in as_coordinator  # the audit row
    for page in (as_reviewer, batch.content.decode()):
        assert "Entered by" not in page
        assert "In person" not in page
    assert f"statement-{statement.pk}" in batch.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
def test_the_slip_speaks_the_persons_language_not_the_volunteers(volunteer_client, language):
    from django.utils import translation

    with translation.override(language):
        expected = translation.gettext("Keep this code.")
    volunteer_client.post(ENTER, entry_data(language=language), HTTP_ACCEPT_LANGUAGE="en")

    page = volunteer_client.get(SLIP, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    slip = page[page.index('<section class="slip"') :]
    assert f'lang="{language}"' in slip[:200]
    assert expected in slip
    assert "Print this slip now" in page  # the volunteer's own instructions stay in theirs


@pytest.mark.django_db
def test_a_head_request_does_not_use_the_slip_up(volunteer_client):
    volunteer_client.post(ENTER, entry_data())

    assert volunteer_client.head(SLIP).status_code == 405
    assert volunteer_client.get(SLIP).status_code == 200
