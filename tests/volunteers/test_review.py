import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from counts.tasks import rollup_tallies
from statements.models import AuditEvent, Statement, Status
from tests import factories


@pytest.mark.django_db
def test_the_queue_needs_a_signed_in_reviewer(client):
    response = client.get(reverse("volunteers:review_queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("volunteers:login"))

    reader = get_user_model().objects.create_user("reader", password="a-long-test-password")
    factories.sign_in(client, reader)
    assert client.get(reverse("volunteers:review_queue"))["Location"] == reverse(
        "volunteers:account"
    )
    assert client.get(reverse("volunteers:review")).status_code == 403
    statement = factories.in_review_statement()
    assert client.post(reverse("volunteers:claim")).status_code == 403
    assert Statement.objects.get(pk=statement.pk).lease_id is None


@pytest.mark.django_db
def test_a_reviewer_signs_in_with_a_password(client, reviewer):
    page = client.get(reverse("volunteers:login"))
    assert page.status_code == 200
    response = client.post(
        reverse("volunteers:login"), {"username": "reviewer", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    client.post(response["Location"], {"code": factories.totp_code(reviewer)})
    assert client.get(reverse("volunteers:review_queue")).status_code == 200


@pytest.mark.django_db
def test_login_form_checks_csrf(reviewer):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("volunteers:login"), {"username": "reviewer", "password": "a-long-test-password"}
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_sign_in_attempts_are_rate_limited(client, reviewer, settings):
    settings.LOGIN_RATE = "3/d"
    login = reverse("volunteers:login")
    wrong = [
        client.post(login, {"username": "reviewer", "password": "guess"}).status_code
        for _ in range(3)
    ]
    assert wrong == [200, 200, 200]  # the form again, with an error
    blocked = client.post(login, {"username": "reviewer", "password": "a-long-test-password"})
    assert blocked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_guesses_at_one_account_are_limited_across_addresses(client, reviewer, settings):
    settings.LOGIN_RATE = "3/d"
    login = reverse("volunteers:login")
    for n in range(3):
        client.post(
            login, {"username": "Reviewer", "password": "guess"}, REMOTE_ADDR=f"192.0.2.{n}"
        )
    blocked = client.post(
        login,
        {"username": "reviewer", "password": "a-long-test-password"},
        REMOTE_ADDR="192.0.2.99",
    )
    assert blocked.status_code == 429


@pytest.mark.django_db
def test_sign_in_closes_when_the_rate_limit_cannot_be_checked(client, reviewer, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client.post(
        reverse("volunteers:login"), {"username": "reviewer", "password": "a-long-test-password"}
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_volunteer_pages_follow_the_browser_language_without_dead_switch_links(client):
    for accept, heading in [
        ("en", "Volunteer sign-in"),
        ("zh-TW", "志工登入"),
        ("zh-CN", "志愿者登录"),
    ]:
        html = client.get(reverse("volunteers:login"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
        assert heading in html
        assert 'class="languages"' not in html


@pytest.mark.django_db
def test_statement_page_shows_any_status_with_its_history(client, reviewer, coordinator):
    statement = factories.in_review_statement()
    factories.reject(statement, reviewer=reviewer, note="重复提交")
    page = reverse("volunteers:statement", args=[statement.pk])

    factories.sign_in(client, reviewer)
    html = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "重复提交" in html
    assert "Received → In review" in html
    assert "In review → Not published" in html
    assert f'action="/volunteer/statements/{statement.pk}/remove/"' not in html
    # Who decided is for coordinators only.
    assert "<td>reviewer</td>" not in html
    factories.sign_in(client, coordinator)
    html = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>reviewer</td>" in html


@pytest.mark.django_db
def test_find_statement_by_number(reviewer_client):
    statement = factories.in_review_statement()
    found = reviewer_client.get(reverse("volunteers:find_statement"), {"id": statement.pk})
    assert found["Location"] == reverse("volunteers:statement", args=[statement.pk])
    for junk in ["abc", "-5", "0", "", "１２", "#"]:
        response = reviewer_client.get(reverse("volunteers:find_statement"), {"id": junk})
        assert response["Location"] == reverse("volunteers:review"), junk
    hashed = reviewer_client.get(reverse("volunteers:find_statement"), {"id": f"#{statement.pk}"})
    assert hashed["Location"] == reverse("volunteers:statement", args=[statement.pk])
    assert reviewer_client.get(reverse("volunteers:statement", args=[10**30])).status_code == 404


@pytest.mark.django_db
def test_reviewers_without_the_coordinator_permission_cannot_remove(reviewer_client, reviewer):
    statement = factories.approved_statement(reviewer=reviewer)
    page = reviewer_client.get(
        reverse("volunteers:statement", args=[statement.pk])
    ).content.decode()
    assert "/remove/" not in page
    response = reviewer_client.post(
        reverse("volunteers:remove", args=[statement.pk]), {"reason": "x"}
    )
    assert response.status_code == 403
    assert Statement.objects.get(pk=statement.pk).status == Status.PUBLISHED


@pytest.mark.django_db
def test_a_coordinator_removes_a_statement_from_the_list_and_the_tallies(client, coordinator, api):
    statement = factories.approved_statement(reviewer=coordinator)
    rollup_tallies.apply()
    assert api.get(reverse("api:tallies")).json()["total"] == 1
    factories.sign_in(client, coordinator)
    page = client.get(reverse("volunteers:statement", args=[statement.pk])).content.decode()
    assert f'action="/volunteer/statements/{statement.pk}/remove/"' in page

    assert (
        client.post(reverse("volunteers:remove", args=[statement.pk]), {"reason": ""}).status_code
        == 302
    )
    assert Statement.objects.get(pk=statement.pk).status == Status.PUBLISHED  # a reason is required
    client.post(reverse("volunteers:remove", args=[statement.pk]), {"reason": "本人要求撤下"})
    rollup_tallies.apply()

    assert Statement.objects.get(pk=statement.pk).status == Status.REMOVED
    assert AuditEvent.objects.get(statement=statement, action="removed").actor == coordinator
    assert api.get(reverse("api:tallies")).json()["total"] == 0
    assert api.get(reverse("api:statement_detail", args=[statement.pk])).status_code == 404
    again = client.post(
        reverse("volunteers:remove", args=[statement.pk]), {"reason": "x"}, follow=True
    )
    assert 'class="warning"' in again.content.decode()
