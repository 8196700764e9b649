"""Session rules for volunteer pages: a session lasts SESSION_COOKIE_AGE from sign-in
(not renewed by activity), ends after VOLUNTEER_IDLE_MINUTES idle, ends when its account's
session generation moves on, and does nothing but finish signing in until the second
factor is given by an account that needs one."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from volunteers.models import Account
from volunteers.roles import needs_two_factor

SIGNED_IN_AT = "volunteers.signed_in_at"
SEEN_AT = "volunteers.seen_at"
EPOCH = "volunteers.epoch"
# Last activity is written at most this often, so a busy reviewer's requests do not each
# rewrite the session row.
SEEN_RESOLUTION = 60

# Pages that must work before the second factor (or for a session that is ending).
_OPEN_BEFORE_SECOND_FACTOR = {"login", "two_factor", "logout", "setup"}


def account_epoch(user) -> int:
    """The account's current session generation (0 for an account without its row yet)."""
    try:
        return user.account.session_epoch
    except Account.DoesNotExist:
        return 0


def start_session(session, *, epoch: int, now: float | None = None) -> None:
    """Mark a session just signed in (call right after `django.contrib.auth.login`)."""
    now = int(now if now is not None else time.time())
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    session[EPOCH] = epoch


def keep_session(session, *, epoch: int) -> None:
    """Keep this session alive across a bump of its account's generation (the change
    that bumped it was made here, so only the other sessions end)."""
    session[EPOCH] = epoch


class VolunteerSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path.startswith(settings.SESSION_COOKIE_PATH):
            return None
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        is_open = match.namespace == "volunteers" and match.url_name in _OPEN_BEFORE_SECOND_FACTOR

        if self._has_ended(request):
            logout(request)
            if is_open:
                return None
            messages.info(request, _("Your session has ended. Please sign in again."))
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))

        if not is_open and not request.user.is_verified() and needs_two_factor(request.user):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{resolve_url('volunteers:two_factor')}?{query}")
        return None

    @staticmethod
    def _has_ended(request) -> bool:
        session = request.session
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT)
        seen_at = session.get(SEEN_AT)
        # A session without the marks was not made by the sign-in pages: it ends.
        if not isinstance(signed_in_at, int) or not isinstance(seen_at, int):
            return True
        if now - signed_in_at >= settings.SESSION_COOKIE_AGE:
            return True
        if now - seen_at >= settings.VOLUNTEER_IDLE_MINUTES * 60:
            return True
        if session.get(EPOCH) != account_epoch(request.user):
            return True
        if now - seen_at >= SEEN_RESOLUTION:
            session[SEEN_AT] = now
        return False
