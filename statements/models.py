from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from statements.choices import Channel, Flag, Organization, Region, Status
from statements.querysets import StatementQuerySet

NAME_MAX_LENGTH = 100
TEXT_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 500


# The boolean column on Statement that records each organization.
ORGANIZATION_FIELDS = {
    Organization.PARTY: "left_party",
    Organization.YOUTH_LEAGUE: "left_youth_league",
    Organization.YOUNG_PIONEERS: "left_young_pioneers",
}


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
    # sha256 of the normalized content, to find exact duplicates.
    content_hash = models.CharField(max_length=64, db_index=True)
    # sha256 of the receipt code; the code itself exists only with the submitter.
    receipt_hash = models.CharField(max_length=64, unique=True)
    rejection_reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    screened_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Every status change sets this; the tally rollup finds the days to redo from it.
    status_changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        permissions = [
            ("review_statement", "Can review statements"),
            ("remove_statement", "Can remove published statements"),
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
                condition=~Q(status__in=[Status.PUBLISHED, Status.REMOVED])
                | Q(published_at__isnull=False),
                name="statement_published_has_time",
            ),
        ]
        indexes = [
            # The screening sweeper and the review queue walk these oldest first.
            models.Index(
                fields=["id"], condition=Q(status=Status.RECEIVED), name="statement_received_idx"
            ),
            models.Index(
                fields=["id"], condition=Q(status=Status.IN_REVIEW), name="statement_review_idx"
            ),
            # Public listing (newest first, keyset) and the daily rollup.
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(status=Status.PUBLISHED),
                name="statement_published_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.display_name}"

    @property
    def organizations(self) -> list[str]:
        return [org.value for org, field in ORGANIZATION_FIELDS.items() if getattr(self, field)]

    def get_organizations_display(self) -> str:
        separator = pgettext("separator between list items", ", ")
        return separator.join(str(Organization(org).label) for org in self.organizations)

    def get_flags_display(self) -> list[str]:
        return [Flag(flag).label for flag in self.screening_flags if flag in Flag.values]
