"""The review state of statements: leases (claimed batches), decisions, undo, redaction.

Only these functions and statements.services change a statement's status. A lease binds
decisions: a statement is decided, skipped or redacted only by the holder of a live lease
on it, so a decision sent after the lease expired or was broken is refused.

Locks are always taken in the same order: the reviewer's account row (claims only), then
the lease row, then statement rows. Decisions lock their lease with FOR NO KEY UPDATE,
which serializes one reviewer's own requests and a coordinator's break of that lease,
but does not conflict with the key-share locks other reviewers' claims take.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone

from statements import registration, screening
from statements.models import (
    BLOCKING_FLAGS,
    AuditEvent,
    Flag,
    RejectionReason,
    ReviewLease,
    Statement,
    Status,
)
from tuidang.lib.days import tally_day_of

# What masked characters become. One character for one, so offsets and lengths (and the
# length constraints) hold, and wide so a masked run is plain to see in Chinese text.
MASK = "＊"
REDACTABLE_FIELDS = ("display_name", "text")


class LeaseRefused(Exception):
    """The lease is not a live lease of this reviewer (expired, ended, someone else's)."""


class EnteredByReviewer(LeaseRefused):
    """The statement was entered by this reviewer: nobody reviews their own entries."""


class InvalidSpans(ValueError):
    """Spans to mask that are empty, reversed or outside the field."""


# Why a decision on one statement was refused (the API's `detail`).
NOT_LIVE = "lease_not_live"
NOT_HELD = "not_in_lease"
BLOCKED = "needs_redaction_or_override"
REPEATED = "repeated"  # the same statement twice in one request: the first counts
ENTERED_BY_YOU = "entered_by_you"  # a volunteer never reviews a statement they entered


@dataclass(frozen=True)
class Decision:
    """One reviewer's choice for one statement of their batch."""

    statement_id: int
    action: str  # "approve", "reject" or "skip"
    # Approval of a statement with blocking flags: the written reason to publish anyway.
    override: str = ""
    # Rejection: the reason from the coordinators' list, and an optional note.
    reason: RejectionReason | None = None
    note: str = ""


@dataclass
class Outcome:
    """What became of each statement of a decision, by id."""

    approved: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    # Refused, with why (NOT_LIVE, NOT_HELD, BLOCKED, ENTERED_BY_YOU).
    refused: dict[int, str] = field(default_factory=dict)

    @property
    def blocked(self) -> list[int]:
        return [pk for pk, why in self.refused.items() if why == BLOCKED]

    def result(self, statement_id: int) -> tuple[str, str]:
        """("approved" | "rejected" | "skipped" | "refused", detail) for one statement."""
        if statement_id in self.refused:
            return "refused", self.refused[statement_id]
        for name in ("approved", "rejected", "skipped"):
            if statement_id in getattr(self, name):
                return name, ""
        return "refused", NOT_HELD


def _live_leases(*, reviewer: AbstractBaseUser, now: datetime) -> QuerySet[ReviewLease]:
    return ReviewLease.objects.filter(reviewer=reviewer, ended_at__isnull=True, expires_at__gt=now)


def live_lease(*, reviewer: AbstractBaseUser, now: datetime | None = None) -> ReviewLease | None:
    """The reviewer's live lease, if any (there is at most one: claim sees to it)."""
    return _live_leases(reviewer=reviewer, now=now or timezone.now()).first()


def claim(*, reviewer: AbstractBaseUser, size: int, now: datetime | None = None) -> ReviewLease:
    """Claim up to `size` statements in review, in queue order, for REVIEW_LEASE_MINUTES.

    A reviewer holds at most one live lease. Claiming while holding one returns that
    lease, extended to a full term from now (its statements too), and topped up from the
    queue to `size` undecided statements; nothing already held is given back. The claim
    takes rows with FOR UPDATE SKIP LOCKED, passing over statements in other live leases
    (an expired lease's statements are free again: no sweeper needed), so reviewers
    claiming at the same instant never get the same statement. Statements the reviewer
    entered for someone else are passed over: nobody reviews their own entries. Locks the
    reviewer's account row, so two claims of one reviewer (two tabs) make one lease.
    """
    if not 1 <= size <= settings.REVIEW_BATCH_MAX:
        raise ValueError(f"batch size {size} outside 1..{settings.REVIEW_BATCH_MAX}")
    now = now or timezone.now()
    expires_at = now + timedelta(minutes=settings.REVIEW_LEASE_MINUTES)
    with transaction.atomic():
        list(
            get_user_model()
            .objects.filter(pk=reviewer.pk)
            .select_for_update(no_key=True)
            .values_list("pk")
        )
        lease = _live_leases(reviewer=reviewer, now=now).select_for_update(no_key=True).first()
        held = 0
        if lease is None:
            lease = ReviewLease.objects.create(
                reviewer=reviewer, created_at=now, expires_at=expires_at
            )
        else:
            ReviewLease.objects.filter(pk=lease.pk).update(expires_at=expires_at)
            lease.expires_at = expires_at
            held = (
                Statement.objects.in_review()
                .filter(lease=lease)
                .update(lease_expires_at=expires_at)
            )
        wanted = size - held
        if wanted > 0:
            # The queue index in order; rows in live leases are passed over.
            free = (
                Statement.objects.review_queue()
                .filter(Q(lease__isnull=True) | Q(lease_expires_at__lte=now))
                .filter(_not_entered_by(reviewer))
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)
            )
            ids = list(free[:wanted])
            Statement.objects.filter(pk__in=ids).update(lease=lease, lease_expires_at=expires_at)
    return lease


def _not_entered_by(reviewer: AbstractBaseUser) -> Q:
    # Spelled out: a bare exclude() on a nullable column is easy to get wrong.
    return Q(entered_by__isnull=True) | ~Q(entered_by=reviewer.pk)


def batch(lease: ReviewLease) -> QuerySet[Statement]:
    """What is left to decide of a lease, in queue order."""
    return Statement.objects.in_review().filter(lease=lease).order_by("queued_at", "id")


def release(*, reviewer: AbstractBaseUser, lease_id: uuid.UUID, now: datetime | None = None):
    """End the reviewer's live lease; what is left of it goes back to the queue in its old
    place. Raises LeaseRefused if it is not a live lease of theirs."""
    now = now or timezone.now()
    ended = end_leases(
        leases=_live_leases(reviewer=reviewer, now=now).filter(pk=lease_id),
        end=ReviewLease.End.RELEASED,
        now=now,
    )
    if not ended:
        raise LeaseRefused(lease_id)


def break_lease(*, lease_id: uuid.UUID, now: datetime | None = None) -> ReviewLease:
    """End anyone's open lease (a coordinator's action; the caller checks the permission).
    Returns the lease; raises LeaseRefused if it was already ended."""
    now = now or timezone.now()
    ended = end_leases(
        leases=ReviewLease.objects.filter(pk=lease_id), end=ReviewLease.End.BROKEN, now=now
    )
    if not ended:
        raise LeaseRefused(lease_id)
    return ReviewLease.objects.get(pk=lease_id)


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


def _lock_live_lease(*, reviewer, lease_id, now) -> ReviewLease | None:
    try:
        lease_id = uuid.UUID(str(lease_id))
    except ValueError:
        return None
    return (
        _live_leases(reviewer=reviewer, now=now)
        .filter(pk=lease_id)
        .select_for_update(no_key=True)
        .first()
    )


def _held(lease: ReviewLease, ids: Iterable[int], now: datetime) -> QuerySet[Statement]:
    return Statement.objects.in_review().filter(
        pk__in=list(ids), lease=lease, lease_expires_at__gt=now
    )


def decide(
    *,
    reviewer: AbstractBaseUser,
    lease_id: uuid.UUID | str,
    decisions: Sequence[Decision],
    now: datetime | None = None,
) -> Outcome:
    """Approve, reject and skip statements of the reviewer's live lease, in one transaction:
    one conditional UPDATE per outcome and one audit row per statement.

    A statement is decided only if it is in review under this lease and the lease is live;
    otherwise it is refused (NOT_LIVE, NOT_HELD). The gate: a statement with blocking flags
    (phone, ID number, email, street address) is approved only with a written override,
    else refused as BLOCKED. A statement named twice is decided by its first mention
    (callers that answer per item refuse the repeats as REPEATED). A statement the
    reviewer entered is refused as ENTERED_BY_YOU (claim never hands one out, but a
    lease may predate the entry rule, or a client may name any id).
    Skipping puts it behind the queue (queued_at = now) and out of the lease.
    Every decided statement leaves the lease. Called by the review page and the API.
    """
    now = now or timezone.now()
    outcome = Outcome()
    first: dict[int, Decision] = {}
    for decision in decisions:
        first.setdefault(decision.statement_id, decision)
    with transaction.atomic():
        lease = _lock_live_lease(reviewer=reviewer, lease_id=lease_id, now=now)
        if lease is None:
            for pk in first:
                outcome.refused.setdefault(pk, NOT_LIVE)
            return outcome
        held = {
            pk: (screening_flags, entered_by)
            for pk, screening_flags, entered_by in _held(lease, first, now)
            .select_for_update(of=("self",))
            .values_list("pk", "screening_flags", "entered_by_id")
        }
        flags = {pk: screening_flags for pk, (screening_flags, _by) in held.items()}
        approvals, rejections, skips = {}, {}, []
        for pk, decision in first.items():
            if pk not in flags:
                outcome.refused.setdefault(pk, NOT_HELD)
            elif held[pk][1] == reviewer.pk:
                outcome.refused[pk] = ENTERED_BY_YOU
            elif decision.action == "approve":
                blocking = [f for f in flags[pk] if f in BLOCKING_FLAGS]
                override = decision.override.strip()
                if blocking and not override:
                    outcome.refused[pk] = BLOCKED
                else:
                    approvals[pk] = (blocking, override)
            elif decision.action == "reject":
                if decision.reason is None:
                    raise ValueError(f"rejection of {pk} without a reason")
                rejections[pk] = (decision.reason, decision.note.strip())
            elif decision.action == "skip":
                skips.append(pk)
            else:
                raise ValueError(f"unknown action {decision.action!r}")
        events = _approve(approvals, reviewer=reviewer, now=now)
        events += _reject(rejections, reviewer=reviewer, now=now)
        events += _skip(skips, reviewer=reviewer, now=now)
        AuditEvent.objects.bulk_create(events)
    outcome.approved = list(approvals)
    outcome.rejected = list(rejections)
    outcome.skipped = skips
    return outcome


def _approve(approvals: dict[int, tuple[list, str]], *, reviewer, now) -> list[AuditEvent]:
    # The rows are locked and checked by the caller: the update changes exactly these.
    if not approvals:
        return []
    publish(ids=list(approvals), now=now)
    return [
        AuditEvent(
            statement_id=pk,
            actor=reviewer,
            action=AuditEvent.Action.APPROVED,
            from_status=Status.IN_REVIEW,
            to_status=Status.PUBLISHED,
            reason=override if blocking else "",
            detail={"override": blocking} if blocking else {},
            created_at=now,
        )
        for pk, (blocking, override) in approvals.items()
    ]


def publish(*, ids: list[int], now: datetime) -> None:
    """Publish these statements (locked and checked by the caller) with one UPDATE: the
    publication day, and a registration number each. A number drawn twice (about once
    in two million draws at 400M published) fails the unique constraint, and the whole
    update is tried again with new numbers; nothing else can fail it."""
    day = tally_day_of(now)
    for attempt in range(_NUMBER_ATTEMPTS):
        numbers = [When(pk=pk, then=Value(registration.new_number())) for pk in ids]
        try:
            with transaction.atomic():
                Statement.objects.filter(pk__in=ids).update(
                    status=Status.PUBLISHED,
                    published_at=now,
                    published_day=day,
                    registration_number=Case(*numbers, output_field=BigIntegerField()),
                    status_changed_at=now,
                    lease=None,
                    lease_expires_at=None,
                )
            return
        except IntegrityError:
            if attempt == _NUMBER_ATTEMPTS - 1:
                raise


# Ten draws in a row that each collide would take more numbers than exist.
_NUMBER_ATTEMPTS = 10


def _rejection_reason_text(reason: RejectionReason, note: str) -> str:
    return f"{reason.code}: {note}" if note else reason.code


def _reject(rejections: dict[int, tuple[RejectionReason, str]], *, reviewer, now):
    if not rejections:
        return []
    values = set(rejections.values())
    if len(values) == 1:
        (reason, note) = next(iter(values))
        columns = {"rejection": reason, "rejection_reason": note}
    else:
        # Still one statement: the reason and note per row as CASE expressions.
        columns = {
            "rejection_id": Case(
                *[When(pk=pk, then=Value(r.pk)) for pk, (r, _n) in rejections.items()],
                output_field=BigIntegerField(),
            ),
            "rejection_reason": Case(
                *[When(pk=pk, then=Value(n)) for pk, (_r, n) in rejections.items()],
                output_field=CharField(),
            ),
        }
    Statement.objects.filter(pk__in=rejections).update(
        status=Status.REJECTED,
        status_changed_at=now,
        lease=None,
        lease_expires_at=None,
        **columns,
    )
    return [
        AuditEvent(
            statement_id=pk,
            actor=reviewer,
            action=AuditEvent.Action.REJECTED,
            from_status=Status.IN_REVIEW,
            to_status=Status.REJECTED,
            reason=_rejection_reason_text(reason, note),
            detail={"rejection": reason.code},
            created_at=now,
        )
        for pk, (reason, note) in rejections.items()
    ]


def _skip(ids: list[int], *, reviewer, now) -> list[AuditEvent]:
    if not ids:
        return []
    Statement.objects.filter(pk__in=ids).update(queued_at=now, lease=None, lease_expires_at=None)
    return [
        AuditEvent(
            statement_id=pk,
            actor=reviewer,
            action=AuditEvent.Action.SKIPPED,
            from_status=Status.IN_REVIEW,
            to_status=Status.IN_REVIEW,
            created_at=now,
        )
        for pk in ids
    ]


def approve_many(
    *,
    reviewer: AbstractBaseUser,
    lease_id: uuid.UUID | str,
    statement_ids: Iterable[int],
    overrides: dict[int, str] | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Publish these statements of the reviewer's live lease (see decide). Statements with
    blocking flags need an override in `overrides`; without one they are refused as
    BLOCKED (Outcome.blocked), the rest published."""
    overrides = overrides or {}
    return decide(
        reviewer=reviewer,
        lease_id=lease_id,
        decisions=[Decision(pk, "approve", override=overrides.get(pk, "")) for pk in statement_ids],
        now=now,
    )


def reject_many(
    *,
    reviewer: AbstractBaseUser,
    lease_id: uuid.UUID | str,
    statement_ids: Iterable[int],
    reason: RejectionReason,
    note: str = "",
    now: datetime | None = None,
) -> Outcome:
    """Decline these statements of the reviewer's live lease with one reason (see decide)."""
    return decide(
        reviewer=reviewer,
        lease_id=lease_id,
        decisions=[Decision(pk, "reject", reason=reason, note=note) for pk in statement_ids],
        now=now,
    )


def skip(
    *, reviewer: AbstractBaseUser, lease_id, statement_id: int, now: datetime | None = None
) -> Outcome:
    """Put one statement back behind the others in the queue, out of the lease."""
    return decide(
        reviewer=reviewer, lease_id=lease_id, decisions=[Decision(statement_id, "skip")], now=now
    )


def approve_unflagged(
    *, reviewer: AbstractBaseUser, lease_id: uuid.UUID | str, now: datetime | None = None
) -> tuple[Outcome, int]:
    """Publish every statement of the lease that screening flagged for nothing, in one
    decision. Returns the outcome and how many flagged statements it left for the
    reviewer (blocked ones and duplicates alike). Raises LeaseRefused if the lease is
    not a live lease of the reviewer's."""
    now = now or timezone.now()
    with transaction.atomic():
        lease = _lock_live_lease(reviewer=reviewer, lease_id=lease_id, now=now)
        if lease is None:
            raise LeaseRefused(lease_id)
        rows = list(
            batch(lease).filter(lease_expires_at__gt=now).values_list("pk", "screening_flags")
        )
        unflagged = [pk for pk, flags in rows if not flags]
        outcome = approve_many(
            reviewer=reviewer, lease_id=lease.pk, statement_ids=unflagged, now=now
        )
    return outcome, len(rows) - len(unflagged)


def reject_cluster(
    *,
    reviewer: AbstractBaseUser,
    lease_id: uuid.UUID | str,
    statement_id: int,
    reason: RejectionReason,
    note: str = "",
    now: datetime | None = None,
) -> list[int]:
    """Decline every copy in review of a statement the reviewer holds (same content hash),
    except copies in someone else's live lease, with one reason. Returns the ids declined
    (empty if the statement is not held under this live lease). Copies locked by someone
    deciding them at this instant are passed over (SKIP LOCKED), not waited for. Nothing
    is declined if the reviewer entered the held statement, and copies they entered are
    passed over: nobody decides on their own entries."""
    now = now or timezone.now()
    with transaction.atomic():
        lease = _lock_live_lease(reviewer=reviewer, lease_id=lease_id, now=now)
        if lease is None:
            return []
        anchor = (
            _held(lease, [statement_id], now)
            .filter(_not_entered_by(reviewer))
            .values_list("content_hash", flat=True)
            .first()
        )
        if anchor is None:
            return []
        copies = list(
            Statement.objects.in_review()
            .filter(content_hash=anchor)
            .filter(Q(lease__isnull=True) | Q(lease_expires_at__lte=now) | Q(lease=lease))
            .filter(_not_entered_by(reviewer))
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)
        )
        note = note.strip()
        AuditEvent.objects.bulk_create(
            _reject(dict.fromkeys(copies, (reason, note)), reviewer=reviewer, now=now)
        )
    return copies


def undo(*, reviewer: AbstractBaseUser, statement_id: int, now: datetime | None = None) -> bool:
    """Return the reviewer's own decision on a statement, made in the last
    REVIEW_UNDO_MINUTES, to review. Published or declined, it goes back to `in_review`
    (publication time and rejection cleared) in its old place in the queue, and into the
    reviewer's live lease if they hold one. Audited REOPENED. The tally rollup recomputes
    today and yesterday on every run, so the tallies follow. Returns False (nothing
    changed) if the last decision was not theirs, is too old, or was already changed."""
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.REVIEW_UNDO_MINUTES)
    with transaction.atomic():
        last = (
            AuditEvent.objects.filter(
                statement_id=statement_id,
                action__in=[AuditEvent.Action.APPROVED, AuditEvent.Action.REJECTED],
            )
            .order_by("-created_at", "-id")
            .first()
        )
        if last is None or last.actor_id != reviewer.pk or last.created_at < since:
            return False
        # Locked, as decide() locks it: a release or break of this lease committing now
        # would otherwise leave the statement parked under an ended lease until it expired.
        lease = _live_leases(reviewer=reviewer, now=now).select_for_update(no_key=True).first()
        changed = Statement.objects.filter(pk=statement_id, status=last.to_status).update(
            status=Status.IN_REVIEW,
            published_at=None,
            published_day=None,
            registration_number=None,
            rejection=None,
            rejection_reason="",
            status_changed_at=now,
            lease=lease,
            lease_expires_at=lease.expires_at if lease else None,
        )
        if changed != 1:
            return False
        AuditEvent.objects.create(
            statement_id=statement_id,
            actor=reviewer,
            action=AuditEvent.Action.REOPENED,
            from_status=last.to_status,
            to_status=Status.IN_REVIEW,
            detail={"undone": last.action},
            created_at=now,
        )
    return True


def occurrences(value: str, needle: str) -> list[tuple[int, int]]:
    """Every span of `value` that reads as `needle`, with full-width and half-width forms
    alike (a reviewer types 138…, the statement has １３８…). Matches do not overlap."""
    haystack, needle = _fold_each(value), _fold_each(needle)
    if not needle.strip():
        return []
    spans, start = [], haystack.find(needle)
    while start != -1:
        spans.append((start, start + len(needle)))
        start = haystack.find(needle, start + len(needle))
    return spans


def _fold_each(value: str) -> str:
    # Character by character, so offsets in the folded string are offsets in the value.
    out = []
    for char in value:
        folded = unicodedata.normalize("NFKC", char).casefold()
        out.append(folded if len(folded) == 1 else char)
    return "".join(out)


def redact(
    *,
    reviewer: AbstractBaseUser,
    lease_id: uuid.UUID | str,
    statement_id: int,
    field: str,
    spans: Sequence[tuple[int, int]],
    now: datetime | None = None,
) -> Statement:
    """Mask characters of a held statement's name or text: each span [start, end) becomes
    MASK characters; nothing else can change. The statement is screened again at once
    (flags, content hash, duplicate), so a masked phone number no longer blocks it.
    The audit row (REDACTED) records the field and the spans, never the characters.
    Raises LeaseRefused if the statement is not in review under the reviewer's live
    lease, EnteredByReviewer (a LeaseRefused) if the reviewer entered it, InvalidSpans
    for spans that are empty, reversed or out of bounds."""
    if field not in REDACTABLE_FIELDS:
        raise InvalidSpans(f"cannot redact {field!r}")
    now = now or timezone.now()
    with transaction.atomic():
        lease = _lock_live_lease(reviewer=reviewer, lease_id=lease_id, now=now)
        statement = _held(lease, [statement_id], now).select_for_update().first() if lease else None
        if statement is None:
            raise LeaseRefused(lease_id)
        if statement.entered_by_id == reviewer.pk:
            raise EnteredByReviewer(statement_id)
        value = getattr(statement, field)
        merged = _merge_spans(spans, length=len(value))
        chars = list(value)
        for start, end in merged:
            chars[start:end] = MASK * (end - start)
        setattr(statement, field, "".join(chars))
        _rescreen(statement)
        statement.save(update_fields=[field, "screening_flags", "content_hash"])
        AuditEvent.objects.create(
            statement=statement,
            actor=reviewer,
            action=AuditEvent.Action.REDACTED,
            from_status=Status.IN_REVIEW,
            to_status=Status.IN_REVIEW,
            detail={"field": field, "spans": [list(span) for span in merged]},
            created_at=now,
        )
    return statement


def _merge_spans(spans: Sequence[tuple[int, int]], *, length: int) -> list[tuple[int, int]]:
    if not spans:
        raise InvalidSpans("nothing to mask")
    checked = []
    for span in spans:
        try:
            start, end = (int(x) for x in span)
        except (TypeError, ValueError):
            raise InvalidSpans(f"not a span: {span!r}") from None
        if not 0 <= start < end <= length:
            raise InvalidSpans(f"span {start}..{end} outside 0..{length}")
        checked.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(checked):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _rescreen(statement: Statement) -> None:
    """Screening again after a change of content: what screen_received works out."""
    statement.content_hash = screening.content_hash(
        name=statement.display_name,
        text=statement.text,
        organizations=statement.organizations,
        region=statement.region,
    )
    flags = screening.content_flags(name=statement.display_name, text=statement.text)
    earliest = Statement.objects.earliest_live_ids({statement.content_hash})
    if earliest.get(statement.content_hash, statement.pk) < statement.pk:
        flags.insert(0, Flag.DUPLICATE.value)
    statement.screening_flags = flags
