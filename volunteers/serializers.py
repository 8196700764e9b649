"""Input and output of the review API (volunteers.api)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from statements.models import REASON_MAX_LENGTH, RejectionReason, Statement
from statements.validators import validate_text


class LeaseIdField(serializers.UUIDField):
    """A lease id as the claim gave it: a string, not a number DRF would turn into one."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class ClaimSerializer(serializers.Serializer):
    size = serializers.IntegerField(required=False)

    def validate_size(self, size: int) -> int:
        if not 1 <= size <= settings.REVIEW_BATCH_MAX:
            raise serializers.ValidationError(
                _("Ask for 1 to %(max)s statements.") % {"max": settings.REVIEW_BATCH_MAX}
            )
        return size


class LeaseSerializer(serializers.Serializer):
    lease = LeaseIdField()


class DecisionItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    # A rejection reason's code; required to reject.
    reason = serializers.SlugField(max_length=40, required=False, allow_blank=True, default="")
    note = serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_text],
    )
    # The written reason to publish a statement whose flags would block it.
    override = serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_text],
    )

    def validate(self, data: dict) -> dict:
        if data["decision"] == "reject" and not data["reason"]:
            raise serializers.ValidationError({"reason": [_("Give a reason to decline.")]})
        return data


class DecisionsSerializer(serializers.Serializer):
    lease = LeaseIdField()
    decisions = DecisionItemSerializer(
        many=True, allow_empty=False, max_length=settings.REVIEW_BATCH_MAX
    )

    def validate_decisions(self, items: list[dict]) -> list[dict]:
        """Look the reasons up once for the whole batch (active reasons only)."""
        codes = {item["reason"] for item in items if item["decision"] == "reject"}
        reasons = {r.code: r for r in RejectionReason.objects.active().filter(code__in=codes)}
        errors = [
            {"reason": [_("Not one of the rejection reasons.")]}
            if item["decision"] == "reject" and item["reason"] not in reasons
            else {}
            for item in items
        ]
        if any(errors):
            raise serializers.ValidationError(errors)
        for item in items:
            item["rejection"] = (
                reasons.get(item["reason"]) if item["decision"] == "reject" else None
            )
        return items


class ReviewStatementSerializer(serializers.ModelSerializer):
    """A statement as a reviewer sees it. `clusters` in the context: content hash to
    statements.querysets.Cluster."""

    name = serializers.CharField(source="display_name")
    organizations = serializers.ListField(child=serializers.CharField())
    flags = serializers.ListField(source="screening_flags", child=serializers.CharField())
    cluster_size = serializers.SerializerMethodField()
    earliest_copy = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "id",
            "name",
            "is_alias",
            "organizations",
            "region",
            "text",
            "flags",
            "cluster_size",
            "earliest_copy",
        ]

    def get_cluster_size(self, statement: Statement) -> int:
        cluster = self.context["clusters"].get(statement.content_hash)
        return cluster.size if cluster else 1

    def get_earliest_copy(self, statement: Statement) -> int | None:
        cluster = self.context["clusters"].get(statement.content_hash)
        if cluster is None or cluster.earliest in (None, statement.pk):
            return None
        return cluster.earliest
