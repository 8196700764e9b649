"""The review workspace's writes that concern an account as well as statements: claiming,
releasing and breaking leases. Each appends to the account log in the same transaction
as the statements service it calls, so the log never shows a claim that did not happen
(or misses one that did). Decisions, skips, undo and redaction are statement events
only: the views call statements.review for those directly."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from statements import review
from statements.models import ReviewLease
from volunteers.models import AccountEvent
from volunteers.services import record_account_event


def claim(*, reviewer: AbstractBaseUser, size: int | None = None) -> ReviewLease:
    """Claim a batch (REVIEW_BATCH_SIZE by default) or top up and extend the reviewer's
    live lease (see statements.review.claim). Logged CLAIMED with the lease and size."""
    size = size or settings.REVIEW_BATCH_SIZE
    with transaction.atomic():
        lease = review.claim(reviewer=reviewer, size=size)
        record_account_event(
            action=AccountEvent.Action.CLAIMED,
            subject=reviewer,
            actor=reviewer,
            detail={"lease": str(lease.pk), "size": size},
        )
    return lease


def release(*, reviewer: AbstractBaseUser, lease_id: uuid.UUID | str) -> None:
    """Give back the rest of the reviewer's live lease. Raises review.LeaseRefused if it is
    not a live lease of theirs (nothing is logged then)."""
    try:
        lease_id = uuid.UUID(str(lease_id))
    except ValueError:
        raise review.LeaseRefused(lease_id) from None
    with transaction.atomic():
        review.release(reviewer=reviewer, lease_id=lease_id)
        record_account_event(
            action=AccountEvent.Action.RELEASED,
            subject=reviewer,
            actor=reviewer,
            detail={"lease": str(lease_id)},
        )


def break_lease(*, coordinator: AbstractBaseUser, lease_id: uuid.UUID | str) -> ReviewLease:
    """End another reviewer's lease (the caller checks `statements.break_lease`); its
    statements go back to the queue. Logged LEASE_BROKEN on the holder's account, by the
    coordinator. Raises review.LeaseRefused if the lease is unknown or already ended."""
    try:
        lease_id = uuid.UUID(str(lease_id))
    except ValueError:
        raise review.LeaseRefused(lease_id) from None
    with transaction.atomic():
        lease = review.break_lease(lease_id=lease_id)
        record_account_event(
            action=AccountEvent.Action.LEASE_BROKEN,
            subject=lease.reviewer,
            actor=coordinator,
            detail={"lease": str(lease.pk)},
        )
    return lease
