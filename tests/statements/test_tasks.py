"""Screening through Celery: a real worker process on Redis, and intake with Redis gone."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from celery.signals import before_task_publish
from django.conf import settings
from django.urls import reverse

from statements.models import Statement, Status
from statements.tasks import screen_statements
from tests import factories


@pytest.fixture
def worker(database_url):
    """A Celery worker process on its own queue, against the test database and Redis."""
    queue = f"test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
        "DATABASE_CONN_MAX_AGE": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tuidang",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        env=env,
        cwd=settings.BASE_DIR,
    )
    try:
        yield queue
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.process
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_moves_a_statement_from_received_to_in_review(worker):
    statement = factories.received_statement()

    screen_statements.apply_async(queue=worker)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        statement.refresh_from_db()
        if statement.status != Status.RECEIVED:
            break
        time.sleep(0.2)
    assert statement.status == Status.IN_REVIEW
    assert statement.screened_at is not None


@pytest.mark.django_db
def test_submission_succeeds_with_redis_unreachable_and_the_sweeper_finishes_the_job(
    api, client, settings, django_capture_on_commit_callbacks
):
    # Nothing listens on port 9: the cache (rate limits) is gone...
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    # ...and the broker is never asked: intake publishes no message at all.
    published = []

    def record(sender=None, **kwargs):
        published.append(sender)

    before_task_publish.connect(record)
    try:
        # Run on-commit callbacks too: an enqueue deferred to commit would show here.
        with django_capture_on_commit_callbacks(execute=True):
            by_api = api.post(
                reverse("api:statements"),
                {"name": "李明", "organizations": ["party"], "region": "CN-BJ"},
                format="json",
            )
            by_form = client.post(
                "/zh-hans/submit/",
                {"name": "张华", "organizations": ["young_pioneers"], "region": "CN-SH"},
            )
    finally:
        before_task_publish.disconnect(record)

    assert by_api.status_code == 201
    assert by_form.status_code == 302
    assert published == []
    assert list(Statement.objects.values_list("status", flat=True)) == ["received", "received"]

    # Redis is back; the next beat's sweeper screens whatever was left received.
    screen_statements.apply()
    assert list(Statement.objects.values_list("status", flat=True)) == ["in_review", "in_review"]
