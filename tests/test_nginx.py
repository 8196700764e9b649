"""The nginx in front of gunicorn (deploy/nginx.conf): a micro-cache for anonymous public
reads only, and logs that cannot place anyone."""

import os
import re
import socket
import tempfile
import time
from pathlib import Path

import pytest

from bench import nginx
from bench.common import Gunicorn

CONFIG = nginx.DEPLOYED_CONFIG.read_text()
# A loopback address of its own, so its appearance in a log means it was logged.
CLIENT_ADDRESS = "127.0.0.77"
SETUP_TOKEN = "cw8x1p-0f3a9c1e2b7d4a6f8e0c"
PLACING = (
    "$remote_addr",
    "$binary_remote_addr",
    "$realip_remote_addr",
    "$remote_port",
    "$http_x_forwarded_for",
    "$proxy_add_x_forwarded_for",
    "$http_x_real_ip",
    "$http_user_agent",
    "$http_referer",
    "$http_cookie",
    "$request ",  # the raw request line: a setup link's token
    "$request_uri ",
)


def directives(name: str) -> list[str]:
    """Every `name …;` directive of the config (comments left out), each on one line."""
    text = re.sub(r"#[^\n]*", "", CONFIG)
    return [" ".join(m.split()) for m in re.findall(rf"(?<![\w$]){name}\s[^;{{]*;", text)]


def location(path: str) -> str:
    match = re.search(rf"location {re.escape(path)} \{{(.*?)\n        \}}", CONFIG, re.S)
    assert match, path
    return match.group(1)


def nginx_available() -> bool:
    try:
        nginx.nginx_binary()
    except FileNotFoundError:
        return False
    return True


def test_the_access_log_has_no_client_address_user_agent_or_secret_path():
    (log_format,) = directives("log_format")
    assert log_format.startswith("log_format tuidang ")
    assert "$status" in log_format  # it does log requests...
    for variable in PLACING:
        assert variable not in log_format + " ", variable  # ...but nothing that places anyone
    # Every access log uses that format: one without a format name is nginx's "combined",
    # which starts with $remote_addr.
    for access_log in directives("access_log"):
        words = access_log.rstrip(";").split()
        assert words == ["access_log", "off"] or words[2] == "tuidang", access_log
    assert '~^/volunteer/setup/ "/volunteer/setup/-/";' in CONFIG
    # Error lines about a request always name its client: only startup errors are logged.
    assert directives("error_log") == ["error_log stderr emerg;"]


def test_only_anonymous_public_reads_are_cached():
    assert directives("proxy_cache_methods") == ["proxy_cache_methods GET HEAD;"]
    # A cookie or a token anywhere skips the cache both ways.
    assert 'map "$http_cookie$http_authorization" $tuidang_skip_cache' in CONFIG
    public = location("/")
    assert "proxy_cache tuidang;" in public
    assert "proxy_no_cache $tuidang_skip_cache;" in public
    assert "proxy_cache_bypass $tuidang_skip_cache;" in public
    assert "proxy_cache_lock on;" in public
    assert "proxy_cache_use_stale updating error timeout" in public
    # Lifetimes come from the app's Cache-Control alone: nothing it does not mark public.
    assert not directives("proxy_cache_valid")
    assert not directives("proxy_ignore_headers")
    for private in ("/volunteer/", "/api/v1/review/", "/api/v1/intake/"):
        assert "proxy_cache off;" in location(private), private
    # The app's rate limits see the client, from nginx only.
    assert directives("proxy_set_header X-Real-IP") == ["proxy_set_header X-Real-IP $remote_addr;"]


def test_only_public_answers_are_compressed():
    """Public pages go out gzipped (the list's 60 KB budget is what is transferred); no
    volunteer page is, since compressing a CSRF token beside chosen text leaks it."""
    assert "gzip on;" in location("/")
    assert "text/html" not in " ".join(directives("gzip_types"))  # nginx always includes it
    assert directives("gzip") == ["gzip on;"]  # only the one, in the public location
    for private in ("/volunteer/", "/api/v1/review/", "/api/v1/intake/"):
        assert "gzip" not in location(private), private


def test_nginx_accepts_the_config_the_bench_runs(tmp_path):
    if not nginx_available():
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (apt-get install nginx-light)")
        pytest.skip("nginx is not installed")
    config = nginx.render_deployed(upstream_port=9, port=9, folder=tmp_path / "nginx")
    checked = nginx.check(config)
    assert checked.returncode == 0, checked.stderr
    # Only addresses and paths differ from what is deployed.
    rendered = config.read_text()
    assert rendered.count("proxy_cache tuidang;") == CONFIG.count("proxy_cache tuidang;")
    assert "log_format tuidang" in rendered


def _request(port: int, raw: str) -> tuple[int, dict[str, str]]:
    with socket.create_connection(
        ("127.0.0.1", port), timeout=10, source_address=(CLIENT_ADDRESS, 0)
    ) as s:
        s.sendall(raw.encode())
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    head = b"".join(chunks).split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {}
    for line in head[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return int(head[0].split()[1]), headers


def _get(port: int, path: str, *extra: str) -> tuple[int, dict[str, str]]:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *extra, "Connection: close"]
    return _request(port, "\r\n".join(lines) + "\r\n\r\n")


@pytest.mark.process
@pytest.mark.django_db(transaction=True)
def test_the_deployed_nginx_caches_public_reads_and_logs_no_one(database_url):
    if not nginx_available():
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (apt-get install nginx-light)")
        pytest.skip("nginx is not installed")
    env = {**os.environ, "DATABASE_URL": database_url, "ALLOWED_HOSTS": "127.0.0.1"}
    app = Gunicorn(workers=1, threads=2, env=env)
    # Not pytest's tmp_path: run as root, nginx's workers switch to a user who must reach
    # the cache folder, and pytest's folders are its owner's alone.
    scratch = tempfile.TemporaryDirectory(prefix="test-nginx-")
    folder = Path(scratch.name) / "nginx"
    try:
        Path(scratch.name).chmod(0o755)
        proxy = nginx.deployed(upstream_port=app.port, folder=folder)
        try:
            port = proxy.port
            agent = "User-Agent: TraceableBrowser/77.7"
            first = _get(port, "/api/v1/tallies/", agent)
            second = _get(port, "/api/v1/tallies/", agent)
            signed_in = _get(port, "/api/v1/tallies/", "Cookie: sessionid=abc")
            token = _get(port, "/api/v1/tallies/", "Authorization: Token abc")
            login = [_get(port, "/volunteer/login/") for _ in range(2)]
            _get(port, f"/volunteer/setup/MQ/{SETUP_TOKEN}/")
            body = '{"receipt": "0000-0000-0000-0000-0000"}'
            lookups = [
                _request(
                    port,
                    "POST /api/v1/receipts/lookup HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Content-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}",
                )
                for _ in range(2)
            ]
            time.sleep(0.2)
        finally:
            proxy.stop()
    finally:
        app.stop()

    assert (first[0], first[1]["x-cache"]) == (200, "MISS")
    assert (second[0], second[1]["x-cache"]) == (200, "HIT")
    assert signed_in[1]["x-cache"] == "BYPASS"
    assert token[1]["x-cache"] == "BYPASS"
    for status, headers in login:
        assert status == 200
        assert "x-cache" not in headers
    for status, headers in lookups:
        assert status == 404  # answered by the app each time, never from the cache
        assert headers.get("x-cache", "") != "HIT"

    log = (folder / "access.log").read_text()
    scratch.cleanup()
    assert '"GET /api/v1/tallies/ HTTP/1.1" 200' in log
    assert "cache=HIT" in log
    assert CLIENT_ADDRESS not in log
    assert "TraceableBrowser" not in log
    assert SETUP_TOKEN not in log
    assert '"GET /volunteer/setup/-/ HTTP/1.1"' in log
