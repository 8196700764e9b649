import time

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from volunteers.middleware import EPOCH, SEEN_AT, SIGNED_IN_AT
from volunteers.models import AccountEvent, ApiToken

Action = AccountEvent.Action


def shift(client, **marks) -> None:
    """Move the session's marks back by the given number of seconds."""
    session = client.session
    for mark, seconds in marks.items():
        session[mark] -= seconds
    session.save()


def is_signed_in(client) -> bool:
    return client.get(reverse("volunteers:account")).status_code == 200


@pytest.mark.django_db
def test_a_session_ends_twelve_hours_after_sign_in_however_busy(reviewer_client, settings):
    shift(reviewer_client, **{SIGNED_IN_AT: settings.SESSION_COOKIE_AGE - 60})
    assert is_signed_in(reviewer_client)
    shift(reviewer_client, **{SIGNED_IN_AT: 60})
    response = reviewer_client.get(reverse("volunteers:review_queue"))
    assert response["Location"].startswith(reverse("volunteers:login"))
    assert "_auth_user_id" not in reviewer_client.session


@pytest.mark.django_db
def test_a_session_ends_after_the_idle_minutes(reviewer_client, settings):
    idle = settings.VOLUNTEER_IDLE_MINUTES * 60
    shift(reviewer_client, **{SEEN_AT: idle - 5})
    assert is_signed_in(reviewer_client)  # active again: the clock restarts
    shift(reviewer_client, **{SEEN_AT: idle})
    assert not is_signed_in(reviewer_client)


@pytest.mark.django_db
def test_last_activity_is_written_at_most_once_a_minute(reviewer_client):
    shift(reviewer_client, **{SEEN_AT: 30})
    before = reviewer_client.session[SEEN_AT]
    assert is_signed_in(reviewer_client)
    assert reviewer_client.session[SEEN_AT] == before

    shift(reviewer_client, **{SEEN_AT: 60})
    assert is_signed_in(reviewer_client)
    assert reviewer_client.session[SEEN_AT] >= int(time.time()) - 1


@pytest.mark.django_db
def test_a_session_not_made_by_the_sign_in_pages_is_not_accepted(client, reviewer):
    client.force_login(reviewer)
    assert not is_signed_in(client)


@pytest.mark.django_db
def test_a_new_password_ends_every_other_session_but_this_one(reviewer):
    here, elsewhere = Client(), Client()
    factories.sign_in(here, reviewer)
    factories.sign_in(elsewhere, reviewer)
    response = here.post(
        reverse("volunteers:change_password"),
        {
            "current": factories.PASSWORD,
            "password1": "a-new-and-longer-password",
            "password2": "a-new-and-longer-password",
        },
    )
    assert response["Location"] == reverse("volunteers:account")
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    reviewer.refresh_from_db()
    assert reviewer.check_password("a-new-and-longer-password")
    assert AccountEvent.objects.filter(action=Action.PASSWORD_SET, subject=reviewer).count() == 1


@pytest.mark.django_db
def test_a_wrong_current_password_changes_nothing(reviewer_client, reviewer):
    response = reviewer_client.post(
        reverse("volunteers:change_password"),
        {"current": "not-it", "password1": "a-new-password-9", "password2": "a-new-password-9"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "That is not your current password." in response.content.decode()
    reviewer.refresh_from_db()
    assert reviewer.check_password(factories.PASSWORD)
    assert not AccountEvent.objects.filter(action=Action.PASSWORD_SET).exists()


@pytest.mark.django_db
def test_sign_out_everywhere_ends_every_session_this_one_too(reviewer):
    here, elsewhere = Client(), Client()
    factories.sign_in(here, reviewer)
    factories.sign_in(elsewhere, reviewer)
    assert here.get(reverse("volunteers:sign_out_everywhere")).status_code == 405
    response = here.post(reverse("volunteers:sign_out_everywhere"))
    assert response["Location"] == reverse("volunteers:login")
    assert not is_signed_in(here)
    assert not is_signed_in(elsewhere)
    event = AccountEvent.objects.get(action=Action.SIGNED_OUT_EVERYWHERE)
    assert (event.subject, event.actor) == (reviewer, reviewer)

    factories.sign_in(here, reviewer)  # a new sign-in gets the new generation
    assert here.session[EPOCH] == 1
    assert is_signed_in(here)


@pytest.mark.django_db
def test_the_csrf_cookie_is_for_the_session_and_for_volunteer_pages_only(client):
    response = client.get(reverse("volunteers:login"))
    cookie = response.cookies["csrftoken"]
    assert cookie["path"] == "/volunteer/"
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""

    public = Client()
    for url in ["/zh-hans/", "/en/statements/", "/zh-hant/submit/", "/en/receipt/"]:
        response = public.get(url)
        assert response.status_code == 200, url
        assert response.cookies == {}, url


@pytest.mark.django_db
def test_messages_stay_in_the_session_not_in_a_cookie_for_every_path(reviewer_client, reviewer):
    token = factories.api_token(reviewer)
    row_id = ApiToken.objects.for_token(token).get().pk
    response = reviewer_client.post(
        reverse("volunteers:revoke_token", args=[row_id]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "messages" not in response.cookies
    page = reviewer_client.get(reverse("volunteers:account"), HTTP_ACCEPT_LANGUAGE="en")
    assert "The token is revoked." in page.content.decode()
