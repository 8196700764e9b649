import os
import subprocess
import sys

from django.conf import settings


def test_the_embedded_default_runs_the_whole_path_on_sqlite(tmp_path):
    """`make run`'s configuration: no DATABASE_URL, no REDIS_URL, DEBUG on."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    }
    env.update({"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}"})
    result = subprocess.run(
        [sys.executable, "-m", "tests.embedded_smoke"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "EMBEDDED OK" in result.stdout
