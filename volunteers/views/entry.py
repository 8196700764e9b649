"""Entry for others: the form a volunteer fills in for a person, and the slip with the
person's receipt code, shown once (volunteers/entry.py keeps the code until then)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from statements.choices import Channel
from tuidang.lib.limits import over_limit
from tuidang.lib.once import forget_once, read_once, redirect_with_once
from volunteers import entry
from volunteers.forms import EntryForm, entry_fields

SLIP_COOKIE = "entry_slip"
SLIP_COOKIE_SALT = "volunteers.entry_slip"


def enterer_required(view):
    return login_required(
        permission_required("statements.enter_statement", raise_exception=True)(view)
    )


@enterer_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def enter(request: HttpRequest) -> HttpResponse:
    """The entry form; a valid entry is stored and the browser sent to its slip
    (post-redirect-get, so a reload never submits again)."""
    if request.method != "POST":
        initial = entry.batch_choices(request.session)
        callback = request.GET.get("callback", "")
        if callback.isascii() and callback.isdigit() and 0 < int(callback) < 2**63:
            # From a hotline callback taken: the statement came by phone.
            initial = {**initial, "callback": int(callback), "channel": Channel.PHONE}
        form = EntryForm(initial=initial)
        return render(request, "volunteers/entry/form.html", {"form": form})
    # Per volunteer, not per address: a team at one stand shares an address.
    if over_limit(
        request,
        group="volunteers:enter",
        rate=settings.ENTRY_RATE,
        key=f"volunteer:{request.user.pk}",
    ):
        return render(request, "429.html", status=429)
    form = EntryForm(request.POST)
    if not form.is_valid():
        return render(request, "volunteers/entry/form.html", {"form": form}, status=400)
    submission = entry.enter_statement(
        volunteer=request.user,
        **entry_fields(form.cleaned_data),
        submission_key=form.submission_key(),
        callback_id=form.cleaned_data.get("callback"),
    )
    entry.keep_batch(request.session, form.cleaned_data if form.cleaned_data["batch"] else None)
    # As the public form does (tuidang.lib.once): the code rides to the slip alone.
    return redirect_with_once(
        request,
        reverse("volunteers:entry_slip"),
        name=SLIP_COOKIE,
        value=f"{form.cleaned_data['language']}|{submission.receipt}",
        salt=SLIP_COOKIE_SALT,
    )


@enterer_required
@never_cache
@require_GET  # not HEAD, which would use the slip up unseen
def slip(request: HttpRequest) -> HttpResponse:
    """The slip of the last entry, once: the cookie holding the code is deleted as it is
    shown."""
    language, _sep, receipt = (
        read_once(request, name=SLIP_COOKIE, salt=SLIP_COOKIE_SALT) or ""
    ).partition("|")
    receipt = receipt or None
    context = {
        "receipt": receipt,
        "slip_language": language or settings.LANGUAGE_CODE,
        "groups": entry.code_groups(receipt) if receipt else [],
        "qr": entry.code_qr_svg(receipt) if receipt and settings.ENTRY_SLIP_QR else "",
        # Small and plain: the address without its scheme, as a person would type it.
        "site": settings.PUBLIC_SITE_URL.split("://", 1)[-1].rstrip("/"),
        "batch": bool(entry.batch_choices(request.session)),
    }
    response = render(
        request, "volunteers/entry/slip.html", context, status=200 if receipt else 404
    )
    if receipt is not None:
        forget_once(request, response, name=SLIP_COOKIE)
    return response
