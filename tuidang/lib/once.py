"""A secret shown on one page, once: a receipt code carried across post-redirect-get.

It rides in a short-lived signed cookie scoped to the page that shows it, never in a URL
(history, proxies and logs keep URLs) nor in the session (a database row that would
outlive a page nobody opened), and the page deletes it as it shows it, so a shared
computer never shows it to the next person.
"""

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

MAX_AGE = 600  # seconds: long enough for a slow link, short enough to be gone soon


def redirect_with_once(request: HttpRequest, url: str, *, name: str, value: str, salt: str):
    """A redirect to `url` carrying `value` for that page alone."""
    response = redirect(url)
    response.set_signed_cookie(
        name,
        value,
        salt=salt,
        max_age=MAX_AGE,
        path=url,
        secure=request.is_secure() or not settings.DEBUG,
        httponly=True,
        samesite="Strict",
    )
    return response


def read_once(request: HttpRequest, *, name: str, salt: str) -> str | None:
    """The value waiting for this page, or None (none, expired or tampered with)."""
    try:
        return request.get_signed_cookie(name, salt=salt, max_age=MAX_AGE)
    except (KeyError, signing.BadSignature):
        return None


def forget_once(request: HttpRequest, response: HttpResponse, *, name: str) -> None:
    """Delete the value as the page shows it."""
    response.delete_cookie(name, path=request.path, samesite="Strict")
