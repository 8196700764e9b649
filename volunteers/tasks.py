from celery import shared_task

from volunteers import paper


@shared_task(time_limit=60, soft_time_limit=50)
def sweep_paper_batches() -> int:
    """Periodic (hourly): discard paper batches staged more than a day ago and empty
    their rows. Idempotent; a lost run only delays the sweep (a stale batch can never be
    confirmed anyway). Returns how many it discarded."""
    return paper.sweep_stale_batches()
