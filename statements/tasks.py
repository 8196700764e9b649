import time

from celery import shared_task

from statements import services

# Shorter than the beat interval (5 s): a run ends before the next is sent, so under a
# backlog screening never holds every worker process and rollups still run on time.
# At a few thousand statements a second per run this is still far above intake.
_BUDGET_SECONDS = 4


@shared_task(time_limit=30, soft_time_limit=20)
def screen_statements(batch_size: int = 500) -> int:
    """Periodic (every 5 s) sweeper: screen received statements in batches until none
    are left or 4 s are spent. Safe to run on many workers at once (rows are
    claimed with SKIP LOCKED) and to rerun. Returns how many were moved into review."""
    started = time.monotonic()
    moved = 0
    while time.monotonic() - started < _BUDGET_SECONDS:
        done = services.screen_received(batch_size=batch_size)
        moved += done
        if done < batch_size:
            break
    return moved
