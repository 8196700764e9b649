from celery import shared_task

from volunteers import hotline, paper


@shared_task(time_limit=60, soft_time_limit=50)
def sweep_paper_batches() -> int:
    """Periodic (hourly): discard paper batches staged more than a day ago and empty
    their rows. Idempotent; a lost run only delays the sweep (a stale batch can never be
    confirmed anyway). Returns how many it discarded."""
    return paper.sweep_stale_batches()


@shared_task(time_limit=300, soft_time_limit=240)
def erase_callback_numbers() -> int:
    """Periodic (every 10 minutes): erase every callback number older than
    CALLBACK_RETENTION_DAYS, and any finished callback's number still stored (the
    sweeper behind finishing). Idempotent, safe on many workers at once (SKIP LOCKED).
    Returns how many numbers it erased."""
    return hotline.erase_expired_numbers()
