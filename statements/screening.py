"""Pure checks that screening applies to a statement's content."""

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from statements.models import Flag

# Mainland mobile numbers, landlines with area code, and any long run of digits that
# could be a phone number, after full-width digits are folded to ASCII.
_PHONE = re.compile(
    r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)|(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)|(?<!\d)\d{7,12}(?!\d)"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Resident identity card numbers: 18 characters (last may be X) or the old 15 digits.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def normalize(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def content_hash(*, name: str, text: str, organizations: Iterable[str], region: str) -> str:
    """Identical statements hash alike, however their Unicode was composed."""
    parts = [
        normalize(name).strip(),
        normalize(text).strip(),
        ",".join(sorted(organizations)),
        region,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def content_flags(*, name: str, text: str) -> list[str]:
    """Flags for personal numbers and addresses in the name or text (a duplicate is
    found elsewhere)."""
    # NFKC folds full-width digits (１３８…) so they cannot slip past the patterns.
    folded = unicodedata.normalize("NFKC", f"{name}\n{text}")
    flags = []
    if _ID_NUMBER.search(folded):
        flags.append(Flag.ID_NUMBER.value)
    if _PHONE.search(_ID_NUMBER.sub(" ", folded)):
        flags.append(Flag.CONTACT_NUMBER.value)
    if _EMAIL.search(folded):
        flags.append(Flag.EMAIL.value)
    return flags
