"""Serve the embedded default: the web server plus, in a thread of the same process,
the periodic tasks that celery beat and a worker run in production.

Without REDIS_URL tasks run in-process (CELERY_TASK_ALWAYS_EAGER), but nothing would
call the periodic ones; this runs each on its beat interval so a statement is screened,
and a publication counted, just as in production.
"""

import logging
import os
import threading
import time
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

logger = logging.getLogger(__name__)


def _interval_tasks() -> list[tuple[str, float]]:
    entries = []
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        if isinstance(entry["schedule"], timedelta):
            entries.append((entry["task"], entry["schedule"].total_seconds()))
    return entries


def _run_periodic_forever(stop: threading.Event) -> None:
    due = dict.fromkeys((name for name, _ in _interval_tasks()), 0.0)
    intervals = dict(_interval_tasks())
    while not stop.is_set():
        now = time.monotonic()
        for name, at in due.items():
            if now >= at:
                try:
                    current_app.tasks[name].apply()
                except Exception:
                    logger.exception("periodic task %s failed", name)
                due[name] = now + intervals[name]
        stop.wait(1.0)


class Command(BaseCommand):
    help = "Serve the embedded default (runserver plus the periodic tasks, in-process)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--noreload", action="store_true", help="No autoreloader.")

    def handle(self, *args, addrport, **options):
        if not settings.EMBEDDED:
            raise CommandError("runembedded is for the embedded default (REDIS_URL unset).")
        # A worker imports the task modules when it starts; this process is not a worker.
        current_app.loader.import_default_modules()
        # With the autoreloader, only the child process (RUN_MAIN) serves requests.
        if os.environ.get("RUN_MAIN") == "true" or options.get("noreload"):
            threading.Thread(
                target=_run_periodic_forever, args=(threading.Event(),), daemon=True
            ).start()
        call_command("runserver", addrport, use_reloader=not options["noreload"])
