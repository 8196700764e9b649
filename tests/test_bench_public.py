"""bench/public.py's reading of wrk and py-spy, and its choice of rows."""

from pathlib import Path

from bench import public as http

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:41000/api/v1/tallies/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    11.20ms   25.10ms 412.00ms   95.12%
    Req/Sec     1.20k   210.00     1.60k    70.00%
  Latency Distribution
     50%  441.00us
     75%    2.10ms
     90%   20.00ms
     99%    1.37s
  4788 requests in 2.00s, 1.90MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   2392.88
Transfer/sec:    950.12KB
"""


def test_wrk_output_is_read_in_milliseconds_with_errors_counted():
    run = http.parse_wrk(WRK_OUTPUT)
    assert run.rps == 2392.88
    assert run.p50_ms == 0.441
    assert run.p99_ms == 1370.0
    assert run.requests == 4788
    assert run.errors == 3


def test_only_keeps_the_baselines_a_row_is_measured_against():
    rows = http.endpoints(receipt="X", rare_region="CN-MO", deep_cursor="1.2")
    kept = [ep.name for ep in http.only(rows, ["deep"])]
    assert kept == [http.BARE, http.API_LIST, "API list, 90% deep"]
    cache = [ep.name for ep in http.only(rows, ["micro-cache"])]
    assert cache == [http.STATIC, "`GET /api/v1/tallies/` through the micro-cache"]


def test_a_row_that_cannot_be_measured_says_why_and_the_rest_keep_their_ratios():
    rows = http.endpoints(receipt="X", rare_region="CN-MO", deep_cursor="1.2")
    measured = [http.Measured(ep) for ep in rows[:3]]
    measured[0].runs = [http.Run(rps=1000, p50_ms=1, p99_ms=2, requests=1, errors=0)]
    measured[1].unavailable = "HTTP 403"
    measured[2].runs = [http.Run(rps=600, p50_ms=3, p99_ms=9, requests=1, errors=0)]
    table = http.table(measured)
    assert "| not available: HTTP 403 |" in table
    assert "| 600 | 0.600× bare view | 3.00 ms | 9.00 ms | ≥ 0.5×: met |" in table


def test_profiles_are_summed_by_function_and_category(tmp_path):
    raw = tmp_path / "profile.txt"
    handler = "WSGIHandler.__call__ (django/core/handlers/wsgi.py:124)"
    render = "Template.render (django/template/base.py:171)"
    raw.write_text(
        f'process 1:"gunicorn";{handler};{render};gettext (gettext.py:1) 3\n'
        f'process 1:"gunicorn";{handler};wait (psycopg/connection.py:9) 1\n'
        'process 1:"gunicorn";write (gunicorn/util.py:3) 1\n'
    )
    samples, own, inclusive, categories = http.top_functions(Path(raw))
    assert samples == 5
    assert own[0] == ("gettext (gettext.py)", 3)
    assert ("Template.render (django/template/base.py)", 3) in inclusive
    assert categories["template rendering"] == 3
    assert categories["waiting on PostgreSQL"] == 1
    assert categories["gunicorn outside Django"] == 1
