"""Paper batches: upload a CSV of paper forms, look at its preview, confirm it (which
answers with the sheet of receipt slips, once) or discard it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from volunteers import paper
from volunteers.forms import PaperConfirmForm, PaperUploadForm
from volunteers.models import PaperBatch

# Room for the multipart envelope and the form's other fields around the file.
_ENVELOPE_BYTES = 64 * 1024
# The preview lists at most this many rows as read, and this many errors.
_PREVIEW_ROWS = 50
_PREVIEW_ERRORS = 500


def enterer_required(view):
    return login_required(
        permission_required("statements.enter_statement", raise_exception=True)(view)
    )


def _batch_for(request: HttpRequest, batch_id) -> PaperBatch:
    """The batch, if this user may see it (its uploader or a coordinator); 404 for
    anyone else, who should not learn that it exists."""
    try:
        return PaperBatch.objects.visible_to(request.user).get(pk=batch_id)
    except PaperBatch.DoesNotExist:
        raise Http404 from None


def _upload_page(
    request: HttpRequest, form: PaperUploadForm, *, status: int = 200, refusal: str = ""
):
    staged = (
        PaperBatch.objects.filter(uploaded_by=request.user, state=PaperBatch.State.STAGED)
        .exclude(pk__in=PaperBatch.objects.stale().values("pk"))
        .order_by("-created_at")[:20]
    )
    return render(
        request,
        "volunteers/paper/upload.html",
        {
            "form": form,
            "refusal": refusal,
            "staged": staged,
            "max_rows": f"{paper.MAX_ROWS:,}",
            "max_megabytes": f"{settings.PAPER_UPLOAD_MAX_BYTES / 1024 / 1024:g}",
            "columns": paper.COLUMNS,
        },
        status=status,
    )


# The size is checked before anything reads the body: CSRF's check reads the whole
# multipart body, so it runs after, in _upload. The global DATA_UPLOAD_MAX_MEMORY_SIZE
# does not count files, and stays small for the public side.
@csrf_exempt
@enterer_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.PAPER_UPLOAD_MAX_BYTES + _ENVELOPE_BYTES:
            form = PaperUploadForm(initial={"language": get_language()})
            response = _upload_page(request, form, status=413, refusal=paper.too_large_message())
            # The body was not read: the connection cannot carry another request.
            response["Connection"] = "close"
            return response
    return _upload(request)


@csrf_protect
def _upload(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _upload_page(request, PaperUploadForm(initial={"language": get_language()}))
    form = PaperUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    uploaded = form.cleaned_data["file"]
    if uploaded.size > settings.PAPER_UPLOAD_MAX_BYTES:
        form.add_error("file", paper.too_large_message())
        return _upload_page(request, form, status=413)
    try:
        batch = paper.stage_batch(
            uploader=request.user, data=uploaded.read(), language=form.cleaned_data["language"]
        )
    except paper.UploadRefused as refusal:
        form.add_error("file", str(refusal))
        return _upload_page(request, form, status=400)
    return redirect("volunteers:paper_batch", batch.pk)


@enterer_required
@require_safe
def template_csv(request: HttpRequest) -> HttpResponse:
    """An empty batch: the header row, in UTF-8 with a BOM so spreadsheets read it as
    UTF-8."""
    response = HttpResponse(
        ("\ufeff" + ",".join(paper.COLUMNS) + "\r\n").encode(),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="paper-batch.csv"'
    return response


def _preview(request, batch: PaperBatch, *, refusal: str = "", status: int = 200, form=None):
    context = {"batch": batch, "refusal": refusal, "form": form or PaperConfirmForm()}
    if batch.state == PaperBatch.State.STAGED:
        checked = paper.check_rows(batch.rows, language=batch.language)
        rows_with_errors = {e.row for e in checked.errors}
        context.update(
            {
                "stale": paper.is_stale(batch),
                "errors": checked.errors[:_PREVIEW_ERRORS],
                "more_errors": max(0, len(checked.errors) - _PREVIEW_ERRORS),
                "error_rows": len(rows_with_errors),
                "valid_rows": len(checked.valid),
                "rows": batch.rows[:_PREVIEW_ROWS],
                "more_rows": max(0, len(batch.rows) - _PREVIEW_ROWS),
                "duplicate": paper.confirmed_before(batch),
                "columns": paper.COLUMNS,
            }
        )
    return render(request, "volunteers/paper/batch.html", context, status=status)


@enterer_required
@require_safe
def batch(request: HttpRequest, batch_id) -> HttpResponse:
    return _preview(request, _batch_for(request, batch_id))


@never_cache
@enterer_required
@require_POST
def confirm(request: HttpRequest, batch_id) -> HttpResponse:
    """Answers with the slips, rendered from the codes in hand: this page is the only
    place they ever appear (never cached, never stored)."""
    batch = _batch_for(request, batch_id)
    form = PaperConfirmForm(request.POST)
    form.is_valid()  # a lone optional checkbox: always valid
    try:
        slips = paper.confirm_batch(
            batch_id=batch.pk,
            user=request.user,
            allow_duplicate=form.cleaned_data.get("again", False),
        )
    except paper.DuplicateFile as refusal:
        return _preview(request, batch, refusal=str(refusal), status=409, form=form)
    except paper.BatchRefused as refusal:
        batch.refresh_from_db()
        return _preview(request, batch, refusal=str(refusal), status=409, form=form)
    # PUBLIC_SITE_URL (the address on in-person slips) when it is set, else SITE_URL.
    site = getattr(settings, "PUBLIC_SITE_URL", "") or settings.SITE_URL
    return render(
        request, "volunteers/paper/slips.html", {"slips": slips, "batch": batch, "site": site}
    )


@enterer_required
@require_POST
def discard(request: HttpRequest, batch_id) -> HttpResponse:
    batch = _batch_for(request, batch_id)
    try:
        paper.discard_batch(batch_id=batch.pk)
    except paper.BatchRefused as refusal:
        messages.warning(request, str(refusal))
    else:
        messages.success(request, _("The batch was discarded; nothing was saved."))
    return redirect("volunteers:paper_upload")
