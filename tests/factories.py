"""Statements in any state. Intake and state changes go through the services, as in
production; `published_statement` writes a row directly only to place it at a chosen
time for the tally tests."""

import itertools
import secrets
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from statements import receipts, registration, review, screening, services
from statements.models import ORGANIZATION_FIELDS, RejectionReason, Statement, Status
from tuidang.lib.days import tally_day_of
from volunteers.middleware import account_epoch, start_session
from volunteers.models import ApiToken
from volunteers.roles import sync_roles

_names = (f"测试者{n}" for n in itertools.count(1))

PASSWORD = "a-long-test-password"


def account(username: str, *, role: str | None, password: str = PASSWORD, two_factor=True):
    """A volunteer account in `role` (None: an account with no role), with a confirmed
    TOTP device unless `two_factor` is False."""
    user = get_user_model().objects.create_user(username, password=password)
    if role is not None:
        if not Group.objects.filter(name=role).exists():
            sync_roles()  # a transactional test's flush empties the tables the migration filled
        user.groups.add(Group.objects.get(name=role))
    if two_factor:
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


def api_token(user) -> str:
    """A live API token for `user`, as a client would send it."""
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(token), prefix=token[:8])
    return token


def sign_in(client, user) -> None:
    """Sign `user` in on the test client as if they had passed both factors through the
    sign-in pages (with the session marks volunteers.middleware checks)."""
    client.force_login(user)
    session = client.session
    fresh = get_user_model().objects.select_related("account").get(pk=user.pk)
    start_session(session, epoch=account_epoch(fresh))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def totp_code(user, *, drift: int = 0) -> str:
    """The current code of `user`'s authenticator. A device accepts each time step once,
    so a test that signs in twice uses drift -1 first, then 0 (its tolerance is 1)."""
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, drift=drift):06d}"


def submission(**overrides) -> services.Submission:
    fields = {
        "display_name": next(_names),
        "is_alias": False,
        "organizations": ["party"],
        "region": "CN-GD",
        "text": "",
        "language": "zh-hans",
    }
    fields.update(overrides)
    return services.submit_statement(**fields)


def received_statement(**overrides) -> Statement:
    return submission(**overrides).statement


def in_review_statement(**overrides) -> Statement:
    statement = received_statement(**overrides)
    services.screen_received()
    statement.refresh_from_db()
    assert statement.status == Status.IN_REVIEW
    return statement


def rejection_reason(code: str = "duplicate") -> RejectionReason:
    """A reason from the list (the migration's defaults; a transactional test's flush
    empties the table, so it is created again if missing)."""
    reason, _created = RejectionReason.objects.get_or_create(
        code=code,
        defaults={"label_zh_hans": code, "label_zh_hant": code, "label_en": code},
    )
    return reason


def decide(statement: Statement, *, reviewer, action: str, **choice) -> review.Outcome:
    """Decide one statement as a reviewer does: claim it (with whatever comes before it in
    the queue), decide, and give the rest back unless the reviewer already held a lease."""
    held = review.live_lease(reviewer=reviewer) is not None
    lease = review.claim(reviewer=reviewer, size=200)
    outcome = review.decide(
        reviewer=reviewer,
        lease_id=lease.pk,
        decisions=[review.Decision(statement.pk, action, **choice)],
    )
    if not held:
        review.release(reviewer=reviewer, lease_id=lease.pk)
    return outcome


def approve(statement: Statement, *, reviewer, override: str = "") -> review.Outcome:
    return decide(statement, reviewer=reviewer, action="approve", override=override)


def reject(statement: Statement, *, reviewer, note: str = "", code="duplicate"):
    reason = rejection_reason(code)
    return decide(statement, reviewer=reviewer, action="reject", reason=reason, note=note)


def approved_statement(*, reviewer, **overrides) -> Statement:
    statement = in_review_statement(**overrides)
    approve(statement, reviewer=reviewer)
    statement.refresh_from_db()
    assert statement.status == Status.PUBLISHED
    return statement


def published_statement(
    *,
    published_at: datetime | None = None,
    organizations=("party",),
    status=Status.PUBLISHED,
    region: str = "CN-BJ",
    **overrides,
) -> Statement:
    """A published statement written directly (no review), with its day and a number."""
    name = overrides.pop("display_name", None) or next(_names)
    published_at = published_at or timezone.now()
    fields = {
        "published_day": tally_day_of(published_at),
        "registration_number": registration.new_number(),
        **overrides,
    }
    return Statement.objects.create(
        display_name=name,
        region=region,
        language="zh-hans",
        status=status,
        content_hash=screening.content_hash(
            name=name, text="", organizations=organizations, region=region
        ),
        receipt_hash=receipts.digest(receipts.new_code()),
        created_at=published_at,
        published_at=published_at,
        status_changed_at=published_at,
        **{field: org in organizations for org, field in ORGANIZATION_FIELDS.items()},
        **fields,
    )
