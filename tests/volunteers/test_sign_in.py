import json

import pytest
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice

from tests import factories
from volunteers.middleware import start_session
from volunteers.models import AccountEvent
from volunteers.roles import Role
from volunteers.views.accounts import DEVICE_COOKIE

Action = AccountEvent.Action


def password_step(client, username, password=factories.PASSWORD, **extra):
    return client.post(
        reverse("volunteers:login"), {"username": username, "password": password}, **extra
    )


def sign_in_fully(client, user, *, drift=0, **extra):
    step = password_step(client, user.get_username(), **extra)
    assert step["Location"].startswith(reverse("volunteers:two_factor"))
    return client.post(step["Location"], {"code": factories.totp_code(user, drift=drift)}, **extra)


@pytest.mark.django_db
def test_a_reviewer_gives_the_second_factor_before_any_page_opens(client, reviewer):
    step = password_step(client, "reviewer")
    assert step.status_code == 302
    assert step["Location"].startswith(reverse("volunteers:two_factor"))

    # Signed in by password only: every volunteer page, the admin too, waits for the code.
    pages = [reverse("volunteers:review_queue"), reverse("volunteers:account"), "/volunteer/admin/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("volunteers:two_factor")), url
    assert not AccountEvent.objects.filter(action=Action.SIGNED_IN).exists()

    done = client.post(step["Location"], {"code": factories.totp_code(reviewer)})
    assert done["Location"] == reverse("volunteers:review_queue")
    assert client.get(reverse("volunteers:review_queue")).status_code == 200
    signed_in = AccountEvent.objects.get(action=Action.SIGNED_IN)
    assert signed_in.subject == reviewer
    assert signed_in.detail == {"second_factor": "totp"}


@pytest.mark.django_db
def test_a_wrong_code_is_refused_and_logged(client, reviewer):
    step = password_step(client, "reviewer")
    right = factories.totp_code(reviewer)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    response = client.post(step["Location"], {"code": wrong}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert client.get(reverse("volunteers:review_queue"))["Location"].startswith(
        reverse("volunteers:two_factor")
    )
    failed = AccountEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert failed.subject == reviewer
    assert failed.detail == {"reason": "second_factor", "kind": "totp"}


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once_and_is_logged(reviewer):
    recovery = StaticDevice.objects.create(user=reviewer, name="recovery")
    recovery.token_set.create(token="abcd2345")
    recovery.token_set.create(token="efgh6723")

    first = Client()
    step = password_step(first, "reviewer")
    done = first.post(step["Location"], {"code": " ABCD-2345 "})
    assert done["Location"] == reverse("volunteers:review_queue")
    assert first.get(reverse("volunteers:review_queue")).status_code == 200
    used = AccountEvent.objects.get(action=Action.RECOVERY_CODE_USED)
    assert used.subject == reviewer
    assert used.detail == {"left": 1}

    second = Client()
    step = password_step(second, "reviewer")
    again = second.post(step["Location"], {"code": "abcd2345"})
    assert again.status_code == 200
    assert second.get(reverse("volunteers:review_queue"))["Location"].startswith(
        reverse("volunteers:two_factor")
    )
    assert list(recovery.token_set.values_list("token", flat=True)) == ["efgh6723"]


@pytest.mark.django_db
def test_an_account_that_needs_two_factor_but_has_no_device_cannot_sign_in(client):
    user = factories.account("nodevice", role=Role.REVIEWER, two_factor=False)
    response = password_step(client, "nodevice", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Ask a coordinator for a setup link" in response.content.decode()
    assert "_auth_user_id" not in client.session
    failed = AccountEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert (failed.subject, failed.detail) == (user, {"reason": "no_second_factor"})


@pytest.mark.django_db
def test_volunteers_need_the_second_factor_only_when_the_setting_says_so(volunteer, settings):
    by_password = Client()
    response = password_step(by_password, "volunteer")
    assert response["Location"] == reverse("volunteers:review_queue")
    assert by_password.get(reverse("volunteers:account")).status_code == 200
    assert AccountEvent.objects.get(action=Action.SIGNED_IN).detail == {}

    settings.TWO_FACTOR_FOR_VOLUNTEERS = True
    strict = Client()
    response = password_step(strict, "volunteer")
    assert response["Location"].startswith(reverse("volunteers:two_factor"))
    assert strict.get(reverse("volunteers:account"))["Location"].startswith(
        reverse("volunteers:two_factor")
    )


@pytest.mark.django_db
def test_guessing_from_elsewhere_cannot_lock_out_a_volunteer_with_a_device_cookie(
    reviewer, settings
):
    settings.LOGIN_RATE = "3/d"
    home = {"REMOTE_ADDR": "198.51.100.7"}
    real = Client()
    sign_in_fully(real, reviewer, drift=-1, **home)
    cookie = real.cookies[DEVICE_COOKIE]
    assert cookie["path"] == "/volunteer/"
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["max-age"] == settings.DEVICE_COOKIE_DAYS * 86400
    assert "reviewer" not in cookie.value  # it names the account by a keyed digest
    real.post(reverse("volunteers:logout"), **home)

    # Someone guesses at the account from many addresses until its bucket is full...
    for n in range(3):
        assert password_step(Client(), "reviewer", "guess", REMOTE_ADDR=f"192.0.2.{n}").status_code
    assert password_step(Client(), "reviewer", REMOTE_ADDR="192.0.2.99").status_code == 429

    # ...but the device that signed in before counts against its own bucket.
    done = sign_in_fully(real, reviewer, drift=0, **home)
    assert done["Location"] == reverse("volunteers:review_queue")
    assert real.get(reverse("volunteers:review_queue"), **home).status_code == 200


@pytest.mark.django_db
def test_a_device_cookie_of_another_account_does_not_exempt(reviewer, other_reviewer, settings):
    settings.LOGIN_RATE = "3/d"
    device = Client()
    sign_in_fully(device, other_reviewer, REMOTE_ADDR="198.51.100.8")
    device.post(reverse("volunteers:logout"))
    for n in range(3):
        password_step(Client(), "reviewer", "guess", REMOTE_ADDR=f"192.0.2.{n}")
    blocked = password_step(device, "reviewer", REMOTE_ADDR="198.51.100.8")
    assert blocked.status_code == 429


@pytest.mark.django_db
def test_every_spelling_of_a_name_shares_its_bucket(settings):
    settings.LOGIN_RATE = "3/d"
    rev = factories.account("rev", role=Role.REVIEWER)
    for n, spelling in enumerate([" rev", "ｒｅｖ", "rev "]):
        response = password_step(Client(), spelling, "guess", REMOTE_ADDR=f"192.0.2.{n}")
        assert response.status_code == 200, spelling
    assert AccountEvent.objects.filter(action=Action.SIGN_IN_FAILED, subject=rev).count() == 3
    blocked = password_step(Client(), "rev", REMOTE_ADDR="192.0.2.50")
    assert blocked.status_code == 429
    assert (
        b"Too many requests"
        in password_step(
            Client(), "REV", REMOTE_ADDR="192.0.2.51", HTTP_ACCEPT_LANGUAGE="en"
        ).content
    )


@pytest.mark.django_db
def test_one_client_is_limited_whatever_names_it_tries(client, reviewer, settings):
    settings.LOGIN_RATE = "3/d"
    for name in ["a", "b", "c"]:
        assert password_step(client, name, "guess").status_code == 200
    assert password_step(client, "reviewer").status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_failed_sign_ins_are_logged_without_the_password_or_the_client(client, reviewer):
    password_step(client, "reviewer", "wrong-guess-123", REMOTE_ADDR="203.0.113.9")
    password_step(client, "nobody", "another-guess", REMOTE_ADDR="203.0.113.9")
    events = list(AccountEvent.objects.filter(action=Action.SIGN_IN_FAILED).order_by("id"))
    # A name that does not exist leaves no row (anyone could grow the log without end).
    assert [event.subject for event in events] == [reviewer]
    for event in events:
        assert event.detail == {"reason": "password"}
        assert event.actor is None
        stored = json.dumps(event.detail)
        assert "guess" not in stored and "203.0.113.9" not in stored and "nobody" not in stored


@pytest.mark.django_db
def test_an_over_long_password_is_refused_before_it_is_checked(client, reviewer, settings):
    too_long = "x" * (settings.PASSWORD_MAX_LENGTH + 1)
    response = password_step(client, "reviewer", too_long, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert f"at most {settings.PASSWORD_MAX_LENGTH} characters" in response.content.decode()
    # The form stopped it: authenticate() never ran, so no failed password was logged.
    assert not AccountEvent.objects.exists()
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(too_long)
    assert "password_too_long" in [error.code for error in refused.value.error_list]


@pytest.mark.django_db
def test_the_second_step_is_limited_too(client, reviewer, settings):
    settings.LOGIN_RATE = "3/d"
    step = password_step(client, "reviewer")
    right = factories.totp_code(reviewer)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    for _ in range(3):
        assert client.post(step["Location"], {"code": wrong}).status_code == 200
    assert client.post(step["Location"], {"code": right}).status_code == 429
    assert client.get(reverse("volunteers:review_queue"))["Location"].startswith(
        reverse("volunteers:two_factor")
    )


@pytest.mark.django_db
def test_the_admin_has_no_sign_in_of_its_own(client, coordinator, settings):
    settings.LOGIN_RATE = "3/d"
    get_user_model().objects.filter(pk=coordinator.pk).update(is_staff=True)
    admin_login = reverse("admin:login")
    for _ in range(25):
        response = client.post(
            admin_login,
            {"username": "coordinator", "password": "guess", "next": "/volunteer/admin/"},
        )
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("volunteers:login"))
    # Not one of them was checked: nothing logged, no session, no limit spent.
    assert not AccountEvent.objects.exists()
    assert "_auth_user_id" not in client.session

    opened = client.get("/volunteer/admin/", follow=True)
    assert opened.redirect_chain[-1][0] == f"{reverse('volunteers:login')}?next=/volunteer/admin/"
    step = client.post(
        reverse("volunteers:login"),
        {"username": "coordinator", "password": factories.PASSWORD, "next": "/volunteer/admin/"},
    )
    assert step["Location"].startswith(reverse("volunteers:two_factor"))
    done = client.post(step["Location"], {"code": factories.totp_code(coordinator)})
    assert done["Location"] == "/volunteer/admin/"
    assert client.get("/volunteer/admin/").status_code == 200


@pytest.mark.django_db
def test_the_admin_refuses_staff_without_the_second_factor_and_others_without_looping(
    client, reviewer, coordinator
):
    get_user_model().objects.filter(pk=coordinator.pk).update(is_staff=True)
    staff = Client()
    staff.force_login(get_user_model().objects.get(pk=coordinator.pk))
    session = staff.session
    start_session(session, epoch=0)
    session.save()
    # Signed in but without the second factor: the middleware sends them to it.
    assert staff.get("/volunteer/admin/")["Location"].startswith(reverse("volunteers:two_factor"))

    factories.sign_in(client, reviewer)
    response = client.get("/volunteer/admin/", follow=True)
    assert response.status_code == 403


@pytest.mark.django_db
def test_both_steps_close_when_the_limits_cannot_be_checked(client, reviewer, settings):
    step = password_step(client, "reviewer")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    refused = client.post(step["Location"], {"code": factories.totp_code(reviewer)})
    assert refused.status_code == 429
    assert password_step(Client(), "reviewer").status_code == 429
    assert not AccountEvent.objects.filter(action=Action.SIGNED_IN).exists()


@pytest.mark.django_db
def test_a_power_granted_directly_still_needs_the_second_factor(client):
    """Accounts from before roles had review granted directly: no group, but the same
    power, so the same second factor."""
    from django.contrib.auth.models import Permission

    old = factories.account("oldrev", role=None)
    old.user_permissions.add(Permission.objects.get(codename="review_statement"))

    step = password_step(client, "oldrev")

    assert step["Location"].startswith(reverse("volunteers:two_factor"))
    assert client.get(reverse("volunteers:review"))["Location"].startswith(
        reverse("volunteers:two_factor")
    )


@pytest.mark.django_db
def test_a_known_device_is_not_locked_out_by_guesses_from_its_own_address(
    client, reviewer, settings
):
    """A Tor exit or a carrier's NAT: someone at the same address guessing another account
    uses up the address's limit, but the volunteer's device has a limit of its own."""
    settings.LOGIN_RATE = "5/d"
    sign_in_fully(client, reviewer)
    device = client.cookies[DEVICE_COOKIE].value
    attacker = Client()
    for _ in range(6):
        password_step(attacker, "someone-else", password="guess")
    assert password_step(attacker, "reviewer").status_code == 429

    real = Client()
    real.cookies[DEVICE_COOKIE] = device
    step = password_step(real, "reviewer")

    assert step.status_code == 302
    assert step["Location"].startswith(reverse("volunteers:two_factor"))


@pytest.mark.django_db
def test_guesses_at_names_that_do_not_exist_leave_no_row_in_the_log(client, reviewer):
    password_step(client, "nobody-by-this-name", password="guess")
    password_step(client, "reviewer", password="wrong")

    failed = AccountEvent.objects.filter(action=Action.SIGN_IN_FAILED)
    assert [event.subject for event in failed] == [reviewer]
