"""Password rules beyond Django's own."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class MaximumLengthValidator:
    """Refuse passwords longer than PASSWORD_MAX_LENGTH. Forms refuse them before
    hashing too (max_length); this keeps every other way of setting one honest."""

    def __init__(self, max_length: int | None = None):
        self.max_length = max_length or settings.PASSWORD_MAX_LENGTH

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(self.get_help_text(), code="password_too_long")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must contain at most %(max)d character.",
            "Your password must contain at most %(max)d characters.",
            self.max_length,
        ) % {"max": self.max_length}
