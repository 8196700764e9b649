from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from statements.models import NAME_MAX_LENGTH, TEXT_MAX_LENGTH, Organization, Region, Statement
from statements.validators import normalize_receipt, validate_name, validate_text


class StatementInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH, validators=[validate_name])
    is_alias = serializers.BooleanField(default=False)
    organizations = serializers.MultipleChoiceField(
        choices=Organization.choices,
        allow_empty=False,
        error_messages={"empty": _("Choose at least one organization.")},
    )
    region = serializers.ChoiceField(choices=Region.choices)
    text = serializers.CharField(
        max_length=TEXT_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_text],
    )


class StatementSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    organizations = serializers.ListField(child=serializers.CharField())
    url = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "id",
            "name",
            "is_alias",
            "organizations",
            "region",
            "text",
            "published_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, statement: Statement) -> str:
        return reverse("statements:detail", args=[statement.pk])


class ReceiptSerializer(serializers.Serializer):
    receipt = serializers.CharField(max_length=64)

    def validate_receipt(self, value: str) -> str:
        return normalize_receipt(value)
