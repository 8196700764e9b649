"""The phone hotline: integrations and their intake batches, the callback queue, and the
encryption and erasure of callback numbers.

A callback number exists in three places only: the request that brings it (never
logged), the `number_ciphertext` column (Fernet under CALLBACK_KEYS), and the callback
page of the volunteer holding it (every view audited). Finishing a callback sets the
column to NULL in the same transaction; the periodic `erase_callback_numbers` does it for
every number older than CALLBACK_RETENTION_DAYS. Every erasure appends an AccountEvent
with the callback's id, never the number.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from statements.choices import Channel
from statements.models import Statement
from statements.services import NewStatement, submit_statements
from volunteers.models import AccountEvent, ApiToken, Callback, IntakeItem, Integration
from volunteers.services import record_account_event

Action = AccountEvent.Action
Status = Callback.Status

# What a volunteer records after a call (the form's and the audit's vocabulary).
TAKEN = "taken"
NO_ANSWER = "no_answer"
DECLINED = "declined"
WRONG_NUMBER = "wrong_number"
OUTCOMES = (TAKEN, NO_ANSWER, DECLINED, WRONG_NUMBER)
_FINISHED_AS = {TAKEN: Status.TAKEN, DECLINED: Status.DECLINED, WRONG_NUMBER: Status.WRONG_NUMBER}

# A replayed batch racing this one: after a unique violation the batch is retried with
# a fresh look at what is stored. Each retry only happens when another transaction
# committed some of these items, so two are plenty.
_RETRIES = 3


class CallbackRefused(Exception):
    """The callback is not held by this volunteer under a live lease (expired, finished,
    someone else's)."""


# --- Encryption --------------------------------------------------------------------------


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _keys() -> MultiFernet:
    return _fernet(tuple(settings.CALLBACK_KEYS))


@sensitive_variables("number")
def encrypt_number(number: str) -> bytes:
    """Fernet ciphertext of `number` under the first of CALLBACK_KEYS."""
    return _keys().encrypt(number.encode())


@sensitive_variables()
def decrypt_number(ciphertext: bytes) -> str:
    """The number, under whichever of CALLBACK_KEYS encrypted it."""
    return _keys().decrypt(bytes(ciphertext)).decode()


def reencrypt_numbers(*, batch_size: int = 1000) -> int:
    """Re-encrypt every stored number under the first of CALLBACK_KEYS (key rotation:
    after this, older keys can be dropped). Idempotent; returns how many it rewrote."""
    done = 0
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                Callback.objects.filter(pk__gt=last, number_ciphertext__isnull=False)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", "number_ciphertext")[:batch_size]
            )
            if not rows:
                return done
            for pk, ciphertext in rows:
                Callback.objects.filter(pk=pk).update(
                    number_ciphertext=_keys().rotate(bytes(ciphertext))
                )
            done += len(rows)
            last = rows[-1][0]


# --- Integrations ------------------------------------------------------------------------


def create_integration(*, name: str) -> tuple[Integration, str]:
    """Create the integration `name` and return it with its token, which exists only in
    this return value (the row holds its sha256). A taken name raises IntegrityError.
    Logged as `integration_new`."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        integration = Integration.objects.create(
            name=name, digest=ApiToken.digest_of(token), prefix=token[:8]
        )
        record_account_event(
            action=Action.INTEGRATION_ISSUED, subject=None, detail={"integration": name}
        )
    return integration, token


def revoke_integration(*, name: str) -> bool:
    """Revoke the integration `name`: its token stops working at once. A conditional
    update, so revoking twice logs once; returns whether this call revoked it."""
    with transaction.atomic():
        revoked = Integration.objects.filter(name=name, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            record_account_event(
                action=Action.INTEGRATION_REVOKED, subject=None, detail={"integration": name}
            )
    return bool(revoked)


# --- Intake ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WithdrawItem:
    external_id: str
    statement: NewStatement


@dataclass(frozen=True)
class CallbackItem:
    external_id: str
    phone_number: str
    language: str

    def __repr__(self) -> str:  # never the number, in a traceback or a log
        return f"CallbackItem(external_id={self.external_id!r})"


def take_batch(
    *, integration: Integration, items: Sequence[WithdrawItem | CallbackItem]
) -> set[str]:
    """Store the validated `items` of one intake batch that `integration` has not sent
    before, and return the external ids stored now (the rest are duplicates).

    Items must have distinct external ids (the API answers later copies as duplicates).
    One query finds the ids stored before; the new items are then inserted in bulk in
    one transaction: their IntakeItem rows, their statements (phone channel, through
    statements.services.submit_statements, screened and reviewed like any other) and
    their callbacks (numbers encrypted). The unique (integration, external_id) makes a
    concurrent replay wait for this transaction and then collide: it is retried, finds
    them stored, and creates nothing. A replay of a stored batch is one SELECT.
    """
    for _attempt in range(_RETRIES):
        stored = set(
            IntakeItem.objects.filter(
                integration=integration, external_id__in=[item.external_id for item in items]
            ).values_list("external_id", flat=True)
        )
        fresh = [item for item in items if item.external_id not in stored]
        if not fresh:
            return set()
        try:
            with transaction.atomic():
                _store(integration, fresh)
        except IntegrityError:
            continue
        return {item.external_id for item in fresh}
    raise IntegrityError("intake batch kept colliding with concurrent copies")


def _store(integration: Integration, items: list[WithdrawItem | CallbackItem]) -> None:
    now = timezone.now()
    IntakeItem.objects.bulk_create(
        IntakeItem(
            integration=integration,
            external_id=item.external_id,
            kind=IntakeItem.Kind.WITHDRAW
            if isinstance(item, WithdrawItem)
            else IntakeItem.Kind.CALLBACK,
            created_at=now,
        )
        for item in items
    )
    submit_statements(
        statements=[item.statement for item in items if isinstance(item, WithdrawItem)],
        channel=Channel.PHONE,
    )
    Callback.objects.bulk_create(
        Callback(
            integration=integration,
            number_ciphertext=encrypt_number(item.phone_number),
            language=item.language,
            created_at=now,
            due_at=now,
        )
        for item in items
        if isinstance(item, CallbackItem)
    )


# --- The callback queue ------------------------------------------------------------------


def waiting_callbacks(now: datetime | None = None) -> QuerySet[Callback]:
    """Callbacks due for a call and not held under a live lease."""
    now = now or timezone.now()
    return Callback.objects.filter(status=Status.WAITING, due_at__lte=now).filter(
        Q(holder__isnull=True) | Q(lease_expires_at__lte=now)
    )


def held_callback(*, volunteer: AbstractBaseUser, now: datetime | None = None):
    """The callback `volunteer` holds under a live lease, if any (at most one)."""
    now = now or timezone.now()
    return Callback.objects.filter(
        holder=volunteer, status=Status.WAITING, lease_expires_at__gt=now
    ).first()


def claim_callback(*, volunteer: AbstractBaseUser, now: datetime | None = None):
    """Give `volunteer` one callback under a lease of CALLBACK_LEASE_MINUTES and return
    it, or None when none is due. A volunteer holds at most one: claiming again extends
    the one they hold. The row is taken with FOR UPDATE SKIP LOCKED in queue order,
    passing over live leases (an expired one is simply ignored, no sweeper needed), so
    two volunteers claiming at once never get the same callback. Locks the volunteer's
    user row first, so two tabs of one volunteer make one claim."""
    now = now or timezone.now()
    expires_at = now + timedelta(minutes=settings.CALLBACK_LEASE_MINUTES)
    with transaction.atomic():
        list(
            get_user_model()
            .objects.filter(pk=volunteer.pk)
            .select_for_update(no_key=True)
            .values_list("pk")
        )
        callback = held_callback(volunteer=volunteer, now=now)
        if callback is None:
            callback = (
                waiting_callbacks(now)
                .order_by("due_at", "id")
                .select_for_update(skip_locked=True, no_key=True)
                .first()
            )
        if callback is None:
            return None
        Callback.objects.filter(pk=callback.pk).update(
            holder=volunteer, lease_expires_at=expires_at
        )
        callback.holder, callback.lease_expires_at = volunteer, expires_at
    return callback


def _held_for_update(*, callback_id: int, volunteer: AbstractBaseUser, now: datetime):
    callback = (
        Callback.objects.select_for_update(no_key=True)
        .filter(pk=callback_id, holder=volunteer, status=Status.WAITING, lease_expires_at__gt=now)
        .first()
    )
    if callback is None or callback.number_ciphertext is None:
        raise CallbackRefused(callback_id)
    return callback


def reveal_number(*, callback_id: int, volunteer: AbstractBaseUser) -> str:
    """The number of the callback `volunteer` holds, for the page that shows it. Every
    call appends a `callback_viewed` AccountEvent (the callback's id, never the number)
    in the same transaction. Raises CallbackRefused if it is not held by them now."""
    with transaction.atomic():
        callback = _held_for_update(
            callback_id=callback_id, volunteer=volunteer, now=timezone.now()
        )
        record_account_event(
            action=Action.CALLBACK_VIEWED,
            subject=volunteer,
            actor=volunteer,
            detail={"callback": callback.pk},
        )
        return decrypt_number(callback.number_ciphertext)


def record_outcome(
    *, callback_id: int, volunteer: AbstractBaseUser, outcome: str, now: datetime | None = None
) -> Callback:
    """Record what came of the call on a callback `volunteer` holds (one of OUTCOMES).

    No answer puts it back in the queue CALLBACK_RETRY_MINUTES later, until the
    CALLBACK_MAX_ATTEMPTS-th unanswered call closes it as `unreached`. Any other outcome
    finishes it. Finishing erases the number (NULL) in the same UPDATE, and logs
    `callback_done` and `number_erased`. Raises CallbackRefused if it is not held by
    them now (so a second click records nothing), ValueError for an unknown outcome.
    """
    if outcome not in OUTCOMES:
        raise ValueError(outcome)
    now = now or timezone.now()
    with transaction.atomic():
        callback = _held_for_update(callback_id=callback_id, volunteer=volunteer, now=now)
        attempts = callback.attempts + (1 if outcome == NO_ANSWER else 0)
        status = _FINISHED_AS.get(outcome)
        if outcome == NO_ANSWER and attempts >= settings.CALLBACK_MAX_ATTEMPTS:
            status = Status.UNREACHED
        changes: dict = {"attempts": attempts, "holder": None, "lease_expires_at": None}
        if status is None:
            changes["due_at"] = now + timedelta(minutes=settings.CALLBACK_RETRY_MINUTES)
        else:
            changes.update(
                status=status,
                finished_at=now,
                finished_by=volunteer,
                number_ciphertext=None,
                erased_at=now,
            )
        Callback.objects.filter(pk=callback.pk).update(**changes)
        record_account_event(
            action=Action.CALLBACK_OUTCOME,
            subject=volunteer,
            actor=volunteer,
            detail={"callback": callback.pk, "outcome": outcome, "attempts": attempts},
        )
        if status is not None:
            record_account_event(
                action=Action.NUMBER_ERASED,
                subject=None,
                actor=volunteer,
                detail={"callback": callback.pk, "why": "finished"},
            )
    callback.refresh_from_db()
    return callback


def release_callback(*, callback_id: int, volunteer: AbstractBaseUser) -> bool:
    """Give a held callback back to the queue, in its old place, without an outcome.
    Returns whether `volunteer` held it."""
    return bool(
        Callback.objects.filter(pk=callback_id, holder=volunteer, status=Status.WAITING).update(
            holder=None, lease_expires_at=None
        )
    )


def link_statement(*, callback_id: int, statement: Statement, volunteer: AbstractBaseUser) -> bool:
    """Link the statement entered on the entry form (`?callback=<id>`) to the callback
    `volunteer` finished as `taken`. For the entry form to call after it stores the
    statement; a callback links one statement, once. Returns whether it linked."""
    return bool(
        Callback.objects.filter(
            pk=callback_id, status=Status.TAKEN, finished_by=volunteer, statement__isnull=True
        ).update(statement=statement)
    )


def erase_expired_numbers(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Erase (NULL) every callback number older than CALLBACK_RETENTION_DAYS, finished or
    not; a callback still waiting becomes `expired`, even under a lease (its page then
    shows no number). Also the sweeper for any finished callback still holding a number.
    Rows are taken with SKIP LOCKED, so workers can run it at once; idempotent. Each
    erasure appends a `number_erased` AccountEvent. Returns how many it erased."""
    now = now or timezone.now()
    oldest = now - timedelta(days=settings.CALLBACK_RETENTION_DAYS)
    erased = 0
    while True:
        with transaction.atomic():
            ids = list(
                Callback.objects.filter(number_ciphertext__isnull=False)
                .filter(Q(created_at__lte=oldest) | ~Q(status=Status.WAITING))
                .order_by("created_at")
                .select_for_update(skip_locked=True, no_key=True)
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return erased
            Callback.objects.filter(pk__in=ids, status=Status.WAITING).update(
                status=Status.EXPIRED,
                finished_at=now,
                number_ciphertext=None,
                erased_at=now,
                holder=None,
                lease_expires_at=None,
            )
            Callback.objects.filter(pk__in=ids, number_ciphertext__isnull=False).update(
                number_ciphertext=None, erased_at=now
            )
            AccountEvent.objects.bulk_create(
                AccountEvent(
                    action=Action.NUMBER_ERASED,
                    detail={"callback": pk, "why": "retention"},
                    created_at=now,
                )
                for pk in ids
            )
            erased += len(ids)
