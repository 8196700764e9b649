"""Writes to volunteer accounts: creating and retiring them, second factors, sessions,
API tokens, and the account-event log every one of them appends to.

Every function here that changes an account appends its `AccountEvent` in the same
transaction. None of them reads the request: client addresses never reach the log.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from statements.models import ReviewLease
from statements.review import end_leases
from volunteers.models import Account, AccountEvent, ApiToken
from volunteers.roles import Role, role_of

Action = AccountEvent.Action
RECOVERY_CODE_COUNT = 10
_TOTP_CODE = re.compile(r"\d{6}")


class SetupTokenGenerator(PasswordResetTokenGenerator):
    """One-time setup links. Like a password reset token (it dies once the password is
    set, and after PASSWORD_RESET_TIMEOUT), salted apart from Django's own, and dead once
    the account is deactivated."""

    key_salt = "volunteers.services.SetupTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


setup_tokens = SetupTokenGenerator()


class SetupLinkInvalid(Exception):
    """The setup link is unknown, expired or already used."""


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    recovery_codes: list[str]
    epoch: int


def record_account_event(
    *,
    action: str,
    subject: AbstractBaseUser | None,
    actor: AbstractBaseUser | None = None,
    detail: dict | None = None,
) -> AccountEvent:
    """Append one row to the account log. Call it inside the transaction of the change it
    records. `detail` must never hold a client address, a user agent or a secret."""
    return AccountEvent.objects.create(
        action=action, subject=subject, actor=actor, detail=detail or {}
    )


def setup_url(user: AbstractBaseUser) -> str:
    """The absolute one-time setup link of `user` as of now (SITE_URL + path). Pure."""
    path = reverse(
        "volunteers:setup",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": setup_tokens.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


def _bump_epoch(user: AbstractBaseUser) -> int:
    """End every session of `user` signed in before now; return the new generation."""
    Account.objects.get_or_create(user=user)
    Account.objects.filter(user=user).update(session_epoch=F("session_epoch") + 1)
    return Account.objects.values_list("session_epoch", flat=True).get(user=user)


def _end_access(user: AbstractBaseUser) -> tuple[int, int]:
    """End every way in that `user` opened before now: their sessions (a new generation)
    and their API tokens (revoked), so a token minted from a session someone else held
    does not outlive the owner taking their account back. Returns the new generation and
    how many tokens were revoked."""
    epoch = _bump_epoch(user)
    tokens = ApiToken.objects.live().filter(user=user).update(revoked_at=timezone.now())
    return epoch, tokens


def _set_role(user: AbstractBaseUser, role: Role) -> None:
    user.groups.set([Group.objects.get(name=role.value)])
    # Coordinators open the admin (rejection reasons, the logs); nobody else does.
    is_staff = role == Role.COORDINATOR or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


def issue_setup_link(*, user: AbstractBaseUser, actor: AbstractBaseUser | None) -> str:
    """Return a new one-time setup link for `user` and log that one was issued (never the
    link itself). Links already issued stay valid until one of them is used."""
    record_account_event(action=Action.SETUP_LINK, subject=user, actor=actor)
    return setup_url(user)


def create_volunteer(
    *, username: str, role: Role, actor: AbstractBaseUser | None = None
) -> tuple[AbstractBaseUser, str]:
    """Create an active account in `role` with no usable password, and return it with its
    one-time setup link (valid PASSWORD_RESET_TIMEOUT, until the password is set).
    The caller validates `username`; a taken one raises IntegrityError. Logged as
    `created` and `setup_link`."""
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=username, password=None)
        Account.objects.create(user=user)
        _set_role(user, role)
        record_account_event(
            action=Action.CREATED, subject=user, actor=actor, detail={"role": role.value}
        )
        link = issue_setup_link(user=user, actor=actor)
    return user, link


def change_role(*, user: AbstractBaseUser, role: Role, actor: AbstractBaseUser | None) -> bool:
    """Put `user` in exactly the group of `role` (coordinators are staff, others not).
    Returns False, and logs nothing, when the account already has that role."""
    with transaction.atomic():
        # Locked, so two coordinators changing one role at once log two true changes.
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        old = role_of(user)
        if old == role:
            return False
        _set_role(user, role)
        record_account_event(
            action=Action.ROLE_CHANGED,
            subject=user,
            actor=actor,
            detail={"from": old.value if old else None, "to": role.value},
        )
    return True


def deactivate(*, user: AbstractBaseUser, actor: AbstractBaseUser | None) -> bool:
    """Retire an account: it can no longer sign in, its sessions end, its API tokens are
    revoked and its open claims go back to the queue. A conditional update, so doing it
    twice logs once; returns whether this call did it."""
    User = get_user_model()
    now = timezone.now()
    with transaction.atomic():
        if not User.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
            return False
        user.is_active = False
        _epoch, tokens = _end_access(user)
        leases = end_leases(
            leases=ReviewLease.objects.filter(reviewer=user), end=ReviewLease.End.RELEASED, now=now
        )
        record_account_event(
            action=Action.DEACTIVATED,
            subject=user,
            actor=actor,
            detail={"tokens_revoked": tokens, "leases_released": len(leases)},
        )
    return True


def reset_two_factor(*, user: AbstractBaseUser, actor: AbstractBaseUser | None) -> str:
    """For a lost device: delete the account's authenticator and recovery codes, end its
    sessions, revoke its API tokens, make its password unusable, and return a new setup
    link (a new password and a new device). Until that link is used the account cannot
    sign in: whoever holds the lost phone, or the old password, gets nothing, and a
    sign-in attempt cannot tell them whether a guessed password was right."""
    with transaction.atomic():
        removed = 0
        for model in (TOTPDevice, StaticDevice):
            _total, by_model = model.objects.filter(user=user).delete()
            removed += by_model.get(model._meta.label, 0)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        _epoch, tokens = _end_access(user)
        record_account_event(
            action=Action.TWO_FACTOR_RESET,
            subject=user,
            actor=actor,
            detail={"devices_removed": removed, "tokens_revoked": tokens},
        )
        return issue_setup_link(user=user, actor=actor)


def complete_setup(
    *, user: AbstractBaseUser, token: str, password: str, totp_key: str, totp_t: int
) -> Enrolment:
    """Finish a setup link: check `token` under a row lock (two sends of one link set up
    once; raises SetupLinkInvalid), replace the account's devices with the confirmed
    authenticator `totp_key` (its code of time step `totp_t` already used) and ten new
    recovery codes, set the password, and end every other session. Returns the device,
    the recovery codes (shown once, stored only as django-otp keeps them) and the new
    session generation. Logged as `password_set`, `2fa_enrolled` and `signed_in`: the
    caller signs the person in with the device."""
    User = get_user_model()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active or not setup_tokens.check_token(locked, token):
            raise SetupLinkInvalid
        TOTPDevice.objects.filter(user=locked).delete()
        StaticDevice.objects.filter(user=locked).delete()
        device = TOTPDevice.objects.create(
            user=locked, name="authenticator", key=totp_key, confirmed=True, last_t=totp_t
        )
        recovery = StaticDevice.objects.create(user=locked, name="recovery", confirmed=True)
        codes: list[str] = []
        while len(codes) < RECOVERY_CODE_COUNT:
            code = StaticToken.random_token()
            if code not in codes:
                codes.append(code)
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
        locked.set_password(password)
        locked.save(update_fields=["password"])
        epoch, _tokens = _end_access(locked)
        record_account_event(action=Action.PASSWORD_SET, subject=locked, actor=locked)
        record_account_event(
            action=Action.TWO_FACTOR_ENROLLED,
            subject=locked,
            actor=locked,
            detail={"recovery_codes": RECOVERY_CODE_COUNT},
        )
        record_sign_in(user=locked, second_factor="setup")
    user.password = locked.password
    return Enrolment(device=device, recovery_codes=codes, epoch=epoch)


def change_password(*, user: AbstractBaseUser, password: str) -> int:
    """Set a new password chosen by the account's holder, end every other session and
    revoke the account's API tokens; returns the new session generation for the session
    that made the change."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        epoch, _tokens = _end_access(user)
        record_account_event(action=Action.PASSWORD_SET, subject=user, actor=user)
    return epoch


def record_sign_in(*, user: AbstractBaseUser, second_factor: str | None) -> None:
    """Log a completed sign-in (`second_factor`: "totp", "recovery" or None)."""
    record_account_event(
        action=Action.SIGNED_IN,
        subject=user,
        actor=user,
        detail={"second_factor": second_factor} if second_factor else {},
    )


def record_failed_sign_in(*, username: str, reason: str) -> None:
    """Log a refused sign-in to an account that exists. Guesses at names that do not
    exist are not logged: the log is append-only, and anyone could grow it without end
    (the rate limits still count them). The name typed is never stored (it may be a
    password typed into the wrong field)."""
    subject = get_user_model().objects.filter(username=username).first()
    if subject is None:
        return
    record_account_event(action=Action.SIGN_IN_FAILED, subject=subject, detail={"reason": reason})


def verify_second_factor(*, user: AbstractBaseUser, code: str) -> Device | None:
    """Check a code from the account's authenticator (six digits) or one of its recovery
    codes, and return the device that accepted it, or None. A recovery code is deleted
    as it is accepted (django-otp does so under a row lock), so it never works again.
    Logs `recovery_used` and `signed_in`, or `sign_in_failed`. Devices throttle repeated
    failures themselves."""
    code = "".join(code.split())
    if _TOTP_CODE.fullmatch(code):
        devices = TOTPDevice.objects.devices_for_user(user)
        kind = "totp"
    else:
        code = code.replace("-", "").lower()
        devices = StaticDevice.objects.devices_for_user(user)
        kind = "recovery"
    with transaction.atomic():
        accepted = next(
            (
                device
                for device in devices
                if verify_token(user, device.persistent_id, code) is not None
            ),
            None,
        )
        if accepted is None:
            record_account_event(
                action=Action.SIGN_IN_FAILED,
                subject=user,
                detail={"reason": "second_factor", "kind": kind},
            )
            return None
        if kind == "recovery":
            record_account_event(
                action=Action.RECOVERY_CODE_USED,
                subject=user,
                actor=user,
                detail={"left": StaticToken.objects.filter(device__user=user).count()},
            )
        record_sign_in(user=user, second_factor=kind)
    return accepted


def sign_out_everywhere(*, user: AbstractBaseUser) -> None:
    """End every session of the account, the caller's too (it should log out), and revoke
    its API tokens."""
    with transaction.atomic():
        _epoch, tokens = _end_access(user)
        record_account_event(
            action=Action.SIGNED_OUT_EVERYWHERE,
            subject=user,
            actor=user,
            detail={"tokens_revoked": tokens},
        )


def issue_api_token(*, user: AbstractBaseUser, actor: AbstractBaseUser | None) -> str:
    """Create an API token for `user` and return it: the only time it is seen, since only
    its sha256 is stored. Logged as `token_issued` with its prefix."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(user=user, digest=ApiToken.digest_of(token), prefix=token[:8])
        record_account_event(
            action=Action.TOKEN_ISSUED,
            subject=user,
            actor=actor,
            detail={"token": row.pk, "prefix": row.prefix},
        )
    return token


def revoke_api_token(
    *, token_id: int, user: AbstractBaseUser, actor: AbstractBaseUser | None
) -> bool:
    """Revoke `user`'s live token `token_id`. A conditional update: returns False, and
    logs nothing, if it is not theirs or already revoked."""
    with transaction.atomic():
        revoked = (
            ApiToken.objects.live().filter(pk=token_id, user=user).update(revoked_at=timezone.now())
        )
        if revoked:
            record_account_event(
                action=Action.TOKEN_REVOKED, subject=user, actor=actor, detail={"token": token_id}
            )
    return bool(revoked)
