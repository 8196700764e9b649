"""No log line can place a submitter: the processes that write logs, run for real."""

import logging
import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings

# A loopback address of its own, so its appearance in a log means it was logged.
SETUP_TOKEN = "cw8x1p-0f3a9c1e2b7d4a6f8e0c"
CLIENT_ADDRESS = "127.0.0.77"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _send_from_client_address(port: int, payload: bytes) -> bytes:
    with socket.create_connection(
        ("127.0.0.1", port), timeout=10, source_address=(CLIENT_ADDRESS, 0)
    ) as s:
        s.sendall(payload)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.process
@pytest.mark.django_db(transaction=True)
def test_gunicorn_logs_requests_but_never_the_client_address(database_url, tmp_path):
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "localhost",
        "WEB_CONCURRENCY": "1",
    }
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "-b",
                f"127.0.0.1:{port}",
                "tuidang.wsgi",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            agent = b"User-Agent: TraceableBrowser/77.7\r\n"
            ok = _send_from_client_address(
                port,
                b"GET /api/v1/tallies/ HTTP/1.1\r\nHost: localhost\r\n"
                + agent
                + b"Connection: close\r\n\r\n",
            )
            bad = _send_from_client_address(port, b"NOT A REQUEST\r\n\r\n")
            # A volunteer's setup link holds a token that works until it is used.
            _send_from_client_address(
                port,
                f"GET /volunteer/setup/MQ/{SETUP_TOKEN}/ HTTP/1.1\r\nHost: localhost\r\n"
                "Connection: close\r\n\r\n".encode(),
            )
            time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=30)

    assert ok.startswith(b"HTTP/1.1 200")
    assert bad.startswith(b"HTTP/1.1 400")
    written = log.read_text()
    assert '"GET /api/v1/tallies/ HTTP/1.1" 200' in written
    assert CLIENT_ADDRESS not in written
    assert "TraceableBrowser" not in written
    assert SETUP_TOKEN not in written
    assert '"GET /volunteer/setup/-/ HTTP/1.1"' in written


def test_runserver_broken_pipe_lines_are_dropped():
    server_logger = logging.getLogger("django.server")
    seen = []
    handler = logging.Handler()
    handler.emit = seen.append
    server_logger.addHandler(handler)
    try:
        server_logger.info("- Broken pipe from %s", (CLIENT_ADDRESS, 51234))
        server_logger.info('"%s" %s %s', "GET /zh-hans/ HTTP/1.1", "200", "4677")
        server_logger.info(
            '"%s" %s %s', f"GET /volunteer/setup/MQ/{SETUP_TOKEN}/ HTTP/1.1", "302", "0"
        )
    finally:
        server_logger.removeHandler(handler)
    assert [r.getMessage() for r in seen] == [
        '"GET /zh-hans/ HTTP/1.1" 200 4677',
        '"GET /volunteer/setup/-/ HTTP/1.1" 302 0',
    ]


def test_no_query_string_reaches_a_log_line():
    """A search by registration number is often someone looking up their own statement;
    cursors and filters say what a reader read. Neither is logged."""
    from tuidang.lib.access_log import redact_path

    line = '"GET /zh-hans/statements/?number=4111111111111111&before=x HTTP/1.1" 302 0 3ms'
    assert redact_path(line) == '"GET /zh-hans/statements/ HTTP/1.1" 302 0 3ms'
    assert redact_path("/volunteer/setup/MQ/abc-def/?x=1") == "/volunteer/setup/-/"
