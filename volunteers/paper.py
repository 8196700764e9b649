"""Paper batches: a CSV of paper forms, staged, previewed with its errors, then turned
into statements all at once (or not at all) on the paper channel.

The file is read once, at upload, into cells of text; every check of a row's content is
made again whenever the batch is shown or confirmed, in the reader's language, with the
public form's own rules (statements.forms.StatementForm), so a paper statement passes
exactly what a typed one must.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from statements.choices import Channel, Organization, Region
from statements.forms import StatementForm
from statements.services import submit_statement
from volunteers.models import (
    PAPER_BATCH_STALE_AFTER,
    AccountEvent,
    PaperBatch,
    PaperBatchStatement,
)
from volunteers.services import record_account_event

MAX_ROWS = 5000
COLUMNS = ("name", "alias", "organizations", "region", "text")
# What a header cell may say for each column (compared case-folded, without spaces).
HEADERS = {
    "name": {"name", "姓名", "名字"},
    "alias": {"alias", "化名", "是否化名"},
    "organizations": {"organizations", "organization", "组织", "組織"},
    "region": {"region", "地区", "地區"},
    "text": {"text", "statement", "声明", "聲明"},
}
COLUMN_LABELS = {
    "name": pgettext_lazy("paper column", "name"),
    "alias": pgettext_lazy("paper column", "alias"),
    "organizations": pgettext_lazy("paper column", "organizations"),
    "region": pgettext_lazy("paper column", "region"),
    "text": pgettext_lazy("paper column", "text"),
    "row": pgettext_lazy("paper column", "the whole row"),
}
YES = {"yes", "y", "true", "1", "是", "x", "✓"}
NO = {"no", "n", "false", "0", "否", ""}
ORGANIZATION_SEPARATORS = re.compile(r"[,;、，；]")
# Short names as people write them on a form, beside the codes and the labels in every
# language the site speaks.
ORGANIZATION_ALIASES = {
    Organization.PARTY: {"党", "黨", "共产党", "共產黨", "party"},
    Organization.YOUTH_LEAGUE: {"团", "團", "共青团", "共青團", "youth league", "youth_league"},
    Organization.YOUNG_PIONEERS: {
        "队",
        "隊",
        "少先队",
        "少先隊",
        "young pioneers",
        "young_pioneers",
    },
}
# What follows a province's short name in its full Chinese name.
REGION_SUFFIXES = {
    "省",
    "市",
    "自治区",
    "自治區",
    "壮族自治区",
    "壯族自治區",
    "回族自治区",
    "回族自治區",
    "维吾尔自治区",
    "維吾爾自治區",
    "特别行政区",
    "特別行政區",
}


class UploadRefused(Exception):
    """The file cannot be staged at all; the message says why, in the user's language."""


class BatchRefused(Exception):
    """A staged batch cannot be confirmed (or discarded); the message says why."""


class DuplicateFile(BatchRefused):
    """The same file was confirmed before and the user did not say to go on."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    @property
    def column_label(self) -> str:
        return str(COLUMN_LABELS.get(self.column, self.column))


@dataclass
class Checked:
    """A batch's rows checked: submit_statement's arguments per valid row, and errors."""

    valid: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class Slip:
    row: int
    receipt: str


# --- Reading the file -------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 with a BOM, else strict UTF-8, else GB18030
    (what spreadsheets in Chinese export), else refused."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        raise UploadRefused(_("This file is UTF-16. Save it as “CSV UTF-8” and upload it again."))
    bom = data.startswith(b"\xef\xbb\xbf")
    encodings = ["utf-8-sig"] if bom else ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise UploadRefused(
        _("This is not a CSV file in UTF-8 or GB18030. Save it as “CSV UTF-8” and try again.")
    )


def _key(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split()).casefold()


def read_rows(text: str) -> list[dict]:
    """The data rows of a CSV text as {"row": spreadsheet row number, "cells": [...] in
    COLUMNS order}, or UploadRefused for a file that is not a batch (no header with the
    five columns, a cell too long, no rows, more than MAX_ROWS rows). Rows with a wrong
    number of cells are kept, with their cells as found, for the preview to point at."""
    # strict: a quote left open would otherwise swallow the rest of the file as one cell.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise UploadRefused(_("The file is empty."))
        positions = _columns(header)
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, or a row a spreadsheet left empty
            if len(rows) == MAX_ROWS:
                raise UploadRefused(
                    _(
                        "A batch holds at most %(max)s rows; this file has more. "
                        "Split it into smaller files."
                    )
                    % {"max": f"{MAX_ROWS:,}"}
                )
            if len(cells) != len(header):
                # Kept for the preview to point at, but never more cells than the header
                # has: a row of 200,000 cells must not be stored and shown whole.
                rows.append({"row": number, "cells": cells[: len(header)], "width": len(cells)})
            else:
                rows.append({"row": number, "cells": [cells[i] for i in positions]})
    except csv.Error:
        raise UploadRefused(
            # csv's own limit on a cell (131,072 characters) is far past any paper form.
            _(
                "This file cannot be read as CSV (a quote left open?), or one of its "
                "cells is far too long."
            )
        ) from None
    if not rows:
        raise UploadRefused(_("The file has a header but no rows."))
    return rows


def _columns(header: list[str]) -> list[int]:
    """Where each of COLUMNS is in the header."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        if not cell.strip():
            continue  # spreadsheets often export an empty column at the end
        name = next((c for c, names in HEADERS.items() if _key(cell) in names), None)
        if name is None or name in found:
            raise UploadRefused(
                _("The first row must name the columns %(columns)s, once each.")
                % {"columns": ", ".join(COLUMNS)}
            )
        found[name] = index
    if len(found) != len(COLUMNS):
        raise UploadRefused(
            _("The first row must name the columns %(columns)s, once each.")
            % {"columns": ", ".join(COLUMNS)}
        )
    return [found[c] for c in COLUMNS]


# --- Checking rows ----------------------------------------------------------------------


@functools.cache
def _organization_names() -> dict[str, str]:
    names = {}
    for organization in Organization:
        words = {organization.value, *ORGANIZATION_ALIASES[organization]}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                label = str(organization.label)
            words.add(label)
            words.add(label.removeprefix("the "))
        names.update({_key(word): organization.value for word in words})
    return names


@functools.cache
def _region_names() -> dict[str, str]:
    names = {}
    for region in Region:
        names[_key(region.value)] = region.value
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names[_key(str(region.label))] = region.value
    return names


def _region(value: str) -> str | None:
    names = _region_names()
    key = _key(value)
    if key in names:
        return names[key]
    for suffix in REGION_SUFFIXES:
        if key.endswith(suffix) and key.removesuffix(suffix) in names:
            return names[key.removesuffix(suffix)]
    return None


def check_rows(rows: list[dict], *, language: str) -> Checked:
    """Every row against the public form's rules; messages in the active language."""
    checked = Checked()
    organizations = _organization_names()
    for row in rows:
        number = row["row"]
        if "width" in row:
            checked.errors.append(
                RowError(
                    number,
                    "row",
                    _("This row has %(found)s cells; the header has %(wanted)s.")
                    % {"found": row["width"], "wanted": len(COLUMNS)},
                )
            )
            continue
        name, alias, orgs, region, text = row["cells"]
        errors = []
        alias_key = _key(alias)
        if alias_key not in YES | NO:
            errors.append(RowError(number, "alias", _("Write yes or no (是 or 否).")))
        codes = []
        for word in ORGANIZATION_SEPARATORS.split(orgs):
            if not word.strip():
                continue
            code = organizations.get(_key(word))
            if code is None:
                errors.append(
                    RowError(
                        number,
                        "organizations",
                        _(
                            "“%(word)s” is not one of party, youth_league, young_pioneers "
                            "(党, 团, 队)."
                        )
                        % {"word": word.strip()[:40]},
                    )
                )
            elif code not in codes:
                codes.append(code)
        region_code = _region(region) if region.strip() else ""
        if region_code is None:
            errors.append(
                RowError(
                    number,
                    "region",
                    _("“%(region)s” is not a region code or a province’s name.")
                    % {"region": region.strip()[:40]},
                )
            )
            region_code = ""
        form = StatementForm(
            data=MultiValueDict(
                {
                    "name": [name],
                    "is_alias": ["on"] if alias_key in YES else [],
                    "organizations": codes,
                    "region": [region_code],
                    "text": [text],
                }
            )
        )
        form.is_valid()
        unread = {error.column for error in errors}
        for column, messages in form.errors.items():
            if column in unread:
                continue  # a word we could not read: that is the error to fix, not "required"
            errors.extend(RowError(number, column, str(message)) for message in messages)
        if errors:
            checked.errors.extend(errors)
            continue
        data = form.cleaned_data
        checked.valid.append(
            (
                number,
                {
                    "display_name": data["name"],
                    "is_alias": data["is_alias"],
                    "organizations": data["organizations"],
                    "region": data["region"],
                    "text": data["text"],
                    "language": language,
                },
            )
        )
    return checked


# --- The batch's life -------------------------------------------------------------------


def stage_batch(*, uploader: AbstractBaseUser, data: bytes, language: str) -> PaperBatch:
    """Read an uploaded file and keep its rows as a staged batch, whatever errors the
    rows hold (the preview shows them). Raises UploadRefused, storing nothing, for a
    file that is not a batch. Writes no statement."""
    if len(data) > settings.PAPER_UPLOAD_MAX_BYTES:
        raise UploadRefused(too_large_message())
    rows = read_rows(decode(data))
    return PaperBatch.objects.create(
        uploaded_by=uploader,
        digest=hashlib.sha256(data).hexdigest(),
        language=language,
        rows=rows,
        row_count=len(rows),
    )


def too_large_message() -> str:
    return _("The file is larger than %(size)s MB. Split it into smaller files.") % {
        "size": f"{settings.PAPER_UPLOAD_MAX_BYTES / 1024 / 1024:g}"
    }


def confirmed_before(batch: PaperBatch) -> bool:
    """Whether a file with the same digest was confirmed already."""
    return (
        PaperBatch.objects.filter(digest=batch.digest, state=PaperBatch.State.CONFIRMED)
        .exclude(pk=batch.pk)
        .exists()
    )


def is_stale(batch: PaperBatch, *, now=None) -> bool:
    return batch.created_at <= (now or timezone.now()) - PAPER_BATCH_STALE_AFTER


def confirm_batch(*, batch_id, user: AbstractBaseUser, allow_duplicate: bool = False) -> list[Slip]:
    """Turn every row of a staged batch into a `received` statement on the paper channel,
    or none: one transaction, with the batch row locked, so two confirmations at once
    store the rows once (the second finds the batch confirmed). Refuses (BatchRefused,
    nothing written) a batch that is not staged, older than a day, has any invalid row,
    or (DuplicateFile) whose file was confirmed before, unless `allow_duplicate`.

    Returns the slips (row number, receipt code) in row order. The codes exist only in
    the answer: they are not stored, so they can be printed once. The caller checks
    that `user` may see the batch. Records the batch in the account log of its uploader.
    """
    with transaction.atomic():
        batch = PaperBatch.objects.select_for_update().get(pk=batch_id)
        if batch.state != PaperBatch.State.STAGED:
            raise BatchRefused(_("This batch was already confirmed or discarded."))
        if is_stale(batch):
            raise BatchRefused(
                _("This batch was uploaded more than a day ago. Upload the file again.")
            )
        checked = check_rows(batch.rows, language=batch.language)
        if checked.errors:
            n = len({e.row for e in checked.errors})
            raise BatchRefused(
                ngettext(
                    "Nothing was saved: %(n)s row has errors. Fix it in the file "
                    "and upload it again.",
                    "Nothing was saved: %(n)s rows have errors. Fix them in the file "
                    "and upload it again.",
                    n,
                )
                % {"n": n}
            )
        if not allow_duplicate and confirmed_before(batch):
            raise DuplicateFile(
                _(
                    "This same file was confirmed before. Tick the box to save its rows "
                    "again as new statements."
                )
            )
        slips, links = [], []
        for number, fields in checked.valid:
            # The uploader entered them, as at a stand: they never review these.
            submission = submit_statement(
                channel=Channel.PAPER, entered_by=batch.uploaded_by, **fields
            )
            slips.append(Slip(number, submission.receipt))
            links.append(
                PaperBatchStatement(batch=batch, row=number, statement=submission.statement)
            )
        PaperBatchStatement.objects.bulk_create(links)
        now = timezone.now()
        PaperBatch.objects.filter(pk=batch.pk).update(
            state=PaperBatch.State.CONFIRMED,
            confirmed_by=user,
            state_changed_at=now,
            rows=[],
        )
        record_account_event(
            action=AccountEvent.Action.PAPER_BATCH,
            subject=batch.uploaded_by,
            actor=user,
            detail={
                "batch": str(batch.pk),
                "statements": len(links),
                "first_statement": links[0].statement.pk,
                "last_statement": links[-1].statement.pk,
            },
        )
    return slips


def discard_batch(*, batch_id) -> None:
    """Drop a staged batch: its rows are emptied, nothing is written. Raises
    BatchRefused if it is no longer staged. The caller checks who may."""
    with transaction.atomic():
        updated = PaperBatch.objects.filter(pk=batch_id, state=PaperBatch.State.STAGED).update(
            state=PaperBatch.State.DISCARDED, state_changed_at=timezone.now(), rows=[]
        )
    if not updated:
        raise BatchRefused(_("This batch was already confirmed or discarded."))


def sweep_stale_batches(*, now=None) -> int:
    """Discard staged batches older than a day, emptying their rows. Idempotent (only
    staged rows are touched); run by the periodic task sweep_paper_batches. Returns how
    many it discarded."""
    now = now or timezone.now()
    return PaperBatch.objects.stale(now=now).update(
        state=PaperBatch.State.DISCARDED, state_changed_at=now, rows=[]
    )
