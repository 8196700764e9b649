"""The review state of statements: leases (claimed batches), decisions, undo, redaction.

Only these functions and statements.services change a statement's status. A lease binds
decisions: a statement is decided only by the holder of a live lease on it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from statements.models import ReviewLease, Statement, Status


def end_leases(*, leases: QuerySet[ReviewLease], end: str, now=None) -> list:
    """End the given leases that are still open (released, or broken by a coordinator)
    and return what is left of their batches to the queue, in its old place. Returns the
    ids of the leases it ended. Idempotent: an ended lease is left as it is. Decisions
    sent later under an ended lease are refused, since the statements no longer carry it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            leases.filter(ended_at__isnull=True).select_for_update().values_list("id", flat=True)
        )
        if not ids:
            return []
        ReviewLease.objects.filter(id__in=ids).update(ended_at=now, end=end)
        Statement.objects.filter(lease_id__in=ids, status=Status.IN_REVIEW).update(
            lease=None, lease_expires_at=None
        )
    return ids
