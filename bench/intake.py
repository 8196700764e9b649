"""Intake, screening and rollup throughput, with the baseline the design was chosen over.

    make bench            # toy size (CI-sized); BENCH_N=2000 make bench for the figures

Measures, against the real PostgreSQL and Redis that `make test` uses (in a database of
its own, tuidang_bench, rebuilt each run):

1. intake: POST /api/v1/statements/ through the whole Django stack (middleware, DRF,
   validation, rate limit in Redis, one committed INSERT), in-process, one client;
   side by side with the baseline the issue measured: the same request plus one Celery
   message per statement (a screening task enqueued to Redis after commit).
2. screening: statements/s moved from received to in_review by screen_received batches,
   for distinct statements and for a flood of one identical statement (all flagged).
3. rollup: seconds to recompute one tally day holding all the rows.

The numbers are per process on this 2-core machine; production runs several of each.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuidang.settings")


from bench.common import prepare

N = int(os.environ.get("BENCH_N", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
PAYLOAD = {
    "name": "基准测试",
    "is_alias": True,
    "organizations": ["youth_league", "young_pioneers"],
    "region": "CN-GD",
    "text": "我声明退出共青团和少先队。" * 5,
}


def main() -> None:
    prepare()
    from django.db import connection, transaction
    from django.test import Client

    from counts import services as counts_services
    from counts.days import tally_today
    from statements import services
    from statements.models import Statement
    from statements.tasks import screen_statements

    client = Client()
    url = "/api/v1/statements/"

    sent = 0

    def intake(n: int, *, with_message: bool) -> float:
        nonlocal sent
        started = time.perf_counter()
        for _ in range(n):
            sent += 1  # distinct people, as in real intake (identical ones are flagged)
            body = {**PAYLOAD, "name": f"{PAYLOAD['name']}{sent}"}
            response = client.post(url, body, content_type="application/json")
            assert response.status_code == 201, response.content
            if with_message:
                transaction.on_commit(screen_statements.delay)  # autocommit: runs now
        return n / (time.perf_counter() - started)

    intake(20, with_message=False)  # warm up connections and caches
    intake(20, with_message=True)
    ours, baseline = [], []
    for _ in range(ROUNDS):
        ours.append(intake(N, with_message=False))
        baseline.append(intake(N, with_message=True))

    def screen_all() -> float:
        count = Statement.objects.received().count()
        started = time.perf_counter()
        while services.screen_received(batch_size=500):
            pass
        return count / (time.perf_counter() - started)

    received = Statement.objects.received().count()
    screening = screen_all()
    # A flood of one identical statement: every row is flagged, the slow path.
    Statement.objects.update(status="received", content_hash=b"f" * 16)
    flood = screen_all()

    with connection.cursor() as cursor:  # all rows published today, for one big day
        cursor.execute(
            "UPDATE statements_statement SET status = 'published', published_at = now(),"
            " published_day = %s, registration_number = 1000000000000000 + id",
            [tally_today()],
        )
    started = time.perf_counter()
    counts_services.rollup_days(days=[tally_today()])
    rollup = time.perf_counter() - started

    def show(name: str, values: list[float]) -> str:
        rounds = ", ".join(f"{v:.0f}" for v in values)
        return f"{name:<46} {statistics.median(values):8.0f} /s  (rounds: {rounds})"

    print(f"intake, {N} requests x {ROUNDS} rounds, one process, in-process client")
    print(show("  ours: INSERT only, beat screens in batches", ours))
    print(show("  baseline: plus one Celery message a request", baseline))
    print(f"  ours / baseline: {statistics.median(ours) / statistics.median(baseline):.2f}x")
    print(f"screening, {received} distinct statements, batches of 500: {screening:8.0f} /s")
    print(f"screening, {received} identical ones (all flagged):     {flood:8.0f} /s")
    print(f"rollup of one day holding {received} statements: {rollup * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
