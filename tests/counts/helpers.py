"""Statements on given tally days and regions, for the tallies' tests."""

from datetime import date, timedelta

from django.utils import timezone

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
    # A status never changed in the future: today at 10:00 may still be ahead (just after
    # midnight in TALLY_TIME_ZONE), and the rollup would see a change still to count.
    moment = min(day_bounds(day)[0] + timedelta(hours=hour), timezone.now() - timedelta(hours=1))
    Statement.objects.filter(pk__in=[s.pk for s in statements]).update(status_changed_at=moment)
    return statements
