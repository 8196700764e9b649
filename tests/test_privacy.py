"""What the site promises submitters and readers about their traces."""

import logging
import re
import runpy

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.urls import reverse

from counts.tasks import rollup_tallies
from statements.models import Statement
from statements.tasks import screen_statements
from tests import factories

MARK_IP = "198.51.100.237"
MARK_IP6 = "2001:db8::beef:1234"
MARK_UA = "Mozilla/5.0 (MarkerOS 9.9) TraceableBrowser/77.7"


def public_urls(statement_id):
    pages = []
    for lang in ("zh-hans", "zh-hant", "en"):
        pages += [
            f"/{lang}/",
            f"/{lang}/statements/",
            f"/{lang}/statements/{statement_id}/",
            f"/{lang}/submit/",
            f"/{lang}/submit/done/",
            f"/{lang}/receipt/",
            # The submitter's actions are posts; a GET leads back to the receipt page.
            f"/{lang}/receipt/hide/",
            f"/{lang}/receipt/retract/",
            f"/{lang}/receipt/certificate/",
            f"/{lang}/submit/replace/",
            f"/{lang}/statements/999999999/",
            f"/{lang}/safety/",
            f"/{lang}/counting/",
            f"/{lang}/about/",
        ]
    return [
        "/",
        *pages,
        reverse("api:statements"),
        reverse("api:statement_detail", args=[statement_id]),
        reverse("api:tallies"),
        reverse("api:tallies_daily"),
    ]


@pytest.mark.django_db
def test_anonymous_readers_get_no_cookies(client, reviewer):
    statement = factories.approved_statement(reviewer=reviewer)
    for url in public_urls(statement.registration_number):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
        assert response.status_code in (200, 302, 404), url
        assert not response.cookies, f"{url} set {list(response.cookies)}"
        assert "Set-Cookie" not in response.headers, url


@pytest.mark.django_db
def test_public_pages_load_nothing_from_another_origin(client, reviewer):
    statement = factories.approved_statement(reviewer=reviewer)
    for url in public_urls(statement.registration_number):
        response = client.get(url)
        if response.get("Content-Type", "").startswith("text/html"):
            html = response.content.decode()
            refs = re.findall(r'(?:src|href|action)="([^"]*)"', html)
            assert all(ref.startswith(("/", "?", "#")) for ref in refs), (url, refs)
            assert "<script" not in html
            assert "@import" not in html
            csp = response["Content-Security-Policy"]
            assert "default-src 'none'" in csp
            assert "http" not in csp
        # Other sites get no Referer; our own pages keep a real Origin on form posts.
        assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_public_reads_are_cacheable_briefly_and_receipt_pages_not_at_all(client, reviewer):
    statement = factories.approved_statement(reviewer=reviewer)
    public = [
        "/zh-hans/",
        "/en/statements/",
        f"/en/statements/{statement.registration_number}/",
        reverse("api:statements"),
        reverse("api:statement_detail", args=[statement.registration_number]),
        reverse("api:tallies"),
    ]
    for url in public:
        cache_control = client.get(url)["Cache-Control"]
        assert "public" in cache_control, url
        assert int(cache_control.split("max-age=")[1].split(",")[0]) <= 30, url
    for url in ["/en/submit/", "/en/receipt/", "/en/submit/done/"]:
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_the_stylesheet_imports_nothing():
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    assert "@import" not in css
    assert "url(" not in css


def _every_row_as_text() -> str:
    with connection.cursor() as cursor:
        chunks = []
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 - names from introspection
            chunks += [row[0] for row in cursor.fetchall()]
    return "\n".join(chunks)


def _every_redis_key_and_value() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL)
    parts = []
    for key in client.scan_iter():
        parts.append(key.decode(errors="replace"))
        if client.type(key) == b"string":
            parts.append((client.get(key) or b"").decode(errors="replace"))
    return "\n".join(parts)


@pytest.mark.django_db
def test_client_address_and_user_agent_are_never_stored_or_logged(client, api, reviewer, caplog):
    caplog.set_level(logging.DEBUG)
    meta = {"REMOTE_ADDR": MARK_IP, "HTTP_USER_AGENT": MARK_UA, "HTTP_X_FORWARDED_FOR": MARK_IP6}

    client.post(
        "/zh-hans/submit/", {"name": "王五", "organizations": ["party"], "region": "CN-GD"}, **meta
    )
    client.get("/zh-hans/submit/done/", **meta)
    receipt = api.post(
        reverse("api:statements"),
        {"name": "赵六", "organizations": ["youth_league"], "region": "overseas"},
        format="json",
        **meta,
    ).json()["receipt"]
    api.post(reverse("api:receipt_lookup"), {"receipt": receipt}, format="json", **meta)
    client.post("/zh-hans/submit/", {"name": "", "organizations": [], "region": "x"}, **meta)  # 400
    client.get("/zh-hans/statements/0/", **meta)  # 404
    client.post(
        "/zh-hans/submit/", {"name": "x"}, HTTP_ORIGIN="https://evil.example", **meta
    )  # 403
    screen_statements.apply()
    for statement in Statement.objects.all():
        factories.approve(statement, reviewer=reviewer)
    rollup_tallies.apply()

    assert Statement.objects.count() == 2
    stored = _every_row_as_text() + _every_redis_key_and_value()
    logged = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    for trace in (MARK_IP, MARK_IP6, MARK_UA, "MarkerOS", "TraceableBrowser"):
        assert trace not in stored
        assert trace not in logged


@pytest.mark.django_db
def test_rate_limit_keys_are_keyed_digests_not_addresses(api, settings):
    settings.INTAKE_RATE = "100/d"
    api.post(
        reverse("api:statements"),
        {"name": "钱七", "organizations": ["party"], "region": "CN-BJ"},
        format="json",
        REMOTE_ADDR=MARK_IP,
    )
    keys = _every_redis_key_and_value()
    assert ":rl:" in keys  # django-ratelimit wrote its counter...
    assert MARK_IP not in keys  # ...under a key that does not name the address


def test_the_production_access_log_has_no_client_address_or_user_agent():
    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    log_format = config["access_log_format"]
    assert "%(r)s" in log_format  # it does log requests...
    for field in ("%(h)s", "%(a)s", "%(u)s", "forwarded", "%({"):
        assert field not in log_format.lower()  # ...but nothing that places the sender
