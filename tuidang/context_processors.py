from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info


def site(request: HttpRequest) -> dict:
    """Links to this page in each language (no cookie: the language is in the URL), the
    zone that public pages show times in, the same one the daily tallies use, and the
    footer's links set in the settings."""
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        try:
            url = translate_url(request.path_info, code)
        except ValueError:  # a path that is not a valid URL (a 404 page for junk)
            url = None
        links.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": url,
                "current": code == current,
            }
        )
    # Pages outside the language prefixes (the volunteer area) follow Accept-Language;
    # links that would all lead to the same URL are left out.
    if len({link["url"] for link in links}) < len(links):
        links = []
    return {
        "language_links": links,
        "tally_time_zone": settings.TALLY_TIME_ZONE,
        "donate_url": settings.DONATE_URL,
        "about_url": settings.ABOUT_URL,
    }
