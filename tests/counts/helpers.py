"""Statements on given tally days and regions, for the tallies' tests."""

from datetime import date, timedelta

from counts.days import day_bounds
from statements.models import Statement
from tests import factories


def published_on(
    day: date, *, region: str = "CN-BJ", organizations=("party",), hour: int = 10, count: int = 1
) -> list[Statement]:
    statements = [
        factories.published_statement(
            published_at=day_bounds(day)[0] + timedelta(hours=hour), organizations=organizations
        )
        for _ in range(count)
    ]
    if region != "CN-BJ":
        Statement.objects.filter(pk__in=[s.pk for s in statements]).update(region=region)
    return statements
