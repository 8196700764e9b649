import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from pytest_django.live_server_helper import LiveServer
from rest_framework.test import APIClient

from tests import factories
from volunteers.roles import Role


def pytest_configure(config):
    # The suite runs against the real services; `make test` points it at them.
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine or settings.EMBEDDED:
        raise pytest.UsageError(
            "Run the tests with `make test` (PostgreSQL and Redis); "
            f"got {engine} and REDIS_URL={settings.REDIS_URL!r}."
        )


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the test Redis database; each test starts from zero.
    # Their windows are aligned to the clock, so tests that count requests use per-day
    # rates: a test that straddled a minute boundary would see its counter reset.
    cache.clear()
    yield


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 is for production; the suite hashes a few hundred passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The cast: one account per role, plus an outsider with an account but no role.
@pytest.fixture
def volunteer(db):
    return factories.account("volunteer", role=Role.VOLUNTEER)


@pytest.fixture
def reviewer(db):
    return factories.account("reviewer", role=Role.REVIEWER)


@pytest.fixture
def other_reviewer(db):
    return factories.account("reviewer2", role=Role.REVIEWER)


@pytest.fixture
def coordinator(db):
    return factories.account("coordinator", role=Role.COORDINATOR)


@pytest.fixture
def outsider(db):
    return factories.account("outsider", role=None)


@pytest.fixture
def reviewer_client(client, reviewer):
    factories.sign_in(client, reviewer)
    return client


@pytest.fixture
def coordinator_client(client, coordinator):
    factories.sign_in(client, coordinator)
    return client


@pytest.fixture
def database_url():
    """A URL for the test database, for processes the tests start."""
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def _as_deployed(application):
    return application


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, with static files served as in production: by
    WhiteNoise, from STATIC_ROOT (which `make test` collects), under their hashed names.
    pytest-django's own handler looks files up with the finders by their plain names, so
    it answered 404 for every stylesheet and script the pages link to."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        pytest.fail(f"{manifest} is missing: run the tests with `make test` (collectstatic)")
    addr = (
        request.config.getvalue("liveserver")
        or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.static_handler = _as_deployed
    server.start()
    yield server
    server.stop()
