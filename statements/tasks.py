import time

from celery import shared_task

from statements import services

# Stay well inside the task's time limit; the next beat continues where this stopped.
_BUDGET_SECONDS = 40


@shared_task(time_limit=60, soft_time_limit=50)
def screen_statements(batch_size: int = 500) -> int:
    """Periodic (every 5 s) sweeper: screen received statements in batches until none
    are left or the time budget is spent. Safe to run on many workers at once (rows are
    claimed with SKIP LOCKED) and to rerun. Returns how many were moved into review."""
    started = time.monotonic()
    moved = 0
    while time.monotonic() - started < _BUDGET_SECONDS:
        done = services.screen_received(batch_size=batch_size)
        moved += done
        if done < batch_size:
            break
    return moved
