from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info


def site(request: HttpRequest) -> dict:
    """Links to this page in each language (no cookie: the language is in the URL), and
    the zone that public pages show times in, the same one the daily tallies use."""
    current = get_language()
    return {
        "language_links": [
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": translate_url(request.path, code),
                "current": code == current,
            }
            for code, _name in settings.LANGUAGES
        ],
        "tally_time_zone": settings.TALLY_TIME_ZONE,
    }
