from celery import shared_task

from counts import services


@shared_task(time_limit=60, soft_time_limit=50)
def rollup_tallies() -> int:
    """Periodic (every 15 s): recompute today, yesterday and recently changed days.
    Idempotent; overlapping runs each write a fresh aggregate."""
    return len(services.rollup_recent())


@shared_task(time_limit=3600, soft_time_limit=3500)
def rebuild_tallies() -> int:
    """Nightly: recompute every day from the rows, so the tallies reconcile exactly."""
    return len(services.rebuild_all())


@shared_task(time_limit=60, soft_time_limit=50)
def rollup_review_figures() -> None:
    """Periodic (every 15 s): the coordinators' dashboard figures. Idempotent."""
    services.rollup_review_figures()
