from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Account(models.Model):
    """What a volunteer's account needs beyond Django's user: the generation of its
    sessions. Bumping `session_epoch` ends every session signed in before (sign out
    everywhere, a new password or second factor, deactivation)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="account"
    )
    session_epoch = models.PositiveIntegerField(default=0)

    class Meta:
        permissions = [
            ("manage_volunteers", "Can create, retire and reset volunteer accounts"),
            ("view_audit", "Can read the audit and account logs"),
        ]

    def __str__(self) -> str:
        return f"account of {self.user_id}"


class AccountAction(models.TextChoices):
    CREATED = "created", _("Account created")
    SETUP_LINK = "setup_link", _("Setup link issued")
    PASSWORD_SET = "password_set", _("Password set")
    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGNED_OUT_EVERYWHERE = "signed_out_all", _("Signed out everywhere")
    TWO_FACTOR_ENROLLED = "2fa_enrolled", _("Two-factor enrolled")
    TWO_FACTOR_RESET = "2fa_reset", _("Two-factor reset")
    RECOVERY_CODE_USED = "recovery_used", _("Recovery code used")
    ROLE_CHANGED = "role_changed", _("Role changed")
    DEACTIVATED = "deactivated", _("Deactivated")
    CLAIMED = "claimed", _("Batch claimed")
    RELEASED = "released", _("Batch released")
    LEASE_BROKEN = "lease_broken", _("Claim broken")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    PAPER_BATCH = "paper_batch", _("Paper batch confirmed")
    # The hotline: never the number itself, only the callback's id.
    CALLBACK_VIEWED = "callback_viewed", _("Callback number viewed")
    CALLBACK_OUTCOME = "callback_done", _("Callback outcome recorded")
    NUMBER_ERASED = "number_erased", _("Callback number erased")
    INTEGRATION_ISSUED = "integration_new", _("Integration created")
    INTEGRATION_REVOKED = "integration_end", _("Integration revoked")


class AccountEvent(models.Model):
    """Events of an account that concern no one statement: sign-ins, second factors,
    roles, claims and tokens. Append-only: a PostgreSQL trigger refuses UPDATE and DELETE.
    Never holds a client address, a user agent or a secret."""

    Action = AccountAction

    # Who acted: null for the system or an unknown person (a failed sign-in).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_events_done",
    )
    # Whose account it concerns.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_events",
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["subject", "created_at"], name="accountevent_subject_idx"),
            models.Index(fields=["actor", "created_at"], name="accountevent_actor_idx"),
            models.Index(fields=["action", "created_at"], name="accountevent_action_idx"),
            models.Index(fields=["created_at"], name="accountevent_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AccountAction.values), name="accountevent_action_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} of {self.subject_id} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class ApiTokenQuerySet(models.QuerySet):
    def live(self) -> ApiTokenQuerySet:
        """Not revoked, and younger than API_TOKEN_DAYS."""
        oldest = timezone.now() - timedelta(days=settings.API_TOKEN_DAYS)
        return self.filter(revoked_at__isnull=True, created_at__gt=oldest)

    def for_token(self, token: str) -> ApiTokenQuerySet:
        return self.live().filter(digest=ApiToken.digest_of(token))


class ApiToken(models.Model):
    """A bearer token for the review API. Only its sha256 is stored: the token has 256
    random bits, so an unsalted digest is as good as a password hash and can be looked
    up by index. Revoking keeps the row, for the record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    # The first characters, so a volunteer can tell their tokens apart.
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix}… of {self.user_id}"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


# A staged paper batch not confirmed within this long can no longer be: its preview may
# be out of date with the paper, and its rows should not linger on the server.
PAPER_BATCH_STALE_AFTER = timedelta(days=1)


class PaperBatchState(models.TextChoices):
    STAGED = "staged", _("Staged")
    CONFIRMED = "confirmed", _("Confirmed")
    DISCARDED = "discarded", _("Discarded")


class PaperBatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> PaperBatchQuerySet:
        """A volunteer sees their own batches; a coordinator (who may see who entered a
        statement) sees everyone's."""
        if user.has_perm("statements.view_deciders"):
            return self.all()
        return self.filter(uploaded_by=user)

    def stale(self, *, now=None) -> PaperBatchQuerySet:
        """Staged batches too old to be confirmed."""
        return self.filter(
            state=PaperBatchState.STAGED,
            created_at__lte=(now or timezone.now()) - PAPER_BATCH_STALE_AFTER,
        )


class PaperBatch(models.Model):
    """An uploaded CSV of paper forms. Staged, it holds the file's rows as read (cells
    as text) until it is confirmed, which turns every row into a statement at once, or
    discarded; either way the rows are then emptied, since the statements (or nothing)
    now hold what they said. Receipt codes are never stored, here or anywhere."""

    State = PaperBatchState

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="paper_batches"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # sha256 of the uploaded bytes: the same file confirmed twice is caught.
    digest = models.CharField(max_length=64)
    # The language the statements are stored with (the forms' language).
    language = models.CharField(max_length=16)
    state = models.CharField(max_length=16, choices=State.choices, default=State.STAGED)
    # Each row: {"row": spreadsheet row number, "cells": [str, ...] in COLUMNS order}.
    rows = models.JSONField(default=list, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="paper_batches_confirmed",
    )
    state_changed_at = models.DateTimeField(null=True, blank=True)

    objects = PaperBatchQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["digest", "state"], name="paperbatch_digest_idx"),
            models.Index(fields=["uploaded_by", "created_at"], name="paperbatch_uploader_idx"),
            models.Index(fields=["state", "created_at"], name="paperbatch_state_idx"),
        ]

    def __str__(self) -> str:
        return f"paper batch {self.pk} ({self.state})"


class PaperBatchStatement(models.Model):
    """Which statement each row of a confirmed batch became: who entered a paper
    statement is its batch's uploader (private, like every on-behalf entry)."""

    batch = models.ForeignKey(PaperBatch, on_delete=models.PROTECT, related_name="statements")
    row = models.PositiveIntegerField()
    statement = models.OneToOneField(
        "statements.Statement", on_delete=models.CASCADE, related_name="paper_entry"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "row"], name="paperbatchstatement_row_uniq")
        ]

    def __str__(self) -> str:
        return f"row {self.row} of {self.batch_id}"


class IntegrationQuerySet(models.QuerySet):
    def for_token(self, token: str) -> IntegrationQuerySet:
        """The live (unrevoked) integration holding `token`: one seek on the digest."""
        return self.filter(revoked_at__isnull=True, digest=ApiToken.digest_of(token))


class Integration(models.Model):
    """A system that posts to the intake API, such as the phone hotline. Its token is
    stored as a sha256 only, like ApiToken's; revoking keeps the row (its intake items
    point at it)."""

    name = models.SlugField(max_length=64, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = IntegrationQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name


class IntakeKind(models.TextChoices):
    WITHDRAW = "withdraw", _("Withdrawal")
    CALLBACK = "callback", _("Callback request")


class IntakeItem(models.Model):
    """That an integration sent the item `external_id`, of either kind. The unique
    constraint is what makes a replayed batch, even one sent twice at the same instant,
    store nothing new. It deliberately does not point at the statement it became: the
    phone system's own records know who called, and this table must not be the join
    between a caller and a published statement."""

    Kind = IntakeKind

    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="+")
    external_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=IntakeKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "external_id"], name="intakeitem_once_per_integration"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=IntakeKind.values), name="intakeitem_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id} of {self.integration_id}"


class CallbackStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    TAKEN = "taken", _("Statement taken")
    DECLINED = "declined", pgettext_lazy("callback outcome", "Declined")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    UNREACHED = "unreached", _("No answer, attempts used up")
    EXPIRED = "expired", _("Not reached in time")


class Callback(models.Model):
    """A caller who asked the hotline for a person. The number is Fernet ciphertext
    (volunteers.hotline, keys CALLBACK_KEYS) and is set to NULL, not hidden, when the
    callback is finished or CALLBACK_RETENTION_DAYS after it came in. Never registered
    in the admin, serialized or exported."""

    Status = CallbackStatus

    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="+")
    number_ciphertext = models.BinaryField(null=True, editable=False)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        max_length=16, choices=CallbackStatus.choices, default=CallbackStatus.WAITING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # Queue order: when it came in, pushed later after each unanswered attempt.
    due_at = models.DateTimeField(default=timezone.now)
    # The volunteer's claim: copied onto the row (no lease table), and simply ignored by
    # the claim query once expired.
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # callback_holder_idx holds only the rows that have one
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    erased_at = models.DateTimeField(null=True, blank=True)
    # The statement taken on the call, once the entry form links it.
    statement = models.ForeignKey(
        "statements.Statement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at", "id"],
                condition=Q(status=CallbackStatus.WAITING),
                name="callback_queue_idx",
            ),
            models.Index(
                fields=["holder"], condition=Q(holder__isnull=False), name="callback_holder_idx"
            ),
            # The erasure sweeper: rows still holding a number, oldest first.
            models.Index(
                fields=["created_at"],
                condition=Q(number_ciphertext__isnull=False),
                name="callback_number_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CallbackStatus.values), name="callback_status_valid"
            ),
            # A finished callback holds no number: the erasure is part of finishing.
            models.CheckConstraint(
                condition=Q(status=CallbackStatus.WAITING) | Q(number_ciphertext__isnull=True),
                name="callback_finished_has_no_number",
            ),
        ]

    def __str__(self) -> str:
        return f"callback {self.pk} ({self.status})"
