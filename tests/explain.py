"""EXPLAIN ANALYZE for the tests that check a query seeks: every node of the plan."""

import json

from django.db import connection, transaction


def plan_nodes(sql: str, params, *, setup: tuple[tuple[str, list], ...] = ()) -> list[dict]:
    """Every node of EXPLAIN (ANALYZE)'s plan for `sql`, run in a transaction after the
    `setup` statements (planner settings, SET LOCAL), which end with it."""
    with transaction.atomic(), connection.cursor() as cursor:
        for statement, arguments in setup:
            cursor.execute(statement, arguments)
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes, stack = [], [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("Plans", []))
    return nodes
