"""Running the project in a process of its own, as a fresh shell would."""

import os
import subprocess
import sys

from django.conf import settings

# The variables that choose what the project runs against; a child process starts
# without the test run's values and gets only what a test names.
PROJECT_SETTINGS = ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL")


def project_env(**overrides: str) -> dict[str, str]:
    """This environment without the project's settings, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if k not in PROJECT_SETTINGS}
    env.update(overrides)
    return env


def run_python(*args: str, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    """`python *args` in the project folder, its output captured as text."""
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
