from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    set_response_etag,
)

# The HTML pages of the public side: every view in these URL namespaces.
PUBLIC_PAGE_NAMESPACES = frozenset({"counts", "statements", "pages"})

# What WhiteNoise serves at the site's root (see WHITENOISE_ROOT), and for how long
# caches may keep each: they have no hashed name, so not for ever.
ROOT_FILE_MAX_AGES = {"/favicon.ico": 7 * 24 * 60 * 60, "/robots.txt": 24 * 60 * 60}

_PUBLIC_READ = "_public_read"
_LANGUAGE_NEUTRAL = "language_neutral"


def is_cross_site(request: HttpRequest) -> bool:
    """Whether the browser says this request was sent by another site's page.

    Sec-Fetch-Site is set by the browser and cannot be forged by a page, so when present
    it decides: only our own pages ("same-origin") and the user's own navigation
    ("none") may post. Older browsers send only Origin; a request with neither (an old
    browser, a script) is not cross-site by this test.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return False
    # "null" (sandboxed frames, file: pages) has no host and so counts as cross-site,
    # as does anything that is not a URL at all.
    try:
        return urlsplit(origin).netloc != request.get_host()
    except ValueError:
        return True


def public_read(view: Callable | None = None, *, language_neutral: bool = False):
    """Mark a view's answers as public reads: what it answers with 200 to a GET or HEAD
    may be kept by browsers and shared caches (see PublicResponseMiddleware).

    language_neutral: the body is the same whatever language the request asks for (the
    tallies API), so the answer does not vary on Accept-Language even where
    LocaleMiddleware says it does. Works on functions and, through method_decorator, on
    a class view's get.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            setattr(response, _PUBLIC_READ, _LANGUAGE_NEUTRAL if language_neutral else True)
            return response

        return wrapped

    return decorator(view) if view is not None else decorator


class PublicResponseMiddleware:
    """Finishes the public side's answers.

    A public read (a view marked with public_read, answering 200 to GET or HEAD) gets
    `Cache-Control: public` for one rollup interval, with stale-while-revalidate and
    stale-if-error, and an ETag of its body; a request that already holds that body
    (If-None-Match) gets a 304 with the same cache headers. Everything else is left
    as its view made it: forms, receipts and volunteer pages stay uncached, and POST
    answers are never touched.

    A streamed answer (a CSV export) gets the same Cache-Control but no ETag, and is
    passed on unread.

    Public pages also name the onion service (Onion-Location) when ONION_ORIGIN is set.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.ONION_ORIGIN and _is_public_page(request):
            response.headers["Onion-Location"] = settings.ONION_ORIGIN + request.get_full_path()
        marked = getattr(response, _PUBLIC_READ, None)
        if marked is None or request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if marked == _LANGUAGE_NEUTRAL:
            # LocaleMiddleware adds these to every answer outside the /<lang>/ prefixes;
            # for a body without words they would only split shared caches by language.
            _drop_vary(response, "Accept-Language")
            del response.headers["Content-Language"]
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PUBLIC_CACHE_MAX_AGE,
            stale_while_revalidate=settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE,
            stale_if_error=settings.PUBLIC_CACHE_STALE_IF_ERROR,
        )
        if response.streaming:
            # A streamed export has no ETag: taking one would read all of it (a month of
            # statements) before sending a byte. Caches keep it all the same.
            return response
        # An ETag of the body itself: it changes exactly when what a reader sees does (a
        # publication, a removal, a rollup), with nothing to invalidate by hand. A 304
        # copies Cache-Control, ETag and Vary from this response.
        set_response_etag(response)
        return get_conditional_response(request, etag=response.headers["ETag"], response=response)


def _is_public_page(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.namespace in PUBLIC_PAGE_NAMESPACES


def _drop_vary(response: HttpResponse, header: str) -> None:
    if not response.has_header("Vary"):
        return
    kept = [
        field.strip()
        for field in response.headers["Vary"].split(",")
        if field.strip() and field.strip().lower() != header.lower()
    ]
    if kept:
        response.headers["Vary"] = ", ".join(kept)
    else:
        del response.headers["Vary"]


def root_file_headers(headers, path: str, url: str) -> None:
    """WhiteNoise's WHITENOISE_ADD_HEADERS_FUNCTION: the root files' own lifetimes."""
    max_age = ROOT_FILE_MAX_AGES.get(url)
    if max_age is not None:
        headers["Cache-Control"] = f"public, max-age={max_age}"
