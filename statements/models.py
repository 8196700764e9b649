import uuid

from django.conf import settings
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import Exact, GreaterThan, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext_lazy as _

from statements import registration
from statements.choices import GONE, Channel, Flag, Organization, Region, Status, choice_label
from statements.querysets import ORGANIZATION_FIELDS, StatementQuerySet

NAME_MAX_LENGTH = 100
TEXT_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 500
HASH_BYTES = 16


class Statement(models.Model):
    display_name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    is_alias = models.BooleanField(_("alias"), default=False)
    left_party = models.BooleanField(default=False)
    left_youth_league = models.BooleanField(default=False)
    left_young_pioneers = models.BooleanField(default=False)
    region = models.CharField(_("region"), max_length=16, choices=Region.choices)
    text = models.TextField(_("statement"), blank=True, default="")
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    screening_flags = models.JSONField(default=list, blank=True)
    # The first 16 bytes of the sha256 of the normalized content, to find exact
    # duplicates (statement_live_hash_idx and statement_review_hash_idx). Bytes, not hex
    # text: half the size in the row and in both indexes, and no pattern index (see the
    # README's storage figures). 128 bits: no two different statements share one.
    content_hash = models.BinaryField(max_length=HASH_BYTES)
    # The first 16 bytes of the sha256 of the receipt code; the code itself exists only
    # with the submitter. The code holds 100 random bits, so 128 bits of digest lose
    # nothing.
    receipt_hash = models.BinaryField(max_length=HASH_BYTES, unique=True)
    # The only public identifier, drawn at publication (statements.registration).
    registration_number = models.BigIntegerField(null=True, blank=True, unique=True)
    # Hidden from the public list by its submitter; still published, and still counted.
    hidden = models.BooleanField(default=False, db_default=False)
    # Why a reviewer declined it: a reason from the coordinators' list, and a free note
    # (the note alone for statements declined before the list existed).
    rejection = models.ForeignKey(
        "RejectionReason",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        # Nothing looks statements up by reason; an index would hold 400M nulls.
        db_index=False,
    )
    rejection_reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    screened_at = models.DateTimeField(null=True, blank=True)
    # Internal: the moment of publication. The public sees only published_day.
    published_at = models.DateTimeField(null=True, blank=True)
    # The day of publication in TALLY_TIME_ZONE: the public time of a statement, the
    # list's order and the day the tallies count it on.
    published_day = models.DateField(null=True, blank=True)
    # Every status change sets this; the tally rollup finds the days to redo from it
    # (statement_status_changed_brin).
    status_changed_at = models.DateTimeField(default=timezone.now)
    # The review queue's order: set when screening moves a statement into review, and
    # again when a reviewer skips it (it goes behind the others).
    queued_at = models.DateTimeField(null=True, blank=True)
    # The reviewer's claim on it while in review. Copied from the lease so the claim query
    # can pass over live claims without a join; an expired claim is simply ignored.
    lease = models.ForeignKey(
        "ReviewLease",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statements",
        db_index=False,  # statement_lease_idx holds only the rows that have one
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # The volunteer who entered it for someone else (null for the person's own). Private:
    # shown only to coordinators, never serialized, exported or on a public page. Read
    # by the claim query as a filter only, so no index (it would hold 400M nulls).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    objects = StatementQuerySet.as_manager()

    class Meta:
        permissions = [
            ("review_statement", "Can review statements"),
            ("remove_statement", "Can remove published statements"),
            ("enter_statement", "Can enter statements for others"),
            ("break_lease", "Can break another reviewer's claim"),
            ("view_deciders", "Can see who decided or entered a statement"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_party=True)
                | Q(left_youth_league=True)
                | Q(left_young_pioneers=True),
                name="statement_leaves_an_organization",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="statement_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(region__in=Region.values), name="statement_region_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="statement_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="statement_language_valid",
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("display_name")), 0),
                name="statement_name_not_blank",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("display_name"), NAME_MAX_LENGTH),
                name="statement_name_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), TEXT_MAX_LENGTH),
                name="statement_text_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("rejection_reason"), REASON_MAX_LENGTH),
                name="statement_reason_length",
            ),
            models.CheckConstraint(
                condition=Exact(Length("content_hash"), HASH_BYTES)
                & Exact(Length("receipt_hash"), HASH_BYTES),
                name="statement_hashes_length",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.PUBLISHED, Status.REMOVED])
                | Q(
                    published_at__isnull=False,
                    published_day__isnull=False,
                    registration_number__isnull=False,
                ),
                name="statement_published_has_number",
            ),
        ]
        indexes = [
            # The screening sweeper and the review queue walk these oldest first.
            models.Index(
                fields=["id"], condition=Q(status=Status.RECEIVED), name="statement_received_idx"
            ),
            # The review queue: claims walk it in order and pass over live claims.
            models.Index(
                fields=["queued_at", "id"],
                condition=Q(status=Status.IN_REVIEW),
                name="statement_queue_idx",
            ),
            models.Index(
                fields=["lease"], condition=Q(lease__isnull=False), name="statement_lease_idx"
            ),
            # Statements received in a time range (the coordinators' daily figures). Rows
            # arrive in time order, so a BRIN index of a few pages serves 400M rows.
            BrinIndex(fields=["created_at"], name="statement_created_brin"),
            # Statements whose status changed since a moment (the tally rollup, every
            # 15 s). A change writes a new row version, and PostgreSQL puts it where
            # there is room, which on a table that grows at its end is near the end:
            # the newest changes sit in the newest pages, so a BRIN index of a few pages
            # finds them, where a B-tree cost 25 bytes for each of 400M statements.
            # Were old rows changed in bulk, the scan reads more pages, never wrong rows.
            BrinIndex(fields=["status_changed_at"], name="statement_status_changed_brin"),
            # The earliest live copy of a content (screening's duplicate flag, the batch
            # page's link): one seek, however many copies a flood has sent.
            models.Index(
                fields=["content_hash", "id"],
                condition=~Q(status__in=GONE),
                name="statement_live_hash_idx",
            ),
            # Duplicate clusters (size, earliest copy) by content.
            models.Index(
                fields=["content_hash", "id"],
                condition=Q(status=Status.IN_REVIEW),
                name="statement_review_hash_idx",
            ),
            # The public list, newest first: read backwards, a seek to the cursor, then
            # the page. Declared in the order rows arrive (days only grow), so pages fill
            # as they are written. Region and organizations ride along so the rollup
            # counts a day, by region, from this index alone (an index-only scan): the
            # nightly reconciliation never reads the table.
            models.Index(
                fields=["published_day", "registration_number"],
                include=["region", "left_party", "left_youth_league", "left_young_pioneers"],
                condition=Q(status=Status.PUBLISHED, hidden=False),
                name="statement_published_idx",
            ),
            # The few statements their submitters hid: counted, not listed. The rollup
            # adds them to the day's count from here, also index-only.
            models.Index(
                fields=["published_day"],
                include=["region", "left_party", "left_youth_league", "left_young_pioneers"],
                condition=Q(status=Status.PUBLISHED, hidden=True),
                name="statement_hidden_idx",
            ),
            # The list filtered by organization, with or without days: one seek per set
            # of organizations that includes the one asked for (StatementQuerySet.
            # filtered). The three booleans fill what is padding before the day in an
            # index of (day, number), so this costs what such an index would. Measured
            # on 300,000 statements of the seeded mix (tests/statements/
            # test_public_queries.py: the Party in 12%, the League in 56%, the Pioneers
            # in 88%): 31.6 bytes per listed statement freshly built, 41.8 grown row by
            # row; 31.7 in bench/storage.py (1,000,000 rows in production's order). The
            # alternatives: an index of (day, number) per organization, 49 to
            # 60 bytes for the three, plus 64 to 109 for three more with the region for
            # an organization and a region together; or the Party's two only (9 to 13),
            # with the others read through filters that discard more than a page
            # wherever the League or the Pioneers are not a majority.
            models.Index(
                fields=[*ORGANIZATION_FIELDS.values(), "published_day", "registration_number"],
                condition=Q(status=Status.PUBLISHED, hidden=False),
                name="statement_organization_idx",
            ),
            # The list filtered by region, alone (seven seeks, one per set of
            # organizations), with days, with an organization (four seeks), or all
            # three. The organizations fill the padding after a short region code and
            # add 8 bytes after "overseas" and "undisclosed": 0.8 bytes per listed
            # statement on the seeded mix freshly built, 3.0 grown row by row (41.5 and
            # 73.1 in all), 13 in bench/storage.py, where 30% are "undisclosed" (75.8 in
            # all); a second region index keyed by organization would have cost another
            # 41 to 70.
            models.Index(
                fields=[
                    "region",
                    *ORGANIZATION_FIELDS.values(),
                    "published_day",
                    "registration_number",
                ],
                condition=Q(status=Status.PUBLISHED, hidden=False),
                name="statement_region_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.display_name}"

    @property
    def registration_display(self) -> str:
        """The registration number as people read it: `1234 5678 9012 3456`."""
        return registration.display(self.registration_number) if self.registration_number else ""

    @property
    def organizations(self) -> list[str]:
        return [org.value for org, field in ORGANIZATION_FIELDS.items() if getattr(self, field)]

    def get_organizations_display(self) -> str:
        separator = pgettext("separator between list items", ", ")
        return separator.join(choice_label(Organization, org) for org in self.organizations)

    # Django's own get_FOO_display translates every label of the field on each call (see
    # choice_label); these are what every list and review page shows per row.
    def get_region_display(self) -> str:
        return choice_label(Region, self.region)

    def get_channel_display(self) -> str:
        return choice_label(Channel, self.channel)

    def get_status_display(self) -> str:
        return choice_label(Status, self.status)

    def get_flags_display(self) -> list[str]:
        return [Flag(flag).label for flag in self.screening_flags if flag in Flag.values]

    @property
    def blocking_flags(self) -> list[str]:
        """Flags that keep it from being published until redacted or overridden."""
        return [flag for flag in self.screening_flags if flag in BLOCKING_FLAGS]


# Personal details that could expose the submitter: a statement carrying one is not
# published until a reviewer masks it or overrides the flag with a written reason.
BLOCKING_FLAGS = frozenset({Flag.CONTACT_NUMBER, Flag.ID_NUMBER, Flag.EMAIL, Flag.STREET_ADDRESS})


class ReviewLease(models.Model):
    """A reviewer's claim on a batch of statements in review, for a limited time.

    Decisions are accepted only from the holder of a live lease on the statement. The id
    is what clients hold ("lease" in the API); it is random so it cannot be guessed.
    """

    class End(models.TextChoices):
        RELEASED = "released", _("Released")
        BROKEN = "broken", _("Broken by a coordinator")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_leases"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end = models.CharField(max_length=16, choices=End.choices, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(
                fields=["reviewer", "expires_at"],
                condition=Q(ended_at__isnull=True),
                name="reviewlease_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"lease {self.id} of {self.reviewer_id} until {self.expires_at:%H:%M:%S}"

    def is_live(self, now=None) -> bool:
        return self.ended_at is None and self.expires_at > (now or timezone.now())


class RejectionReasonQuerySet(models.QuerySet):
    def active(self) -> "RejectionReasonQuerySet":
        return self.filter(is_active=True).order_by("position", "id")


class RejectionReason(models.Model):
    """A reason to decline a statement, from the list coordinators keep, in every language
    the site speaks. Retired reasons stay (declined statements point at them)."""

    code = models.SlugField(max_length=40, unique=True)
    label_zh_hans = models.CharField(_("Simplified Chinese"), max_length=200)
    label_zh_hant = models.CharField(_("Traditional Chinese"), max_length=200)
    label_en = models.CharField(_("English"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    objects = RejectionReasonQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The label in the active language."""
        language = (get_language() or settings.LANGUAGE_CODE).lower()
        if language.startswith("en"):
            return self.label_en
        if language in ("zh-hant", "zh-tw", "zh-hk", "zh-mo"):
            return self.label_zh_hant
        return self.label_zh_hans


class AuditAction(models.TextChoices):
    SCREENED = "screened", _("Screened")
    APPROVED = "approved", _("Published")
    REJECTED = "rejected", _("Declined")
    REMOVED = "removed", _("Removed")
    REOPENED = "reopened", _("Decision undone")
    REDACTED = "redacted", _("Redacted")
    SKIPPED = "skipped", _("Skipped")
    ENTERED = "entered", _("Entered by a volunteer")
    # The submitter's own actions, with the receipt code (statements.submitter); no actor.
    HIDDEN = "hidden", _("Hidden by its submitter")
    SHOWN = "shown", _("Shown again by its submitter")
    RETRACTED = "retracted", _("Retracted by its submitter")
    REPLACED = "replaced", _("Replaced by its submitter")


class AuditEvent(models.Model):
    """One row per change to a statement, written in the same transaction as the change.
    Append-only: a PostgreSQL trigger refuses UPDATE and DELETE."""

    Action = AuditAction

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="audit_events")
    # Null for the system (screening).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.TextField(blank=True, default="")
    # Structured facts about the change: the override of a flag, masked spans (offsets,
    # never the characters), the rejection reason's code.
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "statements_auditevent"
        indexes = [
            models.Index(fields=["statement", "created_at"], name="auditevent_statement_idx"),
            # A coordinator's filters: by person, by action, by time.
            models.Index(fields=["actor", "created_at"], name="auditevent_actor_idx"),
            models.Index(fields=["action", "created_at"], name="auditevent_action_idx"),
            models.Index(fields=["created_at"], name="auditevent_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AuditAction.values), name="auditevent_action_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} #{self.statement_id} at {self.created_at:%Y-%m-%d %H:%M:%S}"

    @property
    def by_submitter(self) -> bool:
        """One of the submitter's own actions (statements.submitter): no actor, but not
        the system's either."""
        return self.action in SUBMITTER_ACTIONS


SUBMITTER_ACTIONS = frozenset(
    {AuditAction.HIDDEN, AuditAction.SHOWN, AuditAction.RETRACTED, AuditAction.REPLACED}
)


class StatementImport(models.Model):
    """One file of statements published before the cut-over, loaded by `manage.py
    import_statements` (statements.importing), and how far the load got.

    The file is known by its sha256, so running the same file again resumes it and a
    different file starts afresh. Each chunk of rows is committed in the same
    transaction as this row's new position, so the position never runs ahead of the
    statements (or behind them): after a crash the load resumes exactly after the last
    committed chunk. Written only by the import; nothing public reads it.
    """

    digest = models.BinaryField(max_length=32, unique=True)
    file_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    # The last line of the file whose chunk is committed (1: the header) and the byte
    # offset just after it, where a resumed load seeks to.
    line = models.PositiveBigIntegerField(default=1)
    offset = models.PositiveBigIntegerField(default=0)
    loaded = models.PositiveBigIntegerField(default=0)
    rejected = models.PositiveBigIntegerField(default=0)
    # The length of the rejects file when the last chunk was committed: a resumed load
    # cuts it back to this, dropping what an interrupted chunk had written.
    rejects_size = models.PositiveBigIntegerField(default=0)
    # Every publication day loaded so far (ISO dates), for the tallies to recompute.
    days = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"import of {self.file_name} ({self.loaded} loaded)"
