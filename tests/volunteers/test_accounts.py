import io
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from statements.models import AuditEvent
from tests import factories
from tests.concurrency import run_at_once
from volunteers import services
from volunteers.models import AccountEvent, ApiToken
from volunteers.roles import Role, role_of, sync_roles

Action = AccountEvent.Action
NEW_PASSWORD = "correct-horse-battery-staple"


def create(username: str, role: str) -> str:
    out = io.StringIO()
    call_command("create_volunteer", username, "--role", role, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def pending_code(client, *, drift: int = 0) -> str:
    """The code the authenticator being enrolled shows (its key waits in the session)."""
    key = client.session["volunteers.setup_totp_key"]["key"]
    return f"{totp(bytes.fromhex(key), drift=drift):06d}"


def setup_form(client, link: str):
    """Open a setup link as a browser does; returns the page of the form."""
    first = client.get(urlsplit(link).path)
    assert first.status_code == 302
    return client.get(first["Location"], HTTP_ACCEPT_LANGUAGE="en"), first["Location"]


@pytest.mark.django_db
def test_create_volunteer_makes_an_account_without_a_password_and_prints_its_link(settings):
    settings.SITE_URL = "https://tuidang.example"
    link = create("newbie", "reviewer")
    assert link.startswith("https://tuidang.example/volunteer/setup/")
    user = get_user_model().objects.get(username="newbie")
    assert not user.has_usable_password()
    assert role_of(user) == Role.REVIEWER
    assert not user.is_staff
    assert [e.action for e in AccountEvent.objects.filter(subject=user).order_by("id")] == [
        Action.CREATED,
        Action.SETUP_LINK,
    ]
    assert AccountEvent.objects.get(action=Action.CREATED).detail == {"role": "reviewer"}

    create("boss", "coordinator")
    boss = get_user_model().objects.get(username="boss")
    assert boss.is_staff and boss.has_perm("volunteers.manage_volunteers")

    with pytest.raises(CommandError, match="That username is taken"):
        create("NEWBIE", "volunteer")
    with pytest.raises(CommandError):
        create("no spaces", "volunteer")


@pytest.mark.django_db
def test_a_setup_link_sets_a_password_enrols_two_factor_and_signs_in_once(client):
    link = create("newbie", "reviewer")
    user = get_user_model().objects.get(username="newbie")
    page, form_url = setup_form(client, link)
    token = urlsplit(link).path.rstrip("/").rsplit("/", 1)[1]
    assert token not in form_url  # the token left the address bar
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<script" not in html
    assert "no-store" in page["Cache-Control"]
    key = client.session["volunteers.setup_totp_key"]["key"]
    assert TOTPDevice.objects.count() == 0  # the page view wrote no device

    wrong = client.post(
        form_url,
        {
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "code": f"{(int(pending_code(client)) + 500_000) % 1_000_000:06d}",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert wrong.status_code == 200
    assert "That code does not match" in wrong.content.decode()
    differ = client.post(
        form_url,
        {"password1": NEW_PASSWORD, "password2": "something-else", "code": pending_code(client)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "The two passwords differ." in differ.content.decode()
    assert not TOTPDevice.objects.exists()

    done = client.post(
        form_url,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "code": pending_code(client)},
    )
    assert done.status_code == 200
    codes = done.context["recovery_codes"]
    assert len(set(codes)) == 10
    for code in codes:
        assert code in done.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.key == key
    stored = StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    assert sorted(stored) == sorted(codes)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # Signed in with the new device: the review queue opens.
    assert client.get(reverse("volunteers:review_queue")).status_code == 200
    assert {Action.PASSWORD_SET, Action.TWO_FACTOR_ENROLLED, Action.SIGNED_IN} <= set(
        AccountEvent.objects.filter(subject=user).values_list("action", flat=True)
    )

    # The link is dead now, in this browser and in any other.
    used = client.post(form_url, {"password1": "x", "password2": "x", "code": "1"})
    assert used.status_code == 400
    assert Client().get(urlsplit(link).path).status_code == 400
    # A recovery code signs in, once.
    other = Client()
    step = other.post(reverse("volunteers:login"), {"username": "newbie", "password": NEW_PASSWORD})
    assert other.post(step["Location"], {"code": codes[0]})["Location"] == reverse(
        "volunteers:review_queue"
    )
    assert StaticToken.objects.filter(device__user=user).count() == 9


@pytest.mark.django_db
def test_a_setup_code_cannot_be_replayed_at_sign_in(client):
    link = create("newbie", "reviewer")
    _page, form_url = setup_form(client, link)
    code = pending_code(client, drift=1)
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "code": code})
    other = Client()
    step = other.post(reverse("volunteers:login"), {"username": "newbie", "password": NEW_PASSWORD})
    assert other.post(step["Location"], {"code": code}).status_code == 200  # refused


@pytest.mark.django_db
def test_bad_expired_and_foreign_setup_links_are_a_clear_400(client):
    link = create("newbie", "volunteer")
    user = get_user_model().objects.get(username="newbie")
    path = urlsplit(link).path
    uidb64 = path.split("/")[3]
    for bad in [
        reverse("volunteers:setup", args=[uidb64, "nonsense-token"]),
        reverse("volunteers:setup", args=["!!!", "x"]),
        reverse("volunteers:setup", args=["MTIzNDU2Nzg5", "x"]),
        reverse("volunteers:setup", args=[uidb64, "set"]),  # no token in this session
    ]:
        response = client.get(bad, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, bad
        assert "This setup link does not work" in response.content.decode()

    tokens = services.setup_tokens
    a_day_ago = tokens._num_seconds(tokens._now()) - 24 * 3600 - 60
    old = tokens._make_token_with_timestamp(user, a_day_ago, tokens.secret)
    assert client.get(reverse("volunteers:setup", args=[uidb64, old])).status_code == 400
    assert Client().get(path).status_code == 302  # the real one still works


@pytest.mark.django_db
def test_setup_refuses_an_over_long_or_weak_password(client, settings):
    link = create("newbie", "volunteer")
    _page, form_url = setup_form(client, link)
    too_long = "x" * (settings.PASSWORD_MAX_LENGTH + 1)
    for password in [too_long, "12345678", "newbie"]:
        response = client.post(
            form_url, {"password1": password, "password2": password, "code": pending_code(client)}
        )
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not TOTPDevice.objects.exists()


@pytest.mark.django_db
def test_issue_api_token_prints_the_token_last_and_stores_only_its_digest(reviewer):
    out = io.StringIO()
    call_command("issue_api_token", "reviewer", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert len(token) >= 40 and " " not in token
    row = ApiToken.objects.get(user=reviewer)
    assert row.digest == ApiToken.digest_of(token)
    assert token not in (row.digest, row.prefix) and token.startswith(row.prefix)
    assert ApiToken.objects.for_token(token).get() == row
    event = AccountEvent.objects.get(action=Action.TOKEN_ISSUED)
    assert event.subject == reviewer and token not in str(event.detail)
    with pytest.raises(CommandError):
        call_command("issue_api_token", "nobody", stdout=io.StringIO())


@pytest.mark.django_db
def test_tokens_are_issued_shown_once_listed_and_revoked_on_the_account_page(
    reviewer_client, reviewer
):
    issued = reviewer_client.post(reverse("volunteers:issue_token"))
    token = issued.context["new_token"]
    assert token in issued.content.decode()
    assert "no-store" in issued["Cache-Control"]
    row = ApiToken.objects.get(user=reviewer)
    assert row.digest == ApiToken.digest_of(token)

    listing = reviewer_client.get(reverse("volunteers:account")).content.decode()
    assert row.prefix in listing and token not in listing

    revoked = reviewer_client.post(reverse("volunteers:revoke_token", args=[row.pk]))
    assert revoked["Location"] == reverse("volunteers:account")
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert not ApiToken.objects.for_token(token).exists()
    assert [e.action for e in AccountEvent.objects.order_by("id")] == [
        Action.TOKEN_ISSUED,
        Action.TOKEN_REVOKED,
    ]


@pytest.mark.django_db
def test_tokens_need_a_session_that_passed_two_factor_and_are_ones_own(
    reviewer_client, volunteer, other_reviewer
):
    by_password = Client()
    by_password.post(
        reverse("volunteers:login"), {"username": "volunteer", "password": factories.PASSWORD}
    )
    assert by_password.get(reverse("volunteers:account")).status_code == 200
    assert by_password.post(reverse("volunteers:issue_token")).status_code == 403
    assert not ApiToken.objects.exists()

    theirs = ApiToken.objects.get(digest=ApiToken.digest_of(factories.api_token(other_reviewer)))
    reviewer_client.post(reverse("volunteers:revoke_token", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert not AccountEvent.objects.filter(action=Action.TOKEN_REVOKED).exists()


@pytest.mark.django_db
def test_account_pages_have_no_script(coordinator_client):
    # Only the review workspace loads review.js; the account pages need no script.
    for name in ["account", "change_password", "team"]:
        response = coordinator_client.get(reverse(f"volunteers:{name}"))
        assert response.status_code == 200, name
        assert "<script" not in response.content.decode(), name
    sign_in_page = Client().get(reverse("volunteers:login"))
    assert sign_in_page.status_code == 200
    assert "<script" not in sign_in_page.content.decode()


@pytest.mark.django_db
def test_both_logs_refuse_update_and_delete_even_in_raw_sql(reviewer):
    factories.in_review_statement()
    services.record_account_event(action=Action.SIGNED_IN, subject=reviewer)
    assert AuditEvent.objects.exists()
    for table in ["volunteers_accountevent", "statements_auditevent"]:
        for sql in [
            f"UPDATE {table} SET created_at = created_at - interval '1 day'",  # noqa: S608
            f"DELETE FROM {table}",  # noqa: S608
        ]:
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql)
    assert AccountEvent.objects.count() == 1
    assert AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_one_setup_link_sent_twice_at_once_sets_up_once():
    sync_roles()  # a transactional test starts from empty tables
    user, link = services.create_volunteer(username="newbie", role=Role.REVIEWER)
    token = link.rstrip("/").rsplit("/", 1)[1]
    key = default_key()

    def finish(password: str):
        fresh = get_user_model().objects.get(pk=user.pk)
        return services.complete_setup(
            user=fresh, token=token, password=password, totp_key=key, totp_t=1
        )

    outcomes = run_at_once(lambda: finish("first-password-123"), lambda: finish("second-pw-456"))
    assert sum(isinstance(outcome, services.SetupLinkInvalid) for outcome in outcomes) == 1
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert AccountEvent.objects.filter(action=Action.TWO_FACTOR_ENROLLED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_recovery_code_sent_twice_at_once_signs_in_once():
    reviewer = factories.account("reviewer", role=Role.REVIEWER)
    StaticDevice.objects.create(user=reviewer, name="recovery").token_set.create(token="abcd2345")

    outcomes = run_at_once(
        *[lambda: services.verify_second_factor(user=reviewer, code="abcd2345")] * 2
    )
    assert [isinstance(outcome, StaticDevice) for outcome in outcomes].count(True) == 1
    assert AccountEvent.objects.filter(action=Action.RECOVERY_CODE_USED).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["sign_out_everywhere", "change_password", "reset_two_factor"])
def test_taking_an_account_back_revokes_its_api_tokens(api, reviewer, coordinator, change):
    token = services.issue_api_token(user=reviewer, actor=reviewer)
    if change == "sign_out_everywhere":
        services.sign_out_everywhere(user=reviewer)
    elif change == "change_password":
        services.change_password(user=reviewer, password="another-long-password-42")
    else:
        services.reset_two_factor(user=reviewer, actor=coordinator)

    response = api.post(
        reverse("api:review_claim"), {}, format="json", HTTP_AUTHORIZATION=f"Token {token}"
    )

    assert response.status_code == 401
    assert not ApiToken.objects.live().filter(user=reviewer).exists()


@pytest.mark.django_db
def test_api_tokens_expire(api, reviewer, settings):
    token = services.issue_api_token(user=reviewer, actor=reviewer)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert api.post(reverse("api:review_claim"), {}, format="json", **headers).status_code == 200
    settings.API_TOKEN_DAYS = 0
    assert api.post(reverse("api:review_claim"), {}, format="json", **headers).status_code == 401


@pytest.mark.django_db
def test_a_setup_code_that_is_not_ascii_digits_is_refused_not_a_500(client):
    link = create("newbie", "reviewer")
    _page, form_url = setup_form(client, link)
    for code in ("²²²²²²", "١٢٣٤٥٦"):
        response = client.post(
            form_url,
            {
                "password1": "a-long-new-password-1",
                "password2": "a-long-new-password-1",
                "code": code,
            },
        )
        assert response.status_code in (200, 400), code
        assert not get_user_model().objects.get(username="newbie").has_usable_password()


@pytest.mark.django_db
def test_accounts_with_direct_permissions_move_into_their_roles():
    from django.contrib.auth.models import Permission

    from volunteers.roles import adopt_direct_permissions

    old_reviewer = factories.account("old-reviewer", role=None)
    old_reviewer.user_permissions.add(Permission.objects.get(codename="review_statement"))
    old_coordinator = factories.account("old-coordinator", role=None)
    old_coordinator.user_permissions.add(
        *Permission.objects.filter(codename__in=["review_statement", "remove_statement"])
    )
    factories.account("plain", role=None)

    assert adopt_direct_permissions() == 2
    assert adopt_direct_permissions() == 0

    moved = {u.username: u for u in get_user_model().objects.filter(username__startswith="old")}
    assert role_of(moved["old-reviewer"]) == Role.REVIEWER
    assert role_of(moved["old-coordinator"]) == Role.COORDINATOR
    assert moved["old-coordinator"].is_staff and not moved["old-reviewer"].is_staff
    assert not Permission.objects.filter(user__in=moved.values()).exists()
    assert moved["old-coordinator"].has_perm("statements.remove_statement")
