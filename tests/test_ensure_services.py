"""scripts/ensure-services, which `make test` runs first."""

import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

# Starts processes of its own: `make test-fast` leaves it out.
pytestmark = pytest.mark.process

SCRIPT = str(settings.BASE_DIR / "scripts" / "ensure-services")


def run(db_url, redis_url):
    env = {**os.environ, "ENSURE_SERVICES_TRIES": "1"}
    return subprocess.run(
        [SCRIPT, db_url, redis_url, sys.executable],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_running_services_pass_silently():
    result = run(os.environ["DATABASE_URL"], settings.REDIS_URL)
    assert result.returncode == 0
    assert result.stdout == ""


def test_a_database_not_answering_fails_with_one_line_saying_what_to_do():
    # 127.0.0.2 is not treated as local, so nothing is started; port 9 has no server.
    result = run("postgres://postgres@127.0.0.2:9/tuidang", settings.REDIS_URL)
    assert result.returncode == 1
    assert result.stdout.count("\n") == 1
    if shutil.which("pg_ctlcluster"):
        assert "PostgreSQL is installed but not answering" in result.stdout
    else:
        assert "apt-get install postgresql" in result.stdout


def test_redis_not_answering_fails_with_one_line_saying_what_to_do():
    result = run(os.environ["DATABASE_URL"], "redis://127.0.0.2:9/0")
    assert result.returncode == 1
    assert result.stdout.count("\n") == 1
    if shutil.which("redis-server"):
        assert "Redis is installed but not answering" in result.stdout
    else:
        assert "apt-get install redis-server" in result.stdout


def test_a_database_that_refuses_the_login_fails_with_one_line_saying_why():
    url = os.environ["DATABASE_URL"].replace("://postgres@", "://no_such_role@")
    result = run(url, settings.REDIS_URL)
    assert result.returncode == 1
    assert result.stdout.count("\n") == 1
    assert 'role "no_such_role" does not exist' in result.stdout
