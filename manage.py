#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuidang.settings")
    # manage.py is the developer's tool: with nothing set it runs the embedded default.
    # Production reaches Django through gunicorn and celery (tuidang/wsgi.py,
    # tuidang/celery.py), which refuse to start without SECRET_KEY, and docker-compose.yml
    # sets DEBUG=0 for every manage.py it runs.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
