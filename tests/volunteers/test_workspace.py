"""The review workspace over HTTP: the batch page and its one form (no JavaScript), the
JSON answers review.js relies on, and the script's place (volunteer pages only)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from statements import review
from statements.models import AuditEvent, ReviewLease, Statement, Status
from tests import factories
from tests.test_privacy import public_urls
from volunteers.models import AccountEvent

REVIEW = reverse("volunteers:review")
# The file name carries its hash after collectstatic.
SCRIPT = re.compile(r'<script src="/static/volunteer/review(\.[0-9a-f]+)?\.js" defer></script>')


def page(client, url=REVIEW, language="en") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def claim(client) -> ReviewLease:
    assert client.post(reverse("volunteers:claim")).status_code == 302
    return ReviewLease.objects.get(ended_at__isnull=True)


def messages_after(response) -> list[str]:
    return re.findall(r'<li class="[a-z ]*">(.*?)</li>', response.content.decode())


@pytest.mark.django_db
def test_without_a_batch_the_page_offers_a_claim_and_no_count(reviewer_client):
    factories.in_review_statement()
    html = page(reviewer_client)
    assert f'action="{reverse("volunteers:claim")}"' in html
    assert "Claim a batch" in html
    assert "waiting" not in html  # no count of the queue
    assert "Claim a batch" in page(reviewer_client, reverse("volunteers:review_queue"))


@pytest.mark.django_db
def test_claiming_from_an_empty_queue_says_nothing_is_waiting(reviewer_client):
    response = reviewer_client.post(
        reverse("volunteers:claim"), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Nothing is waiting for review right now." in messages_after(response)
    assert "Claim a batch" in response.content.decode()


@pytest.mark.django_db
def test_the_batch_page_shows_every_statement_with_flags_and_choices(reviewer_client, reviewer):
    first = factories.in_review_statement(text="电话 13812345678")
    second = factories.in_review_statement()
    lease = claim(reviewer_client)
    assert AccountEvent.objects.get(action="claimed").subject == reviewer

    html = page(reviewer_client)

    shown = [int(pk) for pk in re.findall(r'<article [^>]*data-id="(\d+)"', html)]
    assert shown == [first.pk, second.pk]
    assert html.count("Contains a phone number") == 1
    assert f'name="lease" value="{lease.pk}"' in html
    for value in ("", "approve", "reject", "skip"):
        assert f'name="{second.pk}-choice" value="{value}"' in html
    assert f'name="{first.pk}-override"' in html  # blocked: the override field
    assert f'name="{second.pk}-override"' not in html
    assert "Not a withdrawal statement" in html  # a reason from the list, in English
    zh = page(reviewer_client, language="zh-hant")
    assert "不是退出聲明" in zh


@pytest.mark.django_db
def test_one_form_decides_the_batch_and_the_results_follow_the_redirect(reviewer_client, reviewer):
    publish, decline, skip, undecided, blocked = [
        factories.in_review_statement() for _ in range(4)
    ] + [factories.in_review_statement(text="me@example.com")]
    lease = claim(reviewer_client)
    reason = factories.rejection_reason("not-a-statement")
    ids = [publish.pk, decline.pk, skip.pk, undecided.pk, blocked.pk]

    response = reviewer_client.post(
        reverse("volunteers:decide"),
        {
            "lease": str(lease.pk),
            "statement": ids,
            f"{publish.pk}-choice": "approve",
            f"{decline.pk}-choice": "reject",
            f"{decline.pk}-reason": str(reason.pk),
            f"{decline.pk}-note": "广告",
            f"{skip.pk}-choice": "skip",
            f"{undecided.pk}-choice": "",
            f"{blocked.pk}-choice": "approve",
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.redirect_chain == [(REVIEW, 302)]
    said = messages_after(response)
    assert "1 statement published." in said
    assert "1 statement declined." in said
    assert "1 statement skipped." in said
    assert any(f"#{blocked.pk} was not decided" in m and "personal details" in m for m in said)
    statuses = dict(Statement.objects.values_list("pk", "status"))
    assert statuses[publish.pk] == Status.PUBLISHED
    assert statuses[decline.pk] == Status.REJECTED
    assert statuses[skip.pk] == statuses[undecided.pk] == statuses[blocked.pk] == Status.IN_REVIEW
    assert Statement.objects.get(pk=decline.pk).rejection_reason == "广告"
    still = [
        int(pk) for pk in re.findall(r'<article [^>]*data-id="(\d+)"', response.content.decode())
    ]
    assert still == [undecided.pk, blocked.pk]


@pytest.mark.django_db
def test_a_blocked_statement_is_published_with_a_written_override(reviewer_client, reviewer):
    blocked = factories.in_review_statement(text="住在北京市朝阳区建国路88号3栋")
    lease = claim(reviewer_client)

    reviewer_client.post(
        reverse("volunteers:decide"),
        {
            "lease": str(lease.pk),
            "statement": [blocked.pk],
            f"{blocked.pk}-choice": "approve",
            f"{blocked.pk}-override": "本人坚持公开地址",
        },
    )

    assert Statement.objects.get(pk=blocked.pk).status == Status.PUBLISHED
    event = AuditEvent.objects.get(statement=blocked, action="approved")
    assert event.detail == {"override": ["street_address"]}


@pytest.mark.django_db
def test_declining_needs_a_reason_from_the_list(reviewer_client):
    statement = factories.in_review_statement()
    lease = claim(reviewer_client)
    for reason in ("", "999999", "abc"):
        response = reviewer_client.post(
            reverse("volunteers:decide"),
            {
                "lease": str(lease.pk),
                "statement": [statement.pk],
                f"{statement.pk}-choice": "reject",
                f"{statement.pk}-reason": reason,
            },
            follow=True,
        )
        assert 'class="error"' in response.content.decode()
        assert Statement.objects.get(pk=statement.pk).status == Status.IN_REVIEW


@pytest.mark.django_db
def test_decisions_under_someone_elses_or_an_ended_lease_are_refused(
    client, reviewer, other_reviewer
):
    statement = factories.in_review_statement()
    factories.sign_in(client, reviewer)
    lease = claim(client)
    factories.sign_in(client, other_reviewer)
    body = {
        "lease": str(lease.pk),
        "statement": [statement.pk],
        f"{statement.pk}-choice": "approve",
    }

    response = client.post(reverse("volunteers:decide"), body, follow=True)

    assert 'class="warning"' in response.content.decode()
    assert Statement.objects.get(pk=statement.pk).status == Status.IN_REVIEW


@pytest.mark.django_db
def test_the_batch_page_is_a_fixed_number_of_queries_and_never_counts_the_queue(
    reviewer_client, reviewer, django_assert_max_num_queries
):
    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            page(reviewer_client)
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
        # The one count is the cluster sizes, grouped by content hash for this batch.
        assert all("GROUP BY" in sql and "content_hash" in sql for sql in counts), counts
        return len(queries)

    for _ in range(3):
        factories.in_review_statement(display_name="同名", text="同文")
    factories.in_review_statement(text="13812345678")
    lease = review.claim(reviewer=reviewer, size=4)
    review.approve_many(
        reviewer=reviewer,
        lease_id=lease.pk,
        statement_ids=review.batch(lease).values_list("pk", flat=True)[:1],
    )
    small = measure()
    for _ in range(60):
        factories.received_statement()
    factories.in_review_statement()
    review.claim(reviewer=reviewer, size=60)
    assert review.batch(lease).count() == 60
    large = measure()

    assert small == large
    with django_assert_max_num_queries(12):
        page(reviewer_client)


@pytest.mark.django_db
def test_duplicates_show_their_cluster_and_can_be_declined_together(reviewer_client, reviewer):
    earliest = factories.approved_statement(reviewer=reviewer, display_name="刷", text="同样")
    copies = [factories.in_review_statement(display_name="刷", text="同样") for _ in range(3)]
    lease = claim(reviewer_client)
    html = page(reviewer_client)
    assert "3 copies waiting for review" in html
    assert f'href="/volunteer/statements/{earliest.pk}/">earliest copy: #{earliest.pk}' in html
    reason = factories.rejection_reason("flood")

    response = reviewer_client.post(
        reverse("volunteers:decline_cluster"),
        {
            "lease": str(lease.pk),
            "cluster": str(copies[0].pk),
            "statement": [c.pk for c in copies],
            f"{copies[0].pk}-reason": str(reason.pk),
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "3 copies declined." in messages_after(response)
    assert set(
        Statement.objects.filter(pk__in=[c.pk for c in copies]).values_list("status", flat=True)
    ) == {Status.REJECTED}
    assert Statement.objects.get(pk=earliest.pk).status == Status.PUBLISHED


@pytest.mark.django_db
def test_publish_all_unflagged_says_how_many_it_left(reviewer_client):
    plain = [factories.in_review_statement() for _ in range(3)]
    flagged = factories.in_review_statement(text="13812345678")
    lease = claim(reviewer_client)

    response = reviewer_client.post(
        reverse("volunteers:approve_unflagged"),
        {"lease": str(lease.pk)},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    said = messages_after(response)
    assert "3 statements published." in said
    assert "1 flagged statement was left for you to decide." in said
    assert Statement.objects.filter(pk__in=[s.pk for s in plain], status="published").count() == 3
    assert Statement.objects.get(pk=flagged.pk).status == Status.IN_REVIEW


@pytest.mark.django_db
def test_publishing_unflagged_under_an_ended_lease_publishes_nothing(reviewer_client, reviewer):
    statement = factories.in_review_statement()
    lease = claim(reviewer_client)
    review.release(reviewer=reviewer, lease_id=lease.pk)

    response = reviewer_client.post(
        reverse("volunteers:approve_unflagged"), {"lease": str(lease.pk)}, follow=True
    )

    assert 'class="warning"' in response.content.decode()
    assert Statement.objects.get(pk=statement.pk).status == Status.IN_REVIEW


@pytest.mark.django_db
def test_release_gives_the_batch_back(reviewer_client, reviewer):
    statement = factories.in_review_statement()
    lease = claim(reviewer_client)

    response = reviewer_client.post(reverse("volunteers:release"), {"lease": str(lease.pk)})

    assert response.status_code == 302
    assert Statement.objects.get(pk=statement.pk).lease_id is None
    assert AccountEvent.objects.filter(action="released", subject=reviewer).exists()
    again = reviewer_client.post(
        reverse("volunteers:release"), {"lease": str(lease.pk)}, follow=True
    )
    assert 'class="warning"' in again.content.decode()


@pytest.mark.django_db
def test_recent_decisions_can_be_undone_from_the_page(reviewer_client, reviewer):
    statement = factories.in_review_statement()
    factories.approve(statement, reviewer=reviewer)
    html = page(reviewer_client)
    assert (
        f'name="statement" value="{statement.pk}"><button type="submit" class="secondary">Undo'
        in html
    )

    response = reviewer_client.post(
        reverse("volunteers:undo"), {"statement": statement.pk}, follow=True
    )

    assert Statement.objects.get(pk=statement.pk).status == Status.IN_REVIEW
    assert 'class="success"' in response.content.decode()
    assert "Undo" not in page(reviewer_client)


@pytest.mark.django_db
def test_masking_typed_characters_without_javascript(reviewer_client):
    statement = factories.in_review_statement(
        text="电话１３８１２３４５６７８，再说一次13812345678"
    )
    lease = claim(reviewer_client)
    assert f'form="redact-{statement.pk}" name="characters"' in page(reviewer_client)

    response = reviewer_client.post(
        reverse("volunteers:redact", args=[statement.pk]),
        {"lease": str(lease.pk), "characters": "13812345678"},
    )

    assert response["Location"] == REVIEW
    statement.refresh_from_db()
    assert statement.text == "电话＊＊＊＊＊＊＊＊＊＊＊，再说一次＊＊＊＊＊＊＊＊＊＊＊"
    assert statement.screening_flags == []
    event = AuditEvent.objects.get(statement=statement, action="redacted")
    assert event.detail == {"field": "text", "spans": [[2, 13], [18, 29]]}


@pytest.mark.django_db
def test_masking_answers_json_for_the_script(reviewer_client, other_reviewer):
    statement = factories.in_review_statement(display_name="张三", text="邮箱 me@example.com")
    lease = claim(reviewer_client)
    url = reverse("volunteers:redact", args=[statement.pk])

    answer = reviewer_client.post(
        url,
        {"lease": str(lease.pk), "characters": "me@example.com"},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 200
    assert answer.json()["text"] == "邮箱 " + "＊" * 14
    assert answer.json()["blocked"] is False

    missing = reviewer_client.post(
        url, {"lease": str(lease.pk), "characters": "不存在"}, HTTP_ACCEPT="application/json"
    )
    assert missing.status_code == 400
    empty = reviewer_client.post(
        url, {"lease": str(lease.pk), "characters": ""}, HTTP_ACCEPT="application/json"
    )
    assert empty.status_code == 400
    client = Client()
    factories.sign_in(client, other_reviewer)
    theirs = client.post(
        url, {"lease": str(lease.pk), "characters": "张"}, HTTP_ACCEPT="application/json"
    )
    assert theirs.status_code == 409
    assert Statement.objects.get(pk=statement.pk).display_name == "张三"


@pytest.mark.django_db
def test_the_script_decides_one_statement_with_the_csrf_header(reviewer):
    statement = factories.in_review_statement()
    client = Client(enforce_csrf_checks=True)
    factories.sign_in(client, reviewer)
    html = client.get(REVIEW).content.decode()  # sets the CSRF cookie
    client.post(reverse("volunteers:claim"), {"csrfmiddlewaretoken": token(html)})
    html = client.get(REVIEW).content.decode()
    lease = re.search(r'name="lease" value="([^"]+)"', html)[1]
    body = {"lease": lease, "statement": statement.pk, f"{statement.pk}-choice": "approve"}

    refused = client.post(reverse("volunteers:decide"), body, HTTP_ACCEPT="application/json")
    assert refused.status_code == 403  # no token, no decision
    answer = client.post(
        reverse("volunteers:decide"),
        body,
        HTTP_ACCEPT="application/json",
        HTTP_X_CSRFTOKEN=token(html),
    )

    assert answer.json() == {"results": [{"id": statement.pk, "outcome": "approved", "detail": ""}]}
    assert Statement.objects.get(pk=statement.pk).status == Status.PUBLISHED


def token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]


@pytest.mark.django_db
def test_a_coordinator_breaks_a_claim_from_the_statement_page(client, reviewer, coordinator):
    statement = factories.in_review_statement()
    lease = review.claim(reviewer=reviewer, size=1)
    url = reverse("volunteers:break_lease", args=[lease.pk])
    factories.sign_in(client, reviewer)
    assert client.post(url).status_code == 403

    factories.sign_in(client, coordinator)
    html = page(client, reverse("volunteers:statement", args=[statement.pk]))
    assert f'action="{url}"' in html
    assert "Claimed by reviewer" in html
    response = client.post(url, {"statement": statement.pk})

    assert response["Location"] == reverse("volunteers:statement", args=[statement.pk])
    lease.refresh_from_db()
    assert lease.end == ReviewLease.End.BROKEN
    assert Statement.objects.get(pk=statement.pk).lease_id is None
    event = AccountEvent.objects.get(action="lease_broken")
    assert (event.subject, event.actor) == (reviewer, coordinator)


@pytest.mark.django_db
def test_the_workspace_is_for_reviewers_only(client, volunteer, outsider):
    statement = factories.in_review_statement()
    posts = [
        "volunteers:claim",
        "volunteers:decide",
        "volunteers:release",
        "volunteers:approve_unflagged",
        "volunteers:decline_cluster",
        "volunteers:undo",
    ]
    assert client.get(REVIEW)["Location"].startswith(reverse("volunteers:login"))
    for user in (volunteer, outsider):
        factories.sign_in(client, user)
        assert client.get(REVIEW).status_code == 403
        for name in posts:
            assert client.post(reverse(name)).status_code == 403, name
        assert client.post(reverse("volunteers:redact", args=[statement.pk])).status_code == 403
    assert not ReviewLease.objects.exists()


@pytest.mark.django_db
def test_decisions_are_post_only(reviewer_client):
    for name in ("volunteers:claim", "volunteers:decide", "volunteers:release", "volunteers:undo"):
        assert reviewer_client.get(reverse(name)).status_code == 405


@pytest.mark.django_db
def test_the_script_is_on_volunteer_pages_and_no_public_page(client, reviewer_client, reviewer):
    statement = factories.approved_statement(reviewer=reviewer)
    html = page(reviewer_client)
    assert html.count("<script") == 1 and SCRIPT.search(html)
    assert SCRIPT.search(
        page(reviewer_client, reverse("volunteers:statement", args=[statement.pk]))
    )
    csp = reviewer_client.get(REVIEW)["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # No inline styles or event handlers: the policy would block them.
    assert " style=" not in html
    assert not re.search(r"<[^>]+\son[a-z]+=", html)

    public = Client()
    for url in public_urls(statement.pk):
        response = public.get(url)
        assert "<script" not in response.content.decode(), url
    for lang in ("zh-hans", "zh-hant", "en"):
        posted = public.post(f"/{lang}/receipt/", {"receipt": "nope"})
        assert "<script" not in posted.content.decode()
        invalid = public.post(f"/{lang}/submit/", {"name": ""})
        assert "<script" not in invalid.content.decode()
    assert "<script" not in public.get(reverse("volunteers:login")).content.decode()
