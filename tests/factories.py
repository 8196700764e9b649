"""Statements in any state. Intake and state changes go through the services, as in
production; `published_statement` writes a row directly only to place it at a chosen
time for the tally tests."""

import itertools
from datetime import datetime

from django.utils import timezone

from statements import receipts, screening, services
from statements.models import ORGANIZATION_FIELDS, Statement, Status

_names = (f"测试者{n}" for n in itertools.count(1))


def submission(**overrides) -> services.Submission:
    fields = {
        "display_name": next(_names),
        "is_alias": False,
        "organizations": ["party"],
        "region": "CN-GD",
        "text": "",
        "language": "zh-hans",
    }
    fields.update(overrides)
    return services.submit_statement(**fields)


def received_statement(**overrides) -> Statement:
    return submission(**overrides).statement


def in_review_statement(**overrides) -> Statement:
    statement = received_statement(**overrides)
    services.screen_received()
    statement.refresh_from_db()
    assert statement.status == Status.IN_REVIEW
    return statement


def approved_statement(*, reviewer, **overrides) -> Statement:
    statement = in_review_statement(**overrides)
    services.approve(statement_id=statement.pk, reviewer=reviewer)
    statement.refresh_from_db()
    return statement


def published_statement(
    *, published_at: datetime | None = None, organizations=("party",), status=Status.PUBLISHED
) -> Statement:
    name = next(_names)
    published_at = published_at or timezone.now()
    return Statement.objects.create(
        display_name=name,
        region="CN-BJ",
        language="zh-hans",
        status=status,
        content_hash=screening.content_hash(
            name=name, text="", organizations=organizations, region="CN-BJ"
        ),
        receipt_hash=receipts.digest(receipts.new_code()),
        created_at=published_at,
        published_at=published_at,
        status_changed_at=published_at,
        **{field: org in organizations for org, field in ORGANIZATION_FIELDS.items()},
    )
