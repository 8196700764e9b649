import re
import secrets
import unicodedata
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext_lazy as _

from statements import registration
from statements.choices import choice_label
from statements.models import NAME_MAX_LENGTH, TEXT_MAX_LENGTH, Organization, Region
from statements.screening import normalize
from statements.validators import normalize_receipt, validate_name, validate_text


class NFCCharField(forms.CharField):
    """Normalized to NFC before validation: NFC can lengthen text (one character may
    become three), so the length limits must hold for what is stored."""

    def to_python(self, value):
        return normalize(super().to_python(value))


class LabelledForm(forms.Form):
    """Labels sit above their fields, so they need no colon (and Django's is ASCII ":"
    in Simplified Chinese)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class StatementForm(LabelledForm):
    # A fresh random token in every blank form: submitting the same form twice (a
    # double click on a slow link) stores one statement. See submit_statement.
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    name = NFCCharField(
        label=_("Name or alias"),
        max_length=NAME_MAX_LENGTH,
        validators=[validate_name],
        help_text=_("Your real name or any alias. It will be published."),
        error_messages={
            "max_length": _("At most %(limit_value)d characters; this has %(show_value)d.")
        },
    )
    is_alias = forms.BooleanField(label=_("This is an alias"), required=False)
    organizations = forms.MultipleChoiceField(
        label=_("I withdraw from"),
        choices=Organization.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one organization.")},
    )
    region = forms.ChoiceField(
        label=_("Region"),
        choices=[("", _("Choose a region")), *Region.choices],
        help_text=_("Where you live or lived. You may choose “Prefer not to say”."),
    )
    text = NFCCharField(
        label=_("Your statement (optional)"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        validators=[validate_text],
        error_messages={
            "max_length": _("At most %(limit_value)d characters; this has %(show_value)d.")
        },
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "In your own words, at most 5,000 characters. Do not include phone or ID numbers."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["token"] = secrets.token_urlsafe(18)

    def clean_token(self) -> str:
        # A mangled token (a tampered or truncated page) only loses the double-click
        # protection; it must not block the statement, the person cannot fix it.
        token = self.cleaned_data["token"]
        return token if _TOKEN.fullmatch(token) else ""

    def submission_key(self) -> str | None:
        token = self.cleaned_data.get("token")
        return f"form:{token}" if token else None


class PublicStatementForm(StatementForm):
    """The public form: a person's own statement, which may replace one they sent before.

    Replacing works without script or cookies: the receipt page's "Replace" and the
    confirmation page's "Change it" post the code to statements:replace, which opens this
    form filled in with the earlier statement and this field with its code; a person who
    went back in the browser instead can type the code here. Nothing links a resent form
    to the first by itself: the receipt is derived from the form's token and the content
    (see submit_statement), and neither the token nor the first content is stored to
    match an edited copy against.
    """

    replaces = forms.CharField(
        label=_("Receipt code of a statement this replaces (optional)"),
        required=False,
        max_length=64,
        help_text=_(
            "Only to correct a statement you sent before: it is withdrawn at once, and this "
            "one is published after review."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_replaces(self) -> str | None:
        value = self.cleaned_data["replaces"].strip()
        return normalize_receipt(value) if value else None


class ReceiptLookupForm(LabelledForm):
    receipt = forms.CharField(
        label=_("Receipt code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_receipt(self) -> str:
        return normalize_receipt(self.cleaned_data["receipt"])


class ReceiptActionForm(ReceiptLookupForm):
    """An action on the statement of a receipt: the code comes back in a hidden field of
    the receipt page's forms (in the body of a POST, never in a URL)."""

    # Retracting asks first: the action is final.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class RegistrationSearchForm(LabelledForm):
    number = forms.CharField(
        label=_("Registration number"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "placeholder": "1234 5678 9012 3456",
            }
        ),
    )

    def clean_number(self) -> int:
        number = registration.parse(self.cleaned_data["number"])
        if number is None:
            raise forms.ValidationError(
                _("A registration number has 16 digits. Check that you typed it correctly."),
                code="invalid",
            )
        return number


# What people type where a browser shows a plain text box for a day or a month (without
# JavaScript, Firefox's month input, old browsers): 2025-03-07, 2025/3/7, 2025.3.7,
# 2025年3月7日, in full-width digits too (NFKC makes them ASCII).
_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", re.ASCII)
_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", re.ASCII)


class LooseDateField(forms.Field):
    """A day typed as year, month and day (see _DAY), or a month (year and month) with
    `month=True`, given as its first day. Shown back as YYYY-MM-DD or YYYY-MM, the
    formats of <input type="date"> and <input type="month">."""

    def __init__(self, *, month: bool = False, **kwargs):
        self.month = month
        kind = "month" if month else "date"
        example = "2025-03" if month else "2025-03-07"
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": kind, "placeholder": example, "inputmode": "numeric"}),
        )
        super().__init__(**kwargs)

    def to_python(self, value) -> date | None:
        text = unicodedata.normalize("NFKC", str(value or "")).strip()
        if not text:
            return None
        found = (_MONTH if self.month else _DAY).fullmatch(text)
        try:
            if found is None:
                raise ValueError(text)
            year, month, *day = (int(part) for part in found.groups())
            return date(year, month, day[0] if day else 1)
        except ValueError:
            raise forms.ValidationError(
                _("Give a month as YYYY-MM, for example 2025-03.")
                if self.month
                else _("Give a day as YYYY-MM-DD, for example 2025-03-07."),
                code="invalid",
            ) from None

    def prepare_value(self, value):
        if isinstance(value, str):  # as typed: shown back in the inputs' own format
            try:
                value = self.to_python(value)
            except forms.ValidationError:
                return value
        if isinstance(value, date):
            return f"{value:%Y-%m}" if self.month else f"{value:%Y-%m-%d}"
        return value


def _choices(vocabulary: type[models.Choices], blank: str) -> list[tuple[str, str]]:
    """A select's choices, "any" first, with labels translated once per language and
    process (choice_label): a lazy label translates itself each time it is rendered."""
    return [
        ("", str(blank)),
        *((value, choice_label(vocabulary, value)) for value in vocabulary.values),
    ]


class StatementFilterForm(LabelledForm):
    """The public list's filters, from the query string: parsed here for the HTML list
    and the API alike. Every field is optional; a value that is given must be valid."""

    organization = forms.ChoiceField(
        label=_("Withdrew from"),
        required=False,
        error_messages={"invalid_choice": _("Not one of the organizations.")},
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        error_messages={"invalid_choice": _("Not one of the regions.")},
    )
    day = LooseDateField(label=_("Published on"), required=False)
    month = LooseDateField(label=_("or in the month"), month=True, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = _choices(Organization, _("any organization"))
        self.fields["region"].choices = _choices(Region, _("any region"))

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("month"):
            self.add_error("month", _("Give a day or a month, not both."))
        return data

    def filters(self) -> dict:
        """StatementQuerySet.filtered's arguments."""
        data = self.cleaned_data
        return {
            "organization": data["organization"] or None,
            "region": data["region"] or None,
            "day": data["day"],
            "month": data["month"],
        }

    def query(self) -> dict[str, str]:
        """The filters given, as a query string's parameters in one spelling, for the
        links to other pages of the same list."""
        return {
            name: self.fields[name].prepare_value(value)
            for name, value in self.filters().items()
            if value
        }

    def query_string(self) -> str:
        return urlencode(self.query())

    def description(self) -> str:
        """The filters in words, for the page's heading and title ("" for none)."""
        filters = self.filters()
        labels = dict(self.fields["organization"].choices) | dict(self.fields["region"].choices)
        parts = []
        if filters["organization"]:
            parts.append(
                _("withdrawals from %(organization)s")
                % {"organization": labels[filters["organization"]]}
            )
        if filters["region"]:
            parts.append(labels[filters["region"]])
        if filters["day"]:
            parts.append(_("published on %(day)s") % {"day": f"{filters['day']:%Y-%m-%d}"})
        if filters["month"]:
            parts.append(_("published in %(month)s") % {"month": f"{filters['month']:%Y-%m}"})
        return pgettext("separator between list items", ", ").join(parts)

    def api_errors(self) -> dict[str, list[str]]:
        """The errors as DRF answers them: {"field": ["message", ...]}."""
        return {
            field: [str(message) for message in errors] for field, errors in self.errors.items()
        }


def statement_fields(data: dict) -> dict:
    """submit_statement's arguments from validated form or serializer data."""
    codes = [code for code, _name in settings.LANGUAGES]
    language = get_language()
    return {
        "display_name": data["name"],
        "is_alias": data["is_alias"],
        "organizations": data["organizations"],
        "region": data["region"],
        "text": data["text"],
        "language": language if language in codes else settings.LANGUAGE_CODE,
    }
