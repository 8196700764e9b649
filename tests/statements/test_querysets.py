"""The review queue's keyset seeks: the cursor is an index condition, never a filter over
the rows before it. (The public list's: tests/statements/test_public_queries.py.)"""

import pytest

from statements.models import Statement
from tests import factories
from tests.explain import plan_nodes


def _plan(queryset) -> list[dict]:
    """Every node of EXPLAIN ANALYZE's plan for `queryset`, the planner kept off
    sequential scans (on a few rows it would rightly prefer one)."""
    sql, params = queryset.query.sql_with_params()
    return plan_nodes(sql, params, setup=(("SET LOCAL enable_seqscan = off", []),))


def _assert_seeks(nodes: list[dict], index: str, columns: tuple[str, str]) -> None:
    scan = next(n for n in nodes if n.get("Index Name") == index)
    condition = scan.get("Index Cond", "")
    assert all(column in condition for column in columns), condition
    assert "Filter" not in scan, scan.get("Filter")
    assert all(n.get("Rows Removed by Filter", 0) == 0 for n in nodes)


@pytest.mark.django_db
def test_the_review_queue_keyset_is_an_index_condition():
    statements = [factories.in_review_statement() for _ in range(30)]
    middle = Statement.objects.get(pk=statements[10].pk)

    after = Statement.objects.queued_after(queued_at=middle.queued_at, id=middle.id)
    assert [s.id for s in after[:3]] == [s.id for s in statements[11:14]]

    nodes = _plan(after[:25])
    _assert_seeks(nodes, "statement_queue_idx", ("queued_at", "id"))
