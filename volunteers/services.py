"""Writes to volunteer accounts: creating and retiring them, second factors, sessions,
API tokens, and the account-event log every one of them appends to."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from volunteers.models import AccountEvent


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
