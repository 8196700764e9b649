from dataclasses import asdict

from celery import shared_task

from counts import reconciliation, services

# The nightly reconciliation's limits, from bench/reconcile.py (see the README): it
# recounted 10,000,000 statements in REPLACE_ME s on a busy 2-core machine. At the
# largest scale the README claims, 400,000,000 (40 times as many), that is about
# REPLACE_ME s if it grows linearly (a month's pass is a range scan, so it does). The
# limit is REPLACE_ME: several times that, so a slow disk or a busy night does not kill a
# run that would finish, yet a stuck one ends long before the next night's. The beat
# entry's `expires` (settings.CELERY_BEAT_SCHEDULE) drops a message not started within
# REBUILD_EXPIRES, so a run delayed by a worker outage still ends (expiry plus limit)
# before the next night's starts, and two never overlap.
REBUILD_TIME_LIMIT = 2 * 60 * 60
REBUILD_EXPIRES = 12 * 60 * 60


@shared_task(time_limit=60, soft_time_limit=50)
def rollup_tallies() -> int:
    """Periodic (every 15 s): recompute today, yesterday and recently changed days.
    Idempotent; overlapping runs each write a fresh aggregate."""
    return len(services.rollup_recent())


@shared_task(time_limit=REBUILD_TIME_LIMIT, soft_time_limit=REBUILD_TIME_LIMIT - 60)
def rebuild_tallies() -> dict:
    """Nightly: recount every day from the rows, record any drift and fix it, so the
    tallies reconcile exactly. Idempotent: a second run finds nothing to fix."""
    result = reconciliation.rebuild_all()
    return {**asdict(result), "fixed": [str(day) for day in result.fixed]}


@shared_task(time_limit=60, soft_time_limit=50)
def rollup_review_figures() -> None:
    """Periodic (every 15 s): the coordinators' dashboard figures. Idempotent."""
    services.rollup_review_figures()
