"""The volunteer entry form over HTTP in the production shape, beside a bare Django view.

    make bench                                          # toy size (CI)
    BENCH_ENTRIES=2000 BENCH_BACKLOG=1000000 make bench # the README figures

Against the real PostgreSQL and Redis, in the bench database (rebuilt each run), with
BENCH_BACKLOG statements already stored (as bench/review.py loads them), gunicorn with the
project's gunicorn.conf.py serving bench.settings. One signed-in volunteer (a session
cookie and its CSRF token, as a browser holds them) enters BENCH_ENTRIES statements, one
POST each in batch mode, each followed by the GET of its slip, as at a busy stand:

1. baseline: GET of a bare view (the whole middleware stack, no query of ours);
2. POST of the entry form: validation, the per-volunteer limit in Redis, the insert with
   its audit row, the session write, the redirect (target: under 50 ms);
3. GET of the slip: the code taken from its cookie, the QR code drawn.
"""

import os
import re
import secrets
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench.common import Client, Gunicorn, percentile, prepare, summary

BACKLOG = int(os.environ.get("BENCH_BACKLOG", "1000000"))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "2000"))
WARM_UP = 30  # untimed: each gunicorn worker opens its connection and fills its caches once


def cookie_of(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == "set-cookie" and value.startswith(f"{name}="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return None


def main() -> None:
    prepare()
    from django.db import connection
    from django.test import Client as DjangoClient

    from bench.review import load_backlog
    from statements.models import Statement
    from tests import factories
    from volunteers.roles import Role

    started = time.perf_counter()
    with connection.cursor() as cursor:
        load_backlog(cursor, BACKLOG)
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE statements_statement")
    print(f"backlog of {BACKLOG:,} statements loaded in {time.perf_counter() - started:.0f} s")

    volunteer = factories.account("bench-volunteer", role=Role.VOLUNTEER)
    django_client = DjangoClient()
    factories.sign_in(django_client, volunteer)
    session = django_client.cookies["sessionid"].value
    connection.close()

    server = Gunicorn()
    try:
        bare = Client(server.port)
        for _ in range(WARM_UP):
            bare.get("/bench/bare/")
        bare.timings.clear()
        for _ in range(ENTRIES):
            assert bare.get("/bench/bare/")[0] == 200

        # The form once, as a browser loads it: the CSRF cookie and the form's token.
        client = Client(server.port, headers={"Cookie": f"sessionid={session}"})
        client.connection.request("GET", "/volunteer/enter/", headers=client.headers)
        response = client.connection.getresponse()
        page = response.read().decode()
        assert response.status == 200, response.status
        csrf_cookie = cookie_of(response.getheaders(), "csrftoken")
        csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        client.headers["Cookie"] = f"sessionid={session}; csrftoken={csrf_cookie}"

        posts: list[float] = []
        slips: list[float] = []
        for n in range(WARM_UP + ENTRIES):
            body = urlencode(
                {
                    "csrfmiddlewaretoken": csrf_token,
                    "token": secrets.token_urlsafe(18),
                    "name": f"测试者{n}",
                    "organizations": ["party", "youth_league"][: 1 + n % 2],
                    "region": "CN-GD",
                    "text": "我自愿退出。" if n % 3 else "",
                    "channel": "volunteer",
                    "language": "zh-hans",
                    "confirmed": "on",
                    "batch": "on",
                },
                doseq=True,
            ).encode()
            status, data = client.request(
                "POST",
                "/volunteer/enter/",
                body,
                **{"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert status == 302, (status, data[:300])
            # The code rides to the slip in a cookie of its own, as in a browser.
            slip_cookie = cookie_of(client.last_headers, "entry_slip")
            status, data = client.request(
                "GET",
                "/volunteer/enter/slip/",
                Cookie=f"{client.headers['Cookie']}; entry_slip={slip_cookie}",
            )
            assert status == 200 and b'class="code"' in data, status
            if n >= WARM_UP:
                posts.append(client.timings[-2])
                slips.append(client.timings[-1])
    finally:
        server.stop()

    stored = Statement.objects.filter(entered_by=volunteer).count()
    assert stored == WARM_UP + ENTRIES, stored
    results = {
        "baseline: bare Django view": bare.timings,
        "entry form POST (one statement)": posts,
        "its slip (GET, QR code drawn)": slips,
    }
    print(f"volunteer entry: {BACKLOG:,} stored, gunicorn 3 workers x 4 threads, loopback")
    baseline_p50 = statistics.median(bare.timings)
    for name, timings in results.items():
        ratio = statistics.median(timings) / baseline_p50
        print(f"  {name:<40} {summary(timings)}  ({ratio:.1f}x bare p50)")
    print("targets:")
    print(
        f"  entry form < 50 ms: p50 {statistics.median(posts) * 1000:.1f} ms, "
        f"p99 {percentile(posts, 0.99) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
