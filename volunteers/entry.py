"""Entry for others: a volunteer submits a statement on a person's behalf (in person, on
the phone, from paper) and hands them a printed slip with the receipt code.

The code is never stored. It is kept in the volunteer's session only until the slip is
shown, and deleted as it is shown, so a slip cannot be printed twice and nobody can
later produce a person's code from the volunteer's account, the database or a backup.
"""

from __future__ import annotations

from collections.abc import Collection

import segno
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction

from statements import services
from volunteers import hotline

# Session keys: the code until its slip is shown, and the batch mode's kept choices.
BATCH_KEY = "entry_batch"
KEPT_FIELDS = ("channel", "region", "language")


def enter_statement(
    *,
    volunteer: AbstractBaseUser,
    display_name: str,
    is_alias: bool,
    organizations: Collection[str],
    region: str,
    text: str,
    language: str,
    channel: str,
    submission_key: str | None,
    callback_id: int | None = None,
) -> services.Submission:
    """Store a statement a volunteer entered for someone, through the public intake
    (the same screening and review follow), recording the volunteer and an ENTERED audit
    row in the same transaction. Idempotent for a `submission_key` within the replay
    window (a double submission stores one statement and returns the same receipt);
    after it, the resent form is stored as a new statement, as on the public form.
    With `callback_id` (the entry came from a hotline callback this volunteer finished as
    taken), the statement is linked to that callback in the same transaction."""
    fields = {
        "display_name": display_name,
        "is_alias": is_alias,
        "organizations": organizations,
        "region": region,
        "text": text,
        "language": language,
        "channel": channel,
        "entered_by": volunteer,
    }
    with transaction.atomic():
        try:
            submission = services.submit_statement(**fields, submission_key=submission_key)
        except services.SubmissionKeyExpired:
            submission = services.submit_statement(**fields)
        if callback_id is not None:
            hotline.link_statement(
                callback_id=callback_id, statement=submission.statement, volunteer=volunteer
            )
    return submission


def keep_batch(session: SessionBase, data: dict | None) -> None:
    """Remember the kept choices for the next entry (batch mode), or forget them."""
    if data is None:
        session.pop(BATCH_KEY, None)
    else:
        session[BATCH_KEY] = {field: data[field] for field in KEPT_FIELDS}


def batch_choices(session: SessionBase) -> dict:
    kept = session.get(BATCH_KEY)
    return {**kept, "batch": True} if isinstance(kept, dict) else {}


def code_groups(receipt: str) -> list[str]:
    """The code in its groups of four, for a large, spaced print."""
    return receipt.split("-")


def code_qr_svg(receipt: str) -> str:
    """The code alone (never a URL: a scanned slip must not lead a phone anywhere) as
    an inline SVG QR code, sized by CSS. Alphanumeric mode holds the grouped code."""
    qr = segno.make_qr(receipt, error="m")
    return qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None)
