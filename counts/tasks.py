from dataclasses import asdict

from celery import shared_task

from counts import reconciliation, services

# The nightly reconciliation's limits, from bench/reconcile.py (README, Benchmarks): it
# recounted 10,000,000 statements (37 months) in 15.7 s on a 2-core machine that other
# work kept at a load of 10. The largest scale the README claims is 400,000,000, 40 times
# as many: some 10.5 minutes if it grows linearly (each month is one range of the
# published index, so it does), and perhaps twice that where the table (some 60 GB) no
# longer fits in memory and is read from disk once. The limit, 2 hours, is about 6 times
# that: a slow disk or a busy night does not kill a run that would finish, and a stuck
# one still ends hours before the next night's. Each month commits on its own, so a run
# that is killed keeps what it fixed. The beat entry's `expires`
# (settings.CELERY_BEAT_SCHEDULE) drops a message not started within 12 hours (a worker
# outage): the next night's run does the same work, and expiry plus limit (14 hours)
# stays under a day, so two runs never overlap.
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
