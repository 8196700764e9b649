"""Statements stored before registration numbers keep working after the upgrade."""

import hashlib
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from statements import receipts, registration
from statements.models import Statement

BEFORE = [("statements", "0010_entered_by_volunteer")]
AFTER = [("statements", "0011_registration_number_and_slim_storage")]


@pytest.mark.django_db(transaction=True)
def test_hex_hashes_become_bytes_and_published_rows_get_a_day_and_a_number():
    code = receipts.new_code()
    canonical = receipts.normalize(code)
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("statements", "Statement")
        common = {
            "display_name": "王小明",
            "left_party": True,
            "region": "CN-GD",
            "language": "zh-hans",
            "content_hash": hashlib.sha256(b"content").hexdigest(),
        }
        # 23:30 UTC is the next day in Asia/Shanghai, the tally time zone.
        published_at = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
        old.objects.create(
            **common,
            status="published",
            published_at=published_at,
            receipt_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        )
        old.objects.create(**common, status="in_review", receipt_hash="ab" * 32)
        MigrationExecutor(connection).migrate(AFTER)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE tablename = 'statements_statement'"
                " AND indexname LIKE '%%_like'"
            )
            assert cursor.fetchone() == (0,)
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
    published = Statement.objects.by_receipt(code).get()
    assert bytes(published.content_hash) == hashlib.sha256(b"content").digest()[:16]
    assert published.published_day.isoformat() == "2026-03-02"
    assert registration.is_valid(published.registration_number)
    waiting = Statement.objects.get(status="in_review")
    assert bytes(waiting.receipt_hash) == bytes.fromhex("ab" * 16)
    assert waiting.registration_number is None
    Statement.objects.all().delete()
