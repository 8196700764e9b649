#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuidang.settings")
    # In a bare checkout (no secret, no database, no Redis configured) manage.py runs the
    # embedded default. Anywhere something is configured it must be said explicitly:
    # gunicorn and celery never come through here and refuse to start without a secret.
    if not any(os.environ.get(name) for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")):
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
