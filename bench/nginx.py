"""nginx for the benchmarks: the deployed configuration (deploy/nginx.conf) in front of a
bench gunicorn, and a bare static file server for the baseline.

Runs as whoever runs the bench, from a folder of its own (its prefix: temporary files,
cache, pid, log), in the foreground (`daemon off`), so stopping the process stops it.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from bench.common import ROOT, free_port

DEPLOYED_CONFIG = ROOT / "deploy" / "nginx.conf"


class ConfigChanged(Exception):
    """deploy/nginx.conf no longer holds a line the bench replaces."""


def render_deployed(*, upstream_port: int, port: int, folder: Path) -> Path:
    """deploy/nginx.conf with only its addresses and paths changed: gunicorn at
    127.0.0.1:upstream_port, listening on 127.0.0.1:port, cache, pid and access log in
    `folder`. Fails if any line it replaces is gone, rather than measure another config."""
    text = DEPLOYED_CONFIG.read_text()
    replacements = [
        ("server web:8000;", f"server 127.0.0.1:{upstream_port};"),
        ("listen 8080;", f"listen 127.0.0.1:{port};"),
        ("/var/cache/nginx/tuidang", str(folder / "cache")),
        ("pid /tmp/nginx.pid;", f"pid {folder / 'nginx.pid'};"),
        ("access_log /dev/stdout tuidang ", f"access_log {folder / 'access.log'} tuidang "),
    ]
    for old, new in replacements:
        if text.count(old) != 1:
            raise ConfigChanged(f"{DEPLOYED_CONFIG} should hold {old!r} once")
        text = text.replace(old, new)
    return _write(folder, _temp_paths_in(folder, text))


def render_static(*, port: int, folder: Path, root: Path) -> Path:
    """The baseline: nginx serving the files in `root`, with the deployed config's
    worker and connection settings and no access log."""
    text = f"""
worker_processes auto;
pid {folder / "nginx.pid"};
error_log stderr emerg;
events {{ worker_connections 1024; }}
http {{
    server_tokens off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 30s;
    access_log off;
    default_type application/json;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""
    return _write(folder, _temp_paths_in(folder, text))


def _temp_paths_in(folder: Path, text: str) -> str:
    """Request bodies and large answers buffered in `folder` rather than in the paths
    nginx was built with (/var/lib/nginx: root's)."""
    if text.count("\nhttp {\n") != 1:
        raise ConfigChanged("the config should open one http block")
    paths = "".join(
        f"    {kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return text.replace("\nhttp {\n", "\nhttp {\n" + paths)


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    # Started as root, nginx's workers switch to an unprivileged user that must write the
    # cache and temporary files here.
    folder.chmod(0o777)
    path = folder / "nginx.conf"
    path.write_text(text)
    return path


def check(config: Path) -> subprocess.CompletedProcess:
    """`nginx -t` of a rendered config: returns the completed process (stderr says why)."""
    folder = config.parent
    return subprocess.run(
        [nginx_binary(), "-t", "-q", "-e", "stderr", "-p", f"{folder}/", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )


def nginx_binary() -> str:
    # Debian puts it in /usr/sbin, which a user's PATH may not hold.
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise FileNotFoundError("nginx is not installed (apt-get install nginx-light)")
    return found


class Nginx:
    """nginx in the foreground with a rendered config, on the config's port."""

    def __init__(self, config: Path, port: int) -> None:
        self.port = port
        folder = config.parent
        self.process = subprocess.Popen(
            [
                nginx_binary(),
                "-e",
                "stderr",
                "-p",
                f"{folder}/",
                "-c",
                str(config),
                "-g",
                "daemon off;",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"nginx did not start with {config}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def deployed(*, upstream_port: int, folder: Path) -> Nginx:
    port = free_port()
    return Nginx(render_deployed(upstream_port=upstream_port, port=port, folder=folder), port)


def static(*, folder: Path, root: Path) -> Nginx:
    port = free_port()
    return Nginx(render_static(port=port, folder=folder, root=root), port)
