"""Rules on submitted text shared by the HTML form and the API serializer."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from statements import receipts

_ALLOWED_IN_TEXT = {"\n", "\r", "\t"}


def _reject_unstorable(value: str, allowed: set[str]) -> None:
    for ch in value:
        category = unicodedata.category(ch)
        # Cc: control characters (NUL cannot be stored by PostgreSQL at all);
        # Cs: lone surrogates, which are not valid UTF-8.
        if (category == "Cc" and ch not in allowed) or category == "Cs":
            raise ValidationError(_("Remove the invisible control characters."), code="control")


def validate_name(value: str) -> None:
    _reject_unstorable(value, allowed=set())


def validate_text(value: str) -> None:
    _reject_unstorable(value, allowed=_ALLOWED_IN_TEXT)


def normalize_receipt(value: str) -> str:
    """The canonical receipt code typed in `value`, or a ValidationError."""
    code = receipts.normalize(value)
    if code is None:
        raise ValidationError(
            _("A receipt code has 20 letters and digits, like ABCD-EFGH-JKMN-PQRS-TVWX."),
            code="format",
        )
    return code
