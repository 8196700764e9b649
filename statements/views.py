from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from statements import receipts, services, submitter
from statements.forms import (
    PublicStatementForm,
    ReceiptActionForm,
    ReceiptLookupForm,
    RegistrationSearchForm,
    StatementFilterForm,
    statement_fields,
)
from statements.models import Statement, Status
from statements.querysets import Cursor, InvalidCursor
from tuidang.lib.http import is_cross_site, public_read
from tuidang.lib.limits import over_limit
from tuidang.lib.once import forget_once, read_once, redirect_with_once

RECEIPT_COOKIE = "receipt"
RECEIPT_COOKIE_SALT = "statements.submit_done"
# Added to the receipt in the done page's cookie when the statement replaced another.
REPLACED_MARK = "|replaced"
# Every use of a receipt code counts against one limit, whichever page or action it
# comes through (a look-up, an action, a submission replacing a statement), so that no
# page is a faster way to try codes than the receipt page.
RECEIPT_LIMIT_GROUP = "statements:receipt"


# The public forms carry no CSRF token: a token needs a cookie, and anonymous readers get
# none. There is no session to ride on, so a forged post can do nothing the forger could
# not do directly, except borrow visitors' browsers to flood us; is_cross_site refuses
# posts that other sites' pages send.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "statements/submit.html", {"form": PublicStatementForm()})
    if is_cross_site(request):
        return render(request, "403.html", status=403)
    if over_limit(request, group="statements:submit", rate=settings.INTAKE_RATE):
        return render(request, "429.html", status=429)
    if request.POST.get("replaces", "").strip() and _over_receipt_limit(request):
        return render(request, "429.html", status=429)
    form = PublicStatementForm(request.POST)
    if not form.is_valid():
        return render(request, "statements/submit.html", {"form": form}, status=400)
    statement = statement_fields(form.cleaned_data)
    replaces = form.cleaned_data["replaces"]
    try:
        try:
            submission = services.submit_statement(
                **statement, submission_key=form.submission_key(), replaces=replaces
            )
        except services.SubmissionKeyExpired:
            # A form kept for a day and sent again unchanged: store it, as a new statement
            # (screening will flag it as a duplicate for the reviewer).
            submission = services.submit_statement(**statement, replaces=replaces)
    except submitter.UnknownReceipt:
        form.add_error(
            "replaces", _("No statement has this receipt code. Check that you typed it correctly.")
        )
        return render(request, "statements/submit.html", {"form": form}, status=400)
    replaced = submission.replaced is not None and submission.replaced.status == Status.RETRACTED
    return redirect_with_once(
        request,
        reverse("statements:submit_done"),
        name=RECEIPT_COOKIE,
        value=submission.receipt + (REPLACED_MARK if replaced else ""),
        salt=RECEIPT_COOKIE_SALT,
    )


@never_cache
@require_safe
def submit_done(request: HttpRequest) -> HttpResponse:
    value = read_once(request, name=RECEIPT_COOKIE, salt=RECEIPT_COOKIE_SALT)
    receipt, replaced = (value or ""), False
    if receipt.endswith(REPLACED_MARK):
        receipt, replaced = receipt.removesuffix(REPLACED_MARK), True
    context = {"receipt": receipt or None, "replaced": replaced}
    response = render(request, "statements/submit_done.html", context)
    if value is not None:
        forget_once(request, response, name=RECEIPT_COOKIE)
    return response


# The receipt page and the actions it offers. The code is the submitter's only key, so it
# never appears in a URL (logs, proxies and browser history keep URLs): the page is a
# POST form, and each action is a POST carrying the code back in a hidden field of the
# page it was shown on. Like the statement form, these posts carry no CSRF token (no
# cookie to tie one to) and refuse posts that other sites' pages send; every one counts
# against the receipt limit. Answers are never cached, and a GET of an action's address
# (a language link, a bookmark) leads back to the receipt page.


def _over_receipt_limit(request: HttpRequest) -> bool:
    return over_limit(request, group=RECEIPT_LIMIT_GROUP, rate=settings.RECEIPT_LOOKUP_RATE)


def _receipt_post(
    request: HttpRequest, handle: Callable[[HttpRequest, str, ReceiptActionForm], HttpResponse]
) -> HttpResponse:
    """The checks every receipt post passes, then `handle(request, code, form)`."""
    if request.method != "POST":
        return redirect("statements:receipt")
    if is_cross_site(request):
        return render(request, "403.html", status=403)
    if _over_receipt_limit(request):
        return render(request, "429.html", status=429)
    form = ReceiptActionForm(request.POST)
    if not form.is_valid():
        return render(request, "statements/receipt.html", {"form": form}, status=400)
    try:
        # Grouped as people read it: it is shown in the forms of the page.
        return handle(request, receipts.display(form.cleaned_data["receipt"]), form)
    except submitter.UnknownReceipt:
        context = {"form": ReceiptLookupForm(), "looked_up": True, "statement": None}
        return render(request, "statements/receipt.html", context, status=404)


def _status_page(
    request: HttpRequest, statement: Statement, *, receipt: str, notice: str = "", status=200
) -> HttpResponse:
    """The receipt page showing a statement's status and what its submitter can do."""
    context = {
        "form": ReceiptLookupForm(),
        "looked_up": True,
        "statement": statement,
        "receipt": receipt,
        "notice": notice,
        "retractable": statement.status in submitter.RETRACTABLE,
        "reason": statement.rejection if statement.status == Status.REJECTED else None,
    }
    return render(request, "statements/receipt.html", context, status=status)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def receipt_lookup(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "statements/receipt.html", {"form": ReceiptLookupForm()})

    def show(request, code, form):
        return _status_page(request, submitter.look_up(receipt=code), receipt=code)

    return _receipt_post(request, show)


def _action_view(act: Callable[..., submitter.Result], notice: str):
    """A view for hide or unhide: act, then show the status page with `notice`, which
    states what is now the case (so a repeated post reads the same)."""

    def handle(request, code, form):
        try:
            result = act(receipt=code)
        except submitter.NotAllowed:
            statement = submitter.look_up(receipt=code)
            return _status_page(request, statement, receipt=code, notice="refused", status=409)
        return _status_page(request, result.statement, receipt=code, notice=notice)

    @csrf_exempt
    @never_cache
    @require_http_methods(["GET", "HEAD", "POST"])
    def view(request: HttpRequest) -> HttpResponse:
        return _receipt_post(request, handle)

    return view


receipt_hide = _action_view(submitter.hide, "hidden")
receipt_unhide = _action_view(submitter.unhide, "shown")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def receipt_retract(request: HttpRequest) -> HttpResponse:
    """Retract, in two steps: the first post shows what it means and that it is final;
    the second, with confirm=1 from that page, retracts."""

    def handle(request, code, form):
        if not form.cleaned_data["confirm"]:
            statement = submitter.look_up(receipt=code)
            if statement.status == Status.RETRACTED:
                return _status_page(request, statement, receipt=code, notice="retracted")
            if statement.status not in submitter.RETRACTABLE:
                return _status_page(request, statement, receipt=code, notice="refused", status=409)
            context = {"statement": statement, "receipt": code}
            return render(request, "statements/retract_confirm.html", context)
        try:
            result = submitter.retract(receipt=code)
        except submitter.NotAllowed:
            statement = submitter.look_up(receipt=code)
            return _status_page(request, statement, receipt=code, notice="refused", status=409)
        return _status_page(request, result.statement, receipt=code, notice="retracted")

    return _receipt_post(request, handle)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def receipt_certificate(request: HttpRequest) -> HttpResponse:
    """The certificate of a published statement, hidden or not, for its submitter: a page
    to print on A4, in Chinese and English whatever the page's language. Reached only
    with the code (a hidden statement has no public page to prove it by)."""

    def handle(request, code, form):
        statement = submitter.look_up(receipt=code)
        if statement.status != Status.PUBLISHED:
            return _status_page(
                request, statement, receipt=code, notice="no_certificate", status=404
            )
        context = {
            "statement": statement,
            "receipt": code,
            "chinese": _certificate_chinese(statement),
        }
        return render(request, "statements/certificate.html", context)

    return _receipt_post(request, handle)


CHINESE = ("zh-hans", "zh-hant")


def _certificate_chinese(statement: Statement) -> str:
    """The Chinese script of a certificate: the page's if it is Chinese, else the one the
    statement was written in, else Simplified."""
    for language in (get_language(), statement.language):
        if language in CHINESE:
            return language
    return CHINESE[0]


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def replace(request: HttpRequest) -> HttpResponse:
    """The statement form filled in with a statement its submitter wants to correct, and
    with its receipt code in `replaces`: sending it stores the new version and retracts
    this one (see submit_statement)."""

    def handle(request, code, form):
        statement = Statement.objects.by_receipt(code).first()
        if statement is None:
            raise submitter.UnknownReceipt()
        if statement.status not in submitter.RETRACTABLE:
            return _status_page(request, statement, receipt=code, notice="refused", status=409)
        initial = {
            "name": statement.display_name,
            "is_alias": statement.is_alias,
            "organizations": statement.organizations,
            "region": statement.region,
            "text": statement.text,
            "replaces": code,
        }
        context = {"form": PublicStatementForm(initial=initial), "replacing": statement}
        return render(request, "statements/submit.html", context)

    return _receipt_post(request, handle)


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
