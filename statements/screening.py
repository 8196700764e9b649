"""Pure checks that screening applies to a statement's content."""

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from statements.models import HASH_BYTES, Flag

# Mainland mobile numbers, landlines with area code, and any long run of digits that
# could be a phone number, after full-width digits are folded to ASCII.
_PHONE = re.compile(
    r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)|(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)|(?<!\d)\d{7,12}(?!\d)"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Resident identity card numbers: 18 characters (last may be X) or the old 15 digits.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
# Street addresses: a province, city, district, county, town or township (after a name)
# and, within the same clause, a road, street or lane with a house number, or a numbered
# building, unit or room. A number is required: "广东省的街道" or "北京市的路" is a
# sentence, "深圳市南山区科技园路1号" and "朝阳区建国路88号3栋" are where someone lives.
# Spaces are allowed anywhere; sentence punctuation ends the clause.
_STREET_ADDRESS = re.compile(
    r"(?<=[\u4e00-\u9fff])(?:省|市|区|區|县|縣|镇|鎮|乡|鄉|州|旗)"
    r"[\u4e00-\u9fff0-9A-Za-z\s-]{0,30}?"
    r"(?:(?:路|街|道|巷|弄|胡同|里)\s*\d+(?:\s*-\s*\d+)?\s*(?:号|號|弄)"
    r"|\d+\s*(?:号楼|號樓|栋|棟|幢|座|楼|樓|单元|單元|室))"
)


def normalize(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def content_hash(*, name: str, text: str, organizations: Iterable[str], region: str) -> bytes:
    """Identical statements hash alike, however their Unicode was composed. The first
    HASH_BYTES of a sha256, as Statement.content_hash stores it."""
    parts = [
        normalize(name).strip(),
        normalize(text).strip(),
        ",".join(sorted(organizations)),
        region,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).digest()[:HASH_BYTES]


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
    if _STREET_ADDRESS.search(folded):
        flags.append(Flag.STREET_ADDRESS.value)
    return flags
