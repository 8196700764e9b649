"""Registration numbers: a published statement's only public identifier.

Sixteen digits, the last a Luhn check digit (as on a payment card), shown in groups of
four: `1234 5678 9012 3456`. The first fifteen are random, so a number reveals neither
how many statements there are nor in what order they came; the internal id, which
does, never leaves the database. The space holds 9 x 10^14 numbers; at 400 million
published, a new number collides with an old one about once in two million draws, and
publication draws again when it does (the column is unique).

The check digit catches a mistyped digit or two swapped neighbours before any lookup.
"""

import secrets

DIGITS = 16
GROUP = 4
_LOWEST = 10 ** (DIGITS - 2)  # the first digit is never 0, so the number keeps 16 digits
_SPAN = 9 * 10 ** (DIGITS - 2)
_SEPARATORS = str.maketrans("", "", " -\u00a0\u3000")


# A digit doubled, less 9 when that passes 9 (the sum of the product's digits).
_DOUBLED = str.maketrans("0123456789", "0246813579")


def check_digit(body: int) -> int:
    """The Luhn digit that completes `body` (the number without its last digit)."""
    digits = str(body)[::-1]
    # Doubled: every second digit from the right of the whole number, so the body's
    # first from the right. Summing the ASCII codes keeps the loop in C (an import
    # checks millions of numbers); 48 is "0".
    total = sum(digits[::2].translate(_DOUBLED).encode()) + sum(digits[1::2].encode())
    total -= 48 * len(digits)
    return (10 - total % 10) % 10


def is_valid(number: int) -> bool:
    return 10 ** (DIGITS - 1) <= number < 10**DIGITS and check_digit(number // 10) == number % 10


def new_number() -> int:
    return with_check_digit(_LOWEST + secrets.randbelow(_SPAN))


def with_check_digit(body: int) -> int:
    """The 16-digit number whose first fifteen digits are `body`."""
    return body * 10 + check_digit(body)


def parse(value: str) -> int | None:
    """The number someone typed or a URL holds, or None if it cannot be one. Spaces and
    dashes are ignored, full-width digits read as digits."""
    cleaned = value.translate(_SEPARATORS)
    if len(cleaned) != DIGITS or not cleaned.isdecimal():
        return None
    try:
        number = int(cleaned)  # int() reads full-width and other Unicode digits
    except ValueError:
        return None
    return number if is_valid(number) else None


def display(number: int) -> str:
    """`1234 5678 9012 3456`."""
    text = f"{number:0{DIGITS}d}"
    return " ".join(text[i : i + GROUP] for i in range(0, DIGITS, GROUP))
