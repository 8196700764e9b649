from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from statements import registration
from statements.models import NAME_MAX_LENGTH, TEXT_MAX_LENGTH, Organization, Region, Statement
from statements.screening import normalize
from statements.validators import normalize_receipt, validate_name, validate_text


class NFCCharField(serializers.CharField):
    """Normalized to NFC before validation, as statements.forms.NFCCharField."""

    def to_internal_value(self, data):
        return normalize(super().to_internal_value(data))


class StatementInputSerializer(serializers.Serializer):
    name = NFCCharField(max_length=NAME_MAX_LENGTH, validators=[validate_name])
    is_alias = serializers.BooleanField(default=False)
    organizations = serializers.ListField(
        child=serializers.ChoiceField(
            choices=Organization.choices,
            error_messages={"invalid_choice": _("Not one of the organizations.")},
        ),
        allow_empty=False,
        max_length=len(Organization.choices),
        error_messages={"empty": _("Choose at least one organization.")},
    )
    region = serializers.ChoiceField(
        choices=Region.choices, error_messages={"invalid_choice": _("Not one of the regions.")}
    )
    text = NFCCharField(
        max_length=TEXT_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_text],
    )


class StatementSerializer(serializers.ModelSerializer):
    # A string: 16 digits exceed what a JavaScript number holds exactly (2^53).
    registration_number = serializers.SerializerMethodField()
    name = serializers.CharField(source="display_name")
    organizations = serializers.ListField(child=serializers.CharField())
    # The public time of a statement is its day; the moment stays internal.
    published_on = serializers.DateField(source="published_day")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "registration_number",
            "name",
            "is_alias",
            "organizations",
            "region",
            "text",
            "published_on",
            "url",
        ]
        read_only_fields = fields

    def get_registration_number(self, statement: Statement) -> str:
        return f"{statement.registration_number:0{registration.DIGITS}d}"

    def get_url(self, statement: Statement) -> str:
        return reverse("statements:detail", args=[statement.registration_number])


class ReceiptSerializer(serializers.Serializer):
    receipt = serializers.CharField(max_length=64)

    def validate_receipt(self, value: str) -> str:
        return normalize_receipt(value)
