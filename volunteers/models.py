from django.conf import settings
from django.db import models
from django.utils import timezone

from statements.choices import Status


class AuditEvent(models.Model):
    """One row per status change of a statement, written in the same transaction."""

    class Action(models.TextChoices):
        SCREENED = "screened"
        APPROVED = "approved"
        REJECTED = "rejected"
        REMOVED = "removed"

    statement = models.ForeignKey(
        "statements.Statement", on_delete=models.PROTECT, related_name="audit_events"
    )
    # Null for the system (screening).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["statement", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=["screened", "approved", "rejected", "removed"]),
                name="auditevent_action_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} #{self.statement_id} at {self.created_at:%Y-%m-%d %H:%M:%S}"
