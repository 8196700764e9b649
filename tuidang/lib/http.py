from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


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
