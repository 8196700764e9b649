"""Hotline intake batches, over HTTP in the production shape, beside a bare Django view.

    make bench                                   # toy size in CI
    BENCH_HOTLINE_ITEMS=1000 make bench          # the README figures (the default)

Against the real PostgreSQL and Redis, in the bench database (rebuilt each run), gunicorn
with the project's gunicorn.conf.py serving bench.settings:

1. baseline: GET of a bare view (the whole middleware stack, no query of ours);
2. BENCH_HOTLINE_ROUNDS batches of BENCH_HOTLINE_ITEMS new items (half withdrawals,
   half callbacks), each with fresh external ids (target: stored in under 1 s);
3. the same batches replayed (target: under 0.5 s, and zero new rows: asserted).
"""

import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench.common import Client, Gunicorn, prepare, summary

ITEMS = int(os.environ.get("BENCH_HOTLINE_ITEMS", "1000"))
ROUNDS = int(os.environ.get("BENCH_HOTLINE_ROUNDS", "7"))
NEW_TARGET, REPLAY_TARGET = 1.0, 0.5


def batch(round_no: int) -> bytes:
    items = []
    for n in range(ITEMS):
        external_id = f"r{round_no}-{n}"
        if n % 2:
            items.append(
                {
                    "external_id": external_id,
                    "kind": "callback",
                    "phone_number": f"+86138{round_no:02d}{n:06d}",
                    "language": "zh-hans",
                }
            )
        else:
            items.append(
                {
                    "external_id": external_id,
                    "kind": "withdraw",
                    "name": f"来电者{round_no}-{n}",
                    "organizations": ["party", "youth_league"],
                    "region": "CN-GD" if n % 3 else "undisclosed",
                }
            )
    return json.dumps({"items": items}, ensure_ascii=False).encode()


def counts() -> tuple[int, int, int]:
    from statements.models import Statement
    from volunteers.models import Callback, IntakeItem

    return Statement.objects.count(), Callback.objects.count(), IntakeItem.objects.count()


def post(client: Client, body: bytes, expect: str) -> None:
    status, answer = client.post_json("/api/v1/intake/batch", body)
    assert status == 200, (status, answer[:300])
    statuses = {result["status"] for result in json.loads(answer)["results"]}
    assert statuses == {expect}, statuses


def main() -> None:
    prepare()
    from volunteers import hotline

    _integration, token = hotline.create_integration(name="bench-hotline")
    server = Gunicorn()
    try:
        bare = Client(server.port)
        for _ in range(30):
            bare.get("/bench/bare/")
        bare.timings.clear()
        for _ in range(200):
            bare.get("/bench/bare/")

        client = Client(server.port, headers={"Authorization": f"Token {token}"})
        # Warm-up: each worker connects and imports once (not timed).
        for warm in range(3):
            post(client, batch(100 + warm), "created")
        client.timings.clear()

        bodies = [batch(r) for r in range(ROUNDS)]
        before = counts()
        for body in bodies:
            post(client, body, "created")
        new = list(client.timings)
        after = counts()
        half = ITEMS // 2
        expected = (before[0] + ROUNDS * half, before[1] + ROUNDS * (ITEMS - half))
        assert after[:2] == expected, (before, after, expected)
        assert after[2] == before[2] + ROUNDS * ITEMS

        client.timings.clear()
        for body in bodies:
            post(client, body, "duplicate")
        replayed = list(client.timings)
        assert counts() == after, "a replay stored new rows"
    finally:
        server.stop()

    print(
        f"hotline intake, {ITEMS} items a batch ({len(bodies[0]) / 1024:.0f} KiB), {ROUNDS} rounds"
    )
    print(f"  bare view            {summary(bare.timings)}")
    print(f"  new batch            {summary(new)}")
    print(f"  replayed batch       {summary(replayed)}  (0 new rows)")
    for name, values, target in (("new", new, NEW_TARGET), ("replay", replayed, REPLAY_TARGET)):
        median = statistics.median(values)
        verdict = "met" if median < target else "MISSED"
        print(
            f"  target {name:<7} median {median * 1000:.0f} ms < {target * 1000:.0f} ms: {verdict}"
        )


if __name__ == "__main__":
    main()
