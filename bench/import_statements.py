"""`manage.py import_statements` beside `psql \\copy` of the same file.

    make bench                                   # toy size in CI
    BENCH_IMPORT_ROWS=1000000 make bench         # the README figures

Against the real PostgreSQL, in the bench database (rebuilt each run):

1. a CSV of BENCH_IMPORT_ROWS published statements (unique numbers with their check
   digits, days over two years, names, one to three organizations, regions, and text
   as statements come: 55% blank, 38% of 10-40 characters, 6% of 100-300, 1% of
   1,000-3,000), written once;
2. baseline: `psql \\copy` of the file into a plain table of text columns (no index,
   no check, nothing computed);
3. ours: `manage.py import_statements` of the same file into the migrated statement
   table with all its indexes and checks, every row validated, NFC, hashed, and the
   tallies rolled up at the end: the whole command, start to finish.

Prints both times and baseline / ours (target: at least 0.5), and asserts that every
row arrived in both tables and in the tallies. CHECKPOINT before each timing, so
neither pays for the other's writes.
"""

import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuidang.settings")

from bench.common import ROOT, prepare

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "2000"))
DAYS = 730
TARGET = 0.5
# Common characters of statements, for text of a realistic byte width (3 in UTF-8).
_HAN = "我声明退出中国共产党共青团少先队的一切组织从今天起与其再无关系天灭中共人民自由真相善良忍耐"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_REGIONS = ["CN-GD", "CN-BJ", "CN-SH", "CN-SC", "CN-HB", "overseas", "undisclosed"]
_ORGANIZATIONS = ["party", "youth_league", "young_pioneers"]


def write_file(path: Path, rows: int) -> None:
    from statements import registration
    from tuidang.lib.days import tally_today

    rng = random.Random(7)  # noqa: S311 - sample data, not secrets
    last = tally_today() - timedelta(days=1)
    # Distinct random numbers: random bodies, redrawn on the rare repeat.
    bodies: set[int] = set()
    while len(bodies) < rows:
        bodies.add(10**14 + rng.randrange(9 * 10**14))
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("registration_number,day,name,is_alias,organizations,region,text\n")
        for n, body in enumerate(bodies):
            day = last - timedelta(days=DAYS - 1 - n * DAYS // rows)  # oldest first
            roll = rng.random()
            if roll < 0.55:
                length = 0
            elif roll < 0.93:
                length = rng.randint(10, 40)
            elif roll < 0.99:
                length = rng.randint(100, 300)
            else:
                length = rng.randint(1000, 3000)
            text = "".join(rng.choices(_HAN, k=length))
            if text:
                text = f'"{text}"'  # quoted, as spreadsheets write text
            alias = rng.random() < 0.4
            name = (
                f"{rng.choice(_SURNAMES)}{''.join(rng.choices(_HAN, k=rng.randint(1, 2)))}"
                if not alias
                else f"alias{n}"
            )
            organizations = ";".join(sorted(rng.sample(_ORGANIZATIONS, rng.randint(1, 3))))
            f.write(
                f"{registration.with_check_digit(body)},{day},{name},"
                f"{'yes' if alias else 'no'},{organizations},{rng.choice(_REGIONS)},{text}\n"
            )


def psql(url: str, *commands: str) -> None:
    args = ["psql", url, "-v", "ON_ERROR_STOP=1", "-q"]
    for command in commands:
        args += ["-c", command]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    prepare()
    from django.db import connection

    from counts.models import DailyTally
    from statements.models import Statement

    url = os.environ["DATABASE_URL"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "statements.csv"
        started = time.perf_counter()
        write_file(path, ROWS)
        size = path.stat().st_size
        print(
            f"import_statements: {ROWS:,} rows, {size / 2**20:,.1f} MiB "
            f"(written in {time.perf_counter() - started:.1f} s)"
        )
        psql(
            url,
            "CREATE TABLE bench_plain (registration_number text, day text, name text,"
            " is_alias text, organizations text, region text, text text)",
        )
        connection.close()  # no session of ours in the way

        psql(url, "CHECKPOINT")
        started = time.perf_counter()
        psql(url, f"\\copy bench_plain FROM '{path}' CSV HEADER")
        baseline = time.perf_counter() - started

        psql(url, "CHECKPOINT")
        started = time.perf_counter()
        command = subprocess.run(
            [sys.executable, "manage.py", "import_statements", str(path), "--no-progress", "-v2"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "tuidang.settings"},
        )
        ours = time.perf_counter() - started
    # "Seconds: L loading, T recomputing the tallies."; the rest is Python and Django
    # starting, and the file's sha256.
    loading, tallies = (
        float(word)
        for word in re.findall(r"([\d.]+) ", command.stdout[command.stdout.index("Seconds:") :])
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_plain")
        (plain,) = cursor.fetchone()
    loaded = Statement.objects.filter(channel="imported").count()
    counted = sum(DailyTally.objects.values_list("total", flat=True))
    assert plain == loaded == counted == ROWS, (plain, loaded, counted)
    ratio = baseline / ours
    verdict = "met" if ratio >= TARGET else "NOT met"
    for label, seconds in (
        ("baseline: psql \\copy into a plain table", baseline),
        ("ours: manage.py import_statements", ours),
    ):
        print(f"  {label:<42} {seconds:7.2f} s {ROWS / seconds:>10,.0f} rows/s")
    print(
        f"    of which loading {loading:.2f} s, recomputing {DailyTally.objects.count()} days' "
        f"tallies {tallies:.2f} s, starting {ours - loading - tallies:.2f} s"
    )
    print(f"  baseline / ours: {ratio:.2f} (target >= {TARGET}: {verdict})")


if __name__ == "__main__":
    main()
