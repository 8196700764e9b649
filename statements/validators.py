"""Rules on submitted text shared by the HTML form and the API serializer."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from statements import receipts

# What cannot be stored or shown safely, as one character class each for names and text,
# so a check is one regex scan in C (a bulk import checks millions of statements):
# control characters (Unicode category Cc, fixed forever: U+0000-U+001F and
# U+007F-U+009F; PostgreSQL cannot store NUL at all), lone surrogates (Cs, not valid
# UTF-8), and the bidirectional embeddings, overrides and isolates, which can make a
# published line read as something else (or spill into its neighbours on the list page).
# Text may hold line breaks and tabs. tests/statements/test_validators.py checks every
# code point against the categories.
_CONTROLS = "\x00-\x1f\x7f-\x9f"
_SURROGATES = "\ud800-\udfff"
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_UNSTORABLE_IN_NAME = re.compile(f"[{_CONTROLS}{_SURROGATES}{_BIDI_CONTROLS}]")
_UNSTORABLE_IN_TEXT = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_SURROGATES}{_BIDI_CONTROLS}]"
)


def _reject_unstorable(value: str, unstorable: re.Pattern) -> None:
    if unstorable.search(value):
        raise ValidationError(_("Remove the invisible control characters."), code="control")


def validate_name(value: str) -> None:
    _reject_unstorable(value, _UNSTORABLE_IN_NAME)
    # A name of zero-width or other invisible characters would publish as a blank.
    # (isalpha is exactly the categories L*: names nearly always start with one.)
    if not (value[:1].isalpha() or any(unicodedata.category(ch)[0] in "LN" for ch in value)):
        raise ValidationError(_("A name needs at least one letter or digit."), code="no_letters")


def validate_text(value: str) -> None:
    _reject_unstorable(value, _UNSTORABLE_IN_TEXT)


def normalize_receipt(value: str) -> str:
    """The canonical receipt code typed in `value`, or a ValidationError."""
    code = receipts.normalize(value)
    if code is None:
        raise ValidationError(
            _("A receipt code has 20 letters and digits, like ABCD-EFGH-JKMN-PQRS-TVWX."),
            code="format",
        )
    return code
