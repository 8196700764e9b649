"""What a submitter can do with their receipt code: hide their statement from the public
list, show it again, retract it, or replace it with a new version.

The submitter has no account: the receipt code is their only credential, so these
services take the code (never an id) and their audit rows have no actor. The audit
records the change and nothing about the person or the request. Views and the API check
the form of the code, that the post came from this site, and the receipt rate limit.

Each action locks the statement's row (found by its receipt hash, one seek on the unique
index), checks the status it is in, and changes it with a conditional update plus its
audit row, in one transaction. Locking first gives the audit row the status the change
really started from, and makes a race with review plain: whoever locks the row first
acts, the other sees the result (a decision waits, then finds the row no longer in
review and refuses it; a retraction waits for a decision, then retracts what was
published). Repeating an action that is already done (hiding a hidden statement,
retracting a retracted one) changes nothing, writes no audit row and is no error: a
reload of the page, a client's retry, answer as the first did.

Every change sets status_changed_at: the tally rollup finds the days to recompute from
it and the publication day. A hide or a show changes no count, but the rollups read
listed and hidden statements from two indexes, so they are told of it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from statements.models import AuditEvent, Statement, Status

# What the receipt page, the API and the certificate show of a statement.
FIELDS = (
    "id",
    "status",
    "hidden",
    "registration_number",
    "published_day",
    "rejection",
    "display_name",
    "is_alias",
    "left_party",
    "left_youth_league",
    "left_young_pioneers",
    "language",
)

# What a submitter may retract: anything not yet declined, removed or retracted. Final:
# nothing brings a retracted statement back (its registration number, if it had one, is
# kept so that it is never drawn again).
RETRACTABLE = frozenset({Status.RECEIVED, Status.IN_REVIEW, Status.PUBLISHED})


class UnknownReceipt(Exception):
    """No statement has this receipt code."""


class NotAllowed(Exception):
    """The statement's status does not allow the action (hiding one not published,
    retracting one declined or removed). `status` is the status it is in."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class Result:
    """The statement after the action (FIELDS loaded), and whether this call changed it."""

    statement: Statement
    changed: bool


def look_up(*, receipt: str) -> Statement:
    """The statement of this receipt code, with FIELDS (one seek on the receipt index).
    Raises UnknownReceipt."""
    statement = Statement.objects.by_receipt(receipt).only(*FIELDS).first()
    if statement is None:
        raise UnknownReceipt()
    return statement


def hide(*, receipt: str, now: datetime | None = None) -> Result:
    """Take a published statement off the public list and its permalink. It stays
    published: it keeps its number, still counts in the tallies and its certificate still
    prints. Audited HIDDEN. Raises UnknownReceipt, or NotAllowed unless published."""
    return _act(
        receipt=receipt,
        action=AuditEvent.Action.HIDDEN,
        allowed={Status.PUBLISHED},
        done=lambda s: s.status == Status.PUBLISHED and s.hidden,
        changes={"hidden": True},
        now=now,
    )


def unhide(*, receipt: str, now: datetime | None = None) -> Result:
    """Put a hidden statement back on the public list (the submitter changed their
    mind). Audited SHOWN. Raises UnknownReceipt, or NotAllowed unless published."""
    return _act(
        receipt=receipt,
        action=AuditEvent.Action.SHOWN,
        allowed={Status.PUBLISHED},
        done=lambda s: s.status == Status.PUBLISHED and not s.hidden,
        changes={"hidden": False},
        now=now,
    )


def retract(*, receipt: str, now: datetime | None = None) -> Result:
    """Withdraw a statement for good: received, in review or published (hidden or not).
    It leaves the review queue (its claim is cleared, so no reviewer is handed it), the
    public list and the tallies, and is never published again. Audited RETRACTED.
    Raises UnknownReceipt, or NotAllowed if it was declined or removed."""
    return _act(
        receipt=receipt,
        action=AuditEvent.Action.RETRACTED,
        allowed=RETRACTABLE,
        done=lambda s: s.status == Status.RETRACTED,
        changes=_RETRACTION,
        now=now,
    )


def retract_replaced(*, receipt: str, keep: int, now: datetime) -> Statement | None:
    """Retract the statement of `receipt` because its submitter sent a new version
    (statements.services.submit_statement with `replaces`), in the caller's transaction.
    Audited REPLACED, with nothing in `detail`: the audit must not join the two
    statements, since a person who first used their name may have sent the new version
    under an alias for their safety.

    A statement that is declined, removed or already retracted is left as it is (there is
    nothing to withdraw, and the new version is still welcome); `keep` (the new
    statement's id) is never touched, whatever the code. Returns the statement as it is
    now, or None if no statement has this receipt code."""
    statement = _locked(receipt)
    if statement is None:
        return None
    if statement.pk != keep and statement.status in RETRACTABLE:
        _change(statement, action=AuditEvent.Action.REPLACED, changes=_RETRACTION, now=now)
    return statement


# A retracted statement leaves a reviewer's claim: the claim query takes only statements
# in review, and statement_lease_idx holds only rows with a claim.
_RETRACTION = {"status": Status.RETRACTED, "lease": None, "lease_expires_at": None}


def _act(*, receipt, action, allowed, done, changes, now) -> Result:
    now = now or timezone.now()
    with transaction.atomic():
        statement = _locked(receipt)
        if statement is None:
            raise UnknownReceipt()
        if done(statement):
            return Result(statement=statement, changed=False)
        if statement.status not in allowed:
            raise NotAllowed(statement.status)
        _change(statement, action=action, changes=changes, now=now)
    return Result(statement=statement, changed=True)


def _locked(receipt: str) -> Statement | None:
    # by_receipt, as every look-up by code: it never finds an imported statement, whose
    # receipt hash was never anyone's code. FOR NO KEY UPDATE: no action changes a key,
    # so this does not block the key-share locks of rows that point here (audit rows).
    return (
        Statement.objects.by_receipt(receipt).select_for_update(no_key=True).only(*FIELDS).first()
    )


def _change(statement: Statement, *, action: str, changes: dict, now: datetime) -> None:
    """Apply `changes` to a locked statement, conditionally on its status, and audit it."""
    from_status = statement.status
    updated = Statement.objects.filter(pk=statement.pk, status=from_status).update(
        status_changed_at=now, **changes
    )
    if updated != 1:  # the row is locked: nothing can have changed it since it was read
        raise RuntimeError(f"statement {statement.pk} changed under its lock")
    for field, value in changes.items():
        setattr(statement, field, value)
    AuditEvent.objects.create(
        statement_id=statement.pk,
        actor=None,
        action=action,
        from_status=from_status,
        to_status=statement.status,
        created_at=now,
    )
