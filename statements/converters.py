"""URL converters for the public identifiers."""

from statements import registration


class RegistrationNumberConverter:
    """Sixteen digits with a valid check digit; a number that fails the check is no
    statement's, so it never reaches a view (404)."""

    regex = "[0-9]{16}"

    def to_python(self, value: str) -> int:
        number = registration.parse(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return f"{value:0{registration.DIGITS}d}"
