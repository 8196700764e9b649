from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


def is_cross_site(request: HttpRequest) -> bool:
    """Whether the browser says this request was sent by another site's page.

    Browsers send Sec-Fetch-Site and Origin with every form post; a request without
    them (an old browser, a script) is not cross-site by this test.
    """
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return True
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
