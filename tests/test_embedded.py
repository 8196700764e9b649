import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from tests.processes import project_env, run_python

# Starts processes of its own: `make test-fast` leaves it out.
pytestmark = pytest.mark.process


def test_the_embedded_default_runs_the_whole_path_on_sqlite(tmp_path):
    """`make run`'s configuration: no DATABASE_URL, no REDIS_URL, DEBUG on."""
    env = project_env(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.sqlite3'}")
    result = run_python("-m", "tests.embedded_smoke", env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "EMBEDDED OK" in result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - a loopback http URL built here
        url, data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


def test_runembedded_serves_and_runs_the_periodic_tasks(tmp_path):
    """What `make run` starts: a statement posted to it is screened by the in-process
    beat within seconds, and the tally rollup runs."""
    env = project_env(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'served.sqlite3'}")
    migrated = run_python("manage.py", "migrate", "-v0", env=env, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    manage = [sys.executable, "manage.py"]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*manage, "runembedded", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                tallies = _call(f"{base}/api/v1/tallies/")
                break
            except OSError:
                assert time.monotonic() < deadline, "runembedded did not start serving"
                time.sleep(0.3)
        receipt = _call(
            f"{base}/api/v1/statements/",
            {"name": "本地演示", "organizations": ["party"], "region": "CN-GD"},
        )["receipt"]
        deadline = time.monotonic() + 30
        while _call(f"{base}/api/v1/receipts/lookup", {"receipt": receipt})["status"] == "received":
            assert time.monotonic() < deadline, "the in-process beat never screened the statement"
            time.sleep(0.5)
        assert (
            _call(f"{base}/api/v1/receipts/lookup", {"receipt": receipt})["status"] == "in_review"
        )
        # The rollup runs on its own beat too (first at start): only it sets "as of".
        deadline = time.monotonic() + 30
        while _call(f"{base}/api/v1/tallies/")["as_of"] is None:
            assert time.monotonic() < deadline, "the in-process beat never ran the rollup"
            time.sleep(0.5)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert tallies["total"] == 0
    assert "Traceback" not in output, output[-3000:]
