from django import forms
from django.utils.translation import gettext_lazy as _

from statements.models import REASON_MAX_LENGTH
from statements.validators import validate_text


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        validators=[validate_text],
        error_messages={"required": _("Give a reason.")},
    )
