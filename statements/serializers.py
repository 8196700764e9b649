import calendar
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from statements import registration
from statements.models import (
    NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Organization,
    Region,
    Statement,
    Status,
)
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
    replaces = serializers.CharField(
        max_length=64,
        required=False,
        help_text="The receipt code of the sender's earlier statement, which this one "
        "replaces: that statement is retracted at once.",
    )

    def validate_replaces(self, value: str) -> str:
        return normalize_receipt(value)


class StatementSerializer(serializers.ModelSerializer):
    # A string: 16 digits exceed what a JavaScript number holds exactly (2^53).
    registration_number = serializers.SerializerMethodField(
        help_text="The statement's only public id: 16 digits, the last a Luhn check digit."
    )
    name = serializers.CharField(source="display_name")
    organizations = serializers.ListField(child=serializers.ChoiceField(Organization.choices))
    # The public time of a statement is its day; the moment stays internal.
    published_on = serializers.DateField(
        source="published_day", help_text="The day of publication in TALLY_TIME_ZONE."
    )
    url = serializers.SerializerMethodField(
        help_text="Its page, in the language the request asked for."
    )

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


class ExportPeriodSerializer(serializers.Serializer):
    """The period a CSV export covers: one month or one day of publication (days in
    TALLY_TIME_ZONE). Required: a whole export of a 400M-row table would be some 60 GB
    in one response that no client could resume."""

    month = serializers.RegexField(
        # [0-9], not \d: \d also matches other scripts' digits, which isoformat refuses.
        r"^[0-9]{4}-(0[1-9]|1[0-2])$",
        required=False,
        error_messages={"invalid": _("Give the month as YYYY-MM.")},
    )
    day = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Give the day as YYYY-MM-DD.")},
    )

    def validate(self, attrs: dict) -> dict:
        if ("month" in attrs) == ("day" in attrs):
            raise serializers.ValidationError(
                _("Give either a month (month=YYYY-MM) or a day (day=YYYY-MM-DD).")
            )
        if "day" in attrs:
            attrs["first"] = attrs["last"] = attrs["day"]
            attrs["label"] = attrs["day"].isoformat()
        else:
            year, month = int(attrs["month"][:4]), int(attrs["month"][5:])
            if year < 1:  # "0000": before the calendar
                raise serializers.ValidationError({"month": [_("Give the month as YYYY-MM.")]})
            attrs["first"] = date(year, month, 1)
            # The month's own last day: no date arithmetic past 9999-12.
            attrs["last"] = date(year, month, calendar.monthrange(year, month)[1])
            attrs["label"] = attrs["month"]
        return attrs


# What the public API answers, as the OpenAPI schema documents it (see tuidang.lib.openapi).


class StatementPageSerializer(serializers.Serializer):
    results = StatementSerializer(many=True)
    next = serializers.URLField(
        allow_null=True, help_text="The next older page (`?before=` a cursor), null at the end."
    )
    previous = serializers.URLField(
        allow_null=True, help_text="The next newer page (`?after=` a cursor), null at the start."
    )


class ReplacedSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Status.choices,
        help_text="The replaced statement's status now: retracted, or rejected or removed "
        "if it was before.",
    )


class SubmittedSerializer(serializers.Serializer):
    receipt = serializers.CharField(
        help_text="The receipt code, shown once: only its digest is stored."
    )
    status = serializers.ChoiceField(choices=[Status.RECEIVED])
    replaced = ReplacedSerializer(
        allow_null=True, help_text="The statement named in `replaces`; null without it."
    )


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(help_text="In the language the request asked for.")


class ReceiptStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    hidden = serializers.BooleanField(
        help_text="Published, and hidden from the list by its submitter (still counted)."
    )
    registration_number = serializers.CharField(
        allow_null=True, help_text="16 digits, once published; null before."
    )
    statement = serializers.URLField(
        allow_null=True,
        help_text="The statement in this API, once published; null before, or when hidden.",
    )
    reason = ReasonSerializer(
        allow_null=True,
        help_text="Why it was not published, from the coordinators' list; null otherwise.",
    )


class RefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    status = serializers.ChoiceField(
        choices=Status.choices, help_text="The status that does not allow the action."
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
