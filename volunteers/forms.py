from django import forms
from django.utils.translation import gettext_lazy as _

from statements.models import REASON_MAX_LENGTH, TEXT_MAX_LENGTH
from statements.validators import validate_text


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        validators=[validate_text],
        error_messages={"required": _("Give a reason.")},
    )


class DecisionForm(forms.Form):
    """One statement's row of the batch form (prefixed with its id). Undecided rows are
    left as they are. `reasons` are the active rejection reasons, looked up once per batch
    and passed to every row."""

    CHOICES = [
        ("", _("Leave undecided")),
        ("approve", _("Publish")),
        ("reject", _("Decline")),
        ("skip", _("Skip")),
    ]
    choice = forms.ChoiceField(choices=CHOICES, required=False)
    reason = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    note = forms.CharField(max_length=REASON_MAX_LENGTH, required=False, validators=[validate_text])
    override = forms.CharField(
        max_length=REASON_MAX_LENGTH, required=False, validators=[validate_text]
    )

    def __init__(self, *args, reasons: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.reasons = reasons
        self.fields["reason"].choices = [("", ""), *((pk, r.label) for pk, r in reasons.items())]

    def clean(self):
        data = super().clean()
        if data.get("choice") == "reject" and not data.get("reason"):
            raise forms.ValidationError(_("Choose a reason to decline."))
        return data

    def reason_object(self):
        return self.reasons.get(self.cleaned_data.get("reason"))


class RedactForm(forms.Form):
    lease = forms.UUIDField()
    characters = forms.CharField(
        label=_("Characters to mask"),
        max_length=TEXT_MAX_LENGTH,
        strip=False,
        error_messages={"required": _("Type the characters to mask.")},
    )
