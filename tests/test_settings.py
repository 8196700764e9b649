import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from statements.models import Statement
from tests.processes import project_env, run_python

# Starts processes of its own: `make test-fast` leaves it out.
pytestmark = pytest.mark.process


def run_django(env_overrides, code="import django; django.setup(); print('started')"):
    env = project_env(**env_overrides, DJANGO_SETTINGS_MODULE="tuidang.settings")
    return run_python("-c", code, env=env)


def test_production_without_a_secret_key_refuses_to_start():
    result = run_django({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "started" not in result.stdout


def test_production_with_a_secret_key_starts():
    result = run_django({"DEBUG": "0", "SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_a_bad_tally_time_zone_refuses_to_start():
    result = run_django({"DEBUG": "1", "TALLY_TIME_ZONE": "Mars/Olympus"})
    assert result.returncode != 0
    assert "TALLY_TIME_ZONE" in result.stderr


def test_demo_data_never_loads_into_a_configured_database(database_url):
    """Not even through manage.py, which defaults to DEBUG only in a bare checkout."""
    for extra in ({"DATABASE_URL": database_url}, {"DATABASE_URL": database_url, "DEBUG": "1"}):
        result = run_python("manage.py", "load_demo_data", env=project_env(**extra))
        assert result.returncode != 0, extra
        assert "demo-reviewer" not in result.stdout


@pytest.mark.django_db
def test_demo_data_refuses_to_load_when_debug_is_off():
    assert settings.DEBUG is False
    with pytest.raises(CommandError):
        call_command("load_demo_data")
    assert Statement.objects.count() == 0


@pytest.mark.parametrize("name", ["INTAKE_RATE", "RECEIPT_LOOKUP_RATE", "LOGIN_RATE"])
def test_a_malformed_rate_refuses_to_start(name):
    result = run_django({"DEBUG": "1", name: "30/minute"})
    assert result.returncode != 0
    assert name in result.stderr


def test_manage_py_runs_the_embedded_default_but_the_servers_refuse_without_a_secret():
    env = project_env()
    check = run_python("manage.py", "check", env=env)
    assert check.returncode == 0, check.stderr
    for module in ("tuidang.wsgi", "tuidang.celery"):
        served = run_python(
            "-c", f"import {module}; import django.conf; django.conf.settings.DEBUG", env=env
        )
        assert served.returncode != 0, module
        assert "SECRET_KEY is not set" in served.stderr
