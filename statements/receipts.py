"""Receipt codes: the submitter's only handle on a statement.

A code is 20 characters of Crockford base32 (100 random bits), shown as five groups of
four. Only its sha256 is stored: 100 bits cannot be guessed, so no salt is needed, and
a leaked database does not let anyone look up or link a statement by its receipt.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 20
GROUP = 4
# As Statement.receipt_hash stores it (statements.models.HASH_BYTES).
DIGEST_BYTES = 16
# Crockford's rule: letters people confuse with digits read as those digits.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -_\u3000\uff0d")


def _format(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def new_code() -> str:
    return _format("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def code_for_key(key: str) -> str:
    """The receipt for a submission key (the form's one-time token, an API client's
    Idempotency-Key): the same key always gives the same code, so a resent submission
    finds its first copy. Keyed with SECRET_KEY; the key itself is never stored, so the
    database and the secret together still cannot produce a receipt."""
    secret = hashlib.sha256(f"receipt|{settings.SECRET_KEY}".encode()).digest()
    number = int.from_bytes(hmac.new(secret, key.encode(), hashlib.sha256).digest(), "big")
    raw = ""
    for _ in range(LENGTH):  # 20 characters x 5 bits = 100 bits of the digest
        number, index = divmod(number, len(ALPHABET))
        raw += ALPHABET[index]
    return _format(raw)


def normalize(code: str) -> str | None:
    """The canonical form of what someone typed, or None if it cannot be a receipt."""
    cleaned = code.upper().translate(_SEPARATORS).translate(_CONFUSABLE)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def display(code: str) -> str:
    """A code as people read it, in groups of four: `ABCD-EFGH-JKMN-PQRS-TVWX`."""
    canonical = normalize(code)
    if canonical is None:
        raise ValueError("not a receipt code")
    return _format(canonical)


def digest(code: str) -> bytes:
    """The stored form of a receipt (the first 16 bytes of its sha256); `code` may be
    formatted or typed loosely."""
    canonical = normalize(code)
    if canonical is None:
        raise ValueError("not a receipt code")
    return hashlib.sha256(canonical.encode("ascii")).digest()[:DIGEST_BYTES]
