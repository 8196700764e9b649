"""The callback queue: a volunteer claims one callback of the hotline, calls the number
shown (only to them, only on this page, every view audited) and records the outcome."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST, require_safe

from statements.choices import Channel
from tuidang.lib.limits import over_limit
from volunteers import hotline
from volunteers.forms import CallbackOutcomeForm


def enterer_required(view):
    return login_required(
        permission_required("statements.enter_statement", raise_exception=True)(view)
    )


def entry_form_url(callback_id: int) -> str:
    """The entry form with the phone channel and the callback linked. The form lives
    elsewhere (volunteers:enter); until it exists, its path."""
    try:
        path = reverse("volunteers:enter")
    except NoReverseMatch:
        path = "/volunteer/enter/"
    return f"{path}?{urlencode({'callback': callback_id, 'channel': Channel.PHONE})}"


@enterer_required
@require_safe
@never_cache
@sensitive_variables("number")
def queue(request: HttpRequest) -> HttpResponse:
    """The callback the volunteer holds, with its number (each view logged), or how many
    wait and a button to claim one. Never cached: the number must not outlive the page."""
    callback = hotline.held_callback(volunteer=request.user)
    number = None
    if callback is not None:
        try:
            number = hotline.reveal_number(callback_id=callback.pk, volunteer=request.user)
        except hotline.CallbackRefused:
            callback = None
    return render(
        request,
        "volunteers/callbacks/queue.html",
        {
            "callback": callback,
            "number": number,
            "waiting": hotline.waiting_callbacks().count() if callback is None else None,
            "form": CallbackOutcomeForm(),
        },
    )


@enterer_required
@require_POST
def claim(request: HttpRequest) -> HttpResponse:
    # Each claim shows a number: one account, stolen or turned, must not be able to read
    # the whole queue by claiming and answering "no answer" in a loop. Closed, not open,
    # when the cache is down.
    if over_limit(
        request,
        group="volunteers:claim-callback",
        rate=settings.CALLBACK_CLAIM_RATE,
        key=f"volunteer:{request.user.pk}",
        fail_open=False,
    ):
        return render(request, "429.html", status=429)
    if hotline.claim_callback(volunteer=request.user) is None:
        messages.info(request, _("No callback is waiting right now."))
    return redirect("volunteers:callbacks")


@enterer_required
@require_POST
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    form = CallbackOutcomeForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose one of the outcomes."))
    chosen = form.cleaned_data["outcome"]
    try:
        callback = hotline.record_outcome(callback_id=pk, volunteer=request.user, outcome=chosen)
    except hotline.CallbackRefused:
        messages.error(
            request, _("This callback is no longer yours: your claim expired or it was finished.")
        )
        return redirect("volunteers:callbacks")
    if chosen == hotline.TAKEN:
        return redirect(entry_form_url(callback.pk))
    if callback.status == callback.Status.WAITING:
        messages.info(request, _("No answer: the callback goes back to the queue for later."))
    else:
        messages.success(request, _("Recorded. The number has been erased."))
    return redirect("volunteers:callbacks")


@enterer_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    if hotline.release_callback(callback_id=pk, volunteer=request.user):
        messages.info(request, _("The callback is back in the queue."))
    return redirect("volunteers:callbacks")
