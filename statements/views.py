from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from statements import services
from statements.forms import (
    ReceiptLookupForm,
    RegistrationSearchForm,
    StatementFilterForm,
    StatementForm,
    statement_fields,
)
from statements.models import Statement
from statements.querysets import Cursor, InvalidCursor
from tuidang.lib.http import is_cross_site, public_read
from tuidang.lib.limits import over_limit
from tuidang.lib.once import forget_once, read_once, redirect_with_once

RECEIPT_COOKIE = "receipt"
RECEIPT_COOKIE_SALT = "statements.submit_done"


# The public forms carry no CSRF token: a token needs a cookie, and anonymous readers get
# none. There is no session to ride on, so a forged post can do nothing the forger could
# not do directly, except borrow visitors' browsers to flood us; is_cross_site refuses
# posts that other sites' pages send.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "statements/submit.html", {"form": StatementForm()})
    if is_cross_site(request):
        return render(request, "403.html", status=403)
    if over_limit(request, group="statements:submit", rate=settings.INTAKE_RATE):
        return render(request, "429.html", status=429)
    form = StatementForm(request.POST)
    if not form.is_valid():
        return render(request, "statements/submit.html", {"form": form}, status=400)
    statement = statement_fields(form.cleaned_data)
    try:
        submission = services.submit_statement(**statement, submission_key=form.submission_key())
    except services.SubmissionKeyExpired:
        # A form kept for a day and sent again unchanged: store it, as a new statement
        # (screening will flag it as a duplicate for the reviewer).
        submission = services.submit_statement(**statement)
    return redirect_with_once(
        request,
        reverse("statements:submit_done"),
        name=RECEIPT_COOKIE,
        value=submission.receipt,
        salt=RECEIPT_COOKIE_SALT,
    )


@never_cache
@require_safe
def submit_done(request: HttpRequest) -> HttpResponse:
    receipt = read_once(request, name=RECEIPT_COOKIE, salt=RECEIPT_COOKIE_SALT)
    response = render(request, "statements/submit_done.html", {"receipt": receipt})
    if receipt is not None:
        forget_once(request, response, name=RECEIPT_COOKIE)
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def receipt_lookup(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "statements/receipt.html", {"form": ReceiptLookupForm()})
    if is_cross_site(request):
        return render(request, "403.html", status=403)
    if over_limit(request, group="statements:receipt", rate=settings.RECEIPT_LOOKUP_RATE):
        return render(request, "429.html", status=429)
    form = ReceiptLookupForm(request.POST)
    if not form.is_valid():
        return render(request, "statements/receipt.html", {"form": form}, status=400)
    statement = (
        Statement.objects.by_receipt(form.cleaned_data["receipt"])
        .only("id", "status", "hidden", "registration_number")
        .first()
    )
    context = {"form": ReceiptLookupForm(), "looked_up": True, "statement": statement}
    return render(request, "statements/receipt.html", context, status=200 if statement else 404)


def _cursor(raw: str | None) -> Cursor | None:
    return Cursor.decode(raw) if raw else None


@public_read
@require_safe
def statement_list(request: HttpRequest) -> HttpResponse:
    raw_number = request.GET.get("number")
    if raw_number is not None:
        return _find_by_number(request, raw_number)
    filters = StatementFilterForm(request.GET)
    context = {"search": RegistrationSearchForm(), "filter_form": filters}
    if not filters.is_valid():
        return render(request, "statements/list.html", context, status=400)
    try:
        page = (
            Statement.objects.listed()
            .filtered(**filters.filters())
            .for_list()
            .page(
                before=_cursor(request.GET.get("before")), after=_cursor(request.GET.get("after"))
            )
        )
    except InvalidCursor:
        return render(request, "400.html", status=400)
    context |= {
        "page": page,
        "filters": filters.description(),
        "filter_query": filters.query_string(),
    }
    return render(request, "statements/list.html", context)


def _find_by_number(request: HttpRequest, raw_number: str) -> HttpResponse:
    """The search box: a registration number leads to its statement's page."""
    form = RegistrationSearchForm({"number": raw_number})
    if not form.is_valid():
        return render(request, "statements/search.html", {"search": form}, status=400)
    number = form.cleaned_data["number"]
    if not Statement.objects.by_number(number).exists():
        return render(
            request, "statements/search.html", {"search": form, "not_found": True}, status=404
        )
    return redirect("statements:detail", number=number)


# Cached for one rollup interval only: a removed statement must leave shared caches
# quickly.
@public_read
@require_safe
def statement_detail(request: HttpRequest, number: int) -> HttpResponse:
    statement = get_object_or_404(Statement.objects.by_number(number))
    return render(request, "statements/detail.html", {"statement": statement})
