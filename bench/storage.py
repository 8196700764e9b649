"""Bytes per published statement, heap plus indexes, beside the layout it replaced.

    make bench-storage                      # 1,000,000 rows (the README's figures)
    BENCH_STORAGE_ROWS=20000 make bench-storage

Loads N published statements with the bench's text-length mix (bench/seed.py) into a
fresh, migrated bench database, through COPY with every index in place, as rows arrive
in production (days rising, registration numbers random within a day). Then copies the
same rows, in the same order, into a table shaped as the statement table was before
(hex-text hashes with their unique and pattern indexes, the published index declared
descending on (published_at, id), a B-tree on status_changed_at, no region index), and
prints each relation's bytes per row for both.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuidang.settings")

from bench.common import prepare

ROWS = int(os.environ.get("BENCH_STORAGE_ROWS", "1000000"))

# The statement table as it was before registration numbers (migration 0010), with the
# indexes it had; filled from the new one so both hold the same rows.
OLD_LAYOUT = """
CREATE TABLE old_statement (LIKE statements_statement INCLUDING DEFAULTS);
ALTER TABLE old_statement
    ALTER COLUMN content_hash TYPE varchar(64) USING encode(content_hash, 'hex'),
    ALTER COLUMN receipt_hash TYPE varchar(64) USING encode(receipt_hash, 'hex'),
    DROP COLUMN published_day, DROP COLUMN registration_number, DROP COLUMN hidden;
ALTER TABLE old_statement ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX old_receipt ON old_statement (receipt_hash);
CREATE INDEX old_receipt_like ON old_statement (receipt_hash varchar_pattern_ops);
CREATE INDEX old_status_changed ON old_statement (status_changed_at);
CREATE INDEX old_created_brin ON old_statement USING brin (created_at);
CREATE INDEX old_live_hash ON old_statement (content_hash, id)
    WHERE NOT status IN ('rejected', 'removed');
CREATE INDEX old_published ON old_statement (published_at DESC, id DESC)
    WHERE status = 'published';
"""


def sizes(cursor, table: str) -> list[tuple[str, int]]:
    """(relation, bytes) for the table, its TOAST table and each index."""
    cursor.execute(
        """
        SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c WHERE c.oid = %s::regclass
        UNION ALL
        SELECT 'TOAST', pg_relation_size(c.reltoastrelid) FROM pg_class c
            WHERE c.oid = %s::regclass AND c.reltoastrelid <> 0
        UNION ALL
        SELECT i.relname, pg_relation_size(i.oid) FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass
        ORDER BY 2 DESC
        """,
        [table, table, table],
    )
    return list(cursor.fetchall())


def show(title: str, rows: list[tuple[str, int]], n: int) -> int:
    total = sum(size for _name, size in rows)
    print(f"{title}: {total / n:.0f} B/row ({total / 2**20:.0f} MiB)")
    for name, size in rows:
        print(f"  {name:<48} {size / n:7.1f} B/row")
    return total


def main() -> None:
    prepare()
    from django.db import connection

    from bench.seed import TEXT_MIX, seed_published

    print(f"{ROWS:,} published statements; text mix: {TEXT_MIX}")
    with connection.cursor() as cursor:
        seed_published(cursor, ROWS)
        cursor.execute(
            "SELECT avg(octet_length(text)), avg(pg_column_size(text)) FROM statements_statement"
        )
        raw, stored = cursor.fetchone()
        cursor.execute(OLD_LAYOUT)
        cursor.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'old_statement' ORDER BY ordinal_position"
        )
        columns = [name for (name,) in cursor.fetchall()]
        hexed = {"content_hash", "receipt_hash"}
        values = [f"encode({c}, 'hex')" if c in hexed else c for c in columns]
        cursor.execute(
            f"INSERT INTO old_statement ({', '.join(columns)})"  # noqa: S608 - our names
            f" SELECT {', '.join(values)} FROM statements_statement ORDER BY id"
        )
    with connection.cursor() as cursor:
        for table in ("statements_statement", "old_statement"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        new = show("now", sizes(cursor, "statements_statement"), ROWS)
        old = show(
            "before (hex hashes, pattern index, descending published index)",
            sizes(cursor, "old_statement"),
            ROWS,
        )
    print(f"text: {raw:.0f} B/row as UTF-8, {stored:.0f} B/row as stored")
    print(f"now / before: {new / old:.2f}; target 400 B/row: {new / ROWS:.0f} B/row")


if __name__ == "__main__":
    main()
