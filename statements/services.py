"""Writes to a statement's life outside review: intake, screening, removal.

Only these functions and statements.review (claims and decisions, which a lease binds)
change a statement's status. Each change is a conditional update on the expected current
status (so two people acting at once change it once) plus its audit row, in one
transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from statements import receipts, screening, submitter
from statements.models import (
    NAME_MAX_LENGTH,
    ORGANIZATION_FIELDS,
    TEXT_MAX_LENGTH,
    AuditEvent,
    Channel,
    Flag,
    Statement,
    Status,
)


class TransitionRefused(Exception):
    """The statement was not in the status the change needs (someone else acted first)."""


class SubmissionKeyExpired(Exception):
    """A submission was resent with its key after REPLAY_WINDOW: not answered as a resend,
    so that an old key (guessed, or leaked from a client) cannot fetch a receipt."""


# How long a resent submission (same key, same statement) gets its first receipt back.
REPLAY_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Submission:
    statement: Statement
    receipt: str
    # False when this was a resent copy of a submission already stored.
    created: bool = True
    # The earlier statement named in `replaces`, as it is now (retracted, unless it was
    # declined or removed before); None without `replaces`.
    replaced: Statement | None = None


def submit_statement(
    *,
    display_name: str,
    is_alias: bool,
    organizations: Collection[str],
    region: str,
    text: str,
    language: str,
    channel: str = Channel.WEB,
    submission_key: str | None = None,
    entered_by: AbstractBaseUser | None = None,
    replaces: str | None = None,
) -> Submission:
    """Store a validated statement as `received` and return its receipt code.

    The row is committed when this returns: the caller may tell the sender it was
    accepted. Nothing else happens here; the screening sweeper picks the row up.
    Callers validate first (forms, serializers); the database constraints are the
    last line, not the validation.

    With a `submission_key`, the receipt is derived from the key and everything
    submitted, so the same submission sent twice (a double click, a client's retry, even
    at the same instant) stores one row: the second insert collides on the unique receipt
    hash and gets the first row back with created=False, within REPLAY_WINDOW (after it,
    SubmissionKeyExpired). The same key with anything changed is a new statement.

    With `entered_by` (a volunteer entering it for the person), the statement records the
    volunteer, and an ENTERED audit row (the volunteer as actor, the channel in `detail`)
    is written in the same transaction; a resent copy writes neither again.

    With `replaces` (the receipt code of the sender's earlier statement), that statement
    is retracted in the same transaction (statements.submitter.retract_replaced: at once,
    whatever its status, since withdrawing it is the sender's wish; a published one
    leaves the list and the tallies before the new version is reviewed). A resent copy
    retracts it too if the first did not. Raises submitter.UnknownReceipt, storing
    nothing, if no statement has that code: the sender expects it withdrawn, so the form
    says so and they can correct the code.
    """
    content_hash = screening.content_hash(
        name=display_name, text=text, organizations=organizations, region=region
    )
    if submission_key:
        fingerprint = f"{submission_key}|{content_hash.hex()}|{is_alias}|{language}|{channel}"
        if entered_by is not None:
            # Two volunteers' keys never meet (keys are random), but a key is only ever
            # answered as a resend to the one who sent it.
            fingerprint += f"|{entered_by.pk}"
        receipt = receipts.code_for_key(fingerprint)
    else:
        receipt = receipts.new_code()
    statement = Statement(
        display_name=display_name,
        is_alias=is_alias,
        region=region,
        text=text,
        channel=channel,
        language=language,
        content_hash=content_hash,
        receipt_hash=receipts.digest(receipt),
        entered_by=entered_by,
        **{field: org in organizations for org, field in ORGANIZATION_FIELDS.items()},
    )
    try:
        with transaction.atomic():
            statement.save(force_insert=True)
            if entered_by is not None:
                AuditEvent.objects.create(
                    statement=statement,
                    actor=entered_by,
                    action=AuditEvent.Action.ENTERED,
                    from_status=Status.RECEIVED,
                    to_status=Status.RECEIVED,
                    detail={"channel": channel},
                    created_at=statement.created_at,
                )
            replaced = _replace(replaces, keep=statement)
    except IntegrityError:
        # The receipt is derived from the key and the whole submission, so a stored row
        # with this receipt hash is this very submission, sent before.
        first = Statement.objects.filter(receipt_hash=statement.receipt_hash).first()
        if submission_key is None or first is None:
            raise
        if first.created_at < timezone.now() - REPLAY_WINDOW:
            raise SubmissionKeyExpired(submission_key) from None
        with transaction.atomic():
            replaced = _replace(replaces, keep=first)
        return Submission(statement=first, receipt=receipt, created=False, replaced=replaced)
    return Submission(statement=statement, receipt=receipt, replaced=replaced)


def _replace(replaces: str | None, *, keep: Statement) -> Statement | None:
    if replaces is None:
        return None
    replaced = submitter.retract_replaced(receipt=replaces, keep=keep.pk, now=timezone.now())
    if replaced is None:
        raise submitter.UnknownReceipt()
    return replaced


@dataclass(frozen=True)
class NewStatement:
    """One statement for submit_statements, validated by the caller."""

    display_name: str
    is_alias: bool
    organizations: Collection[str]
    region: str
    language: str
    text: str = ""


def submit_statements(*, statements: Sequence[NewStatement], channel: str) -> list[Statement]:
    """Store validated statements as `received` with one INSERT, in the caller's
    transaction, and return them (with their ids) in order.

    The bulk twin of submit_statement for integrations that bring their own idempotency
    (volunteers.hotline keys each item by its external id): the same invariants (NFC
    name and text, content hash, a fresh random receipt whose sha256 alone is stored,
    the table's constraints), no submission key. The receipt codes are not returned:
    these callers have no one to hand them to. Screening picks the rows up as usual.
    """
    rows = []
    for item in statements:
        name, text = screening.normalize(item.display_name), screening.normalize(item.text)
        rows.append(
            Statement(
                display_name=name,
                is_alias=item.is_alias,
                region=item.region,
                text=text,
                channel=channel,
                language=item.language,
                content_hash=screening.content_hash(
                    name=name, text=text, organizations=item.organizations, region=item.region
                ),
                receipt_hash=receipts.digest(receipts.new_code()),
                **{field: org in item.organizations for org, field in ORGANIZATION_FIELDS.items()},
            )
        )
    return Statement.objects.bulk_create(rows)


def screen_received(*, batch_size: int = 500) -> int:
    """Screen up to `batch_size` received statements and move them into review.

    Claims rows with SELECT ... FOR UPDATE SKIP LOCKED, so any number of workers can run
    it at once without screening a row twice; rerunning it is harmless (only `received`
    rows are touched). Returns how many it moved. Called by the periodic task
    `screen_statements`, which is also the sweeper: a row is never left behind.
    """
    now = timezone.now()
    with transaction.atomic():
        batch = list(
            Statement.objects.received()
            .order_by("id")
            .select_for_update(skip_locked=True)[:batch_size]
        )
        if not batch:
            return 0
        earliest_by_hash = Statement.objects.earliest_live_ids({s.content_hash for s in batch})
        # Rows from intake are already NFC, so they differ only in their flags, which take
        # few distinct values: one UPDATE per flag set (a flood of copies is one UPDATE).
        # bulk_update (a CASE per row and column) only for rows whose text changed.
        by_flags: dict[tuple[str, ...], list[int]] = defaultdict(list)
        changed = []
        for statement in batch:
            name, text = statement.display_name, statement.text
            _normalize_within_limits(statement)
            flags = screening.content_flags(name=statement.display_name, text=statement.text)
            if earliest_by_hash.get(statement.content_hash, statement.id) < statement.id:
                flags.insert(0, Flag.DUPLICATE.value)
            statement.screening_flags = flags
            if (name, text) == (statement.display_name, statement.text):
                by_flags[tuple(flags)].append(statement.pk)
            else:
                changed.append(statement)
        moved = {
            "status": Status.IN_REVIEW,
            "screened_at": now,
            "status_changed_at": now,
            "queued_at": now,
        }
        for flags, ids in by_flags.items():
            Statement.objects.filter(pk__in=ids).update(screening_flags=list(flags), **moved)
        for statement in changed:
            for field, value in moved.items():
                setattr(statement, field, value)
        Statement.objects.bulk_update(
            changed,
            ["display_name", "text", "screening_flags", *moved],
        )
        AuditEvent.objects.bulk_create(
            AuditEvent(
                statement=statement,
                action=AuditEvent.Action.SCREENED,
                from_status=Status.RECEIVED,
                to_status=Status.IN_REVIEW,
                created_at=now,
            )
            for statement in batch
        )
    return len(batch)


def _normalize_within_limits(statement: Statement) -> None:
    """NFC the name and text. Intake already stores NFC; a row written some other way
    keeps its form if NFC would push it past a limit, because one row that cannot be
    written would roll back, and so block, every batch it is claimed in."""
    name = screening.normalize(statement.display_name)
    text = screening.normalize(statement.text)
    if len(name) <= NAME_MAX_LENGTH:
        statement.display_name = name
    if len(text) <= TEXT_MAX_LENGTH:
        statement.text = text


def remove(*, statement_id: int, actor: AbstractBaseUser, reason: str) -> None:
    """Take a published statement down (it leaves the list and the tallies). Raises
    TransitionRefused if it is not published."""
    _transition(
        statement_id=statement_id,
        actor=actor,
        action=AuditEvent.Action.REMOVED,
        from_status=Status.PUBLISHED,
        to_status=Status.REMOVED,
        changes={},
        reason=reason,
    )


def _transition(
    *,
    statement_id: int,
    actor: AbstractBaseUser,
    action: str,
    from_status: str,
    to_status: str,
    changes: dict,
    reason: str = "",
    now=None,
) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        changed = Statement.objects.filter(pk=statement_id, status=from_status).update(
            status=to_status, status_changed_at=now, **changes
        )
        if changed != 1:
            raise TransitionRefused(statement_id)
        AuditEvent.objects.create(
            statement_id=statement_id,
            actor=actor,
            action=action,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            created_at=now,
        )
