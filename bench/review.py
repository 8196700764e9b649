"""Review at volume, over HTTP in the production shape, beside a bare Django view.

    make bench                          # toy size (CI)
    BENCH_BACKLOG=1000000 make bench    # the README figures

Against the real PostgreSQL and Redis, in the bench database (rebuilt each run), with
BENCH_BACKLOG statements waiting for review (default 1,000,000, arriving over the last
ten days as at 100,000 a day; a tenth carry a phone number, one in fifty belongs to one
big duplicate cluster, as in a flood), gunicorn with
the project's gunicorn.conf.py (3 workers x 4 threads on this 2-core machine) serving
bench.settings, which is the project plus one bare view for the baseline:

1. baseline: GET of a bare view (the whole middleware stack, no query of ours);
2. claim 25 + decide 25 over the review API, BENCH_CLIENTS reviewers at once, each
   request timed (target: p99 under 100 ms);
3. the batch page of a reviewer holding 25 (target: under 50 ms);
4. the coordinator dashboard (target: every figure, the whole page, under 50 ms);
5. approve_many of 1,000 in one call, in-process (target: under 2 s);
6. the review-figures rollup that feeds the dashboard (background, every 15 s).
"""

import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


from bench.common import Client, Gunicorn, percentile, prepare, summary

BACKLOG = int(os.environ.get("BENCH_BACKLOG", "1000000"))
CYCLES = int(os.environ.get("BENCH_CYCLES", "100"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
PAGE_VIEWS = int(os.environ.get("BENCH_PAGE_VIEWS", "300"))
BATCH = 25
# Untimed first requests: each of gunicorn's workers opens its database connection and
# fills its caches once, which is not what a reviewer's day is made of.
WARM_UP_REQUESTS = 30
WARM_UP_CYCLES = 3


def warm_up(client, path: str) -> None:
    for _ in range(WARM_UP_REQUESTS):
        client.get(path)
    client.timings.clear()


def load_backlog(cursor, n: int) -> None:
    """n statements in review, in queue order, written by one INSERT … SELECT."""
    cursor.execute(
        """
        INSERT INTO statements_statement (
            display_name, is_alias, left_party, left_youth_league, left_young_pioneers,
            region, text, channel, language, status, screening_flags, content_hash,
            receipt_hash, rejection_reason, created_at, screened_at, status_changed_at,
            queued_at)
        SELECT
            '测试者' || g, g %% 2 = 0, g %% 5 = 0, true, g %% 3 = 0,
            'CN-GD',
            CASE WHEN g %% 10 = 0 THEN '我的电话 138' || lpad((g %% 100000000)::text, 8, '0')
                 ELSE '我声明退出共青团和少先队。' END,
            (ARRAY['web', 'web', 'volunteer', 'phone', 'paper'])[1 + g %% 5],
            'zh-hans', 'in_review',
            CASE WHEN g %% 10 = 0 THEN '["contact_number"]'::jsonb
                 WHEN g %% 50 = 1 AND g > 1 THEN '["duplicate"]'::jsonb
                 ELSE '[]'::jsonb END,
            substring(
                sha256(('c' || CASE WHEN g %% 50 = 1 THEN 1 ELSE g END)::bytea) FROM 1 FOR 16),
            substring(sha256(('r' || g)::bytea) FROM 1 FOR 16),
            '',
            now() - (%(n)s - g) * interval '864 ms',
            now() - (%(n)s - g) * interval '864 ms' + interval '5 s',
            now() - (%(n)s - g) * interval '864 ms' + interval '5 s',
            now() - (%(n)s - g) * interval '864 ms' + interval '5 s'
        FROM generate_series(1, %(n)s) AS g
        """,
        {"n": n},
    )


def main() -> None:
    prepare()
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import override_settings

    from counts.services import rollup_review_figures
    from statements import review
    from statements.models import Statement
    from tests import factories
    from volunteers.roles import Role

    started = time.perf_counter()
    with connection.cursor() as cursor:
        load_backlog(cursor, BACKLOG)
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE statements_statement")  # as autovacuum would
    print(f"backlog of {BACKLOG:,} in review loaded in {time.perf_counter() - started:.0f} s")

    reviewers = [
        factories.account(f"bench-reviewer-{n}", role=Role.REVIEWER) for n in range(CLIENTS)
    ]
    tokens = [factories.api_token(user) for user in reviewers]
    page_reviewer = factories.account("bench-page-reviewer", role=Role.REVIEWER)
    coordinator = factories.account("bench-coordinator", role=Role.COORDINATOR)

    def session_cookie(user) -> str:
        django_client = DjangoClient()
        factories.sign_in(django_client, user)
        return f"sessionid={django_client.cookies['sessionid'].value}"

    page_cookie = session_cookie(page_reviewer)
    coordinator_cookie = session_cookie(coordinator)
    review.claim(reviewer=page_reviewer, size=BATCH)
    connection.close()

    server = Gunicorn()
    results: dict[str, list[float]] = {}
    try:
        bare = Client(server.port)
        warm_up(bare, "/bench/bare/")
        for _ in range(PAGE_VIEWS):
            assert bare.get("/bench/bare/")[0] == 200
        results["baseline: bare Django view"] = bare.timings

        api_timings: list[float] = []
        decided = [0]
        lock = threading.Lock()

        def reviewer_loop(token: str) -> None:
            client = Client(server.port, headers={"Authorization": f"Token {token}"})
            for cycle in range(CYCLES + WARM_UP_CYCLES):
                if cycle == WARM_UP_CYCLES:
                    client.timings.clear()
                status, body = client.post_json("/api/v1/review/claim", b"{}")
                assert status == 200, body[:300]
                claimed = json.loads(body)
                decisions = [
                    {"id": s["id"], "decision": "approve"}
                    | ({"override": "号码是办公电话"} if s["flags"] else {})
                    for s in claimed["statements"]
                ]
                payload = json.dumps({"lease": claimed["lease"], "decisions": decisions})
                status, body = client.post_json("/api/v1/review/decisions", payload.encode())
                assert status == 200, body[:300]
                outcomes = [r["outcome"] for r in json.loads(body)["results"]]
                with lock:
                    decided[0] += outcomes.count("approved")
            with lock:
                api_timings.extend(client.timings)

        threads = [threading.Thread(target=reviewer_loop, args=(t,)) for t in tokens]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        results[f"claim 25 + decide 25, API, {CLIENTS} reviewers at once"] = api_timings
        rate = decided[0] / elapsed

        page = Client(server.port, headers={"Cookie": page_cookie})
        warm_up(page, "/volunteer/review/")
        for _ in range(PAGE_VIEWS):
            status, body = page.get("/volunteer/review/")
            assert status == 200, status
        assert body.count(b'-choice"') >= BATCH, "the batch page shows no batch"
        results["batch page of 25"] = page.timings

        rollup_timings = []
        for _ in range(3):
            rollup_started = time.perf_counter()
            rollup_review_figures()
            rollup_timings.append(time.perf_counter() - rollup_started)
        dashboard = Client(server.port, headers={"Cookie": coordinator_cookie})
        warm_up(dashboard, "/volunteer/dashboard/")
        for _ in range(PAGE_VIEWS):
            status, body = dashboard.get("/volunteer/dashboard/")
            assert status == 200, status
        results["coordinator dashboard"] = dashboard.timings
    finally:
        server.stop()

    bulk_reviewer = factories.account("bench-bulk-reviewer", role=Role.REVIEWER)
    # Batches are capped at REVIEW_BATCH_MAX for people; the service is measured on 1,000.
    with override_settings(REVIEW_BATCH_MAX=1000):
        lease = review.claim(reviewer=bulk_reviewer, size=1000)
    ids = list(lease.statements.values_list("id", flat=True))
    overrides = dict.fromkeys(
        Statement.objects.filter(id__in=ids)
        .exclude(screening_flags=[])
        .values_list("id", flat=True),
        "号码是办公电话",
    )
    bulk_started = time.perf_counter()
    outcome = review.approve_many(
        reviewer=bulk_reviewer, lease_id=lease.id, statement_ids=ids, overrides=overrides
    )
    bulk = time.perf_counter() - bulk_started

    print(f"review at volume: {BACKLOG:,} waiting, gunicorn 3 workers x 4 threads, loopback")
    baseline_p50 = statistics.median(results["baseline: bare Django view"])
    for name, timings in results.items():
        ratio = statistics.median(timings) / baseline_p50
        print(f"  {name:<48} {summary(timings)}  ({ratio:.1f}x bare p50)")
    print(f"  decisions through the API: {rate:,.0f} statements/s")
    api_p99 = percentile(results[f"claim 25 + decide 25, API, {CLIENTS} reviewers at once"], 0.99)
    page_p50 = statistics.median(results["batch page of 25"])
    dashboard_p50 = statistics.median(results["coordinator dashboard"])
    print(
        f"  approve_many of {len(ids)}: {bulk * 1000:.0f} ms "
        f"({len(outcome.approved)} published, {len(overrides)} of them with an override)"
    )
    print(
        f"  review-figures rollup: {statistics.median(rollup_timings) * 1000:.0f} ms (median of 3)"
    )
    print("targets:")
    print(f"  claim+decide p99 < 100 ms: {api_p99 * 1000:.1f} ms")
    print(f"  batch page < 50 ms: p50 {page_p50 * 1000:.1f} ms")
    print(f"  dashboard < 50 ms: p50 {dashboard_p50 * 1000:.1f} ms")
    print(f"  approve_many of 1,000 < 2 s: {bulk:.2f} s")


if __name__ == "__main__":
    main()
