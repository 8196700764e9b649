"""No public page runs a script but the API's docs page (issue 7, item 10).

The pages are found in the URLconf, not listed by hand: every route of the public
namespaces (tuidang.lib.http.PUBLIC_PAGE_NAMESPACES) in every language, so a page added
later is checked without anyone remembering to add it here.
"""

import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from statements import receipts
from statements.models import Statement
from tests import factories
from tuidang.lib.http import PUBLIC_PAGE_NAMESPACES

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Arguments for the route converters the public routes use.
CONVERTER_ARGS = {"number": lambda statement: statement.registration_number}
# The submitter's pages are answers to posts carrying a receipt code (a GET leads back to
# the receipt page): they are checked as posted, in URLconf order (hide before unhide;
# retract without confirm=1 only asks).
POSTED = {
    "statements:receipt_hide",
    "statements:receipt_unhide",
    "statements:receipt_retract",
    "statements:certificate",
    "statements:replace",
}


def routes(resolver=None, namespace=None):
    """(namespace, name, converter names) of every named route."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = getattr(entry.pattern, "converters", {})
            yield namespace, entry.name, [type(c).__name__ for c in converters.values()]


def route_args(converters: list[str], statement) -> list:
    names = {"RegistrationNumberConverter": "number"}
    return [CONVERTER_ARGS[names[converter]](statement) for converter in converters]


def script_policy(response) -> list[str]:
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        if name == "script-src":
            return values
    return []


@pytest.mark.django_db
def test_no_public_page_in_any_language_has_a_script(client):
    statement = factories.published_statement(text="<script>alert(1)</script>")
    code = receipts.new_code()
    Statement.objects.filter(pk=statement.pk).update(receipt_hash=receipts.digest(code))
    public = [
        (namespace, name, converters)
        for namespace, name, converters in routes()
        if namespace in PUBLIC_PAGE_NAMESPACES
    ]
    found = {f"{namespace}:{name}" for namespace, name, _converters in public}
    # The walk finds the pages (more may come: regions, information pages).
    assert {
        "counts:home",
        "statements:list",
        "statements:detail",
        "statements:submit",
        "statements:submit_done",
        "statements:receipt",
        "statements:feed",
    } <= found

    checked = 0
    for namespace, name, converters in public:
        for lang in LANGUAGES:
            with translation.override(lang):
                url = reverse(f"{namespace}:{name}", args=route_args(converters, statement))
            if f"{namespace}:{name}" in POSTED:
                response = client.post(url, {"receipt": code})
            else:
                response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert not re.search(r"<script", body, re.I), url
            assert "javascript:" not in body.lower(), url
            assert not re.search(r"<[^>]+\son[a-z]+=", body, re.I), url
            # The policy allows our own files at most, never inline code.
            assert set(script_policy(response)) <= {"'self'", "'none'"}, url
            assert "unsafe" not in response["Content-Security-Policy"], url
            checked += 1
    assert checked == len(public) * len(LANGUAGES)


@pytest.mark.django_db
def test_the_api_docs_is_the_one_page_with_a_script_and_it_is_ours(client):
    statement = factories.published_statement()
    with_scripts = []
    for namespace, name, converters in routes():
        if namespace != "api":
            continue
        url = reverse(f"{namespace}:{name}", args=route_args(converters, statement))
        response = client.get(url)
        if response.status_code != 200 or response.streaming:
            continue
        if "<script" in response.content.decode():
            with_scripts.append(name)
            sources = re.findall(r'<script src="([^"]+)"', response.content.decode())
            assert sources and all(src.startswith("/static/") for src in sources)
            assert set(script_policy(response)) == {"'self'"}
    assert with_scripts == ["docs"]
