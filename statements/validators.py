"""Rules on submitted text shared by the HTML form and the API serializer."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from statements import receipts

_ALLOWED_IN_TEXT = {"\n", "\r", "\t"}
# Bidirectional embeddings, overrides and isolates: they can make a published line read
# as something else (or spill into its neighbours on the list page).
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _reject_unstorable(value: str, allowed: set[str]) -> None:
    for ch in value:
        category = unicodedata.category(ch)
        # Cc: control characters (NUL cannot be stored by PostgreSQL at all);
        # Cs: lone surrogates, which are not valid UTF-8.
        if (category == "Cc" and ch not in allowed) or category == "Cs" or ch in _BIDI_CONTROLS:
            raise ValidationError(_("Remove the invisible control characters."), code="control")


def validate_name(value: str) -> None:
    _reject_unstorable(value, allowed=set())
    # A name of zero-width or other invisible characters would publish as a blank.
    if not any(unicodedata.category(ch)[0] in "LN" for ch in value):
        raise ValidationError(_("A name needs at least one letter or digit."), code="no_letters")


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
