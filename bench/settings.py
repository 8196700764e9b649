"""The project's settings with one bare view added, for the benchmarks' baseline."""

from tuidang.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
