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


def _channel_check() -> tuple[bool, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT convalidated, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conname = 'statement_channel_valid'"
        )
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_the_channel_check_is_swapped_both_ways_and_validated():
    before = [("statements", "0012_status_changed_brin")]
    after = [("statements", "0013_imported_statements")]
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("statements", "Statement")
        old.objects.create(
            display_name="王小明",
            left_party=True,
            region="CN-GD",
            language="zh-hans",
            channel="paper",
            content_hash=b"c" * 16,
            receipt_hash=b"r" * 16,
        )
        validated, definition = _channel_check()
        assert validated and "'imported'" not in definition
        MigrationExecutor(connection).migrate(after)
        validated, definition = _channel_check()
        assert validated and "'imported'" in definition and "'paper'" in definition
        MigrationExecutor(connection).migrate(before)
        validated, definition = _channel_check()
        assert validated and "'imported'" not in definition
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
    assert Statement.objects.get().channel == "paper"
    Statement.objects.all().delete()
