"""The project's settings with one bare view added, for the benchmarks' baseline."""

import os

from tuidang.settings import *  # noqa: F403
from tuidang.settings import DATABASES

ROOT_URLCONF = "bench.urls"

# To measure what the database health check costs (see CONN_HEALTH_CHECKS in
# tuidang/settings.py): BENCH_CONN_HEALTH_CHECKS=1 or 0; unset, as the project has it.
if os.environ.get("BENCH_CONN_HEALTH_CHECKS", "") != "":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = os.environ["BENCH_CONN_HEALTH_CHECKS"] == "1"
