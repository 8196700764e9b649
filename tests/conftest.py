import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient


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


@pytest.fixture
def reviewer(db):
    user = get_user_model().objects.create_user("reviewer", password="a-long-test-password")
    user.user_permissions.add(Permission.objects.get(codename="review_statement"))
    return user


@pytest.fixture
def other_reviewer(db):
    user = get_user_model().objects.create_user("reviewer2", password="a-long-test-password")
    user.user_permissions.add(Permission.objects.get(codename="review_statement"))
    return user


@pytest.fixture
def coordinator(reviewer):
    reviewer.user_permissions.add(Permission.objects.get(codename="remove_statement"))
    return get_user_model().objects.get(pk=reviewer.pk)  # fresh permission cache


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def database_url():
    """A URL for the test database, for processes the tests start."""
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"
