"""The public side over HTTP in the production shape, each figure beside its baseline.

    make bench-http                                                   # 1,000,000 rows
    BENCH_HTTP_ROWS=5000 BENCH_HTTP_DURATION=2 BENCH_HTTP_ROUNDS=1 make bench-http  # CI

In one run, against the real PostgreSQL and Redis (the bench database, rebuilt and seeded
with BENCH_HTTP_ROWS published statements by bench/seed.py, tallies rolled up):

- gunicorn with the project's gunicorn.conf.py (its workers and threads), serving
  bench.settings: the project plus a bare Django view, the baseline of every app figure;
- nginx serving a static file the size of the /api/v1/tallies/ answer: the baseline of
- the deployed nginx (deploy/nginx.conf, only addresses and paths changed) in front of
  that gunicorn, whose micro-cache serves the tallies.

wrk drives every endpoint (BENCH_HTTP_THREADS x BENCH_HTTP_CONNECTIONS for
BENCH_HTTP_DURATION seconds, default -t2 -c32 -d15s) in BENCH_HTTP_ROUNDS interleaved
rounds (default 3: every endpoint once, then again...), after an untimed warm-up of each.
The table gives the median requests per second with its ratio to the baseline, and the
median p50 and p99 latencies; it is printed, and written to BENCH_HTTP_OUT if set. An
endpoint that does not answer as it should (a filter the app does not have yet) is shown
as not available. BENCH_HTTP_PROFILE=1 then records py-spy on the gunicorn workers
during one more run of each app endpoint and prints where the time goes
(BENCH_HTTP_PROFILE_DIR keeps the raw profiles). BENCH_HTTP_HEALTH_CHECKS_OFF=1 adds each
database-reading row again against a second gunicorn without CONN_HEALTH_CHECKS;
BENCH_HTTP_ONLY=part,part runs only the rows whose names hold one of the parts (and
their baselines).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib
import dataclasses
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench import nginx
from bench.common import ROOT, Client, Gunicorn, prepare

ROWS = int(os.environ.get("BENCH_HTTP_ROWS", "1000000"))
DURATION = int(os.environ.get("BENCH_HTTP_DURATION", "15"))
THREADS = int(os.environ.get("BENCH_HTTP_THREADS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_HTTP_CONNECTIONS", "32"))
ROUNDS = int(os.environ.get("BENCH_HTTP_ROUNDS", "3"))
WARM_UP = int(os.environ.get("BENCH_HTTP_WARMUP", "2"))
PROFILE = os.environ.get("BENCH_HTTP_PROFILE", "") not in ("", "0")
PROFILE_DIR = os.environ.get("BENCH_HTTP_PROFILE_DIR", "")
# 1: a second gunicorn with CONN_HEALTH_CHECKS off, and the database-reading rows again
# against it, each right after its own, to measure what the health check costs.
HEALTH_CHECKS_OFF = os.environ.get("BENCH_HTTP_HEALTH_CHECKS_OFF", "") not in ("", "0")
# Comma-separated parts of row names: only those rows (and their baselines) are run.
ONLY = [part.strip() for part in os.environ.get("BENCH_HTTP_ONLY", "").split(",") if part.strip()]
OUT = os.environ.get("BENCH_HTTP_OUT", "")
# As gunicorn.conf.py reads them, so the bench runs the deployed shape.
WORKERS = int(os.environ.get("WEB_CONCURRENCY", "4"))
WORKER_THREADS = int(os.environ.get("WEB_THREADS", "4"))
# How deep into the list the deep cursor points.
DEEP = 0.9

BARE = "Bare Django view"
STATIC = "nginx, static file of the tallies' size"
API_LIST = "API list, page 1"
HANS_LIST = "`GET /zh-hans/statements/`"


@dataclass
class Endpoint:
    """One row of the table. `server` is what wrk talks to: "app" (gunicorn), "cache"
    (the deployed nginx in front of it), "static" (the bare nginx) or "no-health-checks"
    (a second gunicorn with CONN_HEALTH_CHECKS off)."""

    name: str
    path: str
    server: str = "app"
    baseline: str | None = BARE
    target: float | None = None
    target_note: str = ""
    method: str = "GET"
    body: bytes | None = None
    # Given the answer's body, why the endpoint cannot be measured (None: it can).
    check: Callable[[bytes], str | None] | None = None


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


@dataclass
class Measured:
    endpoint: Endpoint
    runs: list[Run] = field(default_factory=list)
    unavailable: str = ""

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(r, attribute) for r in self.runs)


def list_rows(expected: int) -> Callable[[bytes], str | None]:
    def check(body: bytes) -> str | None:
        shown = body.count(b'<article class="statement">')
        return None if shown == expected else f"{shown} statements on the page, not {expected}"

    return check


def api_rows(*, region: str | None = None) -> Callable[[bytes], str | None]:
    from statements.querysets import PUBLISHED_PAGE_SIZE

    def check(body: bytes) -> str | None:
        results = json.loads(body)["results"]
        if len(results) != PUBLISHED_PAGE_SIZE:
            return f"{len(results)} statements, not {PUBLISHED_PAGE_SIZE}"
        if region is not None and any(r["region"] != region for r in results):
            return "the filter is ignored (rows of other regions)"
        return None

    return check


def cursor_at_depth(fraction: float) -> str:
    """The API's cursor for the published row `fraction` of the way down the list, as the
    app's own Cursor encodes it (the one place that knows the cursor's shape)."""
    from statements.models import Statement
    from statements.querysets import Cursor

    depth = int(Statement.objects.listed().count() * fraction)
    row = (
        Statement.objects.listed()
        .order_by("-published_day", "-registration_number")
        .only("published_day", "registration_number")[depth : depth + 1]
        .get()
    )
    return Cursor.of(row).encode()


def endpoints(*, receipt: str, rare_region: str, deep_cursor: str) -> list[Endpoint]:
    """The table's rows, in order. A new row is one more Endpoint here."""
    from statements.querysets import PUBLISHED_PAGE_SIZE

    page = min(ROWS, PUBLISHED_PAGE_SIZE)
    lookup = json.dumps({"receipt": receipt}).encode()
    return [
        Endpoint(BARE, "/bench/bare/", baseline=None),
        Endpoint(STATIC, "/tallies.json", server="static", baseline=None),
        Endpoint("`GET /en/` (home)", "/en/", target=0.5),
        Endpoint(
            "`GET /en/statements/` (HTML list, page 1)",
            "/en/statements/",
            target=0.25,
            check=list_rows(page),
        ),
        Endpoint(HANS_LIST, "/zh-hans/statements/", check=list_rows(page)),
        Endpoint(
            "`GET /zh-hant/statements/`",
            "/zh-hant/statements/",
            baseline=HANS_LIST,
            target=0.8,
            check=list_rows(page),
        ),
        Endpoint(API_LIST, "/api/v1/statements/", target=0.35, check=api_rows()),
        Endpoint(
            f"API list, {DEEP:.0%} deep",
            f"/api/v1/statements/?before={deep_cursor}",
            baseline=API_LIST,
            target=0.9,
            target_note="at 10,000,000 rows",
            check=api_rows(),
        ),
        Endpoint(
            f"API list filtered to a region holding 0.05% of rows (`?region={rare_region}`)",
            f"/api/v1/statements/?region={rare_region}",
            baseline=API_LIST,
            target=0.8,
            check=api_rows(region=rare_region),
        ),
        Endpoint("`GET /api/v1/tallies/`", "/api/v1/tallies/", target=0.7),
        Endpoint(
            "`GET /api/v1/tallies/` through the micro-cache",
            "/api/v1/tallies/",
            server="cache",
            baseline=STATIC,
            target=0.6,
        ),
        Endpoint(
            "`POST /api/v1/receipts/lookup` (a code that exists)",
            "/api/v1/receipts/lookup",
            method="POST",
            body=lookup,
            target=0.4,
        ),
    ]


def without_health_checks(rows: list[Endpoint]) -> list[Endpoint]:
    """`rows`, each database-reading row of the app followed by itself against the
    gunicorn with CONN_HEALTH_CHECKS off, measured against it."""
    out = []
    for ep in rows:
        out.append(ep)
        if ep.server == "app" and ep.name not in (BARE, HANS_LIST) and "deep" not in ep.name:
            out.append(
                dataclasses.replace(
                    ep,
                    name=f"{ep.name}, CONN_HEALTH_CHECKS off",
                    server="no-health-checks",
                    baseline=ep.name,
                    target=None,
                    target_note="",
                )
            )
    return out


def only(rows: list[Endpoint], parts: list[str]) -> list[Endpoint]:
    """The rows whose names hold one of `parts`, with the baselines they are measured
    against (and theirs)."""
    by_name = {ep.name: ep for ep in rows}
    keep = {ep.name for ep in rows if any(part in ep.name for part in parts)}
    pending = list(keep)
    while pending:
        baseline = by_name[pending.pop()].baseline
        if baseline and baseline not in keep:
            keep.add(baseline)
            pending.append(baseline)
    return [ep for ep in rows if ep.name in keep]


# --- wrk ---------------------------------------------------------------------------------
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _latency(output: str, percent: int) -> float:
    match = re.search(rf"^\s+{percent}(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    if match is None:
        raise RuntimeError(f"no {percent}% latency in wrk's output:\n{output}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> Run:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s+(\d+) requests in", output, re.M)
    if rps is None or total is None:
        raise RuntimeError(f"wrk said:\n{output}")
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    return Run(
        rps=float(rps.group(1)),
        p50_ms=_latency(output, 50),
        p99_ms=_latency(output, 99),
        requests=int(total.group(1)),
        errors=errors,
    )


def wrk(url: str, *, duration: int, script: Path | None = None) -> Run:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency"]
    command += ["--timeout", "10s"]
    if script is not None:
        command += ["-s", str(script)]
    done = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=duration + 60, check=True
    )
    return parse_wrk(done.stdout)


def post_script(folder: Path, endpoint: Endpoint) -> Path:
    path = folder / f"post-{abs(hash(endpoint.name))}.lua"
    body = endpoint.body.decode()
    path.write_text(
        f'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        f'wrk.headers["Content-Type"] = "application/json"\n'
    )
    return path


# --- py-spy ------------------------------------------------------------------------------
def profile(server: Gunicorn, url: str, *, script: Path | None, raw: Path) -> None:
    """wrk for DURATION seconds while py-spy samples every gunicorn worker."""
    spy = subprocess.Popen(
        [
            _py_spy(),
            "record",
            "--pid",
            str(server.process.pid),
            "--subprocesses",
            "--nonblocking",
            "--rate",
            "250",
            "--duration",
            str(DURATION + 1),
            "--format",
            "raw",
            "--output",
            str(raw),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(0.5)  # py-spy attaches to the workers
        wrk(url, duration=DURATION, script=script)
        _out, err = spy.communicate(timeout=DURATION + 60)
    finally:
        if spy.poll() is None:
            spy.kill()
            spy.wait()
    if spy.returncode != 0 or not raw.exists():
        raise RuntimeError(f"py-spy failed (ptrace permission?): {err}")


def _py_spy() -> str:
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else "py-spy"


_FRAME_LINE = re.compile(r":\d+\)$")


def _frame_name(frame: str) -> str:
    """'render (django/template/base.py:1008)' -> 'render (django/template/base.py)',
    with the site-packages or project prefix taken off the path."""
    frame = _FRAME_LINE.sub(")", frame.strip())
    for marker in ("site-packages/", f"{ROOT}/"):
        if marker in frame:
            head, _, tail = frame.partition("(")
            frame = f"{head}({tail.split(marker, 1)[-1]}"
    return frame


# Frames every request passes through, which say nothing about where its time goes.
_PLUMBING = (
    "(threading.py)",
    "(concurrent/futures/",
    "ThreadWorker.handle",
    "_WorkItem.run",
    "WSGIHandler.__call__",
    "BaseHandler.get_response",
    "BaseHandler._get_response",
    "convert_exception_to_response",
    "MiddlewareMixin.__call__",
)

# What a share of the samples is spent on: a frame anywhere in the stack that marks it.
# The shares overlap (compiling a query happens inside rendering a template that reads
# the rows lazily, for example).
CATEGORIES = {
    "template rendering": ("(django/template/",),
    "compiling ORM queries": ("SQLCompiler.as_sql", "SQLCompiler.pre_sql_setup"),
    "waiting on PostgreSQL": ("(psycopg/",),
    "waiting on Redis": ("(redis/",),
    "DRF serializers": ("(rest_framework/serializers.py)", "(rest_framework/fields.py)"),
    "DRF request handling (negotiation, renderer, views)": (
        "APIView.initial",
        "APIView.finalize_response",
        "Response.rendered_content",
    ),
    "translation lookups": ("(django/utils/translation/",),
    "gunicorn outside Django": ("(gunicorn/",),
}


def top_functions(raw: Path, *, limit: int = 12) -> tuple[int, list, list, dict]:
    """From py-spy's raw (collapsed) stacks: the samples; the functions with the most
    samples at the top of the stack (self) and anywhere in it (inclusive, plumbing left
    out); and the share of samples per category (for gunicorn: outside Django's
    handler)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [
            _frame_name(f)
            for f in stack.split(";")
            if f and not f.startswith(("process ", "thread "))
        ]
        if not frames:
            continue
        samples += n
        own[frames[-1]] += n
        for name in set(frames):
            if not any(marker in name for marker in _PLUMBING):
                inclusive[name] += n
        in_django = any("WSGIHandler.__call__" in f for f in frames)
        for category, markers in CATEGORIES.items():
            if category == "gunicorn outside Django":
                if not in_django:
                    categories[category] += n
            elif any(marker in f for f in frames for marker in markers):
                categories[category] += n
    return samples, own.most_common(limit), inclusive.most_common(limit), categories


def print_profile(name: str, raw: Path) -> str:
    samples, own, inclusive, categories = top_functions(raw)
    if not samples:
        return f"\n### {name}: no samples\n"
    lines = [f"\n### Where the time goes: {name} ({samples:,} samples of busy workers)\n"]
    lines += [f"- {100 * categories[c] / samples:5.1f}% {c}" for c in CATEGORIES if categories[c]]
    lines.append("\nSelf (top of the stack):\n")
    lines += [f"- {100 * n / samples:5.1f}% {f}" for f, n in own]
    lines.append("\nInclusive (anywhere in the stack, request plumbing left out):\n")
    lines += [f"- {100 * n / samples:5.1f}% {f}" for f, n in inclusive]
    text = "\n".join(lines)
    print(text, flush=True)
    return text


# --- the run -----------------------------------------------------------------------------
def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _tool_version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (
        (done.stdout + done.stderr).strip().splitlines()[0] if (done.stdout + done.stderr) else "?"
    )


def machine_facts(rows: int) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores ({cpu}), shared by "
        f"wrk, nginx, gunicorn, PostgreSQL {postgres} and Redis; Python "
        f"{platform.python_version()}; {_tool_version([nginx.nginx_binary(), '-v'])}; "
        f"{_tool_version(['wrk', '-v']).split(' Copyright')[0]}.\n"
        f"{rows:,} published statements (bench/seed.py); gunicorn.conf.py with "
        f"{WORKERS} workers x {WORKER_THREADS} threads; wrk -t{THREADS} -c{CONNECTIONS} "
        f"-d{DURATION}s --latency, after a {WARM_UP} s warm-up of each endpoint; medians "
        f"of {ROUNDS} interleaved round{'s' if ROUNDS != 1 else ''}."
    )


def table(measured: list[Measured]) -> str:
    by_name = {m.endpoint.name: m for m in measured}
    lines = [
        "| Endpoint | Requests/s | × baseline | p50 | p99 | Target |",
        "| --- | ---: | --- | ---: | ---: | --- |",
    ]
    for m in measured:
        ep = m.endpoint
        target = f"≥ {ep.target}×" if ep.target is not None else ""
        if ep.target_note:
            target += f" {ep.target_note}"
        if m.unavailable:
            lines.append(f"| {ep.name} | not available: {m.unavailable} | | | | {target} |")
            continue
        rps = m.median("rps")
        ratio = ""
        base = by_name.get(ep.baseline) if ep.baseline else None
        if base is not None and base.runs:
            value = rps / base.median("rps")
            ratio = f"{value:.3f}× {_short(ep.baseline)}"
            if ep.target is not None:
                met = "met" if value >= ep.target else "not met"
                target += f": {met}" if not ep.target_note else f" (here: {met})"
        elif ep.baseline:
            ratio = f"no baseline ({_short(ep.baseline)} not available)"
        errors = sum(r.errors for r in m.runs)
        warn = f" ({errors:,} errors)" if errors else ""
        lines.append(
            f"| {ep.name} | {rps:,.0f}{warn} | {ratio or 'baseline'} | "
            f"{m.median('p50_ms'):.2f} ms | {m.median('p99_ms'):.2f} ms | {target} |"
        )
    return "\n".join(lines)


def _short(name: str | None) -> str:
    return {
        BARE: "bare view",
        STATIC: "nginx static",
        API_LIST: "page 1",
        HANS_LIST: "zh-hans",
    }.get(name or "", name or "")


def seed() -> tuple:
    from django.db import connection

    from bench.seed import seed_published
    from counts.services import build_all

    started = time.perf_counter()
    with connection.cursor() as cursor:
        seeded = seed_published(cursor, ROWS)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE statements_statement")  # as autovacuum would
    build_all()
    deep = cursor_at_depth(DEEP)
    elapsed = time.perf_counter() - started
    _say(f"{ROWS:,} published statements seeded and rolled up in {elapsed:.0f} s")
    return seeded, deep


def main() -> None:
    # Ctrl-C and a TERM both end the run through the `finally`s below, which stop
    # every server this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    prepare()
    from django.db import connection

    seeded, deep_cursor = seed()
    facts = machine_facts(ROWS)
    connection.close()

    wanted = endpoints(
        receipt=seeded.receipt, rare_region=seeded.rare_region, deep_cursor=deep_cursor
    )
    if HEALTH_CHECKS_OFF:
        wanted = without_health_checks(wanted)
    if ONLY:
        wanted = only(wanted, ONLY)
    rows = [Measured(e) for e in wanted]
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-http-")))
        # nginx's workers run as an unprivileged user when the bench runs as root.
        folder.chmod(0o755)
        app = Gunicorn(workers=WORKERS, threads=WORKER_THREADS)
        stack.callback(app.stop)
        status, tallies = Client(app.port).get("/api/v1/tallies/")
        assert status == 200, status
        (folder / "www").mkdir(mode=0o755)
        # The same bytes, so the baseline sends what the tallies answer sends.
        (folder / "www" / "tallies.json").write_bytes(tallies)
        static = nginx.static(folder=folder / "static", root=folder / "www")
        stack.callback(static.stop)
        cache = nginx.deployed(upstream_port=app.port, folder=folder / "cache")
        stack.callback(cache.stop)
        ports = {"app": app.port, "static": static.port, "cache": cache.port}
        if HEALTH_CHECKS_OFF:
            unchecked = Gunicorn(
                workers=WORKERS,
                threads=WORKER_THREADS,
                env={**os.environ, "BENCH_CONN_HEALTH_CHECKS": "0"},
            )
            stack.callback(unchecked.stop)
            ports["no-health-checks"] = unchecked.port

        scripts: dict[str, Path | None] = {}
        for m in rows:
            ep = m.endpoint
            client = Client(ports[ep.server])
            status, body = client.request(
                ep.method,
                ep.path,
                ep.body,
                **({"Content-Type": "application/json"} if ep.body else {}),
            )
            if status != 200:
                m.unavailable = f"HTTP {status}"
            elif ep.check is not None:
                m.unavailable = ep.check(body) or ""
            if m.unavailable:
                _say(f"not available: {ep.name}: {m.unavailable}")
                continue
            scripts[ep.name] = post_script(folder, ep) if ep.method == "POST" else None
            if WARM_UP:
                wrk(_url(ports, ep), duration=WARM_UP, script=scripts[ep.name])

        measurable = [m for m in rows if not m.unavailable]
        for round_number in range(1, ROUNDS + 1):
            for m in measurable:
                run = wrk(
                    _url(ports, m.endpoint), duration=DURATION, script=scripts[m.endpoint.name]
                )
                m.runs.append(run)
                _say(
                    f"round {round_number}/{ROUNDS}  {m.endpoint.name}: {run.rps:,.0f}/s  "
                    f"p50 {run.p50_ms:.2f} ms  p99 {run.p99_ms:.2f} ms"
                    + (f"  {run.errors} errors" if run.errors else "")
                )

        report = f"{facts}\n\n{table(rows)}\n"
        print(report, flush=True)

        if PROFILE:
            keep = Path(PROFILE_DIR) if PROFILE_DIR else folder
            keep.mkdir(parents=True, exist_ok=True)
            for n, m in enumerate(measurable):
                if m.endpoint.server != "app":
                    continue  # nginx is not Python
                raw = keep / f"profile-{n:02d}.txt"
                profile(app, _url(ports, m.endpoint), script=scripts[m.endpoint.name], raw=raw)
                report += print_profile(m.endpoint.name, raw) + "\n"

    if OUT:
        Path(OUT).parent.mkdir(parents=True, exist_ok=True)
        Path(OUT).write_text(report)
        _say(f"written to {OUT}")


def _url(ports: dict[str, int], ep: Endpoint) -> str:
    return f"http://127.0.0.1:{ports[ep.server]}{ep.path}"


if __name__ == "__main__":
    main()
