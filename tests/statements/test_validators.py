import sys
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from statements.validators import validate_name, validate_text

BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unstorable(ch: str, *, allowed: set[str]) -> bool:
    """The rule the validators' character classes stand for, by Unicode category."""
    category = unicodedata.category(ch)
    return (category == "Cc" and ch not in allowed) or category == "Cs" or ch in BIDI_CONTROLS


def refused(validate, value: str) -> bool:
    try:
        validate(value)
    except ValidationError as error:
        return error.code == "control"
    return False


@pytest.mark.parametrize(
    ("validate", "allowed"),
    [(validate_name, set()), (validate_text, {"\n", "\r", "\t"})],
)
def test_every_code_point_is_refused_exactly_when_its_category_says(validate, allowed):
    # "a" keeps names valid apart from the character under test.
    wrong = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if refused(validate, f"a{chr(code)}") != unstorable(chr(code), allowed=allowed)
    ]
    assert wrong == []
