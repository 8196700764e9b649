"""What the benchmarks share: a fresh database, gunicorn in the production shape, and an
HTTP client that times each request."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def fresh_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare() -> None:
    """A fresh, migrated bench database and an empty cache, with Django set up."""
    import django

    fresh_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    cache.clear()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py, on a free loopback port, serving
    bench.settings (the project plus one bare view for the baseline)."""

    def __init__(
        self, *, workers: int = 3, threads: int = 4, env: dict[str, str] | None = None
    ) -> None:
        self.port = free_port()
        env = {
            **(os.environ if env is None else env),
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "WEB_CONCURRENCY": str(workers),
            "WEB_THREADS": str(threads),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "/dev/null",
                "tuidang.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _body = Client(self.port).get("/bench/bare/")
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]


class Client:
    """One keep-alive HTTP connection; each call returns (status, body) and records how
    long it took, in seconds, in `timings`."""

    def __init__(self, port: int, *, headers: dict[str, str] | None = None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = headers or {}
        self.timings: list[float] = []
        self.last_headers: list[tuple[str, str]] = []

    def request(self, method: str, path: str, body: bytes | None = None, **headers):
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers={**self.headers, **headers})
        response = self.connection.getresponse()
        data = response.read()
        self.timings.append(time.perf_counter() - started)
        self.last_headers = response.getheaders()
        return response.status, data

    def get(self, path: str):
        return self.request("GET", path)

    def post_json(self, path: str, body: bytes):
        return self.request("POST", path, body, **{"Content-Type": "application/json"})


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def summary(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"n={len(ms):>5}  p50 {statistics.median(ms):7.1f} ms  "
        f"p99 {percentile(ms, 0.99):7.1f} ms  max {max(ms):7.1f} ms"
    )
