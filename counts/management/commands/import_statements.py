"""Load statements published before the cut-over, then bring the tallies up to date.

The loading is statements.importing's (a statement's life belongs to statements); this
command lives in counts because its last step recomputes the tallies of every day it
loaded, and only counts may import both (statements never imports counts).
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, OutputWrapper, no_translations

from counts import services
from statements import importing

# Days rolled up per transaction: each holds the rollup's lock, which the 15-second
# rollup waits on, only briefly (as rebuild_all does).
ROLLUP_DAYS = 31


class Command(BaseCommand):
    help = (
        "Load statements published before the cut-over, with their registration numbers "
        "and days, from a CSV file (UTF-8) with the columns registration_number, day, "
        "name, is_alias, organizations, region and optionally text and language. Bad "
        "rows go to a rejects file; the rest load. Running the same file again resumes it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--rejects",
            type=Path,
            help="Where rejected rows go, with their line and reason (default FILE.rejects.csv).",
        )
        parser.add_argument(
            "--restart",
            action="store_true",
            help="Load the file from the top, ignoring an interrupted load of it (its rows "
            "loaded before are then rejected as taken numbers).",
        )
        parser.add_argument(
            "--chunk-rows",
            type=int,
            default=importing.CHUNK_ROWS,
            help=f"Rows per transaction (default {importing.CHUNK_ROWS:,}).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar on standard error."
        )

    @no_translations
    def handle(self, *args, file: Path, rejects, restart, chunk_rows, no_progress, **options):
        if chunk_rows < 1:
            raise CommandError("--chunk-rows must be at least 1.")
        bar = None if no_progress or not self.stderr.isatty() else ProgressBar(self.stderr)
        started = time.monotonic()
        try:
            result = importing.load_statements(
                path=file,
                rejects_path=rejects,
                restart=restart,
                chunk_rows=chunk_rows,
                progress=bar,
            )
        except importing.ImportRefused as refused:
            raise CommandError(f"{refused}; nothing loaded.") from None
        finally:
            if bar is not None:
                bar.close()
        if result.already_finished:
            self.stdout.write(
                f"{file} was loaded before ({result.total_loaded:,} statements, "
                f"{result.total_rejected:,} rejected); --restart loads it again."
            )
        else:
            resumed = (
                f" (resumed after line {result.resumed_after_line:,})"
                if result.resumed_after_line
                else ""
            )
            self.stdout.write(
                f"Loaded {result.loaded:,} statements, rejected {result.rejected:,}{resumed}."
            )
        if result.rejects is not None:
            self.stdout.write(f"Rejected rows, with their reasons: {result.rejects}")
        # Rerun even for a file loaded before: the run that loaded it may have stopped
        # between its last chunk and its rollup. Imported-history days are passed over.
        loaded = time.monotonic()
        written = []
        for start in range(0, len(result.days), ROLLUP_DAYS):
            written += services.rollup_days(days=result.days[start : start + ROLLUP_DAYS])
        if result.days:
            self.stdout.write(
                f"Tallies recomputed for {len(written):,} of the {len(result.days):,} days "
                f"loaded, {result.days[0]} to {result.days[-1]} (days of imported history "
                "keep their figures)."
            )
        if options["verbosity"] >= 2:
            self.stdout.write(
                f"Seconds: {loaded - started:.2f} loading, "
                f"{time.monotonic() - loaded:.2f} recomputing the tallies."
            )


class ProgressBar:
    """One line on standard error, redrawn at most four times a second: how much of the
    file is read, rows per second, and the time left at that pace."""

    WIDTH = 24

    def __init__(self, out: OutputWrapper):
        self.out = out
        self.started = time.monotonic()
        self.drawn = float("-inf")
        self.shown = False

    def __call__(self, progress: importing.Progress) -> None:
        now = time.monotonic()
        if now - self.drawn < 0.25 and progress.offset < progress.size:
            return
        self.drawn = now
        share = progress.offset / progress.size if progress.size else 1.0
        elapsed = max(now - self.started, 1e-6)
        left = elapsed * (1 - share) / share if share > 0 else 0
        filled = round(share * self.WIDTH)
        self.out.write(
            f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {share:6.1%} "
            f"{progress.read:,} rows, {progress.read / elapsed:,.0f}/s, "
            f"{progress.rejected:,} rejected, {left:,.0f} s left ",
            ending="",
        )
        self.out.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.out.write("")
