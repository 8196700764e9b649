from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from statements.models import ReviewLease, Statement
from tests import factories
from volunteers import services
from volunteers.models import AccountEvent, ApiToken
from volunteers.roles import Role, role_of

Action = AccountEvent.Action


def signed_in(user) -> Client:
    client = Client()
    factories.sign_in(client, user)
    return client


def is_signed_in(client) -> bool:
    return client.get(reverse("volunteers:account")).status_code == 200


@pytest.mark.django_db
def test_only_coordinators_reach_the_team_page(client, volunteer, reviewer, outsider, coordinator):
    target = factories.account("target", role=Role.VOLUNTEER)
    pages = [
        ("get", reverse("volunteers:team"), {}),
        ("post", reverse("volunteers:create_volunteer"), {"username": "x", "role": "coordinator"}),
        ("post", reverse("volunteers:change_role", args=[target.pk]), {"role": "coordinator"}),
        ("post", reverse("volunteers:deactivate", args=[target.pk]), {}),
        ("post", reverse("volunteers:reset_two_factor", args=[target.pk]), {}),
    ]
    for method, url, data in pages:
        anonymous = getattr(client, method)(url, data)
        assert anonymous.status_code == 302, url
        assert anonymous["Location"].startswith(reverse("volunteers:login")), url
        for user in [volunteer, reviewer, outsider]:
            assert getattr(signed_in(user), method)(url, data).status_code == 403, (url, user)
    assert signed_in(coordinator).get(reverse("volunteers:team")).status_code == 200
    target.refresh_from_db()
    assert target.is_active and role_of(target) == Role.VOLUNTEER
    assert not get_user_model().objects.filter(username="x").exists()
    assert not AccountEvent.objects.exists()


@pytest.mark.django_db
def test_a_coordinator_creates_a_volunteer_and_sees_the_link_once(
    coordinator_client, coordinator, settings
):
    settings.SITE_URL = "https://tuidang.example"
    response = coordinator_client.post(
        reverse("volunteers:create_volunteer"), {"username": "newbie", "role": "reviewer"}
    )
    assert response.status_code == 200
    link = response.context["setup_link"]
    assert link.startswith("https://tuidang.example/volunteer/setup/")
    assert link in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    newbie = get_user_model().objects.get(username="newbie")
    assert role_of(newbie) == Role.REVIEWER
    assert AccountEvent.objects.get(action=Action.CREATED).actor == coordinator

    listing = coordinator_client.get(reverse("volunteers:team")).content.decode()
    assert "newbie" in listing and "/volunteer/setup/" not in listing
    assert Client().get(link.removeprefix(settings.SITE_URL)).status_code == 302

    taken = coordinator_client.post(
        reverse("volunteers:create_volunteer"), {"username": "NewBie", "role": "volunteer"}
    )
    assert taken.status_code == 400
    assert get_user_model().objects.filter(username__iexact="newbie").count() == 1


@pytest.mark.django_db
def test_a_coordinator_changes_a_role_and_coordinators_are_staff(
    coordinator_client, coordinator, volunteer
):
    url = reverse("volunteers:change_role", args=[volunteer.pk])
    assert coordinator_client.post(url, {"role": "coordinator"}).status_code == 302
    volunteer = get_user_model().objects.get(pk=volunteer.pk)
    assert role_of(volunteer) == Role.COORDINATOR and volunteer.is_staff
    # Another coordinator is now beyond this one's reach: only a superuser demotes them.
    assert coordinator_client.post(url, {"role": "reviewer"}).status_code == 403
    services.change_role(user=volunteer, role=Role.REVIEWER, actor=None)
    volunteer = get_user_model().objects.get(pk=volunteer.pk)
    assert role_of(volunteer) == Role.REVIEWER and not volunteer.is_staff
    coordinator_client.post(url, {"role": "reviewer"})  # no change, nothing logged
    coordinator_client.post(url, {"role": "emperor"})
    changes = AccountEvent.objects.filter(action=Action.ROLE_CHANGED).order_by("id")
    assert [(e.detail["from"], e.detail["to"], e.actor) for e in changes] == [
        ("volunteer", "coordinator", coordinator),
        ("coordinator", "reviewer", None),
    ]


@pytest.mark.django_db
def test_a_coordinator_cannot_act_on_their_own_account(coordinator_client, coordinator):
    for name in ["change_role", "deactivate", "reset_two_factor"]:
        url = reverse(f"volunteers:{name}", args=[coordinator.pk])
        assert coordinator_client.post(url, {"role": "volunteer"}).status_code == 403
    coordinator.refresh_from_db()
    assert coordinator.is_active and role_of(coordinator) == Role.COORDINATOR


@pytest.mark.django_db
def test_deactivating_ends_sessions_revokes_tokens_and_releases_claims(
    coordinator_client, coordinator, reviewer
):
    session = signed_in(reviewer)
    link = services.issue_setup_link(user=reviewer, actor=coordinator)
    token = factories.api_token(reviewer)
    statement = factories.in_review_statement()
    lease = ReviewLease.objects.create(
        reviewer=reviewer, expires_at=timezone.now() + timedelta(minutes=15)
    )
    Statement.objects.filter(pk=statement.pk).update(lease=lease, lease_expires_at=lease.expires_at)

    response = coordinator_client.post(reverse("volunteers:deactivate", args=[reviewer.pk]))
    assert response["Location"] == reverse("volunteers:team")

    reviewer.refresh_from_db()
    assert not reviewer.is_active
    assert not is_signed_in(session)
    assert not ApiToken.objects.for_token(token).exists()
    lease.refresh_from_db()
    assert lease.ended_at is not None and lease.end == ReviewLease.End.RELEASED
    statement.refresh_from_db()
    assert statement.lease_id is None
    event = AccountEvent.objects.get(action=Action.DEACTIVATED)
    assert (event.subject, event.actor) == (reviewer, coordinator)
    assert event.detail == {"tokens_revoked": 1, "leases_released": 1}

    coordinator_client.post(reverse("volunteers:deactivate", args=[reviewer.pk]))
    assert AccountEvent.objects.filter(action=Action.DEACTIVATED).count() == 1
    refused = Client().post(
        reverse("volunteers:login"), {"username": "reviewer", "password": factories.PASSWORD}
    )
    assert refused.status_code == 200 and "_auth_user_id" not in refused.client.session
    assert Client().get(urlsplit(link).path).status_code == 400


@pytest.mark.django_db
def test_resetting_two_factor_removes_devices_ends_sessions_and_gives_a_new_link(
    coordinator_client, coordinator, reviewer, settings
):
    StaticDevice.objects.create(user=reviewer, name="recovery").token_set.create(token="abcd2345")
    session = signed_in(reviewer)
    response = coordinator_client.post(reverse("volunteers:reset_two_factor", args=[reviewer.pk]))
    assert response.status_code == 200
    link = response.context["setup_link"]
    assert link in response.content.decode()

    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticDevice.objects.filter(user=reviewer).exists()
    assert not is_signed_in(session)
    reset = AccountEvent.objects.get(action=Action.TWO_FACTOR_RESET)
    assert (reset.subject, reset.actor, reset.detail) == (
        reviewer,
        coordinator,
        {"devices_removed": 2, "tokens_revoked": 0},
    )
    assert AccountEvent.objects.filter(action=Action.SETUP_LINK, subject=reviewer).exists()

    # Until the new link is used, the old password does not get in, and the answer is
    # that of any wrong password (it tells a guesser nothing).
    again = Client()
    refused = again.post(
        reverse("volunteers:login"),
        {"username": "reviewer", "password": factories.PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 200
    assert "_auth_user_id" not in again.session
    assert "Ask a coordinator for a setup link" not in refused.content.decode()
    assert again.get(link.removeprefix(settings.SITE_URL)).status_code == 302


@pytest.mark.django_db
def test_a_coordinator_cannot_take_over_or_retire_another_coordinator(coordinator_client):
    other = factories.account("coordinator2", role=Role.COORDINATOR)
    for name in ("reset_two_factor", "deactivate", "change_role"):
        response = coordinator_client.post(
            reverse(f"volunteers:{name}", args=[other.pk]), {"role": "volunteer"}
        )
        assert response.status_code == 403, name
    other.refresh_from_db()
    assert other.is_active and other.has_usable_password()
    assert role_of(other) == Role.COORDINATOR
    assert TOTPDevice.objects.filter(user=other).exists()
    page = coordinator_client.get(reverse("volunteers:team")).content.decode()
    assert reverse("volunteers:reset_two_factor", args=[other.pk]) not in page


@pytest.mark.django_db
def test_a_superuser_may_act_on_a_coordinator(client, coordinator):
    boss = factories.account("boss", role=None)
    get_user_model().objects.filter(pk=boss.pk).update(is_superuser=True, is_staff=True)
    factories.sign_in(client, get_user_model().objects.get(pk=boss.pk))

    response = client.post(reverse("volunteers:deactivate", args=[coordinator.pk]))

    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert not coordinator.is_active


@pytest.mark.django_db
def test_a_reset_leaves_the_old_password_useless(coordinator_client, reviewer):
    coordinator_client.post(reverse("volunteers:reset_two_factor", args=[reviewer.pk]))
    reviewer.refresh_from_db()
    assert not reviewer.has_usable_password()
    attempt = Client().post(
        reverse("volunteers:login"), {"username": "reviewer", "password": factories.PASSWORD}
    )
    assert attempt.status_code == 200  # the same answer as any wrong password
    assert "no second factor yet" not in attempt.content.decode()
